"""The partner catalogue of the knowledge base (knowledge/partners.yaml): partner cluster
organizations, international cluster platforms and the settings of the partner search."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import Field

from engine.knowledge.base import Strict, Text


class Partner(Strict):
    id: str
    name: str
    country: str
    region: Text | str | None = None  # a string reads the same in ru and en
    geography: list[str]
    sectors: list[str]
    facts: Text
    platforms: list[str] = Field(default_factory=list)
    prior_links: list[str] = Field(default_factory=list)
    sources: list[str] = Field(default_factory=list)
    checked: date | None = None  # when the entry was last checked against its sources


class Platform(Strict):
    """An international hub a cluster's actors can keep a profile on and promote themselves
    through. Only an `active` one, checked against its source, is ever recommended."""

    id: str
    name: Text
    description: Text
    geography: str
    sectors: list[str] = Field(default_factory=list)  # empty: open to every sector
    # who can be present on it: actor ids of recommendations.yaml (cluster_org, members, ...)
    actors: list[str] = Field(default_factory=list)
    status: Literal["active", "merged", "defunct", "unverified"]
    merged_into: str | None = None  # the platform id that took over a merged one
    checked: date | None = None  # when the status was last checked against the sources
    sources: list[str] = Field(default_factory=list)


class PartnersFile(Strict):
    geographies: dict[str, Text]
    default_available_geographies: list[str]
    availability_indicator: str
    specialization_indicator: str
    candidates_indicator: str
    max_candidates: int = 3
    weights: dict[Literal["sector", "prior_link", "platform", "target_market"], float]
    partners: list[Partner]
    platforms: list[Platform]
    platforms_indicator: str
    country_indicator: str = "country"
    # the catalogue proposes foreign partners only: a cluster of the client's country is left out
    exclude_own_country: bool = True
    # the assessment's target markets (countries, ISO codes or geographies) raise a candidate
    target_markets_indicator: str | None = None
    # what the program says where no catalogue entry fits, and how to search instead
    no_candidates: Text | None = None
    # the note under the candidates when the experts name markets and none of them is there
    no_target_market_candidates: Text | None = None
    no_platforms: Text | None = None
