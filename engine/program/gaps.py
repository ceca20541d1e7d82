"""Data gaps: the blank indicators of the groups `program.yaml` counts, the values marked synthetic
or estimated, and the confidence level their weighted share gives (weights: `scoring.yaml`)."""

from __future__ import annotations

from typing import Any

from engine.inference.trace import Result
from engine.knowledge.models import Indicator, Knowledge
from engine.program.leaves import tx
from engine.text.message import Msg, Num


def _considered(k: Knowledge) -> list[Indicator]:
    """The indicators of the groups program.yaml counts, in catalogue order: once per knowledge
    base."""
    return [i for i in k.indicators.indicators if i.group in k.program.data_gap_groups]


def data_gaps(result: Result, k: Knowledge) -> dict[str, Any]:
    """The data-gap section: the blank indicators by group, the share of values synthetic or
    estimated, and the confidence level their weighted share gives."""
    a = result.assessment
    considered = k.derived(_considered)
    values = a.values
    blank = [i for i in considered if values.get(i.id) is None]
    thresholds = k.scoring.data_confidence
    weights = {
        "synthetic": thresholds.get("synthetic_weight", 0.0),
        "estimate": thresholds.get("estimate_weight", 0.0),
    }
    unverified = [
        (i, a.provenance[i.id]["basis"])
        for i in considered
        if values.get(i.id) is not None and a.provenance.get(i.id, {}).get("basis") in weights
    ]
    weighted = len(blank) + sum(weights[b] for _, b in unverified)
    share = round(len(blank) / len(considered) * 100, 1) if considered else 0.0
    unverified_share = round(weighted / len(considered) * 100, 1) if considered else 0.0
    level = "high"
    if unverified_share >= thresholds.get("low", 101):
        level = "low"
    elif unverified_share >= thresholds.get("medium", 101):
        level = "medium"
    groups: dict[str, list[Any]] = {}
    for i in blank:
        groups.setdefault(i.group, []).append(i.label)
    return {
        "count": len(blank),
        "of": len(considered),
        "share": Num(share),
        "unverified_share": Num(unverified_share),
        "level": level,
        "text": tx(k.program.data_gap_levels.get(level)),
        "groups": [{"label": k.group[g].label, "labels": items} for g, items in groups.items()],
        # how many values say they are synthetic or estimated (the JSON lists them in `provenance`)
        "unverified": [
            {"basis": Msg(f"vb_{b}"), "count": n}
            for b in weights
            if (n := sum(1 for _, basis in unverified if basis == b))
        ],
        "ids": [i.id for i in blank],
    }
