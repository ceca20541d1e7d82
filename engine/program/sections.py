"""Pieces of the program view shared by its sections: sources, partner candidates, the chart
scales and the nested "why" chain of a recommendation."""

from __future__ import annotations

from typing import Any

from engine.explain.justify import formula_in
from engine.explain.labels import describe_check, fmt_value, source_views
from engine.knowledge.base import Text, localized
from engine.knowledge.models import Knowledge
from engine.text.strings import strings


def sources_view(ids: list[str], k: Knowledge, lang: str) -> list[dict[str, Any]]:
    """The sources of a document item; a missing section or address reads "" (templates)."""
    return source_views(ids, k, lang, empty="")


def scale_max(k: Knowledge) -> dict[str, float]:
    """The top of the score scale of each indicator group (the axis of its chart)."""
    out: dict[str, float] = {}
    for ind in k.indicators.indicators:
        if ind.scale and ind.scale in k.indicators.scales:
            top = k.indicators.scales[ind.scale].max
            out[ind.group] = max(out.get(ind.group, top), top)
    return out


def unknown_text(lang: str) -> str:
    return strings()[lang]["not_determined"]


def partner_view(c: Any, k: Knowledge, lang: str) -> dict[str, Any]:
    p = c.partner
    t = strings()[lang]
    reasons = []
    if c.from_assessment:
        reasons.append(t["partner_named"])
    if c.sectors:
        reasons.append(
            f"{t['partner_sector']}: "
            + ", ".join(localized(k.partners.sectors.get(s), lang) or s for s in c.sectors)
        )
    if c.prior_link:
        reasons.append(t["partner_prior_link"])
    if getattr(c, "target_market", False):
        reasons.append(t["partner_target_market"])
    return {
        "name": c.name,
        "country": p.country if p else "",
        "region": localized(p.region, lang) if p else "",
        "facts": localized(p.facts, lang) if p else "",
        "geography": [localized(k.partners.geographies.get(g), lang) for g in c.geography],
        "reasons": reasons,
        "sources": sources_view(p.sources if p else [], k, lang),
    }


def chain_lines(views: list[dict[str, Any]], k: Knowledge, lang: str, depth: int = 0) -> list[dict]:
    """The full chain as nested lines for the HTML 'expand' view and the appendix."""
    out = []
    for v in views:
        conds = []
        for c in v["conditions"]:
            line = {
                "text": describe_check(c, k, lang),
                "at": c.get("at", ""),
                "derivation": "",
                "setting": "",
                "children": chain_lines(c.get("because") or [], k, lang, depth + 1),
            }
            if c.get("derivation"):
                d = c["derivation"]
                inputs = ", ".join(
                    f"{i['id']} = {fmt_value(i['value'], lang)}" for i in d["inputs"]
                )
                line["derivation"] = formula_in(d, lang) + (f" ({inputs})" if inputs else "")
                line["setting"] = d["setting"]
            conds.append(line)
        out.append(
            {
                "rule": v["rule"],
                "where": v["where"],
                "title": Text(**v["title"]).get(lang),
                "sources": v["sources"],
                "conditions": conds,
            }
        )
    return out
