"""The KPI table: which KPIs the recommendations name, their baselines from the assessment or the
measures, and a target for each calendar year of the horizon by the rule each KPI states in
`kpis.yaml`. A blank baseline gets no numeric target: it is set at the first monitoring."""

from __future__ import annotations

import math
from typing import Any

from engine.inference.trace import Result
from engine.knowledge.models import Knowledge, KPIDef
from engine.program.currency import kpi_unit
from engine.program.leaves import Format, tx
from engine.program.provenance import measure_title
from engine.program.targets import bound_path, overrides, quantity, round_to_data, straight
from engine.text.message import Msg, Num, Once, Plural, cat

LEVEL_KINDS = ("at_least", "fixed", "reach", "benchmark")


def kpi_baseline(kpi: KPIDef, result: Result) -> Any:
    """A KPI's baseline from the indicator or measure `kpis.yaml` names (a list counts its items,
    yes/no is 1/0); None without one."""
    if not kpi.baseline:
        return None
    kind, ref = next(iter(kpi.baseline.items()))
    v = result.assessment.get(ref) if kind == "indicator" else result.measures.get(ref)
    if isinstance(v, (list, tuple)):
        return len(v)
    if isinstance(v, bool):
        return int(v)
    return v


def above_baseline(base: Any, k: Knowledge) -> float:
    """The least final target of a KPI the program raises: `kpis.yaml` `above_baseline` (a count
    by `count`, any other quantity by `percent`); the baseline itself when the setting is absent."""
    step = k.kpis.above_baseline
    if step is None:
        return float(base)
    if isinstance(base, int):
        return base + step.count
    return base * (1 + step.percent / 100.0)


def _level(kpi: KPIDef, base: float, k: Knowledge) -> float | None:
    """The level a level-kind KPI reaches in the final year: a minimum (`at_least`, `benchmark`)
    already reached is no target, so it ends above the baseline (`above_baseline`)."""
    t = kpi.target
    if t.kind == "benchmark":
        ref = next(iter(kpi.baseline.values())) if kpi.baseline else None
        b = k.scoring.benchmarks.get(ref or "")
        return max(above_baseline(base, k), b.value) if b else None
    if t.value is None:
        return None
    return max(above_baseline(base, k), t.value) if t.kind == "at_least" else t.value


def kpi_targets(kpi: KPIDef, base: Any, k: Knowledge, horizon: int) -> list[float | None]:
    """The target of each year 1..horizon, unrounded. None throughout when the baseline is blank:
    a target against "no data" would be a number without meaning."""
    if base is None or horizon < 1:
        return [None] * max(horizon, 0)
    t = kpi.target
    v = t.value
    if t.kind == "increase_pct":  # per year, compounded
        return [None if v is None else base * (1 + v / 100.0) ** y for y in range(1, horizon + 1)]
    if t.kind == "add":  # per year
        return [None if v is None else base + v * y for y in range(1, horizon + 1)]
    level = _level(kpi, base, k)
    if level is None:
        return [None] * horizon
    # a level is reached in the final year, on a straight path from the baseline
    return [base + (level - base) * y / horizon for y in range(1, horizon + 1)]


def round_target(base: Any, target: float | None) -> float | int | None:
    """Counts to whole numbers; shares and amounts to three significant figures, at most one
    decimal above 1."""
    if target is None:
        return None
    if isinstance(base, int):
        return math.floor(target + 0.5 + 1e-9)
    if target == 0:
        return 0.0
    digits = 2 - math.floor(math.log10(abs(target)))
    if abs(target) >= 1:
        digits = min(digits, 1)  # 4.84 % reads as 4.8 %; small shares keep their figures
    if isinstance(base, float):  # never fewer decimals than the baseline (1.82 stays 1.82)
        digits = max(digits, min(3, len(f"{base:.3f}".rstrip("0").split(".")[1])))
    value = round(target, digits)
    return int(value) if digits <= 0 else value


def kpi_years(result: Result, k: Knowledge, horizon: int) -> list[str]:
    """Calendar years of the horizon (the year after the assessment first); `+1`, `+2`... when the
    assessment year is blank."""
    year = result.assessment.get(k.program.year_indicator)
    if isinstance(year, int) and not isinstance(year, bool):
        return [str(year + y) for y in range(1, horizon + 1)]
    return [f"+{y}" for y in range(1, horizon + 1)]


def _row_targets(
    kpi: KPIDef, base: Any, k: Knowledge, horizon: int, override: float | None
) -> tuple[list[float | int | None], str, bool]:
    """The rounded target of each year, the rule that set them (the KPI's kind, or `override`)
    and whether a share bound cut the path."""
    if base is None and override is None:
        # no baseline (most of a generated cluster's rows): no target, nothing to round or bound
        return [None] * max(horizon, 0), kpi.target.kind, False
    kind = quantity(kpi, base)
    rules = k.kpis.target_rules
    if override is not None:
        raw, rule = straight(base, override, horizon), "override"
    else:
        raw, rule = kpi_targets(kpi, base, k, horizon), kpi.target.kind
    path, cut = (raw, False) if override is not None else bound_path(raw, base, kind, rules)
    targets: list[float | int | None] = []
    rounding = round_target if rules is None else None
    rising = kpi.target.kind in ("increase_pct", "add") and isinstance(base, (int, float))
    for value in path:
        r = rounding(base, value) if rounding else round_to_data(value, kind, rules)
        if rising and r is not None and value is not None and r < base <= value and rules:
            r = round_to_data(value, kind, rules, up=True)  # rounding never undoes a rise
        if r is not None and targets and targets[-1] is not None and kpi.target.kind != "fixed":
            r = max(r, targets[-1])  # a raised KPI does not fall back by rounding
        targets.append(r)
    grows = kpi.target.kind in ("increase_pct", "add") and (kpi.target.value or 0) > 0
    if grows and override is None and kind == "count" and targets and targets[-1] is not None:
        # a count the program sets out to raise ends above its baseline (10 % of 1 rounds
        # back to 1, which would be no target at all)
        floor = round_target(base, above_baseline(base, k))
        if floor is not None:
            targets[-1] = max(targets[-1], floor)
    return targets, rule, cut


def _kpi_order(k: Knowledge) -> dict[str, int]:
    """Each KPI's position in kpis.yaml, once per knowledge base."""
    return {x.id: i for i, x in enumerate(k.kpis.kpis)}


def kpi_rows(result: Result, k: Knowledge, recs: list[str], horizon: int) -> list[dict[str, Any]]:
    """The language-free KPI rows: what the JSON result carries and the document renders."""
    order = k.derived(_kpi_order)
    used: dict[str, list[str]] = {}
    for rid in recs:
        for kid in k.recommendation[rid].kpis:
            if kid in k.kpi:
                used.setdefault(kid, []).append(rid)
    years = kpi_years(result, k, horizon)
    given = overrides(result, k)
    rows = []
    for kid in sorted(used, key=order.__getitem__):
        kpi = k.kpi[kid]
        base = kpi_baseline(kpi, result)
        targets, rule, cut = _row_targets(kpi, base, k, horizon, given.get(kid))
        rows.append(
            {
                "id": kid,
                "direction": kpi.direction,
                "baseline": base,
                "kind": kpi.target.kind,
                "value": kpi.target.value,
                "basis": kpi.target.basis,
                "rule": rule,
                "bounded": cut,
                "quantity": quantity(kpi, base),
                "source": kpi.source,
                "owner": kpi.owner,
                "targets": dict(zip(years, targets, strict=True)),
                "recommendations": used[kid],
            }
        )
    return rows


def kpis_json(result: Result, k: Knowledge, recs: list[str], horizon: int) -> list[dict[str, Any]]:
    """The KPI rows as the JSON result carries them: baseline, target kind and basis, the targets
    by year and the recommendations that set them."""
    return [
        {
            key: row[key]
            for key in (
                "id",
                "direction",
                "baseline",
                "kind",
                "basis",
                "rule",
                "bounded",
                "quantity",
                "source",
                "owner",
                "targets",
            )
        }
        | {"recommendations": row["recommendations"]}
        for row in kpi_rows(result, k, recs, horizon)
    ]


def kpi_source(source_id: str | None, k: Knowledge) -> Any:
    """Where a KPI's figure comes from, in words: its `kpis.yaml` data source, else the general
    wording (the members' questionnaire)."""
    src = next((s.name for s in k.kpis.data_sources if s.id == source_id), None)
    return tx(src) if src is not None else Msg("kpi_data_source")


def rule_text(row: dict[str, Any], k: Knowledge) -> Any:
    """The short wording of the rule that set a KPI's targets, and the bound that cut them:
    the knowledge's alone for each rule, value and cut, built once per knowledge base and put
    into words once per language (a cluster's ~16 KPI rows built their wording each)."""
    value = row["value"]
    key = (row["rule"], type(value), value, row["bounded"])
    made = k.derived(_rule_texts)
    hit = made.get(key)
    if hit is None:
        text = _rule_text(row, k)
        hit = made[key] = Once(text) if text != "" else ""
    return hit


def _rule_texts(k: Knowledge) -> dict[tuple[Any, ...], Any]:
    """The KPI rules' wordings made so far, by rule, value and cut: a memo per knowledge base."""
    return {}


def _rule_text(row: dict[str, Any], k: Knowledge) -> Any:
    rules = k.kpis.target_rules
    if rules is None or row["rule"] not in rules.rule_names:
        return ""
    value = row["value"]
    text: Any = Format(tx(rules.rule_names[row["rule"]]), value=Num(value) if value else "")
    if row["rule"] == "add" and value and 0 < value < 1 and "add_slow" in rules.rule_names:
        every = round(1 / value, 1)  # a count grows by whole units: one more every 1/value years
        slow = tx(rules.rule_names["add_slow"])
        text = Format(slow, every=Num(every), years=Plural(every, "years_forms"))
    if row["bounded"] and "bounded" in rules.rule_names:
        bound = Format(
            tx(rules.rule_names["bounded"]),
            step=Num(rules.share_step_per_year),
            max=Num(rules.share_max),
        )
        text = cat([text, "; ", bound])
    return text


def _missing_figures(k: Knowledge) -> tuple[Once, Once]:
    """A KPI row's baseline when none is measured and its target when none can be set yet."""
    return Once(Msg("kpi_no_baseline")), Once(Msg("kpi_baseline_first"))


def kpis_view(
    result: Result, k: Knowledge, recs: list[str], horizon: int, titles: bool = True
) -> list[dict]:
    """The KPI rows the document shows: label, unit, baseline and final target as texts (or what
    is missing), the targets by year and the recommendations behind each."""
    rows = []
    country = str(result.assessment.get(k.partners.country_indicator) or "")
    # what a row shows of a missing figure: the knowledge's alone, one leaf each (words once per
    # language; a generated cluster's rows lack most baselines)
    no_baseline, baseline_first = k.derived(_missing_figures)
    titles_of: dict[str, Any] = {}  # each measure's title, worked out once (~4 rows name each)
    for row in kpi_rows(result, k, recs, horizon):
        kpi = k.kpi[row["id"]]
        base = row["baseline"]
        targets = row["targets"]
        final = list(targets.values())[-1] if targets else None
        rows.append(
            {
                "id": row["id"],
                "label": kpi.label,
                "unit": kpi_unit(kpi, country, k),
                "direction": tx(k.recommendations.directions.get(kpi.direction)),
                "baseline": Num(base) if base is not None else no_baseline,
                "baseline_raw": base,
                "target_raw": final,
                "target": Num(final) if final is not None else baseline_first,
                "targets": [
                    {"year": year, "value": Num(v)} for year, v in targets.items() if v is not None
                ],
                "basis": row["basis"],
                "rule": rule_text(row, k),
                "source_id": row["source"],
                "owner_id": row["owner"],
                "horizon": horizon,
                "note": tx(kpi.note),
                # the titles of its measures (without `titles`, none: no batch page reads them)
                "recommendations": [_title(result, r, k, titles_of) for r in row["recommendations"]]
                if titles
                else [],
                "recommendation_ids": row["recommendations"],
            }
        )
    return rows


def _title(result: Result, rid: str, k: Knowledge, titles_of: dict[str, Any]) -> Any:
    """`measure_title`, once per measure of the table (`titles_of`: those worked out)."""
    hit = titles_of.get(rid)
    if hit is None:
        hit = titles_of[rid] = measure_title(result, rid, k)
    return hit
