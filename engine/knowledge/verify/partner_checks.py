"""References of partners.yaml: indicators, geographies, sectors, sources, and each platform's
status as a checked fact."""

from __future__ import annotations

from engine.errors import suggest
from engine.knowledge.base import Text
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
        for i, partner in enumerate(pt.partners):
            for j, geo in enumerate(partner.geography):
                if geo not in pt.geographies:
                    self.add(
                        pf,
                        ("partners", i, "geography", j),
                        f"unknown geography {geo!r}",
                        hint=suggest(geo, pt.geographies),
                        code="unknown-geography",
                    )
            self.sources(pf, ("partners", i, "sources"), partner.sources)
            if isinstance(partner.region, Text):
                self.text(pf, ("partners", i, "region"), partner.region)
            for j, sector in enumerate(partner.sectors):
                if self.k.sectors.resolve(sector) is None:
                    near = self.k.sectors.nearest(sector)
                    self.add(
                        pf,
                        ("partners", i, "sectors", j),
                        f"unknown sector {sector!r}: neither a code nor an alias of sectors.yaml",
                        hint=f"nearest codes: {', '.join(near)}" if near else "",
                        code="unknown-sector",
                    )
        self.platforms(pf)

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
