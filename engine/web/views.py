"""What the workspace pages show beyond the engine's views: the year pairs of the workspace, the
sortable portfolio, a cluster's names as its title page gives them."""

from __future__ import annotations

import itertools
from typing import Any

from engine.web import forms


def year_pairs(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Two assessments of one cluster (same name) from different years: earlier → later."""
    by_cluster: dict[str, list[dict[str, Any]]] = {}
    for r in rows:
        by_cluster.setdefault(str(r["cluster_key"]).strip().casefold(), []).append(r)
    pairs = []
    for same in by_cluster.values():
        dated = sorted((r for r in same if r["year"] is not None), key=lambda r: r["year"])
        for old, new in itertools.pairwise(dated):
            if old["year"] != new["year"]:
                pairs.append({"cluster": new["cluster"], "old": old, "new": new})
    return pairs


def sortable(
    portfolio: dict[str, Any], ok: list[dict[str, Any]], sort: str, descending: bool
) -> dict[str, Any]:
    """The portfolio with each row's file, index coverage and weakest mark, sorted as asked."""
    by_source = {r["source"]: r for r in ok}
    low = forms.weakest(portfolio["rows"])
    rows = [
        {
            **row,
            "name": by_source[row["source"]]["name"],
            "coverage": by_source[row["source"]]["coverage"],
            "of": by_source[row["source"]]["of"],
            "weakest": row["source"] == low,
        }
        for row in portfolio["rows"]
    ]
    return {**portfolio, "rows": forms.sorted_portfolio(rows, sort, descending)}


def named(view: dict[str, Any]) -> dict[str, Any]:
    """The view with the cluster and region as its title page names them: in English, the
    assessment's English names where it gives them."""
    front = view["front"]
    return {
        **view,
        "cluster": {**view["cluster"], "name": front["cluster"], "region": front["region"]},
    }
