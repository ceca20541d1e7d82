"""The country catalogue (`countries.yaml`): every area a country or region names exists, every
grouping member is a known country, each grouping cites its source, no name means two countries;
and every country code the rest of the base names (instruments, profiles) is in the catalogue."""

from __future__ import annotations

from engine.errors import suggest
from engine.knowledge.country_model import fold
from engine.knowledge.verify.references import Checker

FILE = "countries.yaml"


def check_countries(c: Checker) -> None:
    """Report unknown areas, members and sources, and names that mean two countries."""
    cat = c.k.countries
    regions, codes, sources = set(cat.regions), set(cat.countries), set(c.k.source)
    for rid, r in cat.regions.items():
        if r.parent and r.parent not in regions:
            c.add(
                FILE,
                ("regions", rid, "parent"),
                f"unknown region {r.parent!r}",
                hint=suggest(r.parent, regions),
            )
    for code, x in cat.countries.items():
        if x.area is None and not x.reserved:
            c.add(FILE, ("countries", code), f"country {code!r} has no `area` (UN M49 region)")
        if x.area and x.area not in regions:
            c.add(
                FILE,
                ("countries", code, "area"),
                f"unknown region {x.area!r}",
                hint=suggest(x.area, regions),
            )
    for gid, g in cat.groupings.items():
        for m in [*g.members, *g.associates]:
            if m not in codes:
                c.add(FILE, ("groupings", gid), f"unknown country {m!r}", hint=suggest(m, codes))
        if not g.sources:
            c.add(FILE, ("groupings", gid), f"grouping {gid!r} names no source of its members")
        for s in [*g.sources]:
            if s not in sources:
                c.add(
                    FILE,
                    ("groupings", gid, "sources"),
                    f"unknown source {s!r}",
                    hint=suggest(s, sources),
                )
    for s in cat.sources:
        if s not in sources:
            c.add(FILE, ("sources",), f"unknown source {s!r}", hint=suggest(s, sources))
    _check_names(c)
    _check_codes_named_elsewhere(c, codes)


def _check_names(c: Checker) -> None:
    """A name or alias that two countries share would resolve to whichever comes first."""
    seen: dict[str, str] = {}
    areas = c.k.countries.areas_by_name
    for code, x in c.k.countries.countries.items():
        for word in {fold(w) for w in (code, x.alpha3 or "", x.name.ru, x.name.en, *x.aliases)}:
            if word and seen.setdefault(word, code) != code:
                c.add(FILE, ("countries", code), f"name {word!r} also means {seen[word]!r}")
            if word in areas and areas[word] not in c.k.countries.lineage(x.area):
                c.add(FILE, ("countries", code), f"name {word!r} also means {areas[word]!r}")


def _check_codes_named_elsewhere(c: Checker, codes: set[str]) -> None:
    """Instruments and country profiles of document.yaml name catalogue countries only."""
    d = c.k.document
    for i, ins in enumerate(d.instruments):
        for j, code in enumerate(ins.countries):
            if code not in codes:
                c.add(
                    "document.yaml",
                    ("instruments", i, "countries", j),
                    f"unknown country {code!r} (countries.yaml)",
                    hint=suggest(code, codes),
                )
    for code in d.country_profiles:
        if code != "default" and code not in codes:
            c.add(
                "document.yaml",
                ("country_profiles", code),
                f"unknown country {code!r} (countries.yaml)",
                key=True,
                hint=suggest(code, codes),
            )
