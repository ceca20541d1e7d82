"""Monitoring against the plan (`compare`): the earlier program's KPIs scored against its target
for the later assessment's year, with the program's final target beside it, the share of the way
done (never above 100 %: beyond the target is the status "exceeded") and the KPI's data source;
and the check that the two assessments come in order, the earlier year first.

Which target applies (`target_year`): the later assessment's year when the earlier program sets one
for it; after the program's last year its final target (marked "after"); before its first year (the
same year, or a reversed pair) none ("no target for that year"); when either year is blank, the
final target (marked "unknown"), as there is no telling how many years have passed.
"""

from __future__ import annotations

import math
from typing import Any

from engine.errors import InputError, Problem
from engine.inference.trace import Result
from engine.knowledge.models import Knowledge
from engine.program.kpis import kpi_baseline, kpi_source, kpi_years
from engine.program.model import ProgramView
from engine.text.message import Msg

# (status, done %) of a KPI; done is None where it has no meaning (no target, no data)
Score = tuple[str, float | None]


def _year(result: Result, k: Knowledge) -> int | None:
    y = result.assessment.get(k.program.year_indicator)
    return y if isinstance(y, int) and not isinstance(y, bool) else None


def target_year(old: Result, new: Result, k: Knowledge, horizon: int) -> dict[str, Any]:
    """Which year's target of OLD's program NEW is measured against: `key` (a key of the KPI
    rows' targets, None for none), `basis` (year | after | before | unknown), the years named."""
    years = kpi_years(old, k, horizon)
    oy, ny = _year(old, k), _year(new, k)
    out: dict[str, Any] = {"year": ny, "first": years[0] if years else None}
    out["final"] = years[-1] if years else None
    if oy is None or ny is None:
        return out | {"key": out["final"], "basis": "unknown"}
    if str(ny) in years:
        return out | {"key": str(ny), "basis": "year"}
    if ny > oy:
        return out | {"key": out["final"], "basis": "after"}
    return out | {"key": None, "basis": "before"}


def kpi_score(base: float | None, target: float | None, now: float | None) -> Score:
    """(status, % of the way from the baseline to `target`, at most 100): the target sets the
    direction (below the baseline: lower is better); beyond it is "exceeded", not over 100 %."""
    if target is None:
        return "no_target", None
    if now is None:
        return "no_data", None
    sign = -1 if base is not None and target < base else 1
    beyond = (now - target) * sign
    if math.isclose(now, target, abs_tol=1e-9):
        return "reached", 100.0
    if beyond > 0:
        return "exceeded", 100.0
    if base is None:  # no baseline: only whether the target is met
        return "behind", None
    if math.isclose(now, base, abs_tol=1e-9):
        return "not_started", 0.0
    if (now - base) * sign < 0 or target == base:
        return "moved_away", 0.0
    done = (now - base) / (target - base) * 100.0
    return "behind", min(round(done, 1), 99.9)  # short of the target never reads 100


def scored_kpis(ov: ProgramView, new: Result, k: Knowledge, when: dict[str, Any]) -> list[dict]:
    """OLD's KPI rows scored against NEW: baseline, the year's target, the final target, the
    value now, done and status, with the KPI's data source (as the program's KPI table names it)."""
    rows = []
    for row in ov["kpis"]:
        base, final = row["baseline_raw"], row["target_raw"]
        by_year = {t["year"]: t["value"].value for t in row["targets"]}
        target = by_year.get(when["key"]) if when["key"] is not None else None
        now = kpi_baseline(k.kpi[row["id"]], new)
        status, done = kpi_score(base, target, now)
        if target is None and final is not None:  # the program has targets, none for that year
            status = "no_year_target"
        rows.append(
            {
                "id": row["id"],
                "label": row["label"],
                "unit": row["unit"],
                "source_id": row["source_id"],
                "source": kpi_source(row["source_id"], k),
                "status": Msg(f"c_st_{status}"),
                "status_id": status,
                "raw": {
                    "baseline": base,
                    "year_target": target,
                    "final_target": final,
                    "now": now,
                    "done": done,
                },
            }
        )
    return rows


def target_note(when: dict[str, Any]) -> Msg:
    """The sentence above the KPI table that says which target each KPI is measured against."""
    return Msg(
        f"c_target_{when['basis']}", **{k: when[k] or "—" for k in ("year", "first", "final")}
    )


# --- the order of the two assessments --------------------------------------------------------


def _same(a: Any, b: Any) -> bool:
    """Two names alike (case and outer spaces aside); a blank one says nothing against it."""
    x, y = str(a or "").strip().casefold(), str(b or "").strip().casefold()
    return not x or not y or x == y


def same_cluster(old: Result, new: Result) -> bool:
    """Whether the two assessments name one cluster: its name and its region alike."""
    # the region by the indicator the program's front page names it by (engine/program/model.py)
    return _same(old.assessment.name, new.assessment.name) and _same(
        old.assessment.get("region_name"), new.assessment.get("region_name")
    )


def check_order(old: Result, new: Result, k: Knowledge, allow_reverse: bool = False) -> list[str]:
    """Warnings on the pair (for stderr); an earlier assessment given second is refused, at
    OLD's year line, unless `allow_reverse`."""
    oy, ny = _year(old, k), _year(new, k)
    yi = k.program.year_indicator
    out: list[str] = []
    if oy is None or ny is None:
        blank = old if oy is None else new
        out.append(
            f"{blank.assessment.source}: {yi} is blank: the order of the two assessments is not "
            "checked, and the KPIs are measured against the earlier program's final targets"
        )
    elif oy > ny and not allow_reverse:
        line, col = old.assessment.positions.get(yi, (0, 0))
        problem = Problem(
            file=old.assessment.source,
            line=line,
            col=col,
            path=yi,
            message=f"{oy} is later than {ny}, the year of {new.assessment.where(yi)}: give the "
            "earlier assessment first",
            hint="or pass --allow-reverse to compare them in this order",
            code="compare-reversed",
        )
        raise InputError([problem])
    elif oy > ny:
        out.append(f"comparing in reverse order ({oy} → {ny}): the KPIs have no target for {ny}")
    elif oy == ny:
        out.append(
            f"both assessments are of {oy}: no year of the earlier program has passed, so its "
            "KPIs have no target for that year"
        )
    if not same_cluster(old, new):
        out.append(f"{old.assessment.source} and {new.assessment.source} name different clusters")
    return out
