"""Second validation pass over the knowledge base: meaning, not structure.

Cross-references (indicators, measures, findings, recommendations, sources, KPIs), operators that do
not fit the indicator's type, thresholds outside the scale, duplicate ids (naming both places),
missing translations and sources; then the logic of the rules: rules that can never fire, redundant
rules, pairs of rules giving conflicting advice, cycles in chaining, and gaps (weak values no advice
addresses). Every problem is located. `kb check` prints them all; `load_knowledge` refuses to run
on any error.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Any

from engine.errors import Problem, suggest
from engine.files.strict_yaml import Located
from engine.knowledge.conditions import UNARY as _UNARY
from engine.knowledge.conditions import branch_problems, branches, iter_atoms
from engine.knowledge.models import PRIORITY_RANK, Atom, Knowledge, Not_, RuleSite, Text

NUMERIC_OPS = {"lt", "le", "gt", "ge"}
LIST_OPS = {"contains", "not_contains", "is_empty", "not_empty", "count_ge", "count_lt"}
BOOL_OPS = {"is_true", "is_false"}


class _Checker:
    def __init__(self, k: Knowledge) -> None:
        self.k = k
        self.problems: list[Problem] = []
        self.broken: set[str] = set()  # rules with reference errors: left out of the logic checks

    def loc(self, name: str) -> Located | None:
        return self.k.located.get(name)

    def add(
        self,
        file: str,
        path: tuple[Any, ...],
        message: str,
        *,
        severity: str = "error",
        hint: str = "",
        key: bool = False,
    ) -> None:
        located = self.loc(file)
        if located is None:
            self.problems.append(
                Problem(
                    file=file,
                    message=message,
                    severity=severity,  # type: ignore[arg-type]
                    hint=hint,
                )
            )
            return
        self.problems.append(located.problem(path, message, key=key, hint=hint, severity=severity))

    # --- ids ------------------------------------------------------------------------------------
    def duplicates(self) -> None:
        tables: list[tuple[str, str, list[Any]]] = [
            ("indicators.yaml", "indicators", self.k.indicators.indicators),
            ("findings.yaml", "findings", self.k.findings.findings),
            ("recommendations.yaml", "recommendations", self.k.recommendations.recommendations),
            ("kpis.yaml", "kpis", self.k.kpis.kpis),
            ("sources.yaml", "sources", self.k.sources.sources),
            ("partners.yaml", "partners", self.k.partners.partners),
            ("partners.yaml", "platforms", self.k.partners.platforms),
        ]
        for file, section, items in tables:
            first: dict[str, int] = {}
            for i, item in enumerate(items):
                if item.id in first:
                    located = self.loc(file)
                    where = (
                        f"{located.file}:{located.pos((section, first[item.id]))[0]}"
                        if located
                        else file
                    )
                    self.add(
                        file,
                        (section, i, "id"),
                        f"duplicate id {item.id!r} (first defined at {where})",
                    )
                else:
                    first[item.id] = i
        seen: dict[str, RuleSite] = {}
        for site in self.k.rules:
            rid = site.rule.id
            if rid in seen:
                other = seen[rid]
                self.problems.append(
                    site.located.problem(
                        site.path + ("id",),
                        f"duplicate rule id {rid!r} (first defined at {other.file}:{other.line})",
                    )
                )
            else:
                seen[rid] = site
        recs = {r.id: i for i, r in enumerate(self.k.recommendations.recommendations)}
        rec_file = self.loc("recommendations.yaml")
        for i, fd in enumerate(self.k.findings.findings):
            if fd.id in recs and rec_file is not None:
                line = rec_file.pos(("recommendations", recs[fd.id]))[0]
                self.add(
                    "findings.yaml",
                    ("findings", i, "id"),
                    f"id {fd.id!r} is both a finding and a recommendation (recommendation "
                    f"at {rec_file.file}:{line}); give one of them another id",
                )
        for ident in list(self.k.indicator) + list(self.k.finding):
            if "__" in ident:
                self.add("indicators.yaml", (), f"id {ident!r} may not contain '__'")

    # --- references -----------------------------------------------------------------------------
    def sources(self, file: str, path: tuple[Any, ...], ids: list[str]) -> None:
        for i, sid in enumerate(ids):
            if sid not in self.k.source:
                self.add(
                    file, path + (i,), f"unknown source {sid!r}", hint=suggest(sid, self.k.source)
                )

    def indicators(self) -> None:
        scales = self.k.indicators.scales
        groups = self.k.group
        for i, ind in enumerate(self.k.indicators.indicators):
            p = ("indicators", i)
            if ind.group not in groups:
                self.add(
                    "indicators.yaml",
                    p + ("group",),
                    f"unknown group {ind.group!r}",
                    hint=suggest(ind.group, groups),
                )
            if ind.type == "score" and (ind.scale is None or ind.scale not in scales):
                self.add(
                    "indicators.yaml",
                    p + ("scale",),
                    f"score indicator {ind.id!r} needs a known scale",
                    hint=suggest(ind.scale or "", scales),
                )
            if ind.type == "enum" and not ind.values:
                self.add("indicators.yaml", p, f"enum indicator {ind.id!r} needs values")
            self.sources("indicators.yaml", p + ("sources",), ind.sources)
            for key in ("label", "question", "help", "unit"):
                self.text("indicators.yaml", p + (key,), getattr(ind, key))
            for value, text in ind.value_labels.items():
                self.text("indicators.yaml", p + ("value_labels", value), text)
        for i, group in enumerate(self.k.indicators.groups):
            self.text("indicators.yaml", ("groups", i, "label"), group.label)

    def scoring(self) -> None:
        s = self.k.scoring
        f = "scoring.yaml"
        known = self.k.indicator
        if s.self_assessment.indicator not in known:
            self.add(
                f,
                ("self_assessment", "indicator"),
                f"unknown indicator {s.self_assessment.indicator!r}",
            )
        for lvl, level in s.self_assessment.levels.items():
            if level.band not in s.self_assessment.bands:
                self.add(
                    f, ("self_assessment", "levels", lvl, "band"), f"unknown band {level.band!r}"
                )
            self.sources(f, ("self_assessment", "levels", lvl, "sources"), level.sources)
        for ind, bench in s.benchmarks.items():
            if ind not in known:
                self.add(
                    f,
                    ("benchmarks", ind),
                    f"unknown indicator {ind!r}",
                    key=True,
                    hint=suggest(ind, known),
                )
            self.sources(f, ("benchmarks", ind, "sources"), bench.sources)
        region_ids = {r.id for r in s.region_indicators}
        for section, items in (
            ("partial_indicators", s.partial_indicators),
            ("region_indicators", s.region_indicators),
        ):
            for i, p in enumerate(items):
                for name in ("numerator", "denominator", "count", "list_"):
                    ref = getattr(p, name)
                    if ref is not None and ref not in known:
                        self.add(
                            f,
                            (section, i, name),
                            f"unknown indicator {ref!r}",
                            hint=suggest(ref, known),
                        )
                for j, ref in enumerate(p.alternative or ()):
                    if ref not in known:
                        self.add(f, (section, i, "alternative", j), f"unknown indicator {ref!r}")
                if p.formula == "ratio" and not (p.numerator and p.denominator):
                    self.add(f, (section, i), "a ratio needs numerator and denominator")
                if p.formula == "capped_count" and not (p.count and p.target):
                    self.add(f, (section, i), "capped_count needs count and target")
                if p.formula == "list_share" and not (p.list_ and p.of):
                    self.add(f, (section, i), "list_share needs list and of")
                if p.region and p.region not in region_ids:
                    self.add(
                        f,
                        (section, i, "region"),
                        f"unknown regional indicator {p.region!r}",
                        hint=suggest(p.region, region_ids),
                    )
                if p.area not in s.areas:
                    self.add(
                        f,
                        (section, i, "area"),
                        f"unknown area {p.area!r}",
                        hint=suggest(p.area, s.areas),
                    )
                self.sources(f, (section, i, "sources"), p.sources)
        for name, bands in (("index", s.index.bands), ("ratio", s.ratio.bands)):
            limits = [b.below for b in bands]
            if limits[-1] is not None or any(x is None for x in limits[:-1]):
                self.add(f, (name, "bands"), "every band but the last needs `below`; the last none")
            elif limits[:-1] != sorted(limits[:-1]):  # type: ignore[type-var]
                self.add(f, (name, "bands"), "band limits must increase")
        for helix, comps in s.helix.helices.items():
            for i, c in enumerate(comps):
                for ref in ([c.indicator] if c.indicator else []) + c.indicators:
                    if ref not in known:
                        self.add(
                            f,
                            ("helix", "helices", helix, i),
                            f"unknown indicator {ref!r}",
                            hint=suggest(ref, known),
                        )

    def rules(self) -> None:
        measures = _measures(self.k)
        for site in self.k.rules:
            r = site.rule
            before = len(self.problems)
            for atom, negated, path in _atoms_with_paths(site):
                self.atom(site, atom, negated, path, measures)
            then = r.then
            for key, ids, table in (
                ("finding", then.finding, self.k.finding),
                ("recommend", then.recommend, self.k.recommendation),
                ("postpone", then.postpone, self.k.recommendation),
            ):
                for j, ident in enumerate(ids):
                    if ident not in table:
                        self.problems.append(
                            site.located.problem(
                                site.path + ("then", key, j)
                                if len(ids) > 1
                                else site.path + ("then", key),
                                f"unknown {_noun(key)} {ident!r}",
                                hint=suggest(ident, table),
                            )
                        )
            for j, sid in enumerate(r.sources):
                if sid not in self.k.source:
                    self.problems.append(
                        site.located.problem(
                            site.path + ("sources", j),
                            f"unknown source {sid!r}",
                            hint=suggest(sid, self.k.source),
                        )
                    )
            if any(p.severity == "error" for p in self.problems[before:]):
                self.broken.add(r.id)
            if not r.sources and not r.proposal:
                self.problems.append(
                    site.located.problem(
                        site.path + ("id",),
                        f"rule {r.id!r} cites no source and is not marked `proposal: true`",
                        severity="warning",
                    )
                )
            self.text(site.file, site.path + ("title",), r.title, located=site.located)
            self.text(site.file, site.path + ("note",), r.note, located=site.located)

    def atom(
        self,
        site: RuleSite,
        a: Atom,
        negated: bool,
        path: tuple[Any, ...],
        measures: dict[str, tuple[str, list[str] | None]],
    ) -> None:
        problem = site.located.problem
        kind = a.subject_kind
        if kind == "finding":
            if a.subject not in self.k.finding:
                self.problems.append(
                    problem(
                        path + ("finding",),
                        f"unknown finding {a.subject!r}",
                        hint=suggest(a.subject, self.k.finding),
                    )
                )
            return
        if kind == "recommendation":
            if a.subject not in self.k.recommendation:
                self.problems.append(
                    problem(
                        path + ("recommendation",),
                        f"unknown recommendation {a.subject!r}",
                        hint=suggest(a.subject, self.k.recommendation),
                    )
                )
            return
        if negated:
            self.problems.append(
                problem(
                    path,
                    f"`not:` applies to findings and recommendations; "
                    f"for {kind} {a.subject!r} use the opposite operator",
                )
            )
            return
        op = a.op or ""
        if kind == "measure":
            if a.subject not in measures:
                self.problems.append(
                    problem(
                        path + ("measure",),
                        f"unknown measure {a.subject!r}",
                        hint=suggest(a.subject, measures),
                    )
                )
                return
            mkind, allowed = measures[a.subject]
            if mkind == "number" and op not in NUMERIC_OPS | {"eq", "ne", "is_missing", "is_known"}:
                self.problems.append(
                    problem(
                        path + ("op",),
                        f"operator {op!r} does not fit the numeric measure {a.subject!r}",
                    )
                )
            if mkind == "text":
                if op in NUMERIC_OPS | LIST_OPS | BOOL_OPS:
                    self.problems.append(
                        problem(
                            path + ("op",),
                            f"operator {op!r} does not fit the measure {a.subject!r}",
                        )
                    )
                for v in a.value if isinstance(a.value, list) else [a.value]:
                    if v is not None and allowed and v not in allowed:
                        self.problems.append(
                            problem(
                                path + ("value",),
                                f"{v!r} is never a value of {a.subject!r}",
                                hint=suggest(str(v), allowed),
                            )
                        )
            return
        ind = self.k.indicator.get(a.subject)
        if ind is None:
            self.problems.append(
                problem(
                    path + ("indicator",),
                    f"unknown indicator {a.subject!r}",
                    hint=suggest(a.subject, self.k.indicator),
                )
            )
            return
        t = ind.type
        fits = {
            "bool": BOOL_OPS | {"eq", "ne", "is_missing", "is_known"},
            "list": LIST_OPS | {"is_missing", "is_known"},
            "enum": {"eq", "ne", "in", "not_in", "is_missing", "is_known"},
            "str": {"eq", "ne", "in", "not_in", "is_missing", "is_known"},
        }.get(t, NUMERIC_OPS | {"eq", "ne", "in", "not_in", "is_missing", "is_known"})
        if op not in fits:
            self.problems.append(
                problem(
                    path + ("op",),
                    f"operator {op!r} does not fit {t} indicator {a.subject!r}",
                    hint=f"use one of {', '.join(sorted(fits))}",
                )
            )
            return
        if op in _UNARY:
            return
        values = a.value if isinstance(a.value, list) else [a.value]
        if op in ("in", "not_in") and not isinstance(a.value, list):
            self.problems.append(problem(path + ("value",), f"operator {op!r} needs a list value"))
        if op in ("count_ge", "count_lt"):
            if not isinstance(a.value, int) or isinstance(a.value, bool) or a.value < 0:
                self.problems.append(problem(path + ("value",), "a count needs a whole number ≥ 0"))
            return
        for v in values:
            if t in ("int", "float", "score"):
                if isinstance(v, bool) or not isinstance(v, (int, float)):
                    self.problems.append(
                        problem(path + ("value",), f"{v!r} is not a number ({a.subject!r} is {t})")
                    )
                    continue
                lo, hi = ind.min, ind.max
                if t == "score" and ind.scale in self.k.indicators.scales:
                    sc = self.k.indicators.scales[ind.scale]
                    lo, hi = sc.min, sc.max
                if (lo is not None and v < lo) or (hi is not None and v > hi):
                    self.problems.append(
                        problem(
                            path + ("value",),
                            f"threshold {v} is outside the scale of {a.subject!r} "
                            f"({_n(lo)}..{_n(hi)})",
                        )
                    )
            elif t == "bool" and not isinstance(v, bool):
                self.problems.append(problem(path + ("value",), f"{v!r} is not true/false"))
            elif t in ("enum", "list") and ind.values is not None and v not in ind.values:
                self.problems.append(
                    problem(
                        path + ("value",),
                        f"{v!r} is not a value of {a.subject!r}",
                        hint=suggest(str(v), ind.values),
                    )
                )

    def catalogue(self) -> None:
        f = "recommendations.yaml"
        for i, rec in enumerate(self.k.recommendations.recommendations):
            p = ("recommendations", i)
            for j, kpi in enumerate(rec.kpis):
                if kpi not in self.k.kpi:
                    self.add(
                        f, p + ("kpis", j), f"unknown KPI {kpi!r}", hint=suggest(kpi, self.k.kpi)
                    )
            if not rec.kpis:
                self.add(
                    f, p + ("id",), f"recommendation {rec.id!r} has no KPI", severity="warning"
                )
            self.sources(f, p + ("sources",), rec.sources)
            if not rec.sources and not rec.proposal:
                self.add(
                    f,
                    p + ("id",),
                    f"recommendation {rec.id!r} cites no source and is not marked `proposal: true`",
                    severity="warning",
                )
            for j, other in enumerate(rec.conflicts_with):
                if other not in self.k.recommendation:
                    self.add(f, p + ("conflicts_with", j), f"unknown recommendation {other!r}")
            for key in ("title", "text", "rationale", "timeframe"):
                self.text(f, p + (key,), getattr(rec, key))
        produced = {r for s in self.k.rules for r in s.rule.then.recommend}
        for i, rec in enumerate(self.k.recommendations.recommendations):
            if rec.id not in produced:
                self.add(
                    f,
                    ("recommendations", i, "id"),
                    f"no rule recommends {rec.id!r} (unreachable advice)",
                )
        derived = {x for s in self.k.rules for x in s.rule.then.finding}
        for i, fd in enumerate(self.k.findings.findings):
            self.text("findings.yaml", ("findings", i, "label"), fd.label)
            if fd.id not in derived:
                self.add(
                    "findings.yaml",
                    ("findings", i, "id"),
                    f"no rule derives finding {fd.id!r}",
                    severity="warning",
                )
        for i, fd in enumerate(self.k.findings.findings):
            self.text("findings.yaml", ("findings", i, "description"), fd.description)
        for section in ("actors", "directions", "priorities"):
            for key, text in getattr(self.k.recommendations, section).items():
                self.text(f, (section, key), text)
        for i, kdef in enumerate(self.k.kpis.kpis):
            for key in ("label", "unit", "note"):
                self.text("kpis.yaml", ("kpis", i, key), getattr(kdef, key))
            if kdef.baseline:
                for kind, ref in kdef.baseline.items():
                    ok = (
                        ref in self.k.indicator if kind == "indicator" else ref in _measures(self.k)
                    )
                    if not ok:
                        self.add(
                            "kpis.yaml", ("kpis", i, "baseline", kind), f"unknown {kind} {ref!r}"
                        )
        pf = "partners.yaml"
        pt = self.k.partners
        for key in (
            "availability_indicator",
            "specialization_indicator",
            "candidates_indicator",
            "platforms_indicator",
        ):
            if getattr(pt, key) not in self.k.indicator:
                self.add(pf, (key,), f"unknown indicator {getattr(pt, key)!r}")
        for j, geo in enumerate(pt.default_available_geographies):
            if geo not in pt.geographies:
                self.add(pf, ("default_available_geographies", j), f"unknown geography {geo!r}")
        for i, partner in enumerate(pt.partners):
            for j, geo in enumerate(partner.geography):
                if geo not in pt.geographies:
                    self.add(
                        pf,
                        ("partners", i, "geography", j),
                        f"unknown geography {geo!r}",
                        hint=suggest(geo, pt.geographies),
                    )
            self.sources(pf, ("partners", i, "sources"), partner.sources)
            if isinstance(partner.region, Text):
                self.text(pf, ("partners", i, "region"), partner.region)
            for j, sector in enumerate(partner.sectors):
                if sector not in pt.sectors:
                    self.add(
                        pf,
                        ("partners", i, "sectors", j),
                        f"sector {sector!r} has no label under `sectors:`; it prints untranslated",
                        severity="warning",
                    )
        for tag, label in pt.sectors.items():
            self.text(pf, ("sectors", tag), label)
        for i, plat in enumerate(pt.platforms):
            self.sources(pf, ("platforms", i, "sources"), plat.sources)

    def text(
        self, file: str, path: tuple[Any, ...], text: Text | None, located: Located | None = None
    ) -> None:
        if text is None:
            return
        for lang in ("ru", "en"):
            if not getattr(text, lang):
                loc = located or self.loc(file)
                msg = f"missing {'Russian' if lang == 'ru' else 'English'} text"
                if loc:
                    self.problems.append(loc.problem(path, msg, severity="warning"))
                else:
                    self.problems.append(Problem(file=file, message=msg, severity="warning"))

    def negation_cycles(self) -> None:
        from engine.knowledge.graph import strata

        try:
            strata(self.k)
        except ValueError as exc:
            self.add("findings.yaml", (), f"cycle through negation: {exc}")


def _n(x: float | None) -> str:
    if x is None:
        return ""
    return str(int(x)) if float(x).is_integer() else str(x)


def _noun(key: str) -> str:
    return {"finding": "finding", "recommend": "recommendation", "postpone": "recommendation"}[key]


def _measures(k: Knowledge) -> dict[str, tuple[str, list[str] | None]]:
    from engine.knowledge.measure_ids import measure_catalogue

    return measure_catalogue(k)


def _atoms_with_paths(site: RuleSite) -> list[tuple[Atom, bool, tuple[Any, ...]]]:
    """Atoms of a rule with their YAML key paths, for located messages."""
    from engine.knowledge.models import All_, Any_, Not_

    out: list[tuple[Atom, bool, tuple[Any, ...]]] = []

    def walk(conds: list[Any], path: tuple[Any, ...]) -> None:
        for i, c in enumerate(conds):
            p = path + (i,)
            if isinstance(c, Atom):
                out.append((c, False, p))
            elif isinstance(c, Not_):
                out.append((c.not_, True, p + ("not",)))
            elif isinstance(c, Any_):
                walk(c.any, p + ("any",))
            elif isinstance(c, All_):
                walk(c.all, p + ("all",))

    walk(site.rule.when, site.path + ("when",))
    return out


# --- the logic of rules: which values a set of conditions allows ---------------------------------
#
# A rule's `when` is read as a disjunction of branches (engine.conditions.branches). Each branch
# constrains some subjects (indicators, measures) to a set of values, needs some findings or
# recommendations, and needs others to be absent. Following the rules that derive a needed finding
# ("unfolding") turns a branch into ground branches over indicators and measures only. Every check
# below — rules that can never fire, redundant rules, conflicting pairs, gaps — compares such sets.
# The analysis is sound in one direction: it never calls a rule dead, redundant or conflicting
# unless the conditions prove it (measures are treated as independent of the indicators).

INF = math.inf
MAX_GROUNDS = 256  # unfolding stops (the finding stays opaque) beyond this many ground branches


@dataclass(frozen=True)
class Span:
    """An interval of numbers; `lo_open`/`hi_open` exclude the end point."""

    lo: float
    hi: float
    lo_open: bool = False
    hi_open: bool = False

    def is_empty(self) -> bool:
        return self.lo > self.hi or (self.lo == self.hi and (self.lo_open or self.hi_open))


def _int_span(s: Span) -> Span:
    if s.is_empty():
        return s
    lo = s.lo if math.isinf(s.lo) else (math.floor(s.lo) + 1 if s.lo_open else math.ceil(s.lo))
    hi = s.hi if math.isinf(s.hi) else (math.ceil(s.hi) - 1 if s.hi_open else math.floor(s.hi))
    return Span(lo, hi)


def _spans(items: Iterable[Span], integral: bool) -> tuple[Span, ...]:
    """Normal form: non-empty, sorted, merged (integers: closed bounds, neighbours joined)."""
    spans = [(_int_span(s) if integral else s) for s in items]
    spans = sorted((s for s in spans if not s.is_empty()), key=lambda s: (s.lo, s.lo_open))
    out: list[Span] = []
    for s in spans:
        if out:
            last = out[-1]
            touches = s.lo < last.hi or (s.lo == last.hi and not (last.hi_open and s.lo_open))
            if touches or (integral and s.lo == last.hi + 1):
                if s.hi > last.hi or (s.hi == last.hi and not s.hi_open):
                    out[-1] = Span(last.lo, s.hi, last.lo_open, s.hi_open)
                continue
        out.append(s)
    return tuple(out)


def _meet_spans(a: tuple[Span, ...], b: tuple[Span, ...], integral: bool) -> tuple[Span, ...]:
    out = []
    for x in a:
        for y in b:
            lo, lo_open = max((x.lo, x.lo_open), (y.lo, y.lo_open))
            hi, hi_open = min((x.hi, not x.hi_open), (y.hi, not y.hi_open))
            out.append(Span(lo, hi, lo_open, not hi_open))
    return _spans(out, integral)


def _complement(a: tuple[Span, ...], integral: bool) -> tuple[Span, ...]:
    out, lo, lo_open = [], -INF, False
    for s in a:
        out.append(Span(lo, s.lo, lo_open, not s.lo_open))
        lo, lo_open = s.hi, not s.hi_open
    out.append(Span(lo, INF, lo_open, False))
    return _spans(out, integral)


def spans_text(spans: tuple[Span, ...]) -> str:
    """`≥ 0 and < 2; = 4`: how a rule author reads a set of values."""
    parts = []
    for s in spans:
        if s.lo == s.hi:
            parts.append(f"= {_n(s.lo)}")
            continue
        bounds = []
        if s.lo != -INF:
            bounds.append(f"{'>' if s.lo_open else '≥'} {_n(s.lo)}")
        if s.hi != INF:
            bounds.append(f"{'<' if s.hi_open else '≤'} {_n(s.hi)}")
        parts.append(" and ".join(bounds) or "any number")
    return "; ".join(parts)


ALL = (Span(-INF, INF),)


@dataclass(frozen=True)
class Values:
    """The values one subject may take: blank (`none`) or not, and which known values.

    kind `num`: known numbers are `spans`. kind `items` (bool, enum, text): `items`, or every value
    but `items` when `cofinite`. kind `list`: lists holding every `required` item, no `excluded`
    item, with a length in `spans`; `known` false means no list at all.
    """

    kind: str
    none: bool = True
    spans: tuple[Span, ...] = ALL
    integral: bool = False
    items: frozenset[Any] = frozenset()
    cofinite: bool = True
    required: frozenset[Any] = frozenset()
    excluded: frozenset[Any] = frozenset()
    known: bool = True

    def known_empty(self) -> bool:
        if self.kind == "num":
            return not self.spans
        if self.kind == "items":
            return not self.cofinite and not self.items
        return not self.known or bool(self.required & self.excluded) or not self._counts()

    def is_empty(self) -> bool:
        return not self.none and self.known_empty()

    def _counts(self) -> tuple[Span, ...]:
        return _meet_spans(self.spans, (Span(len(self.required), INF),), True)

    def meet(self, other: Values) -> Values:
        none = self.none and other.none
        if self.kind == "num":
            return replace(
                self,
                none=none,
                spans=_meet_spans(self.spans, other.spans, self.integral or other.integral),
            )
        if self.kind == "items":
            if self.cofinite and other.cofinite:
                return replace(self, none=none, items=self.items | other.items)
            if self.cofinite or other.cofinite:
                fin, co = (other, self) if self.cofinite else (self, other)
                return replace(self, none=none, items=fin.items - co.items, cofinite=False)
            return replace(self, none=none, items=self.items & other.items, cofinite=False)
        return replace(
            self,
            none=none,
            known=self.known and other.known,
            required=self.required | other.required,
            excluded=self.excluded | other.excluded,
            spans=_meet_spans(self.spans, other.spans, True),
        )

    def within(self, other: Values) -> bool:
        """Every value allowed here is allowed by `other` (sufficient test for lists)."""
        if self.none and not other.none:
            return False
        if self.known_empty():
            return True
        if other.known_empty():
            return False
        if self.kind == "num":
            integral = self.integral or other.integral
            return not _meet_spans(self.spans, _complement(other.spans, integral), integral)
        if self.kind == "items":
            if self.cofinite:
                return other.cofinite and other.items <= self.items
            return (
                self.items.isdisjoint(other.items) if other.cofinite else self.items <= other.items
            )
        return (
            other.required <= self.required
            and other.excluded <= self.excluded
            and not _meet_spans(self._counts(), _complement(other.spans, True), True)
        )


Key = tuple[str, str]  # (kind, subject): ("indicator", "direction_export"), ("finding", "x")


@dataclass(frozen=True)
class Ground:
    """One way a rule branch can hold, with the findings it needs unfolded where possible."""

    values: tuple[tuple[Key, Values], ...] = ()
    negated: frozenset[Key] = frozenset()  # findings / recommendations that must be absent
    opaque: frozenset[Key] = frozenset()  # needed findings left folded (cycles, size cap)
    via: frozenset[str] = frozenset()  # rules whose conditions were unfolded into this one

    def value(self, key: Key) -> Values | None:
        for k, v in self.values:
            if k == key:
                return v
        return None

    def merge(self, other: Ground) -> Ground:
        vals = dict(self.values)
        for k, v in other.values:
            vals[k] = vals[k].meet(v) if k in vals else v
        return Ground(
            tuple(sorted(vals.items())),
            self.negated | other.negated,
            self.opaque | other.opaque,
            self.via | other.via,
        )


def _atom_text(a: Atom) -> str:
    if a.subject_kind in ("finding", "recommendation"):
        return f"{a.subject_kind} {a.subject}"
    if a.op in _UNARY:
        return f"{a.subject} {a.op}"
    value = a.value
    if isinstance(value, bool):
        value = "true" if value else "false"
    elif isinstance(value, float | int):
        value = _n(value)
    return f"{a.subject} {a.op} {value}"


class Logic:
    """Unfolds rule branches into ground branches and answers questions about them."""

    def __init__(self, k: Knowledge, skip: set[str] | frozenset[str] = frozenset()) -> None:
        self.k = k
        first: dict[str, RuleSite] = {}
        for s in k.rules:
            first.setdefault(s.rule.id, s)  # a duplicate id is reported elsewhere; keep the first
        self.sites = [s for s in k.rules if s.rule.id not in skip and first[s.rule.id] is s]
        self.measures = _measures(k)
        self.producers: dict[Key, list[RuleSite]] = defaultdict(list)
        # conclusions of rules left out (they have reference errors): treated as unknown
        self.unknown: set[Key] = set()
        for s in k.rules:
            if s.rule.id in skip:
                self.unknown.update(("finding", f) for f in s.rule.then.finding)
                self.unknown.update(("recommendation", r) for r in s.rule.then.recommend)
        for s in self.sites:
            for f in s.rule.then.finding:
                self.producers[("finding", f)].append(s)
            for r in s.rule.then.recommend:
                self.producers[("recommendation", r)].append(s)
        self.branches = {s.rule.id: branches(s.rule.when) for s in self.sites}
        self.edges = self._edges()
        self.cyclic = {key for scc in self.sccs() if _is_cycle(scc, self.edges) for key in scc}
        self._ground_memo: dict[Key, list[Ground] | None] = {}
        self._computing: set[Key] = set()
        self._rule_memo: dict[str, list[list[Ground]]] = {}

    # --- values of one atom -------------------------------------------------------------------
    def universe(self, key: Key) -> Values:
        kind, subject = key
        if kind == "measure":
            mkind, allowed = self.measures[subject]
            if mkind == "number":
                return Values("num")
            return Values("items", items=frozenset(allowed or ()), cofinite=allowed is None)
        ind = self.k.indicator[subject]
        if ind.type in ("int", "float", "score"):
            lo, hi = ind.min, ind.max
            if ind.type == "score" and ind.scale in self.k.indicators.scales:
                sc = self.k.indicators.scales[ind.scale]
                lo, hi = sc.min, sc.max
            span = Span(-INF if lo is None else lo, INF if hi is None else hi)
            return Values(
                "num", spans=_spans([span], ind.type == "int"), integral=ind.type == "int"
            )
        if ind.type == "bool":
            return Values("items", items=frozenset({True, False}), cofinite=False)
        if ind.type == "enum":
            return Values("items", items=frozenset(ind.values or ()), cofinite=False)
        if ind.type == "list":
            return Values("list", spans=(Span(0, INF),))
        return Values("items")

    def atom_values(self, a: Atom) -> Values:
        u = self.universe((a.subject_kind, a.subject))
        op, x = a.op, a.value
        if op == "is_missing":
            return replace(u, none=True, spans=(), items=frozenset(), cofinite=False, known=False)
        u = replace(u, none=False)
        if op == "is_known":
            return u
        if u.kind == "num":
            points = [
                v
                for v in (x if isinstance(x, list) else [x])
                if isinstance(v, int | float) and not isinstance(v, bool)
            ]
            spans: tuple[Span, ...] = {
                "eq": tuple(Span(v, v) for v in points[:1]),
                "in": tuple(Span(v, v) for v in points),
                "lt": (Span(-INF, x, False, True),) if points else (),
                "le": (Span(-INF, x),) if points else (),
                "gt": (Span(x, INF, True, False),) if points else (),
                "ge": (Span(x, INF),) if points else (),
            }.get(op or "", ())
            if op in ("ne", "not_in"):
                spans = _complement(_spans((Span(v, v) for v in points), u.integral), u.integral)
            return replace(u, spans=_meet_spans(u.spans, _spans(spans, u.integral), u.integral))
        if u.kind == "items":
            chosen = {"is_true": {True}, "is_false": {False}}.get(op or "")
            if chosen is None:
                vals = x if isinstance(x, list) else [x]
                chosen = {_hashable(v) for v in vals}
            cofinite = op in ("ne", "not_in")
            return u.meet(Values("items", none=False, items=frozenset(chosen), cofinite=cofinite))
        # lists
        if op == "contains":
            return replace(u, required=frozenset({_hashable(x)}))
        if op == "not_contains":
            return replace(u, excluded=frozenset({_hashable(x)}))
        count = {
            "is_empty": Span(0, 0),
            "not_empty": Span(1, INF),
            "count_ge": Span(x if isinstance(x, int) else 0, INF),
            "count_lt": Span(0, x, False, True) if isinstance(x, int) else Span(0, INF),
        }
        return replace(u, spans=_meet_spans(u.spans, (count[op or "is_empty"],), True))

    # --- unfolding ----------------------------------------------------------------------------
    def local(self, branch: list[Any]) -> tuple[Ground, list[Key]]:
        """The branch's own constraints, and the findings / recommendations it needs."""
        vals: dict[Key, Values] = {}
        negated: set[Key] = set()
        needed: list[Key] = []
        for c in branch:
            if isinstance(c, Not_):
                negated.add((c.not_.subject_kind, c.not_.subject))
                continue
            key = (c.subject_kind, c.subject)
            if c.subject_kind in ("finding", "recommendation"):
                if key not in needed:
                    needed.append(key)
                continue
            v = self.atom_values(c)
            vals[key] = vals[key].meet(v) if key in vals else v
        return Ground(tuple(sorted(vals.items())), frozenset(negated)), needed

    def expand(self, branch: list[Any], stack: frozenset[Key] = frozenset()) -> list[Ground]:
        base, needed = self.local(branch)
        grounds = [base]
        for key in needed:
            alternatives = self.derivations(key, stack)
            if alternatives is not None and not alternatives:
                return []  # nothing derives it (a derivation may not use its own conclusion)
            if alternatives is None or len(grounds) * len(alternatives) > MAX_GROUNDS:
                grounds = [replace(g, opaque=g.opaque | {key}) for g in grounds]
                continue
            grounds = [g.merge(a) for g in grounds for a in alternatives]
            grounds = [g for g in grounds if not any(v.is_empty() for _, v in g.values)]
            if not grounds:
                return []
        return grounds

    def derivations(self, key: Key, stack: frozenset[Key] = frozenset()) -> list[Ground] | None:
        """Every ground way `key` (a finding or recommendation) gets derived; None: too many."""
        if key in stack:
            return []
        if key in self.unknown:
            return None
        if key in self._ground_memo:
            return self._ground_memo[key]
        if key in self._computing:
            return None  # reached again through a negation: unknown, keep it folded
        self._computing.add(key)
        found: list[Ground] = []
        inner = stack | {key}
        for site in self.producers.get(key, []):
            for branch in self.branches[site.rule.id]:
                for g in self.expand(branch, inner):
                    found.append(replace(g, via=g.via | {site.rule.id}))
        found = [g for g in found if self.satisfiable(g)]
        out = found if len(found) <= MAX_GROUNDS else None
        self._computing.discard(key)
        if key not in self.cyclic:
            self._ground_memo[key] = out
        return out

    def rule_grounds(self, rule_id: str) -> list[list[Ground]]:
        """Satisfiable ground branches of each branch of a rule."""
        if rule_id not in self._rule_memo:
            self._rule_memo[rule_id] = [
                [replace(g, via=g.via | {rule_id}) for g in self.expand(b) if self.satisfiable(g)]
                for b in self.branches[rule_id]
            ]
        return self._rule_memo[rule_id]

    # --- questions ------------------------------------------------------------------------------
    def satisfiable(self, g: Ground) -> bool:
        if any(v.is_empty() for _, v in g.values) or g.negated & g.opaque:
            return False
        return not any(self.derives(g, key) for key in g.negated)

    def derives(self, g: Ground, key: Key) -> bool:
        """Whenever `g` holds, some rule derives `key`."""
        return any(self.implies(g, h) for h in self.derivations(key) or ())

    def implies(self, g: Ground, h: Ground) -> bool:
        if not (h.negated <= g.negated and h.opaque <= g.opaque):
            return False
        for key, v in h.values:
            mine = g.value(key)
            if not (self.universe(key) if mine is None else mine).within(v):
                return False
        return True

    # --- chaining graph -----------------------------------------------------------------------
    def _edges(self) -> dict[Key, list[tuple[Key, bool, RuleSite]]]:
        """finding -> what a rule deriving it needs (negated or not), with that rule."""
        edges: dict[Key, list[tuple[Key, bool, RuleSite]]] = defaultdict(list)
        for key, sites in self.producers.items():
            for site in sites:
                for atom, negated in iter_atoms(site.rule.when):
                    if atom.subject_kind in ("finding", "recommendation"):
                        edges[key].append(((atom.subject_kind, atom.subject), negated, site))
        return edges

    def sccs(self) -> list[list[Key]]:
        """Strongly connected components of the chaining graph (Tarjan), in a stable order."""
        index: dict[Key, int] = {}
        low: dict[Key, int] = {}
        stack: list[Key] = []
        on_stack: set[Key] = set()
        out: list[list[Key]] = []

        def visit(v: Key) -> None:
            index[v] = low[v] = len(index)
            stack.append(v)
            on_stack.add(v)
            for w, _, _ in self.edges.get(v, []):
                if w not in index:
                    visit(w)
                    low[v] = min(low[v], low[w])
                elif w in on_stack:
                    low[v] = min(low[v], index[w])
            if low[v] == index[v]:
                comp = []
                while True:
                    w = stack.pop()
                    on_stack.discard(w)
                    comp.append(w)
                    if w == v:
                        break
                out.append(sorted(comp))

        for node in sorted(self.producers):
            if node not in index:
                visit(node)
        return out


def _is_cycle(scc: list[Key], edges: dict[Key, list[tuple[Key, bool, RuleSite]]]) -> bool:
    return len(scc) > 1 or any(w == scc[0] for w, _, _ in edges.get(scc[0], []))


def _hashable(value: Any) -> Any:
    return tuple(value) if isinstance(value, list) else value


# --- checks built on the logic ---------------------------------------------------------------------


class _LogicChecks:
    """Rules that can never fire, redundant rules, conflicting pairs, chaining cycles, gaps."""

    def __init__(self, checker: _Checker, skip: set[str]) -> None:
        self.c = checker
        self.k = checker.k
        self.logic = Logic(self.k, skip)
        self.dead: set[str] = set()

    def run(self) -> None:
        cyclic = self.cycles()
        self.never_fire(cyclic)
        self.unreachable()
        self.redundant(cyclic)
        self.conflicts()
        self.gaps()

    def _site_problem(
        self,
        site: RuleSite,
        path: tuple[Any, ...],
        message: str,
        severity: str = "error",
        hint: str = "",
    ) -> None:
        self.c.problems.append(site.located.problem(path, message, severity=severity, hint=hint))

    # --- cycles -----------------------------------------------------------------------------
    def cycles(self) -> set[str]:
        """Report each cycle of the chaining graph once; return the rules inside cycles."""
        lg = self.logic
        in_cycles: set[str] = set()
        for scc in lg.sccs():
            if not _is_cycle(scc, lg.edges):
                continue
            members = set(scc)
            inner = [
                (v, w, neg, site)
                for v in scc
                for w, neg, site in lg.edges.get(v, [])
                if w in members
            ]
            in_cycles.update(site.rule.id for _, _, _, site in inner)
            path = _cycle_path(scc[0], members, lg.edges)
            rules = list(dict.fromkeys(site.rule.id for _, site in path))
            text = (
                " ← ".join(key[1] for key, _ in path) + f" ← {scc[0][1]} "
                f"(rule{'s' if len(rules) > 1 else ''} {', '.join(rules)})"
            )
            site = min((s for _, _, _, s in inner), key=lambda s: s.order)
            closing = next(w for v, w, _, s in inner if s is site)
            atom_path = _atom_path(site, closing)
            if any(neg for _, _, neg, _ in inner):
                self._site_problem(
                    site,
                    atom_path,
                    f"cycle through negation: {text}; a rule may not need the "
                    "absence of something its own conclusion leads to",
                )
            else:
                self._site_problem(
                    site,
                    atom_path,
                    f"cycle in chaining: {scc[0][0]} {scc[0][1]!r} depends on itself: {text}",
                )
        return in_cycles

    # --- rules that can never fire ----------------------------------------------------------
    def never_fire(self, cyclic: set[str]) -> None:
        lg = self.logic
        for site in lg.sites:
            rid = site.rule.id
            per_branch = lg.rule_grounds(rid)
            if all(per_branch):
                continue
            reasons = [
                self.why_dead(site, b)
                for b, grounds in zip(lg.branches[rid], per_branch, strict=False)
                if not grounds
            ]
            if not any(per_branch):
                self.dead.add(rid)
                if rid in cyclic:
                    continue  # the chaining cycle is reported once, above
                path, text, _ = reasons[0]
                if len(reasons) > 1 and len({r[1] for r in reasons}) > 1:
                    text = "none of its alternatives can hold; the first: " + text
                self._site_problem(site, path, f"rule {rid!r} can never fire: {text}")
            else:
                for path, text, _ in dict.fromkeys(reasons):
                    self._site_problem(
                        site,
                        path,
                        f"an alternative of rule {rid!r} can never hold: {text}",
                        severity="warning",
                    )

    def why_dead(self, site: RuleSite, branch: list[Any]) -> tuple[tuple[Any, ...], str, bool]:
        """(where, why, because of a cycle) for a branch with no satisfiable ground."""
        lg = self.logic
        paths = _condition_paths(site)
        atoms = [c for c in branch if isinstance(c, Atom)]
        negs = [c.not_ for c in branch if isinstance(c, Not_)]
        seen: dict[Key, tuple[Atom, Values]] = {}
        for a in atoms:
            if a.subject_kind in ("finding", "recommendation"):
                continue
            key = (a.subject_kind, a.subject)
            v = lg.atom_values(a)
            if v.is_empty():
                return paths.get(id(a), site.path), f"`{_atom_text(a)}` never holds", False
            if key in seen:
                prev, pv = seen[key]
                if pv.meet(v).is_empty():
                    return (
                        paths.get(id(a), site.path),
                        f"`{_atom_text(prev)}` and `{_atom_text(a)}` contradict each other",
                        False,
                    )
                seen[key] = (a, pv.meet(v))
            else:
                seen[key] = (a, v)
        base, needed = lg.local(branch)
        if any(v.is_empty() for _, v in base.values):
            key = next(k for k, v in base.values if v.is_empty())
            return (
                site.path + ("when",),
                f"the conditions on {key[1]!r} contradict each other",
                False,
            )
        for n in negs:
            if (n.subject_kind, n.subject) in needed:
                return (
                    paths.get(id(n), site.path),
                    f"needs {n.subject_kind} {n.subject!r} and its absence",
                    False,
                )
        for a in atoms:
            key = (a.subject_kind, a.subject)
            if key not in needed:
                continue
            where = paths.get(id(a), site.path)
            if not lg.producers.get(key) and key not in lg.unknown:
                verb = "derives" if key[0] == "finding" else "recommends"
                return where, f"needs {key[0]} {key[1]!r}, which no rule {verb}", False
            alts = lg.derivations(key)
            if alts is not None and not alts:
                live = [s for s in lg.producers[key] if s.rule.id != site.rule.id]
                if not live:
                    return where, f"needs {key[0]} {key[1]!r}, which only this rule derives", True
                return (
                    where,
                    (
                        f"needs {key[0]} {key[1]!r}, but no rule deriving it can fire "
                        f"({', '.join(s.rule.id for s in live)})"
                    ),
                    False,
                )
            if alts is not None and not any(lg.satisfiable(base.merge(g)) for g in alts):
                return (
                    where,
                    (
                        f"needs {key[0]} {key[1]!r}, but every way of deriving it "
                        "contradicts the rule's other conditions"
                    ),
                    False,
                )
        for n in negs:
            key = (n.subject_kind, n.subject)
            if lg.derives(base, key):
                text = f"needs {key[0]} {key[1]!r} to be absent, but its other conditions derive it"
                return paths.get(id(n), site.path), text, False
        return (
            site.path + ("when",),
            (
                "its conditions cannot hold together once the findings "
                "they need are followed to their rules"
            ),
            False,
        )

    # --- advice no live rule gives ------------------------------------------------------------
    def unreachable(self) -> None:
        f = "recommendations.yaml"
        for i, rec in enumerate(self.k.recommendations.recommendations):
            sites = self.logic.producers.get(("recommendation", rec.id), [])
            if sites and all(s.rule.id in self.dead for s in sites):
                self.c.add(
                    f,
                    ("recommendations", i, "id"),
                    f"no rule that can fire recommends {rec.id!r} (unreachable advice; "
                    f"{', '.join(s.rule.id for s in sites)} can never fire)",
                )

    # --- redundant rules --------------------------------------------------------------------
    def redundant(self, cyclic: set[str]) -> None:
        """Rules another rule makes superfluous (rules inside a chaining cycle are left out)."""
        lg = self.logic
        live = [s for s in lg.sites if s.rule.id not in self.dead and s.rule.id not in cyclic]
        reported: set[frozenset[str]] = set()
        for a in live:
            grounds_a = [g for gs in lg.rule_grounds(a.rule.id) for g in gs]
            if not grounds_a:
                continue
            for b in live:
                if b is a or not self._concludes_at_least(b, a):
                    continue
                grounds_b = [
                    g for gs in lg.rule_grounds(b.rule.id) for g in gs if a.rule.id not in g.via
                ]
                if not all(any(lg.implies(g, h) for h in grounds_b) for g in grounds_a):
                    continue
                pair = frozenset({a.rule.id, b.rule.id})
                mutual = self._concludes_at_least(a, b) and all(
                    any(lg.implies(h, g) for g in grounds_a if b.rule.id not in g.via)
                    for h in grounds_b
                )
                if mutual:
                    if pair in reported or a.order < b.order:
                        continue
                    reported.add(pair)
                    self._site_problem(
                        a,
                        a.path + ("id",),
                        f"rule {a.rule.id!r} duplicates rule {b.rule.id!r} "
                        f"({b.file}:{b.line}): same conditions, same conclusion",
                        severity="warning",
                    )
                else:
                    self._site_problem(
                        a,
                        a.path + ("id",),
                        f"rule {a.rule.id!r} is redundant: whenever it fires, rule "
                        f"{b.rule.id!r} ({b.file}:{b.line}) fires too with the same "
                        "conclusion",
                        severity="warning",
                    )
                break

    def _concludes_at_least(self, b: RuleSite, a: RuleSite) -> bool:
        """Rule b derives, recommends and postpones all that rule a does, at a priority as high."""
        ta, tb = a.rule.then, b.rule.then
        if not (
            set(ta.finding) <= set(tb.finding)
            and set(ta.recommend) <= set(tb.recommend)
            and set(ta.postpone) <= set(tb.postpone)
        ):
            return False
        for rid in ta.recommend:
            default = self.k.recommendation[rid].priority if rid in self.k.recommendation else "low"
            pa = min(PRIORITY_RANK[default], PRIORITY_RANK[ta.priority or default])
            pb = min(PRIORITY_RANK[default], PRIORITY_RANK[tb.priority or default])
            if pb > pa:
                return False
        return True

    # --- conflicting advice -------------------------------------------------------------------
    def conflicts(self) -> None:
        lg = self.logic
        pairs: dict[frozenset[str], int] = {}
        for i, rec in enumerate(self.k.recommendations.recommendations):
            for other in rec.conflicts_with:
                if other in self.k.recommendation and other != rec.id:
                    pairs.setdefault(frozenset({rec.id, other}), i)
        rec_loc = self.c.loc("recommendations.yaml")
        for pair, i in sorted(pairs.items(), key=lambda x: sorted(x[0])):
            r1, r2 = sorted(pair)
            declared = (
                f"{rec_loc.file}:{rec_loc.pos(('recommendations', i, 'conflicts_with'))[0]}"
                if rec_loc
                else "recommendations.yaml"
            )
            seen: set[frozenset[str]] = set()
            for a in lg.producers.get(("recommendation", r1), []):
                for b in lg.producers.get(("recommendation", r2), []):
                    ids = frozenset({a.rule.id, b.rule.id})
                    if ids in seen or a.rule.id in self.dead or b.rule.id in self.dead:
                        continue
                    seen.add(ids)
                    if not self._together(a, b):
                        continue
                    later, earlier = (a, b) if a.order >= b.order else (b, a)
                    if a is b:
                        text = (
                            f"rule {a.rule.id!r} recommends both {r1!r} and {r2!r}, declared "
                            f"as conflicting ({declared})"
                        )
                    else:
                        text = (
                            f"rules {later.rule.id!r} and {earlier.rule.id!r} "
                            f"({earlier.file}:{earlier.line}) can fire together and recommend "
                            f"{r1!r} and {r2!r}, declared as conflicting ({declared})"
                        )
                    self._site_problem(
                        later,
                        later.path + ("id",),
                        text,
                        hint="add `not: {recommendation: ...}` to one of them",
                    )

    def _together(self, a: RuleSite, b: RuleSite) -> bool:
        lg = self.logic
        ga = [g for gs in lg.rule_grounds(a.rule.id) for g in gs]
        gb = [g for gs in lg.rule_grounds(b.rule.id) for g in gs]
        return any(lg.satisfiable(x.merge(y)) for x in ga for y in gb)

    # --- gaps ---------------------------------------------------------------------------------
    def gaps(self) -> None:
        """Weak values (at or below the survey mean) of a direction or actor no advice addresses."""
        lg = self.logic
        recommending = [s for s in lg.sites if s.rule.then.recommend and s.rule.id not in self.dead]
        benchmarks = self.k.scoring.benchmarks
        for i, ind in enumerate(self.k.indicators.indicators):
            if ind.group not in GAP_GROUPS or ind.type != "score" or ind.id not in benchmarks:
                continue
            key: Key = ("indicator", ind.id)
            universe = lg.universe(key)
            weak = _meet_spans(universe.spans, (Span(-INF, benchmarks[ind.id].value),), False)
            covered: list[Span] = []
            for site in recommending:
                for grounds in lg.rule_grounds(site.rule.id):
                    for g in grounds:
                        v = g.value(key)
                        if v is not None:
                            covered.extend(v.spans)
            gap = _meet_spans(weak, _complement(_spans(covered, False), False), False)
            if gap:
                self.c.add(
                    "indicators.yaml",
                    ("indicators", i, "id"),
                    f"gap: {ind.id} {spans_text(gap)} is weak (at or below the survey "
                    f"mean {_n(benchmarks[ind.id].value)}), but no rule that recommends "
                    "something tests these values, directly or through a finding",
                    severity="warning",
                )


GAP_GROUPS = ("directions", "actors")


def _cycle_path(
    start: Key, members: set[Key], edges: dict[Key, list[tuple[Key, bool, RuleSite]]]
) -> list[tuple[Key, RuleSite]]:
    """One cycle through `start` inside an SCC: [(node, rule deriving it), ...]."""
    parent: dict[Key, tuple[Key, RuleSite]] = {}
    queue = [start]
    while queue:
        v = queue.pop(0)
        for w, _, site in sorted(edges.get(v, []), key=lambda e: (e[0], e[2].order)):
            if w not in members:
                continue
            if w == start:
                path = [(v, site)]
                while v != start:
                    pv, psite = parent[v]
                    path.append((pv, psite))
                    v = pv
                return list(reversed(path))
            if w not in parent:
                parent[w] = (v, site)
                queue.append(w)
    return []


def _condition_paths(site: RuleSite) -> dict[int, tuple[Any, ...]]:
    """YAML path of every atom object of a rule (by identity), for located messages."""
    return {id(atom): path for atom, _, path in _atoms_with_paths(site)}


def _atom_path(site: RuleSite, key: Key) -> tuple[Any, ...]:
    for atom, _, path in _atoms_with_paths(site):
        if (atom.subject_kind, atom.subject) == key:
            return path
    return site.path + ("id",)


def verify(knowledge: Knowledge) -> list[Problem]:
    """Every meaning problem of a structurally valid knowledge base, sorted by position."""
    c = _Checker(knowledge)
    c.duplicates()
    c.indicators()
    c.scoring()
    c.rules()
    for rule_id, problem in branch_problems(knowledge.rules):  # past the cap: left out below
        c.problems.append(problem)
        c.broken.add(rule_id)
    c.catalogue()
    _LogicChecks(c, c.broken).run()
    if not any("cycle through negation" in p.message for p in c.problems):
        c.negation_cycles()  # the stratifier's own view, in case the graph check missed one
    return sorted(set(c.problems), key=lambda p: (p.file, p.line, p.col, p.message))


__all__ = ["iter_atoms", "verify"]
