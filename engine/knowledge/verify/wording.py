"""Wording that follows the cluster at hand: rule `because` sentences, measure `variants` and
`{country:key}` institutions (engine/explain/wording.py fills them).

- A rule's `because` may name, as `{id}`, only an indicator or measure its own `when` tests: the
  value it prints is then one the firing record holds.
- A catalogue text names no `{id}` (it is the general reason; the cluster's values belong to the
  rules), and a title no placeholder at all (titles are listed everywhere unfilled).
- `{country:key}` needs the key in the `default` country profile, so every country has a name.
- A variant's findings must be findings some rule can make.
- A country profile's sources exist.
"""

from __future__ import annotations

import re
from typing import Any

from engine.errors import suggest
from engine.knowledge.base import Text
from engine.knowledge.graph import producers_of
from engine.knowledge.verify.references import Checker, atoms_with_paths

PLACEHOLDER = re.compile(r"\{(country:)?([^{}]*)\}")
ID = re.compile(r"[a-z][a-z0-9_]*")
DOC = "document.yaml"
RECS = "recommendations.yaml"


def _placeholders(t: Text | None) -> list[tuple[str, str]]:
    """(kind, name) of every placeholder in both languages: kind is "country" or "value"."""
    if t is None:
        return []
    out = []
    for text in (t.ru, t.en):
        for m in PLACEHOLDER.finditer(text or ""):
            out.append(("country" if m.group(1) else "value", m.group(2)))
    return list(dict.fromkeys(out))


def check_wording(c: Checker) -> None:
    k = c.k
    default = k.document.country_profiles.get("default")
    keys = set(default.institutions) if default else set()

    def country_key(file: str, path: tuple[Any, ...], name: str, located: Any = None) -> None:
        if name in keys:
            return
        message = (
            f"unknown institution {{country:{name}}}: add it to the `default` country profile "
            f"of document.yaml"
            if default
            else f"{{country:{name}}} needs a `default` country profile in document.yaml"
        )
        if located is not None:
            c.problems.append(located.problem(path, message, hint=suggest(name, sorted(keys))))
        else:
            c.add(file, path, message, hint=suggest(name, sorted(keys)))

    for site in k.rules:
        because = site.rule.because
        if because is None:
            continue
        tested = {a.subject for a, _, _ in atoms_with_paths(site)}
        path = site.path + ("because",)
        for kind, name in _placeholders(because):
            if kind == "country":
                country_key(site.file, path, name, site.located)
            elif not ID.fullmatch(name) or name not in tested:
                c.problems.append(
                    site.located.problem(
                        path,
                        f"`because` of rule {site.rule.id!r} names {{{name}}}, which its `when` "
                        f"does not test: only the values a firing saw can be printed",
                        hint=suggest(name, sorted(tested)),
                    )
                )

    findings = {f.id for f in k.findings.findings}
    for i, r in enumerate(k.recommendations.recommendations):
        base = ("recommendations", i)
        for kind, name in _placeholders(r.title):
            shown = f"country:{name}" if kind == "country" else name
            c.add(RECS, base + ("title",), f"a title takes no placeholder ({{{shown}}})")
        texts: list[tuple[tuple[Any, ...], Text | None]] = [
            (base + (f,), getattr(r, f)) for f in ("text", "rationale", "condition")
        ]
        for j, v in enumerate(r.variants):
            vpath = base + ("variants", j)
            texts += [(vpath + (f,), getattr(v, f)) for f in ("text", "rationale", "condition")]
            if v.text is None and v.rationale is None and v.condition is None:
                c.add(RECS, vpath, "a variant must replace `text`, `rationale` or `condition`")
            for n, fid in enumerate(v.if_):
                if fid not in findings:
                    c.add(
                        RECS,
                        vpath + ("if", n),
                        f"unknown finding {fid!r}",
                        hint=suggest(fid, sorted(findings)),
                    )
                elif not producers_of("finding", fid, k):
                    c.add(RECS, vpath + ("if", n), f"no rule makes the finding {fid!r}")
        for path, t in texts:
            for kind, name in _placeholders(t):
                if kind == "country":
                    country_key(RECS, path, name)
                else:
                    c.add(
                        RECS,
                        path,
                        f"a catalogue text names no value ({{{name}}}): the cluster's values "
                        f"belong to the `because` of the rules that make the measure",
                    )

    sources = set(k.source)
    for code, profile in k.document.country_profiles.items():
        for key, inst in profile.institutions.items():
            if inst.source is not None and inst.source not in sources:
                c.add(
                    DOC,
                    ("country_profiles", code, "institutions", key, "source"),
                    f"unknown source {inst.source!r}",
                    hint=suggest(inst.source, sorted(sources)),
                )
