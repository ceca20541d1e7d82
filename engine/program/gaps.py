"""Data gaps: the blank indicators of the groups `program.yaml` counts, and the confidence level
their share gives."""

from __future__ import annotations

from typing import Any

from engine.inference.trace import Result
from engine.knowledge.models import Knowledge, localized
from engine.text.numbers import fmt_num


def data_gaps(result: Result, k: Knowledge, lang: str) -> dict[str, Any]:
    considered = [i for i in k.indicators.indicators if i.group in k.program.data_gap_groups]
    blank = [i for i in considered if result.assessment.get(i.id) is None]
    share = round(len(blank) / len(considered) * 100, 1) if considered else 0.0
    thresholds = k.scoring.data_confidence
    level = "high"
    if share >= thresholds.get("low", 101):
        level = "low"
    elif share >= thresholds.get("medium", 101):
        level = "medium"
    groups: dict[str, list[str]] = {}
    for i in blank:
        groups.setdefault(i.group, []).append(localized(i.label, lang))
    return {
        "count": len(blank),
        "of": len(considered),
        "share": fmt_num(share, lang),
        "level": level,
        "text": localized(k.program.data_gap_levels.get(level), lang),
        "groups": [
            {"label": localized(k.group[g].label, lang), "labels": items}
            for g, items in groups.items()
        ],
        "ids": [i.id for i in blank],
    }
