"""The KPI table: which KPIs the recommendations name, their baselines from the assessment or the
measures, and their targets by the rule each KPI states in `kpis.yaml`."""

from __future__ import annotations

import math
from typing import Any

from engine.inference.trace import Result
from engine.knowledge.models import Knowledge, KPIDef, localized
from engine.text.numbers import fmt_num


def kpi_baseline(kpi: KPIDef, result: Result) -> Any:
    if not kpi.baseline:
        return None
    kind, ref = next(iter(kpi.baseline.items()))
    v = result.assessment.get(ref) if kind == "indicator" else result.measures.get(ref)
    if isinstance(v, (list, tuple)):
        return len(v)
    if isinstance(v, bool):
        return int(v)
    return v


def kpi_target(kpi: KPIDef, base: Any, k: Knowledge) -> float | None:
    t = kpi.target
    v = t.value
    if t.kind == "increase_pct":
        return None if base is None or v is None else base * (1 + v / 100.0)
    if t.kind == "add":
        return None if v is None else (base or 0) + v
    if t.kind == "at_least":
        return None if v is None else max(base or 0, v)
    if t.kind in ("fixed", "reach"):
        return v
    if t.kind == "benchmark":
        ref = next(iter(kpi.baseline.values())) if kpi.baseline else None
        b = k.scoring.benchmarks.get(ref or "")
        return max(base or 0, b.value) if b else None
    return None


def round_like(base: Any, target: float | None) -> float | int | None:
    if target is None:
        return None
    if isinstance(base, int) or (base is None and float(target).is_integer()):
        return math.ceil(target - 1e-9)
    return round(target, 2)


def kpis_view(result: Result, k: Knowledge, lang: str, recs: list[str], horizon: int) -> list[dict]:
    order = [x.id for x in k.kpis.kpis]
    used: dict[str, list[str]] = {}
    for rid in recs:
        for kid in k.recommendation[rid].kpis:
            if kid in k.kpi:
                used.setdefault(kid, []).append(rid)
    rows = []
    for kid in sorted(used, key=order.index):
        kpi = k.kpi[kid]
        base = kpi_baseline(kpi, result)
        target = round_like(base, kpi_target(kpi, base, k))
        rows.append(
            {
                "id": kid,
                "label": localized(kpi.label, lang),
                "unit": localized(kpi.unit, lang),
                "direction": localized(k.recommendations.directions.get(kpi.direction), lang),
                "baseline": fmt_num(base, lang)
                if base is not None
                else ("нет данных" if lang == "ru" else "no data"),
                "baseline_raw": base,
                "target_raw": target,
                "target": fmt_num(target, lang)
                if target is not None
                else (
                    "установить после замера базы"
                    if lang == "ru"
                    else "set once the baseline is measured"
                ),
                "horizon": horizon,
                "note": localized(kpi.note, lang),
                "recommendations": [k.recommendation[r].title.get(lang) for r in used[kid]],
            }
        )
    return rows
