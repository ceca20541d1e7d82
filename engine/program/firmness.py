"""The consultant's annex "How firm is each measure": the sensitivity map
(engine/explain/sensitivity.py) as a section of the document, in no language until `localize`.
Built only for the consultant audience: the map reruns the engine some hundred times."""

from __future__ import annotations

from typing import Any

from engine.explain.sensitivity import sensitivity_data
from engine.inference.run import Runner
from engine.inference.trace import Result
from engine.knowledge.models import Knowledge
from engine.program.charts import BarChart, bar_chart
from engine.program.data_requests import data_requests
from engine.program.model import ProgramView
from engine.text.message import Msg, cat

SHOWN_MARGINS = 3  # the nearest changes per measure the annex lists (the command lists more)
SHOWN_RANKS = 10  # the indicators of the ranking the annex lists


def _change(c: dict[str, Any]) -> Any:
    return cat([c["label"], ": ", c["from_text"], " → ", c["to_text"]])


def _margin(m: dict[str, Any]) -> Msg:
    if m["effect"] == "dropped":
        return Msg("sens_dropped_if", change=_change(m))
    return Msg("sens_becomes_if", status=m["status_label"], change=_change(m))


def firmness_section(data: dict[str, Any]) -> dict[str, Any]:
    """The map of `sensitivity_data` as the annex reads it: each measure with its nearest changes
    (or that it holds), what the blanks of the conditional ones decide, the indicators ranked."""
    s = data["search"]
    return {
        "intro": Msg(
            "sens_searched",
            indicators=s["indicators"],
            outcomes=s["outcomes"],
            runs=s["runs"],
            factor=f"{s['count_factor']:g}" if s["count_factor"] else "—",
        ),
        "measures": [
            {
                "id": m["id"],
                "label": m["label"],
                "holds": m["holds"],
                "lines": [_margin(x) for x in m["margins"][:SHOWN_MARGINS]] or [Msg("sens_holds")],
            }
            for m in data["measures"]
        ],
        "conditional": [
            {
                "label": c["label"],
                "lines": [
                    cat(
                        [
                            b["label"],
                            ": ",
                            cat(
                                (cat([a["values_text"], " → ", _answer(a)]) for a in b["answers"]),
                                "; ",
                            ),
                        ]
                    )
                    for b in c["blanks"]
                ],
            }
            for c in data["conditional"]
        ],
        "ranking": [
            {"label": r["label"], "text": Msg("sens_moves", **{k: r[k] for k in _COUNTS})}
            for r in data["ranking"][:SHOWN_RANKS]
        ],
        "chart": tornado(data["ranking"][:SHOWN_RANKS]),
    }


def tornado(ranking: list[dict[str, Any]]) -> BarChart:
    """The indicators that move the most advice as bars: the measures each drops, and those it
    adds or moves to another status, the longest on top."""
    return bar_chart(
        "firmness",
        Msg("sens_ranking"),
        [("region", Msg("sens_series_dropped")), ("cluster", Msg("sens_series_other"))],
        [(r["label"], [r["dropped"], r["added"] + r["status"]]) for r in ranking],
    )


_COUNTS = ("moves", "dropped", "added", "status")


def _answer(a: dict[str, Any]) -> Msg:
    if a["effect"] == "dropped":
        return Msg("sens_answer_dropped")
    if a["effect"] == "stays":
        return Msg("sens_answer_stays")
    return Msg("sens_answer_becomes", status=a["status_label"])


def map_of(result: Result, k: Knowledge, runner: Runner) -> dict[str, Any]:
    """The sensitivity map of one result, rerun on `runner` (language-neutral)."""
    return sensitivity_data(result, k, runner, data_requests(result, k))


def mark_key_measures(view: ProgramView, data: dict[str, Any], result: Result) -> None:
    """One line under each high-priority measure of the view (the client's switch): the nearest
    single change that would alter it, or that it holds under any single change."""
    lines = {
        m["id"]: ([_margin(x) for x in m["margins"][:1]] or [Msg("sens_holds")])[0]
        for m in data["measures"]
    }
    for r in view["recommendations"]:
        if result.priority.get(r["id"]) == "high" and r["id"] in lines:
            r["firm"] = cat([Msg("firm_label"), ": ", lines[r["id"]]])
