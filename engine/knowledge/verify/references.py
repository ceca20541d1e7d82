"""References and values: ids, duplicates (naming both places), references with suggestions,
operators against indicator types, thresholds inside scales, translations and sources."""

from __future__ import annotations

import re
from typing import Any

from engine.errors import Problem, Severity, suggest
from engine.files.strict_yaml import Located
from engine.knowledge.base import Text
from engine.knowledge.conditions import UNARY as _UNARY
from engine.knowledge.graph import strata
from engine.knowledge.measure_ids import measure_catalogue
from engine.knowledge.models import All_, Any_, Atom, Knowledge, Not_, RuleSite

# ids are names in messages, documents, CLIPS and URLs: letters, digits and _ . - only
ID_PATTERN = re.compile(r"[A-Za-z][A-Za-z0-9_.\-]*")
ID_RULE = "must start with a letter and use only letters, digits, '_', '.' and '-'"
NUMERIC_OPS = {"lt", "le", "gt", "ge"}


LIST_OPS = {"contains", "not_contains", "is_empty", "not_empty", "count_ge", "count_lt"}


BOOL_OPS = {"is_true", "is_false"}


class Checker:
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
        severity: Severity = "error",
        hint: str = "",
        key: bool = False,
    ) -> None:
        located = self.loc(file)
        if located is None:
            self.problems.append(
                Problem(
                    file=file,
                    message=message,
                    severity=severity,
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
                if not ID_PATTERN.fullmatch(item.id):
                    self.add(file, (section, i, "id"), f"id {item.id!r} {ID_RULE}")
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
            if not ID_PATTERN.fullmatch(rid):
                self.problems.append(
                    site.located.problem(site.path + ("id",), f"id {rid!r} {ID_RULE}")
                )
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
            for atom, negated, path in atoms_with_paths(site):
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
            # provenance (basis, sources) is checked by verify/provenance.py
            self.text(site.file, site.path + ("title",), r.title, located=site.located)
            self.text(site.file, site.path + ("note",), r.note, located=site.located)
            self.text(site.file, site.path + ("because",), r.because, located=site.located)

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
                            f"({num_text(lo)}..{num_text(hi)})",
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
            for j, other in enumerate(rec.conflicts_with):
                if other not in self.k.recommendation:
                    self.add(f, p + ("conflicts_with", j), f"unknown recommendation {other!r}")
            for key in ("title", "text", "rationale", "timeframe"):
                self.text(f, p + (key,), getattr(rec, key))
            for j, v in enumerate(rec.variants):
                for key in ("text", "rationale", "condition"):
                    self.text(f, p + ("variants", j, key), getattr(v, key))
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
        self.platforms(pf)

    def platforms(self, pf: str) -> None:
        """Each platform's status is a checked fact: an active one names its source and check
        date, a merged one its successor; an unverified one is flagged while a measure lists
        platforms (the engine never recommends it, so the list silently shrinks)."""
        pt = self.k.partners
        ids = {p.id for p in pt.platforms}
        listing = [r.id for r in self.k.recommendations.recommendations if r.lists == "platforms"]
        for i, plat in enumerate(pt.platforms):
            self.sources(pf, ("platforms", i, "sources"), plat.sources)
            self.text(pf, ("platforms", i, "name"), plat.name)
            self.text(pf, ("platforms", i, "description"), plat.description)
            if plat.geography not in pt.geographies:
                self.add(
                    pf,
                    ("platforms", i, "geography"),
                    f"unknown geography {plat.geography!r}",
                    hint=suggest(plat.geography, pt.geographies),
                )
            for j, actor in enumerate(plat.actors):
                if actor not in self.k.recommendations.actors:
                    self.add(
                        pf,
                        ("platforms", i, "actors", j),
                        f"unknown actor {actor!r}",
                        hint=suggest(actor, self.k.recommendations.actors),
                    )
            if plat.status == "active" and (plat.checked is None or not plat.sources):
                self.add(
                    pf,
                    ("platforms", i, "status"),
                    f"platform {plat.id!r} is active but has no `checked` date or no source "
                    "saying so",
                )
            if plat.status == "merged" and plat.merged_into not in ids:
                self.add(
                    pf,
                    ("platforms", i, "merged_into"),
                    f"merged platform {plat.id!r} names no known successor "
                    f"(merged_into: {plat.merged_into!r})",
                )
            if plat.status == "unverified" and listing:
                self.add(
                    pf,
                    ("platforms", i, "status"),
                    f"platform {plat.id!r} is unverified, so {', '.join(listing)} never lists "
                    "it; check that it exists and set its status",
                    severity="warning",
                )

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

        try:
            strata(self.k)
        except ValueError as exc:
            self.add("findings.yaml", (), f"cycle through negation: {exc}")


def num_text(x: float | None) -> str:
    if x is None:
        return ""
    return str(int(x)) if float(x).is_integer() else str(x)


def _noun(key: str) -> str:
    return {"finding": "finding", "recommend": "recommendation", "postpone": "recommendation"}[key]


def _measures(k: Knowledge) -> dict[str, tuple[str, list[str] | None]]:

    return measure_catalogue(k)


def atoms_with_paths(site: RuleSite) -> list[tuple[Atom, bool, tuple[Any, ...]]]:
    """Atoms of a rule with their YAML key paths, for located messages."""
    path = site.path + ("when",)
    return [a for i, c in enumerate(site.rule.when) for a in cond_atoms(c, path + (i,))]


def cond_atoms(cond: Any, path: tuple[Any, ...]) -> list[tuple[Atom, bool, tuple[Any, ...]]]:
    """Atoms of one condition (atom, `not`, `any`, `all`) with their YAML key paths and whether
    they are negated: a rule's `when` item or a catalogue condition such as `running:`."""
    if isinstance(cond, Atom):
        return [(cond, False, path)]
    if isinstance(cond, Not_):
        return [(cond.not_, True, path + ("not",))]
    if isinstance(cond, (Any_, All_)):
        key, parts = ("any", cond.any) if isinstance(cond, Any_) else ("all", cond.all)
        return [a for i, c in enumerate(parts) for a in cond_atoms(c, path + (key, i))]
    return []
