"""The settings that name other knowledge: every id in program.yaml, scoring.yaml and partners.yaml
that refers to an indicator, finding, group, direction, actor or model must exist."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from engine.errors import suggest
from engine.knowledge.verify.references import Checker


def check_settings(c: Checker) -> None:
    """Report ids in program.yaml, scoring.yaml and partners.yaml that name nothing defined."""
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
                c.add(
                    f,
                    at,
                    f"unknown {what} {ident!r}",
                    hint=suggest(ident, options),
                    code=f"unknown-{what.split()[-1]}",  # "indicator group": unknown-group
                )

    indicators, groups = list(k.indicator), list(k.group)
    known(("horizon_indicator",), pg.horizon_indicator, indicators, "indicator")
    if pg.reported_index is not None:
        known(("reported_index", "indicator"), pg.reported_index.indicator, indicators, "indicator")
    known(("direction_order",), pg.direction_order, k.recommendations.directions, "direction")
    known(("actor_order",), pg.actor_order, k.recommendations.actors, "actor")
    known(("data_gap_groups",), pg.data_gap_groups, groups, "indicator group")
    known(("advice_gap_groups",), pg.advice_gap_groups, groups, "indicator group")
    known(("gate_finding",), pg.gate_finding, k.finding, "finding")
    for fid in pg.prospects_by_finding:
        known(("prospects_by_finding", fid), fid, k.finding, "finding")
    texts = {f"model.{m}" for m in pg.prospects_by_model} | {f"ratio.{r}" for r in pg.ratio_texts}
    for fid, alts in pg.prospects_instead.items():
        known(("prospects_instead", fid), fid, k.finding, "finding")
        for key in alts:
            known(("prospects_instead", fid, key), key, texts, "prospects text")
    for kind, ident in pg.swot_indicators.items():
        if ident not in k.indicator:
            c.add(
                f,
                ("swot_indicators", kind),
                f"unknown indicator {ident!r}",
                hint=suggest(ident, indicators),
                code="unknown-indicator",
            )
    used = {r.direction for r in k.recommendations.recommendations}
    for d in sorted(used - set(pg.direction_order)):
        c.add(
            f,
            ("direction_order",),
            f"direction {d!r} has measures but is not listed: "
            "they would be left out of the measures by direction",
            code="unlisted-direction",
        )
    acting = {r.actor for r in k.recommendations.recommendations}
    for a in sorted(acting - set(pg.actor_order)):
        c.add(
            f,
            ("actor_order",),
            f"actor {a!r} has measures but is not listed: "
            "they would be left out of the measures by actor",
            code="unlisted-actor",
        )

    _check_models(c)
    _check_scores(c)

    pt = k.partners
    if pt.country_indicator not in k.indicator:
        c.add(
            "partners.yaml",
            ("country_indicator",),
            f"unknown indicator {pt.country_indicator!r}",
            hint=suggest(pt.country_indicator, indicators),
            code="unknown-indicator",
        )


def _check_models(c: Checker) -> None:
    """Every helix model the classifier can give has a label."""
    h = c.k.scoring.helix
    ids = h.model_ids
    wanted = [ids.led.format(lead=name) for name in h.helices]
    wanted += [ids.balanced, ids.nascent, ids.dual, ids.unknown]
    for ident in wanted:
        if ident not in h.models:
            c.add(
                "scoring.yaml",
                ("helix", "model_ids"),
                f"model {ident!r} is given by the classifier but has no label in helix.models",
                code="missing-label",
            )


def _check_scores(c: Checker) -> None:
    """The index groups name share indicators, each share sits in one group, a cluster share is
    paired only with a regional share of the same definition, and the peer statements have texts."""
    s, f = c.k.scoring, "scoring.yaml"
    shares = [p.id for p in s.partial_indicators if p.formula == "ratio" and p.weight > 0]
    partial_ids = [p.id for p in s.partial_indicators]
    placed: dict[str, str] = {}
    for gid, g in s.index.groups.items():
        for i, pid in enumerate(g.indicators):
            at = ("index", "groups", gid, "indicators", i)
            if pid not in partial_ids:
                c.add(
                    f,
                    at,
                    f"unknown partial indicator {pid!r}",
                    hint=suggest(pid, partial_ids),
                    code="unknown-indicator",
                )
            elif pid not in shares:
                c.add(
                    f,
                    at,
                    f"{pid!r} is not a share (a ratio with weight > 0): counts stay out",
                    code="bad-index-group",
                )
            elif pid in placed:
                c.add(
                    f,
                    at,
                    f"{pid!r} is already in the group {placed[pid]!r}",
                    code="bad-index-group",
                )
            else:
                placed[pid] = gid
    if s.index.groups:
        for pid in shares:
            if pid not in placed:
                c.add(
                    f,
                    ("index", "groups"),
                    f"share indicator {pid!r} is in no direction group",
                    code="bad-index-group",
                )
    if s.index.min_coverage > len(shares):
        c.add(
            f,
            ("index", "min_coverage"),
            f"min_coverage {s.index.min_coverage} is more than the {len(shares)} share indicators",
            code="bad-setting",
        )
    region = {r.id: r for r in s.region_indicators}
    for i, p in enumerate(s.partial_indicators):
        if not p.region or p.region not in region:
            continue
        r = region[p.region]
        if p.definition is None or p.definition != r.definition:
            c.add(
                f,
                ("partial_indicators", i, "region"),
                f"{p.id!r} ({p.definition}) and {r.id!r} ({r.definition}) are not one "
                "definition: K compares like with like only",
                code="definition-mismatch",
            )
    texts = c.k.program.peer_texts
    for i, st in enumerate(s.peers.statements):
        if texts and st.id not in texts:
            c.add(
                "program.yaml",
                ("peer_texts",),
                f"peer statement {st.id!r} (scoring.yaml peers.statements[{i}]) has no text",
                code="missing-text",
            )
