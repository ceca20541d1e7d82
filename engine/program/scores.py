"""The diagnosis details the program shows beside the scores: the index coverage and the counts
kept out of it, the bands as this system's convention, the peer comparison, the like-with-like
basis of K, the leading helices and the reconciliation of the self-assessment with the index.
Everything is read from the measures; the words come from knowledge/ and templates/strings.yaml."""

from __future__ import annotations

from typing import Any

from engine.inference.trace import Result
from engine.knowledge.base import localized
from engine.knowledge.models import Knowledge
from engine.program.peers import peer_text
from engine.text.numbers import fmt_num
from engine.text.strings import strings


def _bands_text(bands: list[Any], unit: str, lang: str) -> str:
    parts, lo = [], None
    for b in bands:
        label = localized(b.label, lang)
        if b.below is None:
            parts.append(f"{label} ≥ {fmt_num(lo, lang)}{unit}")
        elif lo is None:
            parts.append(f"{label} < {fmt_num(b.below, lang)}{unit}")
        else:
            parts.append(f"{label} {fmt_num(lo, lang)}–{fmt_num(b.below, lang)}{unit}")
        lo = b.below
    return "; ".join(parts)


def scores_view(
    result: Result, k: Knowledge, lang: str, peer_rank: dict[str, Any] | None
) -> dict[str, Any]:
    m = result.measures.values
    s, w = k.scoring, strings()[lang]
    label = {p.id: localized(p.label, lang) for p in s.partial_indicators}
    counts = [
        {
            "id": p.id,
            "label": label[p.id],
            "value": fmt_num(raw, lang)
            if (raw := _raw_count(result, p)) is not None
            else w["no_data_value"],
        }
        for p in s.partial_indicators
        if p.formula != "ratio"
    ]
    determined = m.get("index_band") != "not_determined"
    leaders = [
        localized(s.helix.labels.get(h), lang) or h
        for h in s.helix.helices
        if m.get(f"helix_leads_{h}") == "leads"
    ]
    reconcile = ""
    if m.get("level_agreement") == "disagree":
        low_self = m.get("index_band") in s.self_assessment.agrees_with_index.get("developed", [])
        reconcile = localized(
            k.program.reconciliation.get("self_lower" if low_self else "self_higher"), lang
        )
    return {
        "bands_convention": w["scores_bands_convention"].format(
            bands=_bands_text(s.index.bands, " %", lang)
        ),
        "determined": determined,
        "not_determined_text": w["scores_not_determined"].format(
            min=s.index.min_coverage,
            groups=", ".join(localized(g.label, lang) for g in s.index.groups.values()),
        ),
        "missing": [label.get(x, x) for x in m.get("index_missing") or []],
        "counts": counts,
        "peers": peer_text(peer_rank, k, lang),
        "peer_rank": peer_rank,
        "ratio_basis": w["scores_ratio_basis"].format(
            m=m.get("ratio_leads") or 0, n=m.get("ratio_pairs") or 0
        )
        if m.get("ratio_pairs")
        else "",
        "ratio_left_out": [label.get(x, x) for x in m.get("ratio_left_out") or []],
        "ratio_bands_convention": w["scores_ratio_convention"].format(
            bands=_bands_text(s.ratio.bands, "", lang)
        ),
        "leaders": leaders if m.get("model") == s.helix.model_ids.dual else [],
        "reconciliation": reconcile,
        "benchmark_rule": localized(s.benchmark_rule.note, lang),
        "constructed": [
            {
                "label": localized(k.indicator[i].label, lang),
                "value": fmt_num(b.value, lang),
                "note": localized(b.note, lang),
            }
            for i, b in s.benchmarks.items()
            if b.kind == "constructed" and i in k.indicator
        ],
    }


def _raw_count(result: Result, p: Any) -> Any:
    """The count itself (agreements, platforms), not its capped percentage."""
    v = result.assessment.get(p.count or p.list_ or "")
    return len(v) if isinstance(v, (list, tuple)) else v
