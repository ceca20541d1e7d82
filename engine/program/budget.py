"""The program's resources (issue 20): what each made measure costs, by year and by funding
source, and the budget they add up to, in the cluster's currency. No language here: the amounts
are numbers (thousands of the currency) and the texts are leaves `localize` puts into words.

Costs come from `knowledge/resources.yaml` (ranges in the base currency for a cluster of the
reference size, scaled by the cluster's size band and converted at its currency's rate), or from
the consultant's `budget_overrides` in the assessment. Which program years a measure runs is
`measure_years(start_year, end_year)`, from the measure's slot in the program's schedule
(engine/program/schedule.py: the capacity-sized calendar the plan and the JSON result show).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from engine.inference.trace import Result
from engine.knowledge.models import Knowledge
from engine.knowledge.resources_model import MeasureResource, SizeBand, middle
from engine.program.currency import Money, money_of
from engine.program.model import order_recommendations
from engine.program.plan import instruments_for
from engine.program.schedule import Slot, schedule

NO_COST = "no_cost"  # the instrument `document.yaml` names for work done within current activity


@dataclass(slots=True)
class MeasureCost:
    """One measure's amounts by program year, each split over its funding sources (thousands of
    the currency): `cells[source][year]`."""

    id: str
    by_year: dict[int, int]
    cells: dict[str, dict[int, int]]
    basis: str  # source | derived | proposal | consultant | within_current_activity
    estimate: bool  # an estimate of the knowledge base, not the consultant's figure
    # the measure's amount over the program: summed once, when the cost is made (the plan, the
    # view and the batch summary read it ~100 times a cluster; a cost is never changed)
    total: int = field(init=False)

    def __post_init__(self) -> None:
        self.total = sum(self.by_year.values())

    @property
    def by_source(self) -> dict[str, int]:
        """The measure's amount of each source over the program."""
        return {s: sum(ys.values()) for s, ys in self.cells.items()}


@dataclass(slots=True)
class Budget:
    """The program's budget: every made measure's cost and the totals by year and by source."""

    money: Money
    band: SizeBand
    horizon: int
    measures: dict[str, MeasureCost] = field(default_factory=dict)
    findings: frozenset[str] = frozenset()  # the cluster's: they name its funding sources
    # the measures' order and the program's schedule they were costed by (the plan reuses it)
    order: list[str] = field(default_factory=list)
    slots: dict[str, Slot] = field(default_factory=dict)

    @property
    def by_year(self) -> dict[int, int]:
        """The total of each program year (every year of the horizon, zero included)."""
        out = dict.fromkeys(range(1, self.horizon + 1), 0)
        for m in self.measures.values():
            for y, v in m.by_year.items():
                out[y] += v
        return out

    @property
    def by_source(self) -> dict[str, int]:
        """The total of each funding source, in the order sources first appear."""
        out: dict[str, int] = {}
        for m in self.measures.values():
            for s, v in m.by_source.items():
                out[s] = out.get(s, 0) + v
        return out

    def source_years(self) -> dict[str, dict[int, int]]:
        """Each source's amount per program year (the resource table)."""
        out: dict[str, dict[int, int]] = {}
        years = range(1, self.horizon + 1)
        for m in self.measures.values():
            for s, ys in m.cells.items():
                row = out.get(s)
                if row is None:  # a source's row made when first met, not at every cell
                    row = out[s] = dict.fromkeys(years, 0)
                for y, v in ys.items():
                    row[y] += v
        return out

    @property
    def total(self) -> int:
        """The program's total amount."""
        return sum(m.total for m in self.measures.values())

    @property
    def estimated(self) -> bool:
        """Whether any amount is the knowledge base's estimate rather than the consultant's."""
        return any(m.estimate and m.total for m in self.measures.values())


def size_band(members: int | None, k: Knowledge) -> SizeBand:
    """The size band of a cluster with `members` members (the `unknown_band` when None)."""
    bands = k.resources.size_bands
    if members is None:
        return next(b for b in bands if b.id == k.resources.unknown_band)
    return next(b for b in bands if b.max_members is None or members <= b.max_members)


def members_of(result: Result, k: Knowledge) -> int | None:
    """The cluster's members: the sum of the size indicators given (None when all are blank)."""
    given = [result.assessment.get(i) for i in k.resources.size_indicators]
    numbers = [int(v) for v in given if isinstance(v, (int, float)) and not isinstance(v, bool)]
    return sum(numbers) if numbers else None


def measure_years(start_year: int, end_year: int) -> list[int]:
    """The program years a measure runs, from its start year to its end year, both included."""
    return list(range(start_year, max(start_year, end_year) + 1))


def slot_span(slot: Slot) -> tuple[int, int]:
    """The first and last program year of a measure from its place in the schedule."""
    return slot.start_year, slot.end // 4 + 1


def yearly_amounts(
    m: MeasureResource, years: list[int], factor: float, rate: float
) -> dict[int, int]:
    """A measure's estimate per program year: the middle of its range for its first year and each
    following one, times the size factor and the rate, in whole thousands of the currency."""
    if isinstance(m.cost, str):  # within current activity (`m.within`, read so the type narrows)
        return dict.fromkeys(years, 0)
    out = {}
    for i, y in enumerate(years):
        rng = m.cost.first_year if i == 0 else m.cost.following_years
        out[y] = round(middle(rng) * factor * rate / 1000)
    return out


def split(amount: int, weights: list[float]) -> list[int]:
    """`amount` shared by `weights` in whole units that add up to it (largest remainders)."""
    total = sum(weights)
    if not weights or total <= 0:
        return [amount] + [0] * (len(weights) - 1) if weights else []
    exact = [amount * w / total for w in weights]
    parts = [int(x) for x in exact]
    order = sorted(range(len(weights)), key=lambda i: (parts[i] - exact[i], i))
    for i in order[: amount - sum(parts)]:
        parts[i] += 1
    return parts


Funders = dict[tuple[tuple[str, ...], tuple[int | None, int | None]], list[str]]


def sources_of(
    rid: str,
    result: Result,
    k: Knowledge,
    money: Money,
    years: tuple[int | None, int | None],
    memo: Funders | None = None,
) -> list[str]:
    """The instruments that fund a measure with a cost: its plan's (or its actor's) instruments
    open to the cluster, less 'no extra cost'; the fallback source when none is left. `memo`:
    the answers already given for this cluster and money, by instrument ids and years (the
    measures of an actor share theirs)."""
    ids = k.derived_each(funding_ids, rid)
    key = (ids, years)
    if memo is not None and key in memo:
        return memo[key]
    found = instruments_for(list(ids), k, money.country, years, set(result.findings))
    out = [i.id for i in found if i.id != NO_COST and i.pays] or [k.resources.fallback_source]
    if memo is not None:
        memo[key] = out
    return out


def funding_ids(k: Knowledge, rid: str) -> tuple[str, ...]:
    """The instruments that may fund a measure: its plan's, else its actor's (the knowledge's
    alone, once per measure and knowledge base: a cluster asked it for every year of each)."""
    d = k.document
    entry = d.plan.get(rid, d.default_plan)
    return tuple(entry.funding or d.funding_by_actor.get(k.recommendation[rid].actor, []))


def measure_cost(
    rid: str,
    result: Result,
    k: Knowledge,
    budget: Budget,
    years: tuple[int | None, int | None],
    slot: Slot,
    memo: Funders | None = None,
) -> MeasureCost:
    """One measure's amounts: the consultant's where the assessment gives them, else the
    estimate over the years it runs; split over its sources (`memo`: of `sources_of`)."""
    m = k.resources.measures[rid]
    given = result.assessment.budget_overrides.get(rid)
    if given is not None:
        by_year = {y: round(v) for y, v in sorted(given.items())}
        basis, estimate = "consultant", False
    else:
        start, end = slot_span(slot)
        run = measure_years(start, budget.horizon if m.recurs else end)
        rate = budget.money.currency.per_base
        by_year = yearly_amounts(m, run, budget.band.factor, rate)
        basis = "within_current_activity" if m.within else str(m.basis)
        estimate = not m.within
    if sum(by_year.values()) == 0:
        return MeasureCost(rid, by_year, {NO_COST: dict.fromkeys(by_year, 0)}, basis, estimate)
    cells: dict[str, dict[int, int]] = {}
    first = years[0]
    here: list[str] = []
    for y, amount in by_year.items():
        # a year's amount goes to the instruments that exist in that calendar year (a fund
        # dissolved in the program's first year pays nothing in the next); without calendar
        # years every year has the same sources: asked once
        if first is not None or not here:
            calendar = first + y - 1 if first is not None else None
            here = sources_of(rid, result, k, budget.money, (calendar, calendar), memo)
        if len(here) == 1:  # most years: one source pays it all, as `split` would share it
            cells.setdefault(here[0], {})[y] = amount
            continue
        for i, part in zip(here, split(amount, [m.split.get(i, 1.0) for i in here]), strict=True):
            cells.setdefault(i, {})[y] = part
    return MeasureCost(rid, by_year, cells, basis, estimate)


def build_budget(result: Result, k: Knowledge, order: list[str] | None = None) -> Budget:
    """The budget of the made measures (in `order`, or the program's order), each costed over
    the years the program's schedule gives it."""
    a = result.assessment
    horizon = int(a.get(k.program.horizon_indicator) or k.program.default_horizon_years)
    country = str(a.get(k.partners.country_indicator) or "")
    year = a.get("assessment_year")
    span = (year + 1, year + horizon) if isinstance(year, int) else (None, None)
    budget = Budget(
        money_of(country, k),
        size_band(members_of(result, k), k),
        horizon,
        findings=frozenset(result.findings),
    )
    budget.order = order if order is not None else order_recommendations(result, k)
    budget.slots = slots = schedule(result, k, budget.order, horizon).slots
    memo: Funders = {}
    for rid in budget.order:
        budget.measures[rid] = measure_cost(rid, result, k, budget, span, slots[rid], memo)
    return budget


def year_label(y: int, first_calendar: int | None) -> str:
    """A program year as the JSON result names years: calendar ('2026') or relative ('+1')."""
    return str(first_calendar + y - 1) if first_calendar is not None else f"+{y}"


def budget_json(budget: Budget, first_calendar: int | None) -> dict[str, Any]:
    """The budget as the JSON result carries it (thousands of the currency)."""
    cur = budget.money.currency
    return {
        "currency": {
            "code": budget.money.code,
            "converted": budget.money.converted,
            "per_base": cur.per_base,
            "base": budget.money.base,
            "rate_date": cur.date,
            "rate_source": cur.source,
        },
        "unit": "thousand",
        "size_band": budget.band.id,
        "by_year": {year_label(y, first_calendar): v for y, v in budget.by_year.items()},
        "total": budget.total,
        "by_source": budget.by_source,
        "estimated": budget.estimated,
    }


def cost_json(c: MeasureCost, first_calendar: int | None) -> dict[str, Any]:
    """One measure's cost as the JSON result carries it."""
    return {
        "by_year": {year_label(y, first_calendar): v for y, v in c.by_year.items()},
        "sources": c.by_source,
        "basis": c.basis,
        "total": c.total,
    }
