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
from engine.knowledge.measure_ids import measure_inputs
from engine.knowledge.models import RecommendationDef, RuleSite, Variant
from engine.knowledge.verify.references import Checker, atoms_with_paths

PLACEHOLDER = re.compile(r"\{(?:(country|benchmark):)?([A-Za-z_][A-Za-z0-9_]*)\}")
ID = re.compile(r"[a-z][a-z0-9_]*")
DOC = "document.yaml"
RECS = "recommendations.yaml"


def base_measure(m: str) -> str:
    """The measure a comparison measure is about: tercile_q_x, gap_q_x -> q_x; ratio_band -> ratio."""
    for prefix in ("tercile_", "gap_", "bench_status_", "bench_gap_"):
        if m.startswith(prefix):
            return m[len(prefix) :]
    return m.removesuffix("_band")


def _placeholders(t: Text | None) -> list[tuple[str, str]]:
    """(kind, name) of every placeholder in both languages: kind is "country" or "value"."""
    if t is None:
        return []
    out = []
    for text in (t.ru, t.en):
        for m in PLACEHOLDER.finditer(text or ""):
            out.append((m.group(1) or "value", m.group(2)))
    return list(dict.fromkeys(out))


def check_wording(c: Checker) -> None:
    """Report placeholders a text may not name, and variants and profiles that name unknown ids."""
    wording = _Wording(c)
    for site in c.k.rules:
        wording.check_because(site)
    for i, r in enumerate(c.k.recommendations.recommendations):
        wording.check_recommendation(i, r)
    _check_profile_sources(c)


class _Wording:
    """The checks of the placeholders of one knowledge base's texts."""

    def __init__(self, c: Checker) -> None:
        self.c = c
        self.k = c.k
        self.default = self.k.document.country_profiles.get("default")
        self.keys = set(self.default.institutions) if self.default else set()
        self.inputs = measure_inputs(self.k)
        self.findings = {f.id for f in self.k.findings.findings}

    def _report(
        self, file: str, path: tuple[Any, ...], message: str, hint: str, located: Any
    ) -> None:
        """A problem placed by the rule's own YAML position when there is one, else by path."""
        if located is not None:
            self.c.problems.append(located.problem(path, message, hint=hint))
        else:
            self.c.add(file, path, message, hint=hint)

    def country_key(self, file: str, path: tuple[Any, ...], name: str, located: Any = None) -> None:
        """`{country:name}` needs `name` among the default country profile's institutions."""
        if name in self.keys:
            return
        message = (
            f"unknown institution {{country:{name}}}: add it to the `default` country profile "
            f"of document.yaml"
            if self.default
            else f"{{country:{name}}} needs a `default` country profile in document.yaml"
        )
        self._report(file, path, message, suggest(name, sorted(self.keys)), located)

    def bench_key(self, path: tuple[Any, ...], name: str, located: Any = None) -> None:
        """`{benchmark:name}` needs a survey benchmark of that name in scoring.yaml."""
        benchmarks = self.k.scoring.benchmarks
        if name not in benchmarks:
            message = f"{{benchmark:{name}}}: no survey benchmark for {name!r} in scoring.yaml"
            self._report(RECS, path, message, suggest(name, sorted(benchmarks)), located)

    def check_because(self, site: RuleSite) -> None:
        """A rule's `because` names as `{id}` only what its own `when` tests."""
        because = site.rule.because
        if because is None:
            return
        tested = {a.subject for a, _, _ in atoms_with_paths(site)}
        # a measure's inputs are in the firing record too (its derivation)
        tested |= {i for m in list(tested) for i in self.inputs.get(m, ())}
        tested |= {base_measure(m) for m in list(tested)}
        path = site.path + ("because",)
        for kind, name in _placeholders(because):
            if kind == "country":
                self.country_key(site.file, path, name, site.located)
            elif kind == "benchmark":
                self.bench_key(path, name, site.located)
            elif not ID.fullmatch(name) or name not in tested:
                self.c.problems.append(
                    site.located.problem(
                        path,
                        f"`because` of rule {site.rule.id!r} names {{{name}}}, which its `when` "
                        f"does not test: only the values a firing saw can be printed",
                        hint=suggest(name, sorted(tested)),
                    )
                )

    def check_recommendation(self, i: int, r: RecommendationDef) -> None:
        """A catalogue entry: its title takes no placeholder, its texts and its variants' no
        `{id}`, and each variant replaces something and names findings a rule can make."""
        base = ("recommendations", i)
        for kind, name in _placeholders(r.title):
            shown = name if kind == "value" else f"{kind}:{name}"
            self.c.add(RECS, base + ("title",), f"a title takes no placeholder ({{{shown}}})")
        texts: list[tuple[tuple[Any, ...], Text | None]] = [
            (base + (f,), getattr(r, f)) for f in ("text", "rationale", "condition")
        ]
        for j, v in enumerate(r.variants):
            vpath = base + ("variants", j)
            texts += [(vpath + (f,), getattr(v, f)) for f in ("text", "rationale", "condition")]
            self._check_variant(vpath, v)
        for path, t in texts:
            for kind, name in _placeholders(t):
                if kind == "country":
                    self.country_key(RECS, path, name)
                elif kind == "benchmark":
                    self.bench_key(path, name)
                else:
                    self.c.add(
                        RECS,
                        path,
                        f"a catalogue text names no value ({{{name}}}): the cluster's values "
                        f"belong to the `because` of the rules that make the measure",
                    )

    def _check_variant(self, vpath: tuple[Any, ...], v: Variant) -> None:
        """A variant replaces some text and names only findings that some rule makes."""
        if all(x is None for x in (v.title, v.text, v.rationale, v.condition)):
            self.c.add(
                RECS, vpath, "a variant must replace `title`, `text`, `rationale` or `condition`"
            )
        for n, fid in enumerate(v.if_):
            if fid not in self.findings:
                self.c.add(
                    RECS,
                    vpath + ("if", n),
                    f"unknown finding {fid!r}",
                    hint=suggest(fid, sorted(self.findings)),
                )
            elif not producers_of("finding", fid, self.k):
                self.c.add(RECS, vpath + ("if", n), f"no rule makes the finding {fid!r}")


def _check_profile_sources(c: Checker) -> None:
    """Every source a country profile's institution cites exists."""
    sources = set(c.k.source)
    for code, profile in c.k.document.country_profiles.items():
        for key, inst in profile.institutions.items():
            if inst.source is not None and inst.source not in sources:
                c.add(
                    DOC,
                    ("country_profiles", code, "institutions", key, "source"),
                    f"unknown source {inst.source!r}",
                    hint=suggest(inst.source, sorted(sources)),
                )
