"""The machine-readable result (`draft --format json`): scores, findings, recommendation ids,
the firing record. A versioned shape: `schemas/` holds its JSON Schema."""

from __future__ import annotations

from typing import Any

from engine import __version__
from engine.explain.why_not import not_made_json
from engine.inference.trace import Result
from engine.knowledge.models import Knowledge
from engine.program.budget import budget_json, build_budget, cost_json
from engine.program.data_requests import data_requests
from engine.program.gaps import data_gaps
from engine.program.kpis import kpis_json
from engine.program.markets import target_markets_json
from engine.program.model import order_recommendations
from engine.program.partners import choose_partners
from engine.program.schedule import assessment_year, quarter_label, schedule, schedule_json

SCHEMA_RESULT = "cluster-intl/result/2"


def result_json(
    result: Result, k: Knowledge, peer_rank: dict[str, Any] | None = None
) -> dict[str, Any]:
    """The machine-readable result: scores, findings, recommendation ids, trace. Stable shape.
    `peers` is the rank against a peer set (position, n, percentile, statement) or null."""
    a = result.assessment
    partner_choice = choose_partners(a, k)
    order = order_recommendations(result, k)
    horizon = a.get(k.program.horizon_indicator) or k.program.default_horizon_years
    plan = schedule(result, k, order, horizon)
    year = assessment_year(result, k)
    budget = build_budget(result, k, order)
    first = year + 1 if year is not None else None
    return {
        "schema": SCHEMA_RESULT,
        "generator": f"cluster-intl {__version__}",
        "knowledge": k.identity(),
        "cluster": {
            "name": a.get("cluster_name"),
            "region": a.get("region_name"),
            "source": a.source,
            "kind": result.kind.as_dict() if result.kind else None,
        },
        "provenance": {i: dict(p) for i, p in sorted(a.provenance.items())},
        "scores": {key: result.measures.values[key] for key in sorted(result.measures.values)},
        "derivations": {key: d.as_dict() for key, d in sorted(result.measures.derivations.items())},
        "peers": peer_rank,
        "findings": list(result.findings),
        "recommendations": [
            {
                "id": rid,
                "status": result.status[rid],
                "basis": k.recommendation[rid].basis,
                "priority": result.priority[rid],
                "priority_asked": result.lowered.get(rid),
                "start": quarter_label(plan.slots[rid].start, year),
                "end": quarter_label(plan.slots[rid].end, year),
                "actor": k.recommendation[rid].actor,
                "direction": k.recommendation[rid].direction,
                "rules": sorted({f.rule for f in result.producers("recommendation", rid)}),
                "running": result.running[rid].as_dict() if rid in result.running else None,
                "cost": cost_json(budget.measures[rid], first),
                "result": k.resources.measures[rid].result.model_dump(),
            }
            for rid in order
        ],
        "schedule": schedule_json(plan, year),
        "postponed": list(result.postponed),
        "not_applicable": [result.excluded[r].as_dict() for r in result.excluded],
        "not_made": not_made_json(result, k),
        "restricted": dict(result.restricted),
        "target_markets": target_markets_json(a, k),
        "partners": partner_choice.as_dict(),
        "data_gaps": list(data_gaps(result, k)["ids"]),
        "data_requests": data_requests(result, k),
        "kpis": kpis_json(result, k, order, horizon),
        "budget": budget_json(budget, first),
        "rules_fired": sorted({f.rule for f in result.firings}),
        "trace": [f.as_dict() for f in result.firings],
    }
