"""What `why` adds for a measure made (issue 20): the rule, baseline, final target, data source
and owner of each KPI it moves, and when it runs and why it starts then (its own plan entry, a
measure it needs, the capacity of the year before), with the priority its rules asked for when
the cap on "high" lowered it. Language-free: `explanation_words` puts it into words."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from engine.explain.why import why_data
from engine.inference.trace import Result
from engine.knowledge.models import Knowledge
from engine.program.document import body_names
from engine.program.kpis import kpi_rows, kpi_source, rule_text
from engine.program.leaves import tx
from engine.program.model import order_recommendations
from engine.program.provenance import measure_title
from engine.program.schedule import assessment_year, quarter_label, schedule
from engine.text.message import Msg, Num

if TYPE_CHECKING:  # a shape for the type checker only: a draft never imports the shapes
    from engine.explain.shapes import WhyData


def _horizon(result: Result, k: Knowledge) -> int:
    return int(
        result.assessment.get(k.program.horizon_indicator) or k.program.default_horizon_years
    )


def why_record(result: Result, ident: str, k: Knowledge) -> WhyData:
    """The why record of `ident` (engine/explain), with the schedule and KPI targets of a
    measure made: one language-free record for every language and reader."""
    data = why_data(result, ident, k)
    if "recommendation" in data:
        data["recommendation"].update(why_plan(result, ident, k))  # type: ignore[typeddict-item]
    return data


def why_plan(result: Result, rid: str, k: Knowledge) -> dict[str, Any]:
    """`targets` and `schedule` of a measure made, for the why answer; {} when not made."""
    if rid not in result.recommendations:
        return {}
    order = order_recommendations(result, k)
    horizon = _horizon(result, k)
    slot = schedule(result, k, order, horizon).slots[rid]
    year = assessment_year(result, k)
    asked = result.lowered.get(rid)
    bodies = body_names(result, k)
    targets = []
    for row in kpi_rows(result, k, order, horizon):
        if rid not in row["recommendations"]:
            continue
        final = list(row["targets"].values())[-1] if row["targets"] else None
        targets.append(
            {
                "kpi": k.kpi[row["id"]].label,
                "rule": rule_text(row, k),
                "baseline": Num(row["baseline"]) if row["baseline"] is not None else "—",
                "target": Num(final) if final is not None else Msg("kpi_baseline_first"),
                "source": kpi_source(row["source"], k),
                "owner": bodies.get(row["owner"] or "") or bodies["expert_group"],
            }
        )
    return {
        "targets": targets,
        "schedule": {
            "start": quarter_label(slot.start, year),
            "end": quarter_label(slot.end, year),
            "reason": slot.reason,
            "after": slot.after,
            "after_titles": [measure_title(result, r, k) for r in slot.after],
            "priority_asked": asked,
            "priority_asked_label": tx(k.recommendations.priorities.get(asked)) if asked else None,
            "max_high": k.program.schedule.max_high if k.program.schedule else 0,
        },
    }
