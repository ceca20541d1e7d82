"""The opening of the client's document (issue 12): the executive summary (level, conclusions,
priority measures, key targets) and the passport of the program, read from the program view and
the action plan; how many of each the summary lists is `knowledge/document.yaml`'s.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from engine.knowledge.models import Knowledge
from engine.program.model import ProgramView
from engine.program.plan import KpiRow, PlanRow
from engine.text.message import Lower, Msg, Num, cat


@dataclass(slots=True)
class Summary:
    """The executive summary: the level (with the reconciliation of self-assessment and index
    when they disagree), conclusions, priority measures and key targets. It speaks about the
    cluster: the system's conventions stand in the method annexes."""

    level: Any
    reconciliation: Any  # when the self-assessment and the index disagree, else ""
    conclusions: list[Any]
    measures: list[dict[str, Any]]
    targets: list[Any]


@dataclass(slots=True)
class Passport:
    """The program's passport: the table that opens a regional program."""

    name: Any
    basis: Any
    goal: Any
    tasks: list[Any]
    period: Any
    executors: list[Any]
    resources: list[Any]
    results: list[Any]


def _conclusions(view: ProgramView) -> list[Any]:
    cur = view["current"]
    out: list[Any] = []
    if cur["index"]["raw"] is not None:
        out.append(Msg("sum_index", value=cur["index"]["value"], band=cur["index"]["band"]))
    if cur["ratio"]["raw"] is not None:
        out.append(Msg("sum_ratio", value=cur["ratio"]["value"], band=cur["ratio"]["band"]))
    swot = view["swot"]
    strengths = [x.text for x in swot["strengths"] if x.origin == "engine"]
    weaknesses = [x.text for x in swot["weaknesses"] if x.origin == "engine"]
    if strengths:
        out.append(Msg("sum_strengths", items=cat(map(Lower, strengths), ", ")))
    if weaknesses:
        out.append(Msg("sum_weaknesses", items=cat(map(Lower, weaknesses), ", ")))
    if cur["model"]["id"] != "unknown":
        out.append(Msg("sum_model", model=cur["model"]["label"]))
    return out


def summary_parts(
    view: ProgramView,
    plan: list[PlanRow],
    kpi_rows: list[KpiRow],
    per: dict[str, Any],
    k: Knowledge,
) -> Summary:
    """The executive summary: the level, the main conclusions, the priority measures and the key
    targets (how many of each: document.yaml)."""
    d = k.document
    sa = view["current"]["self_assessment"]
    rank = {"high": 0, "medium": 1, "low": 2}
    priority = sorted(plan, key=lambda p: (rank.get(p.priority_id, 3), p.no))
    priority = sorted(priority[: d.summary_measures], key=lambda p: p.no)
    targets = [x for x in kpi_rows if x.target_raw is not None and x.baseline_raw is not None]
    # the key targets are those the priority measures set, in the order of those measures
    first = {p.id: n for n, p in enumerate(priority)}
    targets = sorted(
        (x for x in targets if any(r in first for r in x.recommendation_ids)),
        key=lambda x: min(first.get(r, len(first)) for r in x.recommendation_ids),
    )
    key_targets: list[Any] = [
        Msg(
            "sum_target",
            kpi=x.label,
            unit=x.unit,
            base=Num(x.baseline_raw),
            target=Num(x.target_raw),
            year=per["end"] or Msg("plan_end_rel"),
        )
        for x in targets[: d.summary_targets]
    ] or [Msg("sum_targets_none")]  # no measured baseline yet: say when the targets come
    level: Any = ""
    if sa["level"] is not None:
        level = Msg("sum_level", level=sa["level"], label=sa["label"], band=sa["band"])
    reconcile: Any = ""
    if sa["level"] is not None and view["current"]["scores"]["reconciliation"]:
        reconcile = Msg(
            "sum_reconcile",
            band=sa["band"],
            index=view["current"]["index"]["band"],
            text=view["current"]["scores"]["reconciliation"],
        )
    return Summary(
        level=level,
        reconciliation=reconcile,
        conclusions=_conclusions(view)[: d.summary_conclusions],
        measures=[{"no": p.no, "title": p.title} for p in priority],
        targets=key_targets,
    )


def _distinct(items: list[Any]) -> list[Any]:
    """The items once each, in order (bodies' and instruments' names: knowledge texts and
    strings, hashable and equal by value; a dict, not a scan comparing each with every one
    kept)."""
    return list(dict.fromkeys(items))


def _resources(plan: list[PlanRow]) -> list[Any]:
    """The funding sources of the plan without repeats, then the instruments that support its
    measures without paying (insurance, services) on one line of their own."""
    support = _distinct([s for p in plan for s in p.support])
    paying = _distinct([f for p in plan for f in p.funding])
    return paying + ([cat([Msg("passport_support"), ": ", cat(support, ", ")])] if support else [])


def passport_view(
    view: ProgramView,
    plan: list[PlanRow],
    nm: dict[str, Any],
    per: dict[str, Any],
    k: Knowledge,
    results: list[Any],
) -> Passport:
    """The passport: name, basis, goal, tasks (the directions with measures), period, the
    executors and funding sources of the plan without repeats, and the expected results."""
    year = view["cluster"]["year"]
    directions = [dd for dd in view["by_direction"] if dd["measures"]]
    tasks = [dd["label"] for dd in directions]
    if view["org_changes"] and not any(dd["id"] == "organizational" for dd in directions):
        tasks.insert(0, Msg("task_org"))
    return Passport(
        name=cat([Msg("title"), ": ", nm["cluster"]]),
        basis=Msg("passport_basis_text", year=year if year is not None else "—"),
        goal=k.document.goal,
        tasks=tasks,
        period=per["label"] or Msg("passport_period_rel", h=int(view["cluster"]["horizon"])),
        executors=_distinct([b for p in plan for b in [p.responsible, *p.co_executors]]),
        resources=_resources(plan),
        results=results,
    )
