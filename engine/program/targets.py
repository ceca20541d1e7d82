"""The bounds and rounding every KPI target keeps (issue 20 item 3), from `kpis.yaml`
`target_rules:`: a share never above `share_max` and moving at most `share_step_per_year`
percentage points a year; shares, amounts and ratios rounded to the steps of their rounding lists,
counts to whole numbers; and the consultant's own final target (`kpi_targets` in the assessment)."""

from __future__ import annotations

import math
from typing import Any

from engine.inference.trace import Result
from engine.knowledge.models import Knowledge, KPIDef
from engine.knowledge.schedule_model import Rounding, TargetRules


def quantity(kpi: KPIDef, base: Any) -> str:
    """What the KPI counts: its `quantity:`, else an amount for a fractional baseline, else a count."""
    if kpi.quantity is not None:
        return kpi.quantity
    return "amount" if isinstance(base, float) else "count"


def _step(value: float, steps: list[Rounding]) -> float:
    for r in steps:
        if r.below is None or abs(value) < r.below:
            return r.step
    return 1.0


def round_to_data(
    value: float | None, kind: str, rules: TargetRules | None, up: bool = False
) -> float | int | None:
    """A target rounded to the precision its data has: counts whole, the rest by their list
    (`up`: to the step above, for a target that rounding would put below its baseline)."""
    if value is None:
        return None
    if rules is None or (kind == "count" and not rules.count_rounding):
        return math.floor(value + 0.5 + 1e-9)
    steps = {
        "count": rules.count_rounding,
        "share": rules.share_rounding,
        "amount": rules.amount_rounding,
        "ratio": rules.ratio_rounding,
    }[kind]
    step = _step(value, steps)
    out = (math.ceil(value / step - 1e-9) if up else math.floor(value / step + 0.5 + 1e-9)) * step
    decimals = max(0, -math.floor(math.log10(step))) if step < 1 else 0
    out = round(out, decimals)
    return int(out) if decimals == 0 else out


def bound_path(
    path: list[float | None], base: Any, kind: str, rules: TargetRules | None
) -> tuple[list[float | None], bool]:
    """A share's yearly path held within its bounds (at most `share_max`, at most the step a
    year from the year before, the baseline first); whether a bound cut it."""
    if kind != "share" or rules is None or base is None:
        return path, False
    out: list[float | None] = []
    prev, cut = float(base), False
    for v in path:
        if v is None:
            out.append(None)
            continue
        b = min(v, prev + rules.share_step_per_year, rules.share_max)
        b = max(b, prev - rules.share_step_per_year)
        cut = cut or b != v
        out.append(b)
        prev = b
    return out, cut


def overrides(result: Result, k: Knowledge) -> dict[str, float]:
    """The consultant's final targets by KPI id (the assessment's `kpi_targets`, validated at
    load), if any."""
    return dict(result.assessment.kpi_targets) if k.kpis.target_rules is not None else {}


def straight(base: Any, final: float, horizon: int) -> list[float | None]:
    """A straight path from the baseline to `final` in the last year (only the last year
    without a baseline)."""
    if not isinstance(base, (int, float)):
        return [None] * (horizon - 1) + [final]
    return [base + (final - base) * y / horizon for y in range(1, horizon + 1)]
