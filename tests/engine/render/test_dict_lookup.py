"""engine/render/jinja.py: `p.name` of a plain dict is read as its item straight away, and every
other lookup still goes the sandbox's way (attributes first, unsafe ones refused)."""

from __future__ import annotations

from collections import OrderedDict

import pytest
from jinja2.exceptions import SecurityError, UndefinedError
from jinja2.sandbox import ImmutableSandboxedEnvironment

from engine.render.jinja import environment


def render(source: str, **context: object) -> str:
    return environment().from_string(source).render(**context)


def reference(source: str, **context: object) -> str:
    return ImmutableSandboxedEnvironment().from_string(source).render(**context)


@pytest.mark.parametrize(
    "source",
    [
        "{{ p.title }}",
        "{{ p.items|default('-') is callable }}",  # a dict's own attribute: the method
        "{% for k, v in p.items() %}{{ k }}={{ v }};{% endfor %}",
        "{{ p.keys is callable }} {{ p.get('title') }}",
        "{{ o.title }} {{ o.items is callable }}",  # not a plain dict: the sandbox's own way
        "{{ p.nested.deeper }}",
        # a loop's counters, read straight away, as the sandbox reads them
        "{% for x in xs %}{{ loop.index }}{{ loop.index0 }}{{ loop.first }}{{ loop.last }}"
        "{{ loop.length }}{{ loop.revindex }}{{ loop.revindex0 }}{{ loop.depth }}{{ loop.depth0 }}"
        "{{ loop.cycle is callable }};{% endfor %}",
    ],
)
def test_lookups_read_as_the_sandbox_reads_them(source):
    context = {
        "p": {"title": "T", "items": "the key", "nested": {"deeper": 3}},
        "o": OrderedDict(title="O"),
        "xs": ["a", "b", "c"],
    }
    assert render(source, **context) == reference(source, **context)


def test_a_missing_key_is_undefined_and_strict():
    with pytest.raises(UndefinedError):
        render("{{ p.missing }}", p={})


def test_unsafe_attributes_stay_refused():
    with pytest.raises(SecurityError):
        render("{{ p.update({'a': 1}) }}", p={})
    with pytest.raises(SecurityError):
        render("{{ p.__class__ }}", p={"__class__": "a key of that name"})
    with pytest.raises(SecurityError):  # a loop's other attributes go the sandbox's way
        render("{% for x in xs %}{{ loop._iterator }}{% endfor %}", xs=[1])
