"""The diagnosis details the program shows beside the scores: the index coverage and the counts
kept out of it, the bands as this system's convention, the peer comparison, the like-with-like
basis of K, the leading helices and the reconciliation of the self-assessment with the index.
Everything is read from the measures; the words come from knowledge/ and templates/strings.yaml."""

from __future__ import annotations

from typing import Any

from engine.inference.trace import Result
from engine.knowledge.models import Knowledge
from engine.program.leaves import Cite, Format, Or, fixed_text, tx
from engine.program.peers import peer_text
from engine.text.message import Cat, Known, Msg, Num, Once, cat

# the measure whose derivation `_ratio_pairs` reads: the only derivation the program record reads,
# so a batch that writes no JSON result keeps only its (engine/deliverables/batch.py
# `Work.derivations`)
MATCHED_INDEX = "cluster_matched_index"
DERIVATIONS_READ = frozenset({MATCHED_INDEX})


def partial_weights(k: Knowledge) -> dict[str, Once]:
    """The weight of each ratio partial indicator, the knowledge's alone: one leaf each."""
    return {p.id: Once(Num(p.weight)) for p in k.scoring.partial_indicators if p.formula == "ratio"}


def helix_labels(k: Knowledge) -> dict[str, Once]:
    """Each helix's label (its id where the knowledge gives none): one leaf per knowledge base."""
    helix = k.scoring.helix
    return {h: Once(Or(tx(helix.labels.get(h)), h)) for h in helix.helices}


def _bands_text(bands: list[Any], unit: str) -> Cat:
    parts: list[Cat] = []
    lo = None
    for b in bands:
        label = tx(b.label)
        if b.below is None:
            parts.append(cat([label, " ≥ ", Num(lo), unit]))
        elif lo is None:
            parts.append(cat([label, " < ", Num(b.below), unit]))
        else:
            parts.append(cat([label, " ", Num(lo), "–", Num(b.below), unit]))
        lo = b.below
    return cat(parts, "; ")


def reported_source(result: Result, k: Knowledge) -> str | None:
    """The source of the knowledge base the assessment names for the level computed outside
    the system (None: no such level, or its source is not one of the base)."""
    rep = k.program.reported_index
    if rep is None:
        return None
    sid = (result.assessment.provenance.get(rep.indicator) or {}).get("source")
    return sid if sid in k.source else None


def reported_view(result: Result, k: Knowledge) -> Any:
    """The level computed outside the system beside the system's index, with why they differ
    ("" without either). A cited source reads `{id}` until the bibliography numbers it."""
    rep = k.program.reported_index
    index = result.measures.values.get("index")
    if rep is None or index is None:
        return ""
    reported = result.assessment.get(rep.indicator)
    if reported is None:
        return ""
    sid = reported_source(result, k)
    params: dict[str, Any] = {"reported": Num(reported), "value": Num(index, 1)}
    if sid is None:
        return Format(tx(rep.plain), **params)
    return Cite(Format(tx(rep.cited), cite="{" + sid + "}", **params), ())


def scores_view(result: Result, k: Knowledge, peer_rank: dict[str, Any] | None) -> dict[str, Any]:
    """The diagnosis details shown beside the scores: bands, coverage and counts, peers, the
    basis of K, leading helices and the reconciliation of self-assessment and index."""
    m = result.measures.values
    s = k.scoring
    label, bands, not_determined, ratio_bands, constructed = k.derived(_fixed_parts)
    counts = [
        {
            "id": p.id,
            "label": label[p.id],
            "value": Num(raw)
            if (raw := _raw_count(result, p)) is not None
            else k.derived_each(fixed_text, "no_data_value"),
        }
        for p in s.partial_indicators
        if p.formula != "ratio"
    ]
    determined = m.get("index_band") != "not_determined"
    leaders = [
        Or(tx(s.helix.labels.get(h)), h)
        for h in s.helix.helices
        if m.get(f"helix_leads_{h}") == "leads"
    ]
    reconcile: Any = ""
    if m.get("level_agreement") == "disagree":
        low_self = m.get("index_band") in s.self_assessment.agrees_with_index.get("developed", [])
        reconcile = tx(k.program.reconciliation.get("self_lower" if low_self else "self_higher"))
    return {
        "bands_convention": bands,
        "reported": reported_view(result, k),
        "determined": determined,
        "not_determined_text": not_determined,
        "missing": [label.get(x, x) for x in m.get("index_missing") or []],
        "counts": counts,
        "peers": peer_text(peer_rank, k),
        "peer_rank": peer_rank,
        "ratio_basis": _ratio_basis(m, s.ratio.min_pairs),
        "ratio_pairs": _ratio_pairs(result, k, label),
        "ratio_left_out": [label.get(x, x) for x in m.get("ratio_left_out") or []],
        "ratio_bands_convention": ratio_bands,
        "leaders": leaders if m.get("model") == s.helix.model_ids.dual else [],
        "reconciliation": reconcile,
        "benchmark_rule": tx(s.benchmark_rule.note),
        "mixed": [
            k.finding[f].label
            for f in result.findings
            if f in k.finding and f.startswith("mixed.") and k.finding[f].kind == "note"
        ],
        "mixed_rule": tx(s.reconciliation.note) if s.reconciliation else "",
        "constructed": constructed,
    }


def _fixed_parts(k: Knowledge) -> tuple[dict[str, Any], Once, Once, Once, Known]:
    """What the diagnosis details say whatever the cluster: the partial indicators' labels, the
    bands as the system's convention, what an undetermined index lacks, the constructed means.
    The knowledge's alone, built once per knowledge base and put into words once per language."""
    s = k.scoring
    label: dict[str, Any] = {p.id: tx(p.label) for p in s.partial_indicators}
    bands = Once(Msg("scores_bands_convention", bands=_bands_text(s.index.bands, " %")))
    not_determined = Once(
        Msg(
            "scores_not_determined",
            min=s.index.min_coverage,
            groups=cat((tx(g.label) for g in s.index.groups.values()), ", "),
        )
    )
    ratio_bands = Once(Msg("scores_ratio_convention", bands=_bands_text(s.ratio.bands, "")))
    constructed = Known(
        {"label": k.indicator[i].label, "value": Num(b.value), "note": tx(b.note)}
        for i, b in s.benchmarks.items()
        if b.kind == "constructed" and i in k.indicator
    )
    return label, bands, not_determined, ratio_bands, constructed


def _ratio_basis(m: dict[str, Any], min_pairs: int) -> Any:
    """How K was reached, or why it was not: the pairs and the cluster's leads."""
    n = m.get("ratio_pairs") or 0
    if not n:
        return ""
    if m.get("ratio") is None:
        return Msg("scores_ratio_too_few", n=n, min=min_pairs)
    return Msg("scores_ratio_basis", m=m.get("ratio_leads") or 0, n=n)


def _ratio_pairs(result: Result, k: Knowledge, label: dict[str, Any]) -> list[dict[str, Any]]:
    """The matched pairs K is computed over (read from the derivation of the cluster's level),
    each with the two shares and their ratio, for the consultant annex."""
    m = result.measures.values
    der = result.measures.derivations.get(MATCHED_INDEX)
    matched = der.inputs if der else {}
    rows = []
    for p in k.scoring.partial_indicators:
        if p.id in matched and p.region:
            q, r = m.get(p.id), m.get(p.region)
            rows.append(
                {
                    "label": label[p.id],
                    "cluster": Num(q, 1),
                    "region": Num(r, 1),
                    "ratio": Num(q / r) if q is not None and r else "—",
                }
            )
    return rows


def _raw_count(result: Result, p: Any) -> Any:
    """The count itself (agreements, platforms), not its capped percentage."""
    v = result.assessment.get(p.count or p.list_ or "")
    return len(v) if isinstance(v, (list, tuple)) else v
