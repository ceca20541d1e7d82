"""Provenance: every rule, threshold, recommendation, KPI target, program stage and scale
descriptor says whether it comes from a source, is derived from one, or is our own proposal
(`basis:`), and a proposal never rests on a dissertation citation alone."""

from __future__ import annotations

from typing import Any

from engine.knowledge.base import Provenance
from engine.knowledge.models import Stage
from engine.knowledge.verify.references import Checker

_BASES = "source | derived | proposal"


def check_provenance(c: Checker) -> None:
    """Report knowledge without a `basis:`, and proposals resting on the dissertation alone."""
    k = c.k
    for site in k.rules:
        r = site.rule
        _item(c, site.located.problem, site.path, f"rule {r.id!r}", r, r.sources)
    for i, rec in enumerate(k.recommendations.recommendations):
        _at(c, "recommendations.yaml", ("recommendations", i), f"recommendation {rec.id!r}", rec)
    for i, kpi in enumerate(k.kpis.kpis):
        _at(c, "kpis.yaml", ("kpis", i, "target"), f"the target of KPI {kpi.id!r}", kpi.target)
    s = k.scoring
    for level, lv in s.self_assessment.levels.items():
        _at(c, "scoring.yaml", ("self_assessment", "levels", level), f"level {level}", lv)
    for ident, b in s.benchmarks.items():
        _at(c, "scoring.yaml", ("benchmarks", ident), f"benchmark {ident!r}", b)
    for section, items in (
        ("partial_indicators", s.partial_indicators),
        ("region_indicators", s.region_indicators),
    ):
        for i, p in enumerate(items):
            _at(c, "scoring.yaml", (section, i), f"partial indicator {p.id!r}", p)
    for name in ("index", "ratio", "helix"):
        _at(c, "scoring.yaml", (name,), f"the {name} settings", getattr(s, name))
    for ident, scale in k.indicators.scales.items():
        _at(c, "indicators.yaml", ("scales", ident), f"scale {ident!r}", scale, sourced=False)
    for i, stage in enumerate(k.program.stages):
        _at(c, "program.yaml", ("stages", i), f"program stage {i + 1}", stage)
    if k.program.reported_index is not None:
        _at(c, "program.yaml", ("reported_index",), "the reported level", k.program.reported_index)


def _at(
    c: Checker, file: str, path: tuple[Any, ...], what: str, item: Any, *, sourced: bool = True
) -> None:
    located = c.loc(file)
    if located is None:  # knowledge built in memory (tests): nothing to point at
        return
    sources = getattr(item, "sources", []) if sourced else None
    _item(c, located.problem, path, what, item, sources)


def _item(
    c: Checker, problem: Any, path: tuple[Any, ...], what: str, item: Any, sources: Any
) -> None:
    assert isinstance(item, (Provenance, Stage))
    if item.basis is None:
        c.problems.append(
            problem(
                path,
                f"{what} has no `basis` ({_BASES}): say where it comes from",
                code="missing-basis",
            )
        )
        return
    if sources is None:
        return
    if item.basis in ("source", "derived") and not sources:
        c.problems.append(
            problem(
                path + ("basis",),
                f"{what} has `basis: {item.basis}` but cites no source",
                code="missing-source",
            )
        )
    if item.basis == "proposal" and sources:
        known = [c.k.source[s] for s in sources if s in c.k.source]
        if known and len(known) == len(sources) and all(s.of_dissertation for s in known):
            c.problems.append(
                problem(
                    path + ("basis",),
                    f"{what} is our proposal but cites only the dissertation "
                    f"({', '.join(sources)}); cite the proposal (p_methodology) beside it, or "
                    "mark it `basis: source` if the dissertation states it",
                    code="proposal-cites-source",
                )
            )
