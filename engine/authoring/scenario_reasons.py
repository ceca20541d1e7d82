"""Why a scenario's expectation failed (`kb test`): the firings behind an unexpected conclusion,
the unmet conditions behind a missing one, as `why` and `why-not` read them, and for a KPI the
measures that name it."""

from __future__ import annotations

from typing import Any, cast

from engine.explain.justify import justify
from engine.explain.labels import describe_check
from engine.explain.why_not import reason_lines, why_not_data
from engine.inference.trace import Result
from engine.knowledge.conditions import branches, holds
from engine.knowledge.graph import producers_of
from engine.knowledge.models import Atom, Knowledge, Not_
from engine.text.message import say


def kpi_lines(result: Result, ident: str, k: Knowledge) -> list[str]:
    """The measures that name a KPI, each made (with its status) or not: a KPI is in the program
    exactly when one of them is."""
    named = [r.id for r in k.recommendations.recommendations if ident in r.kpis]
    if not named:
        return ["no measure names it (recommendations.yaml `kpis:`)"]
    lines = []
    for rid in named:
        made = rid in result.recommendations
        status = f"made {result.status.get(rid, '')}".strip() if made else "not made"
        lines.append(f"named by {rid} ({status})")
    return lines


def why_lines(result: Result, kind: str, ident: str, k: Knowledge, lang: str) -> list[str]:
    """The firings that produced an unexpected conclusion, each with the values it saw."""

    if kind == "kpi":
        return kpi_lines(result, ident, k)
    lines = []
    for view in justify(result, kind, ident, k):
        conds = "; ".join(say(describe_check(c, k), lang) for c in view["conditions"])
        title = k.rule[view["rule"]].rule.title.get(lang)
        lines.append(
            f"made by {view['rule']} ({view['where']}): {title}" + (f": {conds}" if conds else "")
        )
    return lines


def why_not_lines(result: Result, kind: str, ident: str, k: Knowledge, lang: str) -> list[str]:
    """For a missing conclusion: each rule that could give it, with its unmet conditions
    (actual value against the required one), as the `why-not` command reads them."""
    if kind == "kpi":
        return kpi_lines(result, ident, k)

    if kind == "postponed":
        sites = producers_of("postponed", ident, k)
        if not sites:
            return ["no rule postpones it"]
        return [_unmet_line(site, result, k, lang) for site in sites]
    data = why_not_data(result, ident, k, search=False)
    return [
        f"{line['rule']} ({line['where']}): {say(line['text'], lang)}"
        if line.get("rule")
        else say(line["text"], lang)
        for line in reason_lines(data["rules"], data["postponed_by"], data)
    ]


def _unmet_line(site: Any, result: Result, k: Knowledge, lang: str) -> str:
    """A rule's closest branch re-read against the final facts: its unmet conditions."""

    best: list[str] | None = None
    for branch in branches(site.rule.when):
        unmet = []
        for cond in branch:
            negated = isinstance(cond, Not_)
            a: Atom = cond.not_ if isinstance(cond, Not_) else cast(Atom, cond)
            view = {
                "kind": a.subject_kind,
                "subject": a.subject,
                "op": a.op,
                "value": a.value,
                "negated": negated,
                "actual": None,
            }
            if a.subject_kind in ("finding", "recommendation"):
                made = a.subject in (
                    result.findings if a.subject_kind == "finding" else result.recommendations
                )
                if made == negated:
                    unmet.append(
                        say(describe_check(view, k), lang) + ("" if negated else " — not derived")
                    )
                continue
            actual = (
                result.assessment.get(a.subject)
                if a.subject_kind == "indicator"
                else result.measures.get(a.subject)
            )
            if not holds(a, actual):
                unmet.append(say(describe_check({**view, "actual": actual}, k), lang))
        if best is None or len(unmet) < len(best):
            best = unmet
    title = site.rule.title.get(lang)
    return f"{site.rule.id} ({site.where}): {title}: " + "; ".join(best or [])
