"""Scenario expectations on the program's schedule and KPI targets (issue 20): `expect.schedule`
(how many measures year 1 may start, how many are high, which measure starts after which, the
program year a measure starts in) and `expect.targets` (a KPI's final target at most / at least /
exactly a value, its data source and owner). Each failed expectation is one line."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from engine.inference.trace import Result
from engine.knowledge.models import Knowledge
from engine.program.kpis import kpi_rows
from engine.program.model import order_recommendations
from engine.program.schedule import schedule


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ScheduleExpect(_Strict):
    """What the schedule of the program must show."""

    first_year_at_most: int | None = Field(default=None, description="measures starting in year 1")
    high_at_most: int | None = Field(default=None, description="measures of priority high")
    starts_after: dict[str, str] = Field(
        default_factory=dict, description="measure: the measure it must start after"
    )
    start_year: dict[str, int] = Field(
        default_factory=dict, description="measure: the program year it starts in"
    )


class TargetsExpect(_Strict):
    """What the KPI targets must show (the final year's target)."""

    at_most: dict[str, float] = Field(default_factory=dict)
    at_least: dict[str, float] = Field(default_factory=dict)
    equals: dict[str, float] = Field(default_factory=dict)
    source: dict[str, str] = Field(default_factory=dict, description="KPI: its data source id")
    owner: dict[str, str] = Field(default_factory=dict, description="KPI: its owner body id")


def _horizon(result: Result, k: Knowledge) -> int:
    return int(
        result.assessment.get(k.program.horizon_indicator) or k.program.default_horizon_years
    )


def schedule_failures(result: Result, k: Knowledge, e: ScheduleExpect) -> list[tuple[str, str]]:
    """(id, what failed) for every schedule expectation the result breaks."""
    order = order_recommendations(result, k)
    slots = schedule(result, k, order, _horizon(result, k)).slots
    out: list[tuple[str, str]] = []
    first = sum(1 for s in slots.values() if s.start_year == 1 and s.reason != "running")
    if e.first_year_at_most is not None and first > e.first_year_at_most:
        out.append(
            ("year 1", f"{first} measures start in year 1, expected at most {e.first_year_at_most}")
        )
    high = sum(1 for r in order if result.priority[r] == "high")
    if e.high_at_most is not None and high > e.high_at_most:
        out.append(("high", f"{high} measures are high, expected at most {e.high_at_most}"))
    for rid, need in e.starts_after.items():
        if rid not in slots or need not in slots:
            out.append((rid, f"{rid!r} or {need!r} is not in the program"))
        elif slots[rid].start <= slots[need].start:
            out.append(
                (rid, f"{rid!r} starts in quarter {slots[rid].start + 1}, not after {need!r}")
            )
    for rid, year in e.start_year.items():
        got = slots[rid].start_year if rid in slots else None
        if got != year:
            out.append((rid, f"{rid!r} starts in program year {got}, expected {year}"))
    return out


def _final(row: dict[str, Any]) -> Any:
    values = list(row["targets"].values())
    return values[-1] if values else None


def target_failures(result: Result, k: Knowledge, e: TargetsExpect) -> list[tuple[str, str]]:
    """(id, what failed) for every target expectation the result breaks."""
    rows = {
        r["id"]: r
        for r in kpi_rows(result, k, order_recommendations(result, k), _horizon(result, k))
    }
    out: list[tuple[str, str]] = []
    checks = (
        (e.at_most, lambda v, x: v <= x, "at most"),
        (e.at_least, lambda v, x: v >= x, "at least"),
        (e.equals, lambda v, x: v == x, "equal to"),
    )
    for table, ok, word in checks:
        for kid, x in table.items():
            v = _final(rows[kid]) if kid in rows else None
            if v is None or not ok(v, x):
                out.append((kid, f"final target of {kid!r} is {v}, expected {word} {x}"))
    for field_name, names in (("source", e.source), ("owner", e.owner)):
        for kid, name in names.items():
            got = rows[kid][field_name] if kid in rows else None
            if got != name:
                out.append((kid, f"{field_name} of {kid!r} is {got!r}, expected {name!r}"))
    return out


def unknown_ids(
    schedule_e: ScheduleExpect, targets_e: TargetsExpect, k: Knowledge
) -> list[tuple[tuple[str, ...], str, list[str]]]:
    """(key path under `expect`, message, the ids it could have meant) for every id of these
    sections that names no measure or KPI (or no data source or body)."""
    out: list[tuple[tuple[str, ...], str, list[str]]] = []
    measures = list(k.recommendation)
    for name, ids in (
        ("starts_after", schedule_e.starts_after),
        ("start_year", schedule_e.start_year),
    ):
        for rid, value in ids.items():
            for x in [rid] + ([value] if isinstance(value, str) else []):
                if x not in k.recommendation:
                    out.append((("schedule", name, rid), f"unknown recommendation {x!r}", measures))
    kpis = list(k.kpi)
    for name in ("at_most", "at_least", "equals", "source", "owner"):
        for kid in getattr(targets_e, name):
            if kid not in k.kpi:
                out.append((("targets", name, kid), f"unknown KPI {kid!r}", kpis))
    return out
