"""The batch summary as a portfolio (issue 24 item 3): per cluster, what its program shows beside
the diagnosis (data completeness, measures by status, budget), then what only the whole batch
can say: the measures that set a cluster apart from the others, and its movement since an earlier
year of the same cluster in the batch. The workspace's portfolio reads the same rows."""

from __future__ import annotations

from collections import Counter
from typing import Any

from engine.inference.trace import Result
from engine.knowledge.models import PRIORITY_RANK, Knowledge
from engine.program.budget import Budget, build_budget
from engine.program.peers import rank_values

STATUSES = ("new", "continue", "conditional", "postponed")  # Result.status values, then postponed


def program_facts(
    result: Result, view: dict[str, Any], k: Knowledge, budget: Budget | None = None
) -> dict[str, Any]:
    """One cluster's portfolio figures from its program in words: completeness (the data-gap
    section's count), index coverage, measures by status, the made measures and the budget (the
    result's, built here unless the caller built it already)."""
    gaps, index = view["data_gaps"], view["current"]["index"]
    known, of = gaps["of"] - gaps["count"], gaps["of"]
    counts = Counter(result.status.get(rid, "new") for rid in result.recommendations)
    counts["postponed"] = len(result.postponed)
    budget = budget or build_budget(result, k)
    money = budget.money
    return {
        "region": str(result.assessment.get("region_name") or ""),  # as given, like the name
        "known": known,
        "known_of": of,
        "completeness": round(known / of * 100) if of else None,
        "index_coverage": index["coverage"],
        "index_of": index["of"],
        "by_status": {s: counts.get(s, 0) for s in STATUSES},
        "made": [
            {"id": r["id"], "title": r["title"], "priority": r["priority_id"]}
            for r in view["recommendations"]
        ],
        "budget": budget.total,  # thousands of the cluster's currency
        "currency": money.code,
        # thousands of the base currency at the knowledge base's rate: comparable across clusters
        "budget_base": round(budget.total / money.currency.per_base),
        "base_currency": money.base,
    }


def dashboard(rows: list[dict[str, Any]], k: Knowledge) -> list[dict[str, Any]]:
    """The rows with what only the batch can say: each drafted cluster's distinguishing measures
    and its movement since the previous year of the same cluster (name and region) in the batch."""
    ok = [r for r in rows if r.get("status") == "ok"]
    picked = distinguishing([[m["id"] for m in r["made"]] for r in ok], ok, k)
    moves = movements(ok)
    out, n = [], 0
    for r in rows:
        if r.get("status") != "ok":
            out.append({**r, "distinguishing": [], "distinguishing_ids": [], "movement": None})
            continue
        titles = {m["id"]: m["title"] for m in r["made"]}
        ids = picked[n]
        out.append(
            {
                **r,
                "distinguishing": [titles[i] for i in ids],
                "distinguishing_ids": ids,
                "movement": moves[n],
            }
        )
        n += 1
    return out


def distinguishing(
    made: list[list[str]], rows: list[dict[str, Any]], k: Knowledge
) -> list[list[str]]:
    """For each cluster (its made measures in program order), the measures that set it apart:
    made for at most `portfolio.distinguishing_share` of the clusters and not for every one,
    rarest first, then by priority, then in program order. A batch of one cluster has nothing to
    compare with: its first measures in program order (the top priorities) stand instead."""
    settings = k.program.portfolio
    count = settings.distinguishing_count
    if len(made) == 1:
        return [made[0][:count]]
    times = Counter(rid for ids in made for rid in set(ids))
    limit = settings.distinguishing_share * len(made)
    out = []
    for ids, row in zip(made, rows, strict=True):
        priority = {m["id"]: PRIORITY_RANK.get(m["priority"], 9) for m in row["made"]}
        rare = [i for i in ids if times[i] <= limit and times[i] < len(made)]
        rare.sort(key=lambda i: (times[i], priority[i], ids.index(i)))
        out.append(rare[:count])
    return out


def movements(rows: list[dict[str, Any]]) -> list[dict[str, Any] | None]:
    """For each row, the change since the latest earlier year of the same cluster (same name and
    region, any case) in the batch: index (None when either year has none) and measure count."""

    def key(r: dict[str, Any]) -> tuple[str, str]:
        return (str(r["cluster"]).strip().casefold(), str(r.get("region", "")).strip().casefold())

    # the rows of each cluster, in batch order: a row is compared with its own cluster's alone
    # (comparing every pair was 160 000 keys for 400 clusters, a millisecond a cluster)
    same: dict[tuple[str, str], list[dict[str, Any]]] = {}
    keys = [key(r) for r in rows]
    for r, rk in zip(rows, keys, strict=True):
        same.setdefault(rk, []).append(r)
    out: list[dict[str, Any] | None] = []
    for r, rk in zip(rows, keys, strict=True):
        year = r.get("year")
        earlier = [
            o
            for o in same[rk]
            if isinstance(o.get("year"), int) and isinstance(year, int) and o["year"] < year
        ]
        if not earlier:
            out.append(None)
            continue
        prev = max(earlier, key=lambda o: o["year"])
        index = (
            round(r["index"] - prev["index"], 2)
            if r.get("index") is not None and prev.get("index") is not None
            else None
        )
        out.append(
            {
                "from_year": prev["year"],
                "index": index,
                "measures": r["recommendations"] - prev["recommendations"],
            }
        )
    return out


TOP = 3  # recommendations named per cluster in the summary


def summary_row(
    source: str,
    output: str,
    result: Any,
    view: dict[str, Any],
    k: Knowledge,
    budget: Budget | None = None,
) -> dict[str, Any]:
    """One cluster's row of the batch summary, from its program in words (and its budget, when
    the caller built it already)."""
    m = result.measures.values
    c = view["current"]
    return {
        "source": source,
        "cluster": str(result.assessment.get("cluster_name") or ""),  # as given, not typeset
        "year": view["cluster"].get("year"),  # two assessments of one cluster: two rows
        "status": "ok",
        "level": c["self_assessment"]["level"],
        "level_band": c["self_assessment"]["band"],
        "index": m.get("index"),
        "index_band": c["index"]["band"],
        "model": c["model"]["label"],
        "ratio": m.get("ratio"),
        "ratio_band": c["ratio"]["band"],
        "recommendations": len(view["recommendations"]),
        "top": [r["title"] for r in view["recommendations"][:TOP]],
        "top_ids": [r["id"] for r in view["recommendations"][:TOP]],
        "output": output,
        "error": "",
        **program_facts(result, view, k, budget),
    }


def rank_rows(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each cluster's index ranked against the rest of the batch (its peer set): position,
    N and percentile, among the rows with a determined index."""
    indices = [(i, r["index"]) for i, r in enumerate(rows) if r.get("index") is not None]
    out = []
    for i, r in enumerate(rows):
        others = [v for j, v in indices if j != i]
        ranked = rank_values(r.get("index"), others) if r.get("index") is not None else None
        out.append(
            {
                **r,
                "peer_position": ranked["position"] if ranked else None,
                "peer_n": ranked["n"] if ranked else None,
                "peer_percentile": ranked["percentile"] if ranked else None,
            }
        )
    return out


def failed_row(source: str, problems: list[str]) -> dict[str, Any]:
    """The row of a cluster the batch could not draft: its source and first problem."""
    return {
        "source": source,
        "cluster": "",
        "year": None,
        "status": "error",
        "level": None,
        "level_band": "",
        "index": None,
        "index_band": "",
        "model": "",
        "ratio": None,
        "ratio_band": "",
        "recommendations": None,
        "top": [],
        "top_ids": [],
        "output": "",
        "error": problems[0] if problems else "",
        "region": "",
        "known": None,
        "known_of": None,
        "completeness": None,
        "index_coverage": None,
        "index_of": None,
        "by_status": {},
        "made": [],
        "budget": None,
        "currency": "",
        "budget_base": None,
        "base_currency": "",
    }
