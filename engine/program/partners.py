"""Partner-cluster candidates and platforms to be present on, chosen from partners.yaml.

Scoring is data (weights, sector aliases, available geographies, target markets); each candidate
carries the reasons it was chosen so the document can say why it names this cluster. Only a
platform whose status is `active` in the catalogue, in an open geography and fitting the cluster's
sectors, is ever offered.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from engine.assessment.validate import Assessment
from engine.knowledge.models import Knowledge, RecommendationDef
from engine.knowledge.partner_model import Partner, Platform
from engine.program.leaves import tx
from engine.program.markets import named_markets, target_countries
from engine.program.sections import partner_view


@dataclass(frozen=True)
class Candidate:
    name: str
    partner: Partner | None  # None: named by the assessment, not in the catalogue
    score: float  # catalogue match score; 0 for clusters named in the assessment (listed first)
    sectors: tuple[str, ...] = ()
    prior_link: bool = False
    geography: tuple[str, ...] = ()
    from_assessment: bool = False
    target_market: bool = False  # in a country or geography the assessment targets

    def as_dict(self) -> dict[str, Any]:
        """The candidate as the JSON result lists it (ids, score and the reasons it was chosen)."""
        return {
            "name": self.name,
            "id": self.partner.id if self.partner else None,
            "score": self.score,
            "matched_sectors": list(self.sectors),
            "prior_link": self.prior_link,
            "geography": list(self.geography),
            "named_in_assessment": self.from_assessment,
            "target_market": self.target_market,
        }


@dataclass
class PartnerChoice:
    candidates: list[Candidate]
    available: list[str]
    wanted_sectors: list[str]
    excluded_by_geography: list[str] = field(default_factory=list)
    markets_named: bool = False  # the assessment names target markets

    def as_dict(self) -> dict[str, Any]:
        """The choice as the JSON result carries it: candidates, open geographies, wanted sectors
        and the clusters left out by geography."""
        return {
            "candidates": [c.as_dict() for c in self.candidates],
            "available_geographies": self.available,
            "wanted_sectors": self.wanted_sectors,
            "excluded_by_geography": self.excluded_by_geography,
        }


def choose_partners(a: Assessment, k: Knowledge) -> PartnerChoice:
    """The partner clusters to propose: those the assessment names first (unless their region is
    closed), then the catalogue's best matches by the scoring of partners.yaml, up to its
    maximum."""
    pt = k.partners
    available = list(a.get(pt.availability_indicator) or pt.default_available_geographies)
    wanted = _wanted_sectors(a, k)
    country = _own_country(a, k)
    targets = _target_markets(a, k)
    named = [n.strip() for n in (a.get(pt.candidates_indicator) or []) if n.strip()]
    by_name = k.derived(_partners_by_name)
    out: list[Candidate] = []
    excluded: list[str] = []
    for n in named:
        p = by_name.get(n.lower())
        geo = tuple(p.geography) if p else ()
        if p and not any(g in available for g in p.geography):
            excluded.append(p.name)  # named, but in a region closed to the cluster today
            continue
        out.append(
            Candidate(
                name=p.name if p else n,
                partner=p,
                score=0.0,
                sectors=tuple(s for s in _codes(p.sectors if p else [], k) if s in wanted),
                prior_link=bool(p and country and country in p.prior_links),
                geography=geo,
                from_assessment=True,
                target_market=bool(p and _targeted(p, targets)),
            )
        )
    seen = {c.name.lower() for c in out} | {x.lower() for x in excluded}
    ranked = _ranked(k, wanted, available, country, targets, seen, excluded)
    ranked.sort()
    # only the candidates kept are built (a cluster scores ~13 partners and keeps ~3)
    room = max(0, pt.max_candidates - len(out))
    for neg_score, _, name, i, sectors, prior, targeted in ranked[:room]:
        p = pt.partners[i]
        out.append(
            Candidate(
                name=name,
                partner=p,
                score=-neg_score,
                sectors=sectors,
                prior_link=prior,
                geography=tuple(p.geography),
                target_market=targeted,
            )
        )
    return PartnerChoice(
        candidates=out,
        available=available,
        wanted_sectors=wanted,
        excluded_by_geography=sorted(excluded),
        markets_named=bool(targets),
    )


Ranked = tuple[float, float, str, int, tuple[str, ...], bool, bool]


def _ranked(
    k: Knowledge,
    wanted: list[str],
    available: list[str],
    country: str,
    targets: set[str],
    seen: set[str],
    excluded: list[str],
) -> list[Ranked]:
    """The catalogue's partners of the cluster's sectors not `seen` yet, each as its sort key
    (score, focus, name, position) and what its candidate says; those in a closed region are
    added to `excluded`."""
    pt = k.partners
    ranked: list[Ranked] = []
    facts = k.derived(_partner_facts)
    by_code = k.derived(_partners_by_code)
    for i in sorted({i for code in wanted for i in by_code.get(code, ())}):
        p = pt.partners[i]
        lower, codes, own_country, platforms = facts[i]
        if lower in seen:
            continue
        sectors = tuple(s for s in codes if s in wanted)
        if not sectors:
            continue
        if pt.exclude_own_country and country and own_country == country:
            continue  # a cluster of the client's own country is no foreign partner
        if not any(g in available for g in p.geography):
            excluded.append(p.name)
            continue
        prior = bool(country and country in p.prior_links)
        targeted = _targeted(p, targets)
        score = (
            pt.weights.get("sector", 1.0) * len(sectors)
            + (pt.weights.get("prior_link", 0.0) if prior else 0.0)
            + (pt.weights.get("target_market", 0.0) if targeted else 0.0)
            + platforms
        )
        # equal scores: the partner most given to the cluster's own trades first (a naval
        # cluster that also names coastal tourism after tourism clusters), then by name, then
        # in the catalogue's order (a stable sort of it would keep)
        focus = len(sectors) / len(codes) if codes else 0.0
        ranked.append((-round(score, 3), -focus, p.name, i, sectors, prior, targeted))
    return ranked


def platforms_to_join(a: Assessment, k: Knowledge) -> list[Platform]:
    """Active platforms the cluster is not yet present on, in an open geography, fitting its
    sectors. A merged, defunct or unverified platform is never offered."""
    pt = k.partners
    present = set(a.get(pt.platforms_indicator) or [])
    available = set(a.get(pt.availability_indicator) or pt.default_available_geographies)
    wanted = set(_wanted_sectors(a, k))
    return [
        p
        for p in pt.platforms
        if p.status == "active"
        and p.id not in present
        and p.geography in available
        and (not p.sectors or wanted & set(_codes(p.sectors, k)))
    ]


def _target_markets(a: Assessment, k: Knowledge) -> set[str]:
    """The assessment's target markets as lower-case keys: the country codes (a named region or
    grouping expanded to its members) and the area ids named (resolved at load, countries.yaml)."""
    pt = k.partners
    if not pt.target_markets_indicator or pt.target_markets_indicator not in k.indicator:
        return set()
    named = {x.lower() for x in named_markets(a, k)}
    return named | {code.lower() for code, _ in target_countries(a, k)}


def _own_country(a: Assessment, k: Knowledge) -> str:
    """The assessed cluster's country as an upper-case ISO code (a name was resolved to its code
    at load), or '' where the assessment does not say."""
    ci = k.partners.country_indicator
    if ci not in k.indicator:
        return ""
    raw = a.get(ci)  # resolved to its ISO code at load (countries.yaml)
    return str(raw).strip().upper() if raw else ""


def _targeted(p: Partner, targets: set[str]) -> bool:
    return bool(targets) and (
        p.country.lower() in targets or any(g.lower() in targets for g in p.geography)
    )


def _wanted_sectors(a: Assessment, k: Knowledge) -> list[str]:
    """The cluster's sector codes (the assessment's words were resolved when it was loaded)."""
    return list(dict.fromkeys(a.get(k.partners.specialization_indicator) or []))


def _codes(tags: list[str], k: Knowledge) -> tuple[str, ...]:
    """The sector codes of a catalogue entry's tags: a code, or a word sectors.yaml resolves."""
    known = k.derived(_catalogue_codes).get(tuple(tags))
    return known if known is not None else _resolve_tags(tags, k)


def _catalogue_codes(k: Knowledge) -> dict[tuple[str, ...], tuple[str, ...]]:
    """The sector codes of every partner's and platform's tags, resolved once per knowledge base
    (each cluster scores the whole catalogue)."""
    tags = [p.sectors for p in k.partners.partners] + [p.sectors for p in k.partners.platforms]
    return {tuple(t): _resolve_tags(t, k) for t in tags}


def _partner_facts(k: Knowledge) -> list[tuple[str, tuple[str, ...], str, float]]:
    """Each catalogue partner's name in lower case, sector codes, country in upper case and the
    weight of its platforms, by position: once per knowledge base (each cluster scores the
    partners of its sectors)."""
    weight = k.partners.weights.get("platform", 0.0)
    return [
        (p.name.lower(), _codes(p.sectors, k), p.country.upper(), weight * len(p.platforms))
        for p in k.partners.partners
    ]


def _partners_by_name(k: Knowledge) -> dict[str, Any]:
    """The catalogue's partners by their name in lower case (the last of a name), once per
    knowledge base: an assessment names its candidates."""
    return {p.name.lower(): p for p in k.partners.partners}


def _partners_by_code(k: Knowledge) -> dict[str, list[int]]:
    """The catalogue's partners (their positions) under each sector code they work in: only
    those of a cluster's own sectors can be scored."""
    out: dict[str, list[int]] = {}
    for i, p in enumerate(k.partners.partners):
        for code in _codes(p.sectors, k):
            out.setdefault(code, []).append(i)
    return out


def _resolve_tags(tags: list[str], k: Knowledge) -> tuple[str, ...]:
    out: list[str] = []
    for tag in tags:
        for code in k.sectors.resolve(tag) or [tag]:
            if code not in out:
                out.append(code)
    return tuple(out)


def catalogue_lists(
    r: RecommendationDef, k: Knowledge, partners: PartnerChoice, to_join: list[Platform]
) -> dict[str, Any]:
    """The catalogue entries a measure lists, and where none fits (or none of the partners is in
    the markets the experts name), the knowledge base's note on how to search instead (so the
    text never promises a list that is empty, nor partners in the target markets)."""
    out: dict[str, Any] = {"partners": [], "platforms": [], "none_fits": ""}
    if r.lists == "partners":
        out["partners"] = [partner_view(c, k) for c in partners.candidates]
        if not out["partners"]:
            out["none_fits"] = tx(k.partners.no_candidates)
        elif partners.markets_named and not any(c.target_market for c in partners.candidates):
            out["none_fits"] = tx(k.partners.no_target_market_candidates)
    if r.lists == "platforms":
        actors = k.recommendations.actors
        out["platforms"] = [
            {
                "id": p.id,
                "name": tx(p.name),
                "description": tx(p.description),
                "actors": [tx(actors.get(x)) for x in p.actors if x in actors],
            }
            for p in to_join
        ]
        if not out["platforms"]:
            out["none_fits"] = tx(k.partners.no_platforms)
    return out
