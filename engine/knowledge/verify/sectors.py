"""sectors.yaml and the applicability of measures: codes, ecosystems, aliases, labels, sources;
every measure's `applies_to:` (required) and sector `variants:` name known kinds and codes."""

from __future__ import annotations

from typing import Any

from engine.errors import suggest
from engine.knowledge.sector_model import AppliesTo
from engine.knowledge.verify.references import Checker

SF = "sectors.yaml"
RF = "recommendations.yaml"


def check_sectors(c: Checker) -> None:
    """The classification itself, then each measure's applicability and sector variants."""
    sf = c.k.sectors
    c.sources(SF, ("sources",), sf.sources)
    c.sources(SF, ("kind_rule", "sources"), sf.kind_rule.sources)
    if sf.indicator not in c.k.indicator or c.k.indicator[sf.indicator].type != "list":
        c.add(SF, ("indicator",), f"{sf.indicator!r} is no list indicator", code="schema")
    for eco, label in sf.ecosystems.items():
        c.text(SF, ("ecosystems", eco), label)
    for dim in ("output", "market"):
        for value, label in getattr(sf.kinds, dim).items():
            c.text(SF, ("kinds", dim, value), label)
    seen: dict[str, int] = {}
    for i, s in enumerate(sf.sectors):
        if s.id in seen:
            c.add(SF, ("sectors", i, "id"), f"duplicate sector {s.id!r}", code="duplicate-id")
        seen[s.id] = i
        c.text(SF, ("sectors", i, "label"), s.label)
        if s.ecosystem not in sf.ecosystems:
            c.add(
                SF,
                ("sectors", i, "ecosystem"),
                f"unknown ecosystem {s.ecosystem!r}",
                hint=suggest(s.ecosystem, sf.ecosystems),
                code="unknown-ecosystem",
            )
    for i, rec in enumerate(c.k.recommendations.recommendations):
        path = ("recommendations", i)
        if rec.applies_to is None:
            c.add(
                RF,
                path + ("id",),
                f"measure {rec.id!r} declares no `applies_to:` (`any`, or the kinds of cluster "
                "it applies to: output, market, knowledge_base, sectors)",
                code="missing-applicability",
            )
        elif isinstance(rec.applies_to, AppliesTo):
            _kinds(c, path + ("applies_to",), rec.applies_to)
        for j, v in enumerate(rec.variants):
            if v.for_ is not None:
                _kinds(c, path + ("variants", j, "for"), v.for_)
            c.text(RF, path + ("variants", j, "title"), v.title)


def _kinds(c: Checker, path: tuple[Any, ...], a: AppliesTo) -> None:
    """Every value of an applicability condition is a kind of sectors.yaml or a sector code."""
    sf = c.k.sectors
    kb = c.k.indicator.get("knowledge_base")
    allowed: dict[str, list[str]] = {
        "output": list(sf.kinds.output),
        "market": list(sf.kinds.market),
        "knowledge_base": list(kb.values or []) if kb else [],
        "sectors": list(sf.code),
    }
    for dim, choices in allowed.items():
        for j, value in enumerate(getattr(a, dim) or []):
            if value not in choices:
                what = "sector code" if dim == "sectors" else f"{dim} kind"
                c.add(
                    RF,
                    path + (dim, j),
                    f"unknown {what} {value!r}; choose from {', '.join(choices)}",
                    hint=suggest(value, choices),
                    code="unknown-sector" if dim == "sectors" else "unknown-kind",
                )
