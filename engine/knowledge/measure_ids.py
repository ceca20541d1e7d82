"""Which derived measures exist and which input indicators feed each, read from `scoring.yaml`."""

from __future__ import annotations

from engine.knowledge.models import Knowledge


def measure_inputs(k: Knowledge) -> dict[str, set[str]]:
    """The input indicators each derived measure can depend on, from the scoring settings."""
    s = k.scoring
    out: dict[str, set[str]] = {}
    for p in s.partial_indicators + s.region_indicators:
        ids = {p.numerator, p.denominator, p.count, p.list_, *(p.alternative or ())}
        out[p.id] = {i for i in ids if i}
    weighted: set[str] = set()
    for p in s.partial_indicators:
        if p.formula == "ratio" and p.weight > 0:  # the shares (engine.measures.is_share)
            weighted |= out[p.id]
    matched: set[str] = set()
    for p in s.partial_indicators:
        if p.region:
            out[f"gap_{p.id}"] = out[p.id] | out[p.region]
            matched |= out[f"gap_{p.id}"]
        # a tercile is a rank among all the weighted partial indicators
        out[f"tercile_{p.id}"] = set(weighted)
    for key in (
        "index",
        "index_band",
        "coverage",
        "coverage_share",
        "index_missing",
        "index_missing_inputs",
        "index_groups_missing",
    ):
        out[key] = set(weighted)
    for key in ("region_index", "cluster_matched_index", "ratio", "ratio_band"):
        out[key] = set(matched)
    for key in ("ratio_pairs", "ratio_leads"):
        out[key] = set(matched)
    out["ratio_left_out"] = set(matched) | set(weighted)
    for ind in s.benchmarks:
        out[f"bench_gap_{ind}"] = {ind}
        out[f"bench_status_{ind}"] = {ind}
    _verdict_inputs(k, out)
    every_helix: set[str] = set()
    for name, comps in s.helix.helices.items():
        ids = set()
        for c in comps:
            if c.indicator:
                ids.add(c.indicator)
            ids |= set(c.indicators)
        out[f"helix_{name}"] = ids
        every_helix |= ids
    out["model"] = every_helix
    for name in s.helix.helices:
        out[f"helix_leads_{name}"] = set(every_helix)
    if s.helix.anchor_sme_gap:
        out["anchor_sme_gap"] = {s.helix.anchor_sme_gap.anchors, s.helix.anchor_sme_gap.smes}
    out["self_band"] = {s.self_assessment.indicator}
    out["level_agreement"] = {s.self_assessment.indicator} | set(weighted)
    return out


def _verdict_inputs(k: Knowledge, out: dict[str, set[str]]) -> None:
    """A direction's verdict rests on its score and on its share's rank and regional gap."""
    rec = k.scoring.reconciliation
    for area, ev in rec.directions.items() if rec else ():
        out[f"verdict_{area}"] = (
            {ev.score} | out[f"tercile_{ev.share}"] | out.get(f"gap_{ev.share}", set())
        )


def measure_catalogue(knowledge: Knowledge) -> dict[str, tuple[str, list[str] | None]]:
    """Every measure id rules may test: (kind, allowed values) with kind number | text."""
    s = knowledge.scoring
    cat: dict[str, tuple[str, list[str] | None]] = {}
    for p in s.partial_indicators + s.region_indicators:
        cat[p.id] = ("number", None)
    for p in s.partial_indicators:
        cat[f"tercile_{p.id}"] = ("text", ["top", "middle", "bottom"])
        if p.region:
            cat[f"gap_{p.id}"] = ("number", None)
    for ind in s.benchmarks:
        cat[f"bench_gap_{ind}"] = ("number", None)
        cat[f"bench_status_{ind}"] = ("text", ["weak", "typical", "strong"])
    for area in s.reconciliation.directions if s.reconciliation else {}:
        cat[f"verdict_{area}"] = ("text", ["strong", "typical", "weak", "mixed"])
    for name in s.helix.helices:
        cat[f"helix_{name}"] = ("number", None)
        cat[f"helix_leads_{name}"] = ("text", ["leads", "follows"])
    for key in (
        "coverage",
        "coverage_share",
        "index",
        "region_index",
        "cluster_matched_index",
        "ratio",
        "ratio_pairs",
        "ratio_leads",
    ):
        cat[key] = ("number", None)
    if s.helix.anchor_sme_gap:
        cat["anchor_sme_gap"] = ("number", None)
    cat["index_band"] = ("text", [b.id for b in s.index.bands] + ["not_determined"])
    cat["level_agreement"] = ("text", ["agree", "disagree", "not_determined"])
    cat["ratio_band"] = ("text", [b.id for b in s.ratio.bands] + ["unknown"])
    cat["model"] = ("text", list(s.helix.models))
    cat["self_band"] = (
        "text",
        sorted({lv.band for lv in s.self_assessment.levels.values()}) + ["unknown"],
    )
    return cat
