"""The program sized to the cluster (issue 20 item 4): a capacity score from the assessment, the
number of measures each program year carries, and the start and end quarter of every measure made.
Every setting is `knowledge/program.yaml` `schedule:`; each measure's earliest start and length are
its `plan:` entry of `knowledge/document.yaml`. Quarters are counted from 0 (year 1, Q1)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from engine.inference.trace import Result
from engine.knowledge.models import Knowledge
from engine.knowledge.schedule_model import CapacityItem, Schedule


@dataclass(slots=True)
class Slot:
    """Where one measure sits: its first and last quarter (0 = year 1, Q1) and why it starts
    then (`plan`: its own earliest start; `precondition`: after the measures it needs;
    `capacity`: the year before it was full; `running`: it already runs). A measure that already runs keeps its planned
    start and counts against no year's capacity."""

    start: int
    end: int
    reason: str = "plan"
    after: list[str] = field(default_factory=list)

    @property
    def start_year(self) -> int:
        """The program year (1-based) the measure starts in."""
        return self.start // 4 + 1


@dataclass(slots=True)
class Plan:
    """The schedule of one program: the capacity score, the items that made it, the measures
    each year may start, and every measure's slot."""

    score: int
    items: list[str]
    limits: dict[int, int | None]
    slots: dict[str, Slot]


def _item_holds(item: CapacityItem, value: Any) -> bool:
    if value is None:
        return False
    if item.op == "true":
        return value is True
    if item.op == "items_at_least":
        return isinstance(value, (list, tuple)) and len(value) >= (item.value or 0)
    return (
        isinstance(value, (int, float))
        and not isinstance(value, bool)
        and value >= (item.value or 0)
    )


def capacity_score(result: Result, s: Schedule) -> tuple[int, list[str]]:
    """The capacity score and the indicators that gave its points (a blank gives none)."""
    score, items = 0, []
    for item in s.capacity:
        if _item_holds(item, result.assessment.get(item.indicator)):
            score += item.points
            items.append(item.indicator)
    return score, items


def year_limits(score: int, s: Schedule, horizon: int) -> dict[int, int | None]:
    """How many measures each program year may start; the last year takes what is left."""
    band = next((b for b in s.bands if score <= b.max_score), None)
    first = band.first_year if band else None
    limits: dict[int, int | None] = {}
    for y in range(1, horizon + 1):
        last = y == horizon
        limits[y] = None if first is None or last else first + s.growth_per_year * (y - 1)
    return limits


def quarter(pair: tuple[int, int]) -> int:
    """A document.yaml [year, quarter] as a quarter index (0 = year 1, Q1)."""
    return (pair[0] - 1) * 4 + pair[1] - 1


class _Placer:
    """Places the measures in the program's order, each after the measures it needs."""

    def __init__(self, result: Result, k: Knowledge, s: Schedule, horizon: int, limits: dict):
        self.made, self.k, self.s = set(result.recommendations), k, s
        # a measure that already runs goes on from its planned start: it waits for nothing
        self.running = {r for r in result.recommendations if result.status.get(r) == "continue"}
        self.last = horizon * 4 - 1
        self.horizon, self.limits = horizon, limits
        self.count: dict[int, int] = {}
        self.slots: dict[str, Slot] = {}

    def place(self, rid: str, stack: tuple[str, ...] = ()) -> Slot:
        """The slot of `rid`, placing the measures it needs first."""
        if rid in self.slots:
            return self.slots[rid]
        d = self.k.document
        e = d.plan.get(rid, d.default_plan)
        start = min(quarter(e.start), self.last)
        length = None if e.end is None else max(quarter(e.end) - quarter(e.start), 0)
        reason, after = "plan", []
        if rid in self.running:
            end = self.last if length is None else min(start + length, self.last)
            slot = Slot(start=start, end=end, reason="running")
            self.slots[rid] = slot
            return slot
        for need in self.s.preconditions.get(rid, []):
            if need not in self.made or need in stack or need in self.running:
                continue  # not in the program, or already in place
            ready = self.place(need, (*stack, rid)).start + self.s.lag_quarters
            after.append(need)
            if ready > start:
                start, reason = min(ready, self.last), "precondition"
        year = start // 4 + 1
        while year < self.horizon and self._full(year):
            year += 1
            start, reason = max(start, (year - 1) * 4), "capacity"
        self.count[year] = self.count.get(year, 0) + 1
        end = self.last if length is None else min(start + length, self.last)
        slot = Slot(start=start, end=end, reason=reason, after=after)
        self.slots[rid] = slot
        return slot

    def _full(self, year: int) -> bool:
        limit = self.limits.get(year)
        return limit is not None and self.count.get(year, 0) >= limit


def schedule(result: Result, k: Knowledge, order: list[str], horizon: int) -> Plan:
    """Every measure made in `order` with its start and end quarter, sized to the cluster."""
    s = k.program.schedule
    horizon = max(int(horizon), 1)
    if s is None:  # no sizing in the knowledge base: every measure at its plan entry
        s = Schedule(capacity=[], bands=[])
    score, items = capacity_score(result, s)
    limits = year_limits(score, s, horizon)
    placer = _Placer(result, k, s, horizon, limits)
    # organizational measures take the year's places first (stable: the program's order within)
    for rid in sorted(order, key=lambda rid: 0 if _organizational(k, rid) else 1):
        placer.place(rid)
    return Plan(score=score, items=items, limits=limits, slots=placer.slots)


def _organizational(k: Knowledge, rid: str) -> bool:
    """An organizational change or a measure of the organizational direction."""
    r = k.recommendation[rid]
    return r.kind == "organizational_change" or r.direction == "organizational"


def quarter_label(index: int, year: int | None) -> str:
    """A quarter as the JSON result writes it: "2026-Q1", or "Y1-Q1" without an assessment year."""
    y, q = index // 4 + 1, index % 4 + 1
    return f"{year + y}-Q{q}" if year is not None else f"Y{y}-Q{q}"


def assessment_year(result: Result, k: Knowledge) -> int | None:
    """The assessment's year (the program starts the year after), None when blank."""
    year = result.assessment.get(k.program.year_indicator)
    return year if isinstance(year, int) and not isinstance(year, bool) else None


def schedule_json(plan: Plan, year: int | None) -> dict[str, Any]:
    """The schedule as the JSON result carries it: capacity score and the limits by year."""
    return {
        "capacity_score": plan.score,
        "capacity_items": plan.items,
        "first_year_limit": plan.limits.get(1),
        "starting_by_year": {
            str(y): sum(
                1 for s in plan.slots.values() if s.start_year == y and s.reason != "running"
            )
            for y in plan.limits
        },
    }
