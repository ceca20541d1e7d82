"""engine/render/jinja.py: the environment's `join` filter (Jinja's sync one, registered without
the async wrapper) joins and escapes exactly as Jinja's default filter does."""

from __future__ import annotations

from jinja2.sandbox import ImmutableSandboxedEnvironment
from markupsafe import Markup

from engine.render.jinja import environment

_CASES = [
    ([], "; "),
    (["a", "b<c>", "d&e"], "; "),
    ([1, 2.5, None, True], ", "),
    ([Markup("<i>x</i>"), "<y>"], " & "),
    (["a", "b"], Markup("<br>")),
    ((x for x in ["g", "<h>"]), "|"),
]
_SOURCES = ["{{ v|join(d) }}", "{{ v|join }}", "{{ v|join(d)|length }}"]


def test_join_is_jinjas_join_with_and_without_autoescape() -> None:
    ours = environment()
    for autoescape in (False, True):
        plain = ImmutableSandboxedEnvironment(autoescape=autoescape)
        for source in _SOURCES:
            wrapped = (
                "{% autoescape " + str(autoescape).lower() + " %}" + source + "{% endautoescape %}"
            )
            for value, d in _CASES:
                items = list(value)
                got = ours.from_string(wrapped).render(v=iter(items), d=d)
                assert got == plain.from_string(source).render(v=iter(items), d=d)
