"""The action plan of the client's document (issue 12): the program's calendar period, one
numbered row per measure (responsible body, co-executors, start and end quarter, funding from the
support instruments open to the client's country and years, expected result, KPI) and the KPIs by
year. The entries come from `knowledge/document.yaml`; the rows hold no language.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from engine.inference.trace import Result
from engine.knowledge.document_model import Instrument, PlanEntry
from engine.knowledge.models import Knowledge
from engine.program.kpis import kpi_source
from engine.program.leaves import fixed_text, tx
from engine.program.model import ProgramView, order_recommendations
from engine.program.schedule import Slot, schedule
from engine.text.message import Msg, Num, Once, cat

ROMAN = {1: "I", 2: "II", 3: "III", 4: "IV"}


@dataclass(slots=True)
class PlanRow:
    """One numbered measure of the action plan."""

    no: int
    id: str
    title: Any
    direction: Any
    org_change: bool
    responsible: Any
    co_executors: list[Any]
    start: Any
    end: Any
    when: Any
    funding: list[Any]  # the instruments that pay for it
    support: list[Any]  # the instruments that support it without paying (insurance, services)
    result: list[Any]
    kpis: list[Any]
    priority_id: str
    # set by budget_view.cost_to_plan: the amounts by year, and the funding with its amounts
    amount: list[Any] = field(default_factory=list)
    sources: list[Any] = field(default_factory=list)


@dataclass(slots=True)
class KpiRow:
    """A KPI of the document: the program's row with its annual values, source, owner and
    frequency of measurement."""

    id: str
    label: Any
    unit: Any
    direction: Any
    baseline: Any
    baseline_raw: Any
    target_raw: Any
    target: Any
    targets: list[dict[str, Any]]
    basis: Any
    rule: Any
    source_id: str | None
    owner_id: str | None
    horizon: int
    note: Any
    recommendations: list[Any]
    recommendation_ids: list[str] = field(default_factory=list)
    years: list[Any] = field(default_factory=list)
    source: Any = ""
    owner: Any = ""
    frequency: Any = ""


def period(year: int | None, horizon: int) -> dict[str, Any]:
    """The program's calendar years, from the year after the assessment over the horizon; no
    years when the assessment gives none (the plan then counts program years)."""
    if year is None:
        return {"start": None, "end": None, "years": [], "label": ""}
    start, end = year + 1, year + horizon
    return {
        "start": start,
        "end": end,
        "years": list(range(start, end + 1)),
        "label": f"{start}–{end}" if end > start else str(start),
    }


def _when(year: int, quarter: int, per: dict[str, Any], k: Knowledge) -> Once:
    """A plan date ("II quarter 2027"): a leaf of the year and quarter alone, made once per
    knowledge base and put into words once per language (a plan has ~30 of them)."""
    first = per["start"]
    key = (year, quarter, first)
    made = k.derived(_fixed_leaves)
    hit = made.get(key)
    if hit is None:
        if first is None:
            hit = made[key] = Once(Msg("plan_quarter_rel", q=ROMAN[quarter], y=year))
        else:
            hit = made[key] = Once(Msg("plan_quarter", q=ROMAN[quarter], y=first + year - 1))
    return hit


def _span(start: Once, end: Once, k: Knowledge) -> Once:
    """A plan row's period, from its start to its end: once per knowledge base and pair of dates
    (each date is one leaf per year and quarter: equal dates are the same leaf)."""
    if start is end:
        return start
    made = k.derived(_fixed_leaves)
    key = (id(start), id(end))  # the dates are the memo's own, never freed while it lives
    hit = made.get(key)
    if hit is None:
        hit = made[key] = Once(cat([start, " — ", end]))
    return hit


def _fixed_leaves(k: Knowledge) -> dict[tuple[Any, ...], Once]:
    """The plan's leaves made so far (dates, periods), by what decides them: a memo per
    knowledge base."""
    return {}


def _instruments(k: Knowledge) -> dict[str, Instrument]:
    """The support instruments by id (the first of an id), once per knowledge base."""
    out: dict[str, Instrument] = {}
    for i in k.document.instruments:
        out.setdefault(i.id, i)
    return out


def instrument(iid: str, k: Knowledge) -> Instrument | None:
    """The support instrument `iid` of document.yaml, or None."""
    return k.derived(_instruments).get(iid)


def instruments_for(
    ids: list[str],
    k: Knowledge,
    country: str,
    years: tuple[int | None, int | None],
    findings: set[str],
) -> list:
    """The instruments of `ids` open to this cluster's country, program years and findings."""
    first_year, last_year = years
    by_id = k.derived(_instruments)
    out = []
    for iid in ids:
        ins = by_id.get(iid)
        if ins is None or (ins.countries and country not in ins.countries):
            continue
        if ins.available_from and last_year is not None and ins.available_from > last_year:
            continue
        if ins.available_until and first_year is not None and ins.available_until < first_year:
            continue
        if not all(f in findings for f in ins.requires):
            continue
        out.append(ins)
    return out


def kpi_years(row: dict[str, Any], per: dict[str, Any]) -> list[Any]:
    """Annual values from the baseline to the target (the KPI's own `targets` when it has them)."""
    years = per["years"]
    if not years:
        return []
    given = row.get("targets")
    if isinstance(given, list) and row.get("target_raw") is not None:
        # the KPI's own per-year targets (kpis.yaml)
        by_year = {str(x["year"]): x["value"] for x in given}
        return [by_year.get(str(y), "") for y in years]
    base, target = row.get("baseline_raw"), row.get("target_raw")
    if target is None:
        return [row["target"]] + [""] * (len(years) - 1)
    if base is None or not isinstance(base, (int, float)):
        return [""] * (len(years) - 1) + [Num(target)]
    n = len(years)
    digits = max(_decimals(base), _decimals(target))
    values: list[Any] = []
    for i in range(1, n + 1):
        v = base + (target - base) * i / n
        v = round(v) if digits == 0 else round(v, digits)
        values.append(Num(v))
    return values


def _decimals(v: float | int) -> int:
    """Decimal places a value is written with (at most 2): the annual values keep them."""
    if isinstance(v, int) or float(v).is_integer():
        return 0
    return min(2, len(f"{v:.2f}".rstrip("0").split(".")[1]))


def plan_rows(
    view: ProgramView,
    result: Result,
    k: Knowledge,
    per: dict[str, Any],
    bodies: dict[str, Any],
    slots: dict[str, Slot] | None = None,
) -> list[PlanRow]:
    """The action plan: organizational changes first, then the directions' measures; `slots`:
    the program's schedule when the caller has it (the budget's), else scheduled here."""
    d = k.document
    horizon = int(view["cluster"]["horizon"])
    country = str(result.assessment.get(k.partners.country_indicator) or "")
    made = set(result.findings)
    ordered = list(view["org_changes"]) + [r for dd in view["by_direction"] for r in dd["measures"]]
    # the schedule sized to the cluster (program.yaml `schedule:`), as the JSON result has it
    if slots is None:
        slots = schedule(result, k, order_recommendations(result, k), horizon).slots
    plan = []
    for n, r in enumerate(ordered, 1):
        e: PlanEntry = d.plan.get(r["id"], d.default_plan)
        slot = slots[r["id"]]
        sy, sq = slot.start // 4 + 1, slot.start % 4 + 1
        ey, eq = slot.end // 4 + 1, slot.end % 4 + 1
        funding_ids = e.funding or d.funding_by_actor.get(r["actor_id"], [])
        funding = instruments_for(funding_ids, k, country, (per["start"], per["end"]), made)
        start, end = _when(sy, sq, per, k), _when(ey, eq, per, k)
        responsible = bodies.get(d.actor_bodies.get(r["actor_id"], ""), r["actor"])
        # a body never co-executes its own measure (the measure's actor may be one of the
        # co-executors document.yaml names for it: the cluster organization, say)
        co = [bodies[b] for b in e.co_executors if b in bodies and bodies[b] != responsible]
        plan.append(
            PlanRow(
                no=n,
                id=r["id"],
                title=r["title"],
                direction=r["direction"] if r["kind"] != "organizational_change" else "",
                org_change=r["kind"] == "organizational_change",
                responsible=responsible,
                co_executors=co,
                start=start,
                end=end,
                when=_span(start, end, k),
                funding=[tx(i.name_for(made)) for i in funding if i.pays],
                support=[tx(i.name_for(made)) for i in funding if not i.pays],
                result=[],  # its deliverable, which `budget_view.cost_to_plan` sets
                kpis=r["kpis"],
                priority_id=r["priority_id"],
            )
        )
    return plan


def number_measures(view: ProgramView, plan: list[PlanRow]) -> None:
    """The plan's number, responsible body and dates on every recommendation of the view."""
    rows = {p.id: p for p in plan}
    for r in view["recommendations"]:
        row = rows.get(r["id"])
        r["no"] = row.no if row else None
        r["responsible"] = row.responsible if row else r["actor"]
        r["when"] = row.when if row else r["timeframe"]


def kpi_table(
    view: ProgramView, per: dict[str, Any], bodies: dict[str, Any], k: Knowledge
) -> list[KpiRow]:
    """The KPIs by year, with the data source and owner each KPI names (kpis.yaml; the
    general monitoring report and the expert group where it names none) and frequency."""
    rows = []
    made = k.derived(_fixed_leaves)
    # the knowledge's alone: one leaf each, put into words once per language
    frequency = k.derived_each(fixed_text, "kpi_frequency")
    for x in view["kpis"]:
        owner = bodies.get(x["owner_id"] or "") or bodies["expert_group"]
        source = made.get(("kpi_source", x["source_id"]))
        if source is None:
            source = made["kpi_source", x["source_id"]] = Once(kpi_source(x["source_id"], k))
        rows.append(
            KpiRow(**x, years=kpi_years(x, per), source=source, owner=owner, frequency=frequency)
        )
    return rows
