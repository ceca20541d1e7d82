"""The cluster's target markets as the program names them: the countries of the assessment's
`target_markets` (resolved to ISO codes at load; a named world region or grouping expanded to its
members), each with its UN M49 region, for the JSON result, the prospects and the partner search."""

from __future__ import annotations

from typing import Any

from engine.assessment.validate import Assessment
from engine.knowledge.country_model import region_of
from engine.knowledge.models import Knowledge
from engine.text.bilingual import Text

MARKETS_INDICATOR = "target_markets"  # the shared vocabulary's input (indicators.yaml)


def named_markets(a: Assessment, k: Knowledge) -> list[str]:
    """The markets as the assessment names them: country codes and area ids, in its order."""
    if MARKETS_INDICATOR not in k.indicator:
        return []
    return [str(x) for x in (a.get(MARKETS_INDICATOR) or []) if x]


def target_countries(a: Assessment, k: Knowledge) -> list[tuple[str, str | None]]:
    """(country code, the area it was named through or None) for every target country, each
    once, in the order named; a region or grouping gives its members in code order, less the
    cluster's own country (a Russian cluster naming the Caspian states targets the other four)."""
    own = str(a.get(k.partners.country_indicator) or "")
    out: dict[str, str | None] = {}
    for m in named_markets(a, k):
        if m in k.countries.countries:
            out.setdefault(m, None)
        else:
            for code in k.countries.members_of(m):
                if code != own:
                    out.setdefault(code, m)
    return list(out.items())


def market_names(a: Assessment, k: Knowledge) -> list[Text | str]:
    """The names of the markets as named (a grouping by its own name, not its members)."""
    return [k.countries.labels.get(m) or m for m in named_markets(a, k)]


def target_markets_json(a: Assessment, k: Knowledge) -> list[dict[str, Any]]:
    """`[{code, name, region, region_name, via}]` for the JSON result: every target country with
    its English and Russian name and its UN M49 sub-region (`via`: the region or grouping named)."""
    cat = k.countries
    out = []
    for code, via in target_countries(a, k):
        c = cat.countries[code]
        region = region_of(cat, code)
        out.append(
            {
                "code": code,
                "name": {"ru": c.name.ru, "en": c.name.en},
                "region": region,
                "region_name": (
                    {"ru": cat.regions[region].name.ru, "en": cat.regions[region].name.en}
                    if region
                    else None
                ),
                "via": via,
            }
        )
    return out
