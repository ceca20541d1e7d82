"""Partner-cluster candidates and platforms to join, chosen from the catalogue in partners.yaml.

Scoring is data (weights, sector aliases, available geographies); each candidate carries the
reasons it was chosen so the document can say why it names this cluster.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from engine.assessment.validate import Assessment
from engine.knowledge.models import Knowledge, Partner, Platform


@dataclass(frozen=True)
class Candidate:
    name: str
    partner: Partner | None  # None: named by the assessment, not in the catalogue
    score: float  # catalogue match score; 0 for clusters named in the assessment (listed first)
    sectors: tuple[str, ...] = ()
    prior_link: bool = False
    geography: tuple[str, ...] = ()
    from_assessment: bool = False

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "id": self.partner.id if self.partner else None,
            "score": self.score,
            "matched_sectors": list(self.sectors),
            "prior_link": self.prior_link,
            "geography": list(self.geography),
            "named_in_assessment": self.from_assessment,
        }


@dataclass
class PartnerChoice:
    candidates: list[Candidate]
    available: list[str]
    wanted_sectors: list[str]
    excluded_by_geography: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "candidates": [c.as_dict() for c in self.candidates],
            "available_geographies": self.available,
            "wanted_sectors": self.wanted_sectors,
            "excluded_by_geography": self.excluded_by_geography,
        }


def choose_partners(a: Assessment, k: Knowledge) -> PartnerChoice:
    pt = k.partners
    available = list(a.get(pt.availability_indicator) or pt.default_available_geographies)
    wanted = _wanted_sectors(a, k)
    ci = k.partners.country_indicator
    country = (a.get(ci) or "").upper() if ci in k.indicator else ""
    named = [n.strip() for n in (a.get(pt.candidates_indicator) or []) if n.strip()]
    by_name = {p.name.lower(): p for p in pt.partners}
    out: list[Candidate] = []
    excluded: list[str] = []
    for n in named:
        p = by_name.get(n.lower())
        geo = tuple(p.geography) if p else ()
        out.append(
            Candidate(
                name=p.name if p else n,
                partner=p,
                score=0.0,
                sectors=tuple(s for s in (p.sectors if p else []) if s in wanted),
                prior_link=bool(p and country and country in p.prior_links),
                geography=geo,
                from_assessment=True,
            )
        )
    seen = {c.name.lower() for c in out}
    scored: list[Candidate] = []
    for p in pt.partners:
        if p.name.lower() in seen:
            continue
        sectors = tuple(s for s in p.sectors if s in wanted)
        if not sectors:
            continue
        if not any(g in available for g in p.geography):
            excluded.append(p.name)
            continue
        prior = bool(country and country in p.prior_links)
        score = (
            pt.weights.get("sector", 1.0) * len(sectors)
            + (pt.weights.get("prior_link", 0.0) if prior else 0.0)
            + pt.weights.get("platform", 0.0) * len(p.platforms)
        )
        scored.append(
            Candidate(
                name=p.name,
                partner=p,
                score=round(score, 3),
                sectors=sectors,
                prior_link=prior,
                geography=tuple(p.geography),
            )
        )
    scored.sort(key=lambda c: (-c.score, c.name))
    out.extend(
        scored[: max(0, pt.max_candidates - len(out))] if len(out) < pt.max_candidates else []
    )
    return PartnerChoice(
        candidates=out,
        available=available,
        wanted_sectors=wanted,
        excluded_by_geography=sorted(excluded),
    )


def platforms_to_join(a: Assessment, k: Knowledge) -> list[Platform]:
    joined = set(a.get(k.partners.platforms_indicator) or [])
    wanted = set(_wanted_sectors(a, k))
    return [
        p
        for p in k.partners.platforms
        if p.id not in joined and (not p.sectors or wanted & set(p.sectors))
    ]


def _wanted_sectors(a: Assessment, k: Knowledge) -> list[str]:
    pt = k.partners
    out: list[str] = []
    for tag in (s.strip().lower() for s in (a.get(pt.specialization_indicator) or [])):
        for sector in pt.sector_aliases.get(tag, [tag]):
            if sector not in out:
                out.append(sector)
    return out
