"""References and values: ids, duplicates (naming both places), references with suggestions,
operators against indicator types, thresholds inside scales, translations and sources."""

from __future__ import annotations

import re
from typing import Any

from engine.errors import suggest
from engine.knowledge.conditions import OPERATORS, operators_fitting
from engine.knowledge.graph import strata
from engine.knowledge.measure_ids import measure_catalogue
from engine.knowledge.models import All_, Any_, Atom, Indicator, Knowledge, Not_, RuleSite
from engine.knowledge.scoring_model import PartialIndicator
from engine.knowledge.verify.partner_checks import PartnerChecks

# ids are names in messages, documents, CLIPS and URLs: letters, digits and _ . - only
ID_PATTERN = re.compile(r"[A-Za-z][A-Za-z0-9_.\-]*")
ID_RULE = "must start with a letter and use only letters, digits, '_', '.' and '-'"
NUMBERS = ("int", "float", "score")
QUOTED = "write the number without quotes"

# the inputs each formula of a partial indicator needs, and the message when one is missing
_FORMULA_INPUTS = (
    ("ratio", ("numerator", "denominator"), "a ratio needs numerator and denominator"),
    ("capped_count", ("count", "target"), "capped_count needs count and target"),
    ("list_share", ("list_", "of"), "list_share needs list and of"),
)


class Checker(PartnerChecks):
    """The meaning pass over ids and references; engine/knowledge/verify/*.py add their own
    checks through it, and the logic checks skip the rules it marks `broken`."""

    def duplicates(self) -> None:
        """Ids are well-formed and unique in each table and among rules.

        A finding may not share its id with a recommendation, and no id may contain `__`."""
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
                    self.add(file, (section, i, "id"), f"id {item.id!r} {ID_RULE}", code="bad-id")
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
                        code="duplicate-id",
                    )
                else:
                    first[item.id] = i
        seen: dict[str, RuleSite] = {}
        for site in self.k.rules:
            rid = site.rule.id
            if not ID_PATTERN.fullmatch(rid):
                self.problems.append(
                    site.located.problem(
                        site.path + ("id",), f"id {rid!r} {ID_RULE}", code="bad-id"
                    )
                )
            if rid in seen:
                other = seen[rid]
                self.problems.append(
                    site.located.problem(
                        site.path + ("id",),
                        f"duplicate rule id {rid!r} (first defined at {other.file}:{other.line})",
                        code="duplicate-id",
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
                    code="duplicate-id",
                )
        for ident in list(self.k.indicator) + list(self.k.finding):
            if "__" in ident:
                self.add("indicators.yaml", (), f"id {ident!r} may not contain '__'", code="bad-id")

    # --- references -----------------------------------------------------------------------------
    def indicators(self) -> None:
        """Indicators: known group and scale, values for enums, known sources, translated texts."""
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
                    code="unknown-group",
                )
            if ind.type == "score" and (ind.scale is None or ind.scale not in scales):
                self.add(
                    "indicators.yaml",
                    p + ("scale",),
                    f"score indicator {ind.id!r} needs a known scale",
                    hint=suggest(ind.scale or "", scales),
                    code="unknown-scale",
                )
            if ind.type == "enum" and not ind.values:
                self.add(
                    "indicators.yaml",
                    p,
                    f"enum indicator {ind.id!r} needs values",
                    code="missing-values",
                )
            self.sources("indicators.yaml", p + ("sources",), ind.sources)
            for key in ("label", "question", "help", "unit"):
                self.text("indicators.yaml", p + (key,), getattr(ind, key))
            for value, text in ind.value_labels.items():
                self.text("indicators.yaml", p + ("value_labels", value), text)
        for i, group in enumerate(self.k.indicators.groups):
            self.text("indicators.yaml", ("groups", i, "label"), group.label)

    def scoring(self) -> None:
        """scoring.yaml names known indicators, bands and areas, and its band limits increase."""
        s = self.k.scoring
        f = "scoring.yaml"
        known = self.k.indicator
        if s.self_assessment.indicator not in known:
            self.add(
                f,
                ("self_assessment", "indicator"),
                f"unknown indicator {s.self_assessment.indicator!r}",
                code="unknown-indicator",
            )
        for lvl, level in s.self_assessment.levels.items():
            if level.band not in s.self_assessment.bands:
                self.add(
                    f,
                    ("self_assessment", "levels", lvl, "band"),
                    f"unknown band {level.band!r}",
                    code="unknown-band",
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
                    code="unknown-indicator",
                )
            self.sources(f, ("benchmarks", ind, "sources"), bench.sources)
        region_ids = {r.id for r in s.region_indicators}
        for section, items in (
            ("partial_indicators", s.partial_indicators),
            ("region_indicators", s.region_indicators),
        ):
            for i, p in enumerate(items):
                self.partial(f, (section, i), p, region_ids)
        for name, bands in (("index", s.index.bands), ("ratio", s.ratio.bands)):
            limits = [b.below for b in bands]
            if limits[-1] is not None or any(x is None for x in limits[:-1]):
                self.add(
                    f,
                    (name, "bands"),
                    "every band but the last needs `below`; the last none",
                    code="bad-bands",
                )
            elif limits[:-1] != sorted(limits[:-1]):  # type: ignore[type-var]
                self.add(f, (name, "bands"), "band limits must increase", code="bad-bands")
        for helix, comps in s.helix.helices.items():
            for i, c in enumerate(comps):
                for ref in ([c.indicator] if c.indicator else []) + c.indicators:
                    if ref not in known:
                        self.add(
                            f,
                            ("helix", "helices", helix, i),
                            f"unknown indicator {ref!r}",
                            hint=suggest(ref, known),
                            code="unknown-indicator",
                        )

    def partial(
        self, f: str, path: tuple[Any, ...], p: PartialIndicator, region_ids: set[str]
    ) -> None:
        """One partial or regional indicator of scoring.yaml: its inputs, formula and area."""
        known = self.k.indicator
        for name in ("numerator", "denominator", "count", "list_"):
            ref = getattr(p, name)
            if ref is not None and ref not in known:
                self.add(
                    f,
                    path + (name,),
                    f"unknown indicator {ref!r}",
                    hint=suggest(ref, known),
                    code="unknown-indicator",
                )
        for j, ref in enumerate(p.alternative or ()):
            if ref not in known:
                self.add(
                    f,
                    path + ("alternative", j),
                    f"unknown indicator {ref!r}",
                    code="unknown-indicator",
                )
        for formula, needed, message in _FORMULA_INPUTS:
            if p.formula == formula and not all(getattr(p, n) for n in needed):
                self.add(f, path, message, code="incomplete-formula")
        if p.region and p.region not in region_ids:
            self.add(
                f,
                path + ("region",),
                f"unknown regional indicator {p.region!r}",
                hint=suggest(p.region, region_ids),
                code="unknown-indicator",
            )
        if p.area not in self.k.scoring.areas:
            self.add(
                f,
                path + ("area",),
                f"unknown area {p.area!r}",
                hint=suggest(p.area, self.k.scoring.areas),
                code="unknown-area",
            )
        self.sources(f, path + ("sources",), p.sources)

    def rules(self) -> None:
        """Each rule's conditions, conclusions and sources exist; faulty rules become `broken`."""
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
                                code=f"unknown-{_noun(key)}",
                            )
                        )
            for j, sid in enumerate(r.sources):
                if sid not in self.k.source:
                    self.problems.append(
                        site.located.problem(
                            site.path + ("sources", j),
                            f"unknown source {sid!r}",
                            hint=suggest(sid, self.k.source),
                            code="unknown-source",
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
        """One condition of a rule: its subject exists, and its operator and value fit it."""
        kind = a.subject_kind
        if kind in ("finding", "recommendation"):
            table = self.k.finding if kind == "finding" else self.k.recommendation
            if a.subject not in table:
                self.problems.append(
                    site.located.problem(
                        path + (kind,),
                        f"unknown {kind} {a.subject!r}",
                        hint=suggest(a.subject, table),
                        code=f"unknown-{kind}",
                    )
                )
        elif negated:
            self.problems.append(
                site.located.problem(
                    path,
                    f"`not:` applies to findings and recommendations; "
                    f"for {kind} {a.subject!r} use the opposite operator",
                    code="negated-value",
                )
            )
        elif kind == "measure":
            self.measure_atom(site, a, path, measures)
        else:
            self.indicator_atom(site, a, path)

    def measure_atom(
        self,
        site: RuleSite,
        a: Atom,
        path: tuple[Any, ...],
        measures: dict[str, tuple[str, list[str] | None]],
    ) -> None:
        """A condition on a measure: it exists, the operator fits it, text values can occur."""
        problem = site.located.problem
        if a.subject not in measures:
            self.problems.append(
                problem(
                    path + ("measure",),
                    f"unknown measure {a.subject!r}",
                    hint=suggest(a.subject, measures),
                    code="unknown-measure",
                )
            )
            return
        mkind, allowed = measures[a.subject]
        op = a.op or ""
        if op not in OPERATORS or mkind not in OPERATORS[op].fits:
            what = "the numeric measure" if mkind == "number" else "the measure"
            self.problems.append(
                problem(
                    path + ("op",),
                    f"operator {op!r} does not fit {what} {a.subject!r}",
                    code="type-mismatch",
                )
            )
            if mkind == "number":
                return
        if mkind == "number" and OPERATORS[op].value not in ("none", "count"):
            for v in a.value if isinstance(a.value, list) else [a.value]:
                if isinstance(v, bool) or not isinstance(v, (int, float)):
                    self.problems.append(
                        problem(
                            path + ("value",),
                            f"{v!r} is not a number (measure {a.subject!r} is a number)",
                            hint=QUOTED if isinstance(v, str) else "",
                            code="bad-value",
                        )
                    )
            return
        if mkind != "text" or not allowed:
            return
        for v in a.value if isinstance(a.value, list) else [a.value]:
            if v is not None and v not in allowed:
                self.problems.append(
                    problem(
                        path + ("value",),
                        f"{v!r} is never a value of {a.subject!r}",
                        hint=suggest(str(v), allowed),
                        code="unknown-value",
                    )
                )

    def indicator_atom(self, site: RuleSite, a: Atom, path: tuple[Any, ...]) -> None:
        """A condition on an indicator: it exists, the operator fits its type, the value fits it."""
        problem = site.located.problem
        ind = self.k.indicator.get(a.subject)
        if ind is None:
            self.problems.append(
                problem(
                    path + ("indicator",),
                    f"unknown indicator {a.subject!r}",
                    hint=suggest(a.subject, self.k.indicator),
                    code="unknown-indicator",
                )
            )
            return
        op = OPERATORS.get(a.op or "")
        if op is None or ind.type not in op.fits:
            self.problems.append(
                problem(
                    path + ("op",),
                    f"operator {a.op or ''!r} does not fit {ind.type} indicator {a.subject!r}",
                    hint=f"use one of {', '.join(operators_fitting(ind.type))}",
                    code="type-mismatch",
                )
            )
            return
        if op.value == "none":
            return
        if op.value == "list" and not isinstance(a.value, list):
            self.problems.append(
                problem(
                    path + ("value",), f"operator {op.name!r} needs a list value", code="bad-value"
                )
            )
        if op.value == "count":
            if not isinstance(a.value, int) or isinstance(a.value, bool) or a.value < 0:
                self.problems.append(
                    problem(path + ("value",), "a count needs a whole number ≥ 0", code="bad-value")
                )
            return
        for v in a.value if isinstance(a.value, list) else [a.value]:
            message, code, hint = self.value_problem(ind, a.subject, v)
            if message:
                self.problems.append(problem(path + ("value",), message, code=code, hint=hint))

    def value_problem(self, ind: Indicator, subject: str, v: Any) -> tuple[str, str, str]:
        """(message, code, hint) when the rule's value `v` cannot be a value of the indicator;
        empty strings when it can."""
        t = ind.type
        if t in NUMBERS:
            if isinstance(v, bool) or not isinstance(v, (int, float)):
                hint = QUOTED if isinstance(v, str) else ""
                return f"{v!r} is not a number ({subject!r} is {t})", "bad-value", hint
            lo, hi = ind.min, ind.max
            if t == "score" and ind.scale in self.k.indicators.scales:
                sc = self.k.indicators.scales[ind.scale]
                lo, hi = sc.min, sc.max
            if (lo is not None and v < lo) or (hi is not None and v > hi):
                return (
                    f"threshold {v} is outside the scale of {subject!r} "
                    f"({num_text(lo)}..{num_text(hi)})",
                    "outside-scale",
                    "",
                )
        elif t == "bool" and not isinstance(v, bool):
            return f"{v!r} is not true/false", "bad-value", ""
        elif t in ("enum", "list") and ind.values is not None and v not in ind.values:
            hint = suggest(str(v), ind.values)
            return f"{v!r} is not a value of {subject!r}", "unknown-value", hint
        return "", "", ""

    def catalogue(self) -> None:
        """The checks of the catalogue: recommendations, reachability, labels, KPIs and partners."""
        self.recommendations()
        self.reachable()
        for section in ("actors", "directions", "priorities"):
            for key, text in getattr(self.k.recommendations, section).items():
                self.text("recommendations.yaml", (section, key), text)
        self.kpis()
        self.partners("partners.yaml")

    def recommendations(self) -> None:
        """Each recommendation's KPIs, sources and conflicts exist, and its texts are translated."""
        f = "recommendations.yaml"
        for i, rec in enumerate(self.k.recommendations.recommendations):
            p = ("recommendations", i)
            for j, kpi in enumerate(rec.kpis):
                if kpi not in self.k.kpi:
                    self.add(
                        f,
                        p + ("kpis", j),
                        f"unknown KPI {kpi!r}",
                        hint=suggest(kpi, self.k.kpi),
                        code="unknown-kpi",
                    )
            if not rec.kpis:
                self.add(
                    f,
                    p + ("id",),
                    f"recommendation {rec.id!r} has no KPI",
                    severity="warning",
                    code="no-kpi",
                )
            self.sources(f, p + ("sources",), rec.sources)
            for j, other in enumerate(rec.conflicts_with):
                if other not in self.k.recommendation:
                    self.add(
                        f,
                        p + ("conflicts_with", j),
                        f"unknown recommendation {other!r}",
                        code="unknown-recommendation",
                    )
            for key in ("title", "text", "rationale", "timeframe"):
                self.text(f, p + (key,), getattr(rec, key))
            for j, v in enumerate(rec.variants):
                for key in ("text", "rationale", "condition"):
                    self.text(f, p + ("variants", j, key), getattr(v, key))

    def reachable(self) -> None:
        """Every recommendation has a rule that makes it; every finding one that derives it."""
        produced = {r for s in self.k.rules for r in s.rule.then.recommend}
        for i, rec in enumerate(self.k.recommendations.recommendations):
            if rec.id not in produced:
                self.add(
                    "recommendations.yaml",
                    ("recommendations", i, "id"),
                    f"no rule recommends {rec.id!r} (unreachable advice)",
                    code="unreachable-recommendation",
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
                    code="underived-finding",
                )
        for i, fd in enumerate(self.k.findings.findings):
            self.text("findings.yaml", ("findings", i, "description"), fd.description)

    def kpis(self) -> None:
        """Each KPI's texts are translated and its baseline names a known indicator or measure."""
        for i, kdef in enumerate(self.k.kpis.kpis):
            for key in ("label", "unit", "note"):
                self.text("kpis.yaml", ("kpis", i, key), getattr(kdef, key))
            for kind, ref in (kdef.baseline or {}).items():
                ok = ref in self.k.indicator if kind == "indicator" else ref in _measures(self.k)
                if not ok:
                    self.add(
                        "kpis.yaml",
                        ("kpis", i, "baseline", kind),
                        f"unknown {kind} {ref!r}",
                        code="unknown-reference",
                    )

    def negation_cycles(self) -> None:
        """No finding or recommendation depends on its own absence (the rules stratify)."""

        try:
            strata(self.k)
        except ValueError as exc:
            self.add("findings.yaml", (), f"cycle through negation: {exc}", code="negation-cycle")


def num_text(x: float | None) -> str:
    """A number as a message shows it: no `.0` on whole numbers, empty for no bound."""
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
