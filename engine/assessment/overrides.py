"""The consultant's own amounts in an assessment (`budget_overrides`, issue 20): measure id ->
{year: amount in thousands of the cluster's currency}. A year is a calendar year of the program
(the assessment year + 1 ...) or a program year (1, 2, ...); every problem is located."""

from __future__ import annotations

import math
from typing import Any

from engine.errors import Problem, closest, suggest
from engine.files.strict_yaml import Located
from engine.knowledge.models import Knowledge

OVERRIDES_KEY = "budget_overrides"

Overrides = dict[str, dict[int, float]]  # measure id -> program year (1..horizon) -> amount


def read_overrides(
    raw: Any, located: Located, k: Knowledge, values: dict[str, Any]
) -> tuple[Overrides, list[Problem]]:
    """The overrides by measure and program year, and the problems of the entry (all of them)."""
    if raw is None:
        return {}, []
    top = (OVERRIDES_KEY,)
    if not isinstance(raw, dict):
        msg = "budget_overrides is a mapping of measure id: {year: amount}"
        return {}, [located.problem(top, msg, code="expected-mapping")]
    year = values.get("assessment_year")
    horizon = int(values.get(k.program.horizon_indicator) or k.program.default_horizon_years)
    out: Overrides = {}
    problems: list[Problem] = []
    ids = list(k.recommendation)
    for rid, years in raw.items():
        path = (*top, rid)
        if not isinstance(rid, str) or rid not in k.recommendation:
            problems.append(_unknown(located, path, "measure", rid, ids))
            continue
        if not isinstance(years, dict) or not years:
            problems.append(
                located.problem(path, "expected a mapping of year: amount", code="expected-mapping")
            )
            continue
        out[rid] = {}
        for y, amount in years.items():
            n, err = _program_year(y, year, horizon)
            if err is None:
                err = _amount_error(amount)
            if err is not None:
                problems.append(located.problem((*path, y), err, code="bad-override"))
                continue
            out[rid][n] = float(amount)
    return out, problems


def _unknown(
    located: Located, path: tuple[Any, ...], what: str, ident: Any, ids: list[str]
) -> Problem:
    """An id the knowledge base does not have, located on its key, with the nearest id."""
    return located.problem(
        path,
        f"unknown {what} {ident!r}",
        key=True,
        hint=suggest(str(ident), ids),
        code=f"unknown-{what.lower()}",
        params=(("id", str(ident)), ("suggestion", closest(str(ident), ids))),
    )


def _program_year(y: Any, year: Any, horizon: int) -> tuple[int, str | None]:
    """The program year (1..horizon) a key names: a program year or a calendar year."""
    if isinstance(y, bool) or not isinstance(y, int):
        return 0, f"year {y!r} is not a whole number"
    if 1 <= y <= horizon:
        return y, None
    if isinstance(year, int) and year + 1 <= y <= year + horizon:
        return y - year, None
    span = f"1..{horizon}" + (f" or {year + 1}..{year + horizon}" if isinstance(year, int) else "")
    return 0, f"year {y} is outside the program; allowed {span}"


def _amount_error(amount: Any) -> str | None:
    """Why an amount is not a finite number of zero or more (None when it is)."""
    if isinstance(amount, bool) or not isinstance(amount, (int, float)):
        return f"amount {amount!r} is not a number (thousands of the cluster's currency)"
    if math.isnan(amount) or math.isinf(amount) or amount < 0:
        return f"amount {amount} must be a finite number, zero or more"
    return None


def kpi_targets_key(k: Knowledge) -> str | None:
    """The assessment key of the consultant's own KPI targets (kpis.yaml `target_rules`)."""
    rules = k.kpis.target_rules
    return rules.override_indicator if rules is not None else None


def read_kpi_targets(
    raw: Any, located: Located, k: Knowledge
) -> tuple[dict[str, float], list[Problem]]:
    """The consultant's final targets by KPI id (`kpi_targets: {kpi_id: value}`), and the
    problems of the entry: an unknown KPI, a value that is no finite number of zero or more, a
    share above 100."""
    key = kpi_targets_key(k)
    if raw is None or key is None:
        return {}, []
    if not isinstance(raw, dict):
        msg = f"{key} is a mapping of KPI id: the final target the consultant sets"
        return {}, [located.problem((key,), msg, code="expected-mapping")]
    out: dict[str, float] = {}
    problems: list[Problem] = []
    ids = list(k.kpi)
    for kid, value in raw.items():
        path = (key, kid)
        if not isinstance(kid, str) or kid not in k.kpi:
            problems.append(_unknown(located, path, "KPI", kid, ids))
            continue
        err = _amount_error(value)
        if err is None and k.kpi[kid].quantity == "share" and value > 100:
            err = f"target {value} of a share is above 100"
        if err is not None:
            problems.append(
                located.problem(path, err.replace("amount", "target"), code="bad-target")
            )
            continue
        out[kid] = float(value)
    return out, problems
