"""Partial data without a hedged program (issue 20 item 5): when most of the measures whose
`running:` condition is read rest on blanks ("measures already run" left empty), the document
asks for those answers first and shows each such measure once with a short "status to be
confirmed" note instead of "if not yet run, then:". The share is `schedule.to_confirm_share`
of knowledge/program.yaml; who is asked, `schedule.ask_by_group`."""

from __future__ import annotations

from typing import Any

from engine.inference.trace import Result
from engine.knowledge.models import Knowledge
from engine.program.data_requests import data_requests_view
from engine.text.message import Msg


def status_to_confirm(result: Result, k: Knowledge) -> bool:
    """Whether most measures made whose running is read are left blank by the assessment."""
    s = k.program.schedule
    checks = [c for rid, c in result.running.items() if rid in result.recommendations]
    if s is None or not checks:
        return False
    blank = sum(1 for c in checks if c.holds is None)
    return blank / len(checks) >= s.to_confirm_share


def confirm_once(recs: list[dict[str, Any]]) -> None:
    """Each conditional measure said once, with the short note that its status is to be
    confirmed (the data requests, placed first, say what and from whom)."""
    for r in recs:
        if r["status"] == "conditional":
            r["condition"] = ""
            r["status_label"] = Msg("status_to_confirm")


def requests_first(
    result: Result, k: Knowledge, recs: list[dict[str, Any]]
) -> tuple[bool, list[dict[str, Any]]]:
    """Whether the data requests come first, and the requests: with most statuses blank, each
    conditional measure is said once and what confirms a measure is asked first."""
    requests = data_requests_view(result, k)
    first = status_to_confirm(result, k)
    if first:
        confirm_once(recs)
        requests = sorted(requests, key=lambda d: not d["confirms"])
    return first, requests
