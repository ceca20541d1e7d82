"""Pieces of the program view shared by its sections: sources, partner candidates, the chart
scales and the nested "why" chain of a recommendation."""

from __future__ import annotations

from typing import Any

from engine.explain.justify import formula_in
from engine.explain.labels import describe_check, fmt_value, source_views
from engine.knowledge.base import Text
from engine.knowledge.models import Knowledge
from engine.program.leaves import Or, tx
from engine.text.message import Msg, cat


def _source_dict(k: Knowledge, sid: str) -> dict[str, Any]:
    """One known source as a document cites it: the knowledge's alone, built once per knowledge
    base when first cited; shared by every record that cites it, never changed in place."""
    return source_views([sid], k, empty="")[0]


def sources_view(ids: list[str], k: Knowledge) -> list[dict[str, Any]]:
    """The sources of a document item; a missing section or address reads "" (templates)."""
    return [k.derived_each(_source_dict, sid) for sid in ids if sid in k.source]


def scale_max(k: Knowledge) -> dict[str, float]:
    """The top of the score scale of each indicator group (the axis of its chart)."""
    out: dict[str, float] = {}
    for ind in k.indicators.indicators:
        if ind.scale and ind.scale in k.indicators.scales:
            top = k.indicators.scales[ind.scale].max
            out[ind.group] = max(out.get(ind.group, top), top)
    return out


def partner_view(c: Any, k: Knowledge) -> dict[str, Any]:
    """A partner candidate as the document shows it: name, country, region, facts, geographies,
    the reasons it was chosen and its sources."""
    p = c.partner
    reasons: list[Any] = []
    if c.from_assessment:
        reasons.append(Msg("partner_named"))
    if c.sectors:
        sectors = cat((Or(tx(k.sectors.label(s)), s) for s in c.sectors), ", ")
        reasons.append(cat([Msg("partner_sector"), ": ", sectors]))
    if c.prior_link:
        reasons.append(Msg("partner_prior_link"))
    if getattr(c, "target_market", False):
        reasons.append(Msg("partner_target_market"))
    return {
        "name": c.name,
        "country": p.country if p else "",
        "region": tx(p.region) if p else "",
        "facts": tx(p.facts) if p else "",
        "geography": [tx(k.partners.geographies.get(g)) for g in c.geography],
        "reasons": reasons,
        "sources": sources_view(p.sources if p else [], k),
    }


def chain_lines(views: list[dict[str, Any]], k: Knowledge, depth: int = 0) -> list[dict]:
    """The full chain as nested lines for the HTML 'expand' view and the appendix."""
    out = []
    for v in views:
        conds = []
        for c in v["conditions"]:
            line = {
                "text": describe_check(c, k),
                "at": c.get("at", ""),
                "derivation": "",
                "setting": "",
                "children": chain_lines(c.get("because") or [], k, depth + 1),
            }
            if c.get("derivation"):
                d = c["derivation"]
                inputs = [cat([i["id"], " = ", fmt_value(i["value"])]) for i in d["inputs"]]
                line["derivation"] = (
                    cat([formula_in(d), " (", cat(inputs, ", "), ")"]) if inputs else formula_in(d)
                )
                line["setting"] = d["setting"]
            conds.append(line)
        out.append(
            {
                "rule": v["rule"],
                "where": v["where"],
                "title": v["title"] if isinstance(v["title"], Text) else Text.of(v["title"]),
                "sources": v["sources"],
                "conditions": conds,
            }
        )
    return out
