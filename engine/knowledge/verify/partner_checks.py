"""References of partners.yaml: indicators, geographies, sectors, sources, and each platform's
status as a checked fact."""

from __future__ import annotations

from engine.errors import suggest
from engine.knowledge.base import Text
from engine.knowledge.partner_model import Partner
from engine.knowledge.verify.checker_base import CheckerBase


class PartnerChecks(CheckerBase):
    def partners(self, pf: str) -> None:
        """partners.yaml: the indicators it reads, geographies, sectors and sources."""
        pt = self.k.partners
        for key in (
            "availability_indicator",
            "specialization_indicator",
            "candidates_indicator",
            "platforms_indicator",
        ):
            if getattr(pt, key) not in self.k.indicator:
                self.add(
                    pf,
                    (key,),
                    f"unknown indicator {getattr(pt, key)!r}",
                    code="unknown-indicator",
                )
        for j, geo in enumerate(pt.default_available_geographies):
            if geo not in pt.geographies:
                self.add(
                    pf,
                    ("default_available_geographies", j),
                    f"unknown geography {geo!r}",
                    code="unknown-geography",
                )
        codes = frozenset(s.id for s in self.k.sectors.sectors)
        for i, partner in enumerate(pt.partners):
            self.partner_entry(pf, i, partner, codes)
        self.platforms(pf)

    def partner_entry(self, pf: str, i: int, partner: Partner, codes: frozenset[str]) -> None:
        """One catalogue entry: geographies known, sector codes of sectors.yaml, a known country
        (ISO 3166-1 alpha-2 of countries.yaml), a known source and a check date."""
        pt = self.k.partners
        for j, geo in enumerate(partner.geography):
            if geo not in pt.geographies:
                self.add(
                    pf,
                    ("partners", i, "geography", j),
                    f"unknown geography {geo!r}",
                    hint=suggest(geo, pt.geographies),
                    code="unknown-geography",
                )
        if not partner.sources:
            self.add(
                pf,
                ("partners", i),
                f"partner {partner.id!r} names no source",
                code="partner-source",
            )
        self.sources(pf, ("partners", i, "sources"), partner.sources)
        if partner.checked is None:
            self.add(
                pf,
                ("partners", i),
                f"partner {partner.id!r} has no `checked` date (when its sources were last read)",
                code="partner-checked",
            )
        if isinstance(partner.region, Text):
            self.text(pf, ("partners", i, "region"), partner.region)
        countries = self.k.countries.countries
        if not (len(partner.country) == 2 and partner.country in countries):
            self.add(
                pf,
                ("partners", i, "country"),
                f"country {partner.country!r} is not an ISO 3166-1 alpha-2 code of countries.yaml",
                hint=suggest(partner.country.upper(), countries),
                code="unknown-country",
            )
        if not partner.sectors:
            self.add(
                pf, ("partners", i), f"partner {partner.id!r} has no sector", code="unknown-sector"
            )
        for j, sector in enumerate(partner.sectors):
            if sector not in codes:
                near = self.k.sectors.nearest(sector)
                self.add(
                    pf,
                    ("partners", i, "sectors", j),
                    f"unknown sector code {sector!r} (a partner names the codes of sectors.yaml)",
                    hint=f"nearest codes: {', '.join(near)}" if near else "",
                    code="unknown-sector",
                )

    def platforms(self, pf: str) -> None:
        """Each platform's status is a checked fact: an active one names its source and check
        date, a merged one its successor; an unverified one is flagged while a measure lists
        platforms (the engine never recommends it, so the list silently shrinks)."""
        pt = self.k.partners
        ids = {p.id for p in pt.platforms}
        listing = [r.id for r in self.k.recommendations.recommendations if r.lists == "platforms"]
        for i, plat in enumerate(pt.platforms):
            self.sources(pf, ("platforms", i, "sources"), plat.sources)
            self.text(pf, ("platforms", i, "name"), plat.name)
            self.text(pf, ("platforms", i, "description"), plat.description)
            if plat.geography not in pt.geographies:
                self.add(
                    pf,
                    ("platforms", i, "geography"),
                    f"unknown geography {plat.geography!r}",
                    hint=suggest(plat.geography, pt.geographies),
                    code="unknown-geography",
                )
            for j, actor in enumerate(plat.actors):
                if actor not in self.k.recommendations.actors:
                    self.add(
                        pf,
                        ("platforms", i, "actors", j),
                        f"unknown actor {actor!r}",
                        hint=suggest(actor, self.k.recommendations.actors),
                        code="unknown-actor",
                    )
            if plat.status == "active" and (plat.checked is None or not plat.sources):
                self.add(
                    pf,
                    ("platforms", i, "status"),
                    f"platform {plat.id!r} is active but has no `checked` date or no source "
                    "saying so",
                    code="platform-status",
                )
            if plat.status == "merged" and plat.merged_into not in ids:
                self.add(
                    pf,
                    ("platforms", i, "merged_into"),
                    f"merged platform {plat.id!r} names no known successor "
                    f"(merged_into: {plat.merged_into!r})",
                    code="platform-status",
                )
            if plat.status == "unverified" and listing:
                self.add(
                    pf,
                    ("platforms", i, "status"),
                    f"platform {plat.id!r} is unverified, so {', '.join(listing)} never lists "
                    "it; check that it exists and set its status",
                    severity="warning",
                    code="platform-status",
                )
