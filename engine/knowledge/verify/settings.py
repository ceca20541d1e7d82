"""The settings that name other knowledge: every id in program.yaml, scoring.yaml and partners.yaml
that refers to an indicator, finding, group, direction, actor or model must exist."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from engine.errors import suggest
from engine.knowledge.verify.references import Checker


def check_settings(c: Checker) -> None:
    k = c.k
    pg, f = k.program, "program.yaml"

    def known(
        path: tuple[Any, ...], ids: str | list[str], choices: Iterable[str], what: str
    ) -> None:
        """Each id (or the one id) at `path` is among `choices`."""
        options = list(choices)
        items = (
            [(path, ids)] if isinstance(ids, str) else [(path + (i,), x) for i, x in enumerate(ids)]
        )
        for at, ident in items:
            if ident not in options:
                c.add(f, at, f"unknown {what} {ident!r}", hint=suggest(ident, options))

    indicators, groups = list(k.indicator), list(k.group)
    known(("horizon_indicator",), pg.horizon_indicator, indicators, "indicator")
    known(("direction_order",), pg.direction_order, k.recommendations.directions, "direction")
    known(("actor_order",), pg.actor_order, k.recommendations.actors, "actor")
    known(("data_gap_groups",), pg.data_gap_groups, groups, "indicator group")
    known(("advice_gap_groups",), pg.advice_gap_groups, groups, "indicator group")
    known(("gate_finding",), pg.gate_finding, k.finding, "finding")
    for kind, ident in pg.swot_indicators.items():
        if ident not in k.indicator:
            c.add(
                f,
                ("swot_indicators", kind),
                f"unknown indicator {ident!r}",
                hint=suggest(ident, indicators),
            )
    used = {r.direction for r in k.recommendations.recommendations}
    for d in sorted(used - set(pg.direction_order)):
        c.add(
            f,
            ("direction_order",),
            f"direction {d!r} has measures but is not listed: "
            "they would be left out of the measures by direction",
        )
    acting = {r.actor for r in k.recommendations.recommendations}
    for a in sorted(acting - set(pg.actor_order)):
        c.add(
            f,
            ("actor_order",),
            f"actor {a!r} has measures but is not listed: "
            "they would be left out of the measures by actor",
        )

    h = k.scoring.helix
    ids = h.model_ids
    wanted = [ids.led.format(lead=name) for name in h.helices]
    wanted += [ids.balanced, ids.nascent, ids.dual, ids.unknown]
    for ident in wanted:
        if ident not in h.models:
            c.add(
                "scoring.yaml",
                ("helix", "model_ids"),
                f"model {ident!r} is given by the classifier but has no label in helix.models",
            )

    pt = k.partners
    if pt.country_indicator not in k.indicator:
        c.add(
            "partners.yaml",
            ("country_indicator",),
            f"unknown indicator {pt.country_indicator!r}",
            hint=suggest(pt.country_indicator, indicators),
        )
