"""The models of `knowledge/countries.yaml` (ISO 3166-1 countries, UN M49 regions, groupings such
as the EAEU and CIS) and the lookups the assessment and the program use: a typed name or alias to
its alpha-2 code, a target market to its countries, a country code to its region."""

from __future__ import annotations

import difflib
import re
from functools import cached_property

from pydantic import Field

from engine.knowledge.base import Basis, Strict, Text


class Region(Strict):
    """A UN M49 region, sub-region or intermediate region; `parent` is the area above it."""

    m49: str
    name: Text
    parent: str | None = None
    aliases: list[str] = Field(default_factory=list)


class Grouping(Strict):
    """A grouping of countries a target market may name (EAEU, CIS...), with its source."""

    name: Text
    aliases: list[str] = Field(default_factory=list)
    members: list[str]
    associates: list[str] = Field(default_factory=list)
    sources: list[str] = Field(default_factory=list)


class Country(Strict):
    """One ISO 3166-1 country or area: codes, names, aliases and its finest M49 area."""

    name: Text
    alpha3: str | None = None
    m49: str | None = None
    area: str | None = None  # a region id; None only for the reserved test code
    m49_area: Basis | None = None  # `proposal`: M49 does not list it; placed by us
    un_member: bool = False
    reserved: bool = False  # ISO 3166 user-assigned code kept for tests (ZZ)
    aliases: list[str] = Field(default_factory=list)


class CountriesFile(Strict):
    sources: list[str] = Field(default_factory=list)
    regions: dict[str, Region]
    groupings: dict[str, Grouping] = Field(default_factory=dict)
    countries: dict[str, Country]

    @cached_property
    def by_name(self) -> dict[str, str]:
        """Every folded code, name and alias of a country -> its alpha-2 code."""
        table: dict[str, str] = {}
        for code, c in self.countries.items():
            for word in (code, c.alpha3 or "", c.name.ru, c.name.en, *c.aliases):
                if word:
                    table.setdefault(fold(word), code)
        return table

    @cached_property
    def areas_by_name(self) -> dict[str, str]:
        """Every folded name or alias of a region or grouping -> its id."""
        table: dict[str, str] = {}
        for rid, r in self.regions.items():
            for word in (rid, r.name.ru, r.name.en, *r.aliases):
                table.setdefault(fold(word), rid)
        for gid, g in self.groupings.items():
            for word in (gid, g.name.ru, g.name.en, *g.aliases):
                table.setdefault(fold(word), gid)
        return table

    @cached_property
    def labels(self) -> dict[str, Text]:
        """The name of every country code, region id and grouping id."""
        out: dict[str, Text] = {c: x.name for c, x in self.countries.items()}
        out |= {r: x.name for r, x in self.regions.items()}
        out |= {g: x.name for g, x in self.groupings.items()}
        return out

    def code_of(self, word: str) -> str | None:
        """The alpha-2 code a typed code, name or alias means, or None."""
        return self.by_name.get(fold(word))

    def area_of(self, word: str) -> str | None:
        """The region or grouping id a typed name means, or None."""
        return self.areas_by_name.get(fold(word))

    def members_of(self, area: str) -> list[str]:
        """The country codes of a region (its sub-areas too) or of a grouping, in code order."""
        if area in self.groupings:
            g = self.groupings[area]
            return sorted({*g.members, *g.associates})
        return sorted(c for c, x in self.countries.items() if area in self.lineage(x.area))

    def lineage(self, area: str | None) -> list[str]:
        """The area and every region above it, finest first."""
        out: list[str] = []
        while area and area not in out:
            out.append(area)
            area = self.regions[area].parent if area in self.regions else None
        return out

    def nearest(self, word: str, n: int = 3) -> list[str]:
        """The country names closest to a word nobody knows, as "Name (CODE)"."""
        folded = fold(word)
        close = difflib.get_close_matches(folded, list(self.by_name), n=n * 3, cutoff=0.5)
        out: list[str] = []
        for key in close:
            code = self.by_name[key]
            shown = f"{self.countries[code].name.en} ({code})"
            if shown not in out:
                out.append(shown)
        return out[:n]


def fold(word: str | None) -> str:
    """A name as lookups compare it: lower case, ё as е, no dots, single spaces."""
    word = (word or "").strip().lower().replace("ё", "е").replace(".", "").replace("’", "'")
    return re.sub(r"\s+", " ", word)


def region_of(countries: CountriesFile, code: str) -> str | None:
    """The UN M49 sub-region id of a country code (e.g. IR -> southern_asia, NG ->
    sub_saharan_africa), its region where M49 has no sub-region, None for an unknown code."""
    c = countries.countries.get(code.upper())
    line = countries.lineage(c.area if c else None)
    return line[-2] if len(line) >= 2 else (line[0] if line else None)


def continent_of(countries: CountriesFile, code: str) -> str | None:
    """The UN M49 region id (africa, americas, asia, europe, oceania) of a country code."""
    c = countries.countries.get(code.upper())
    line = countries.lineage(c.area if c else None)
    return line[-1] if line else None
