"""Pipeline step 7: the program model, a plain view model the templates render.

Sections follow methodology §6.1 (current state, SWOT, prospects, measures by direction, target
indicators) plus monitoring through the Cluster Council, organizational changes (§7.1), measures by
actor, KPIs with baseline and target, data gaps, method notes and the "why" of every
recommendation. Everything is read from the inference result and its firing record.
"""

from __future__ import annotations

import math
from typing import Any

from engine import __version__
from engine.explain.justify import formula_in, justify, short_reasons
from engine.explain.labels import describe_check, fmt_value
from engine.explain.why_not import not_made, not_made_json
from engine.inference.trace import Result
from engine.knowledge.models import PRIORITY_RANK, Knowledge, KPIDef, Text, localized
from engine.program.charts import program_charts
from engine.program.partners import choose_partners, platforms_to_join
from engine.text.strings import strings

DIRECTION_ORDER = [
    "organizational",
    "science_education",
    "production_markets",
    "sociocultural_infrastructure",
]
ACTOR_ORDER = ["cluster_council", "cluster_org", "members", "regional_government"]
GAP_GROUPS = [
    "self_assessment",
    "actors",
    "directions",
    "geography",
    "governance",
    "cluster_data",
    "region_data",
    "regional_support",
]


def _t(text: Text | None, lang: str) -> str:
    return text.get(lang) if text is not None else ""


def _num(v: float | None, lang: str, digits: int = 2) -> str:
    if v is None:
        return "—"
    if isinstance(v, float):
        s = f"{v:.{digits}f}".rstrip("0").rstrip(".")
    else:
        s = str(v)
    return s.replace(".", ",") if lang == "ru" else s


def _sources(ids: list[str], k: Knowledge, lang: str) -> list[dict[str, str]]:
    out = []
    for sid in ids:
        s = k.source.get(sid)
        if s is None:
            continue
        citation, section = s.reference(lang)
        out.append(
            {
                "id": sid,
                "citation": citation,
                "section": section,
                "url": s.url or "",
                "kind": s.kind,
            }
        )
    return out


def order_recommendations(result: Result, k: Knowledge) -> list[str]:
    """Gate first, then organizational changes, then by priority and catalogue order."""
    catalogue = [r.id for r in k.recommendations.recommendations]
    gate_recs = {
        d.id
        for f in result.firings
        for d in f.declared
        if d.kind == "recommendation" and any(dd.kind == "postponed" for dd in f.declared)
    }

    def key(rid: str) -> tuple[int, int, int, int]:
        r = k.recommendation[rid]
        return (
            0 if rid in gate_recs else 1,
            0 if r.kind == "organizational_change" else 1,
            PRIORITY_RANK[result.priority[rid]],
            catalogue.index(rid),
        )

    return sorted(result.recommendations, key=key)


def build_program(result: Result, k: Knowledge, lang: str) -> dict[str, Any]:
    a = result.assessment
    m = result.measures.values
    s = k.scoring
    recs_order = order_recommendations(result, k)
    horizon = a.get(k.program.horizon_indicator) or k.program.default_horizon_years
    partner_choice = choose_partners(a, k)
    to_join = platforms_to_join(a, k)

    def rec_view(rid: str) -> dict[str, Any]:
        r = k.recommendation[rid]
        view = {
            "id": rid,
            "title": _t(r.title, lang),
            "text": _t(r.text, lang),
            "rationale": _t(r.rationale, lang),
            "kind": r.kind,
            "actor": _t(k.recommendations.actors.get(r.actor), lang),
            "actor_id": r.actor,
            "direction": _t(k.recommendations.directions.get(r.direction), lang),
            "direction_id": r.direction,
            "priority": _t(k.recommendations.priorities.get(result.priority[rid]), lang),
            "priority_id": result.priority[rid],
            "timeframe": _t(r.timeframe, lang),
            "kpis": [_t(k.kpi[x].label, lang) for x in r.kpis if x in k.kpi],
            "kpi_ids": [x for x in r.kpis if x in k.kpi],
            "sources": _sources(r.sources, k, lang),
            "proposal": r.proposal,
            "why": short_reasons(result, rid, k, lang),
            "chain": _chain_lines(justify(result, "recommendation", rid, k), k, lang),
            "partners": [],
            "platforms": [],
        }
        if r.lists == "partners":
            view["partners"] = [_partner_view(c, k, lang) for c in partner_choice.candidates]
        if r.lists == "platforms":
            view["platforms"] = [
                {"id": p.id, "name": _t(p.name, lang), "description": _t(p.description, lang)}
                for p in to_join
            ]
        return view

    recs = [rec_view(rid) for rid in recs_order]
    by_id = {r["id"]: r for r in recs}

    # readiness gate and postponed measures
    gate = "gate.not_ready" in result.findings
    postponed = [
        {
            "id": pid,
            "title": _t(k.recommendation[pid].title, lang),
            "why": [
                describe_check(c, k, lang)
                for f in result.producers("postponed", pid)
                for c in f.conditions
            ],
        }
        for pid in result.postponed
        if pid in k.recommendation
    ]

    # current state
    level = a.get(s.self_assessment.indicator)
    lv = s.self_assessment.levels.get(level) if level is not None else None

    def score_rows(group: str) -> list[dict[str, Any]]:
        rows = []
        for ind in k.indicators.indicators:
            if ind.group != group:
                continue
            v = a.get(ind.id)
            bench = s.benchmarks.get(ind.id)
            rows.append(
                {
                    "id": ind.id,
                    "label": _t(ind.label, lang),
                    "value": _num(v, lang),
                    "raw": v,
                    "benchmark": _num(bench.value, lang) if bench else "—",
                    "benchmark_raw": bench.value if bench else None,
                    "diff": _num(v - bench.value, lang) if (bench and v is not None) else "—",
                }
            )
        return rows

    partial_rows = []
    for p in s.partial_indicators:
        partial_rows.append(
            {
                "id": p.id,
                "label": _t(p.label, lang),
                "value": _num(m.get(p.id), lang),
                "raw": m.get(p.id),
                "weight": _num(p.weight, lang),
                "region": _num(m.get(p.region), lang) if p.region else "—",
                "region_raw": m.get(p.region) if p.region else None,
                "tercile": m.get(f"tercile_{p.id}") or "",
            }
        )
    index_band = next((b for b in s.index.bands if b.id == m.get("index_band")), None)
    ratio_band = next((b for b in s.ratio.bands if b.id == m.get("ratio_band")), None)
    model_id = m.get("model") or "unknown"
    counted = len([p for p in s.partial_indicators if p.weight > 0])
    current = {
        "self_assessment": {
            "level": level,
            "label": _t(lv.label, lang) if lv else "",
            "description": _t(lv.description, lang) if lv else "",
            "band": _t(s.self_assessment.bands.get(lv.band), lang) if lv else "",
            "proposal": bool(lv and lv.proposal),
            "note": _t(s.self_assessment.note, lang),
        },
        "index": {
            "value": _num(m.get("index"), lang, 1),
            "raw": m.get("index"),
            "band": _t(index_band.label, lang) if index_band else _unknown(lang),
            "band_id": m.get("index_band"),
            "coverage": m.get("coverage"),
            "of": counted,
            "reported": _num(a.get("cluster_internationalization_pct_reported"), lang),
            "note": _t(s.index.note, lang),
        },
        "ratio": {
            "value": _num(m.get("ratio"), lang),
            "raw": m.get("ratio"),
            "band": _t(ratio_band.label, lang) if ratio_band else _unknown(lang),
            "band_id": m.get("ratio_band"),
            "region_index": _num(m.get("region_index"), lang, 1),
            "cluster_matched": _num(m.get("cluster_matched_index"), lang, 1),
            "text": _t(k.program.ratio_texts.get(m.get("ratio_band") or "unknown"), lang),
            "note": _t(s.ratio.note, lang),
        },
        "model": {
            "id": model_id,
            "label": _t(s.helix.models.get(model_id), lang),
            "helices": [
                {
                    "id": h,
                    "label": _t(s.helix.labels.get(h), lang) or h,
                    "value": _num(m.get(f"helix_{h}"), lang),
                }
                for h in s.helix.helices
            ],
            "note": _t(s.helix.note, lang),
        },
        "actors": score_rows("actors"),
        "directions": score_rows("directions"),
        "geography": score_rows("geography"),
        "partials": partial_rows,
    }

    # SWOT: findings of each kind plus the assessment's own items
    def swot(kind: str, indicator: str) -> list[dict[str, Any]]:
        items = [
            {
                "text": _t(k.finding[f].label, lang),
                "origin": "engine",
                "finding": f,
                "why": [
                    describe_check(c, k, lang)
                    for p in result.producers("finding", f)[:1]
                    for c in p.conditions
                ],
            }
            for f in result.findings
            if f in k.finding and k.finding[f].kind == kind
        ]
        items += [
            {"text": str(x), "origin": "assessment", "finding": None, "why": []}
            for x in (a.get(indicator) or [])
        ]
        return items

    swot_view = {
        "strengths": swot("strength", "swot_strengths"),
        "weaknesses": swot("weakness", "swot_weaknesses"),
        "opportunities": swot("opportunity", "swot_opportunities"),
        "threats": swot("threat", "swot_threats"),
    }

    # measures grouped by direction and by actor
    by_direction = []
    for d in DIRECTION_ORDER:
        items = [r for r in recs if r["direction_id"] == d and r["kind"] != "organizational_change"]
        by_direction.append(
            {"id": d, "label": _t(k.recommendations.directions.get(d), lang), "measures": items}
        )
    by_actor = []
    for act in ACTOR_ORDER:
        items = [r for r in recs if r["actor_id"] == act]
        if items:
            by_actor.append(
                {"id": act, "label": _t(k.recommendations.actors.get(act), lang), "measures": items}
            )

    kpis = _kpis(result, k, lang, recs_order, horizon)
    gaps = _data_gaps(result, k, lang)
    findings_view = [
        {"id": f, "label": _t(k.finding[f].label, lang), "kind": k.finding[f].kind}
        for f in result.findings
        if f in k.finding
    ]
    return {
        "lang": lang,
        "generator": f"cluster-intl {__version__}",
        "cluster": {
            "name": a.get("cluster_name") or "",
            "region": a.get("region_name") or "",
            "year": a.get("assessment_year"),
            "horizon": horizon,
            "specialization": list(a.get("specialization") or []),
            "source": a.source,
        },
        "gate": {
            "closed": gate,
            "reasons": [
                _t(k.finding[f].label, lang)
                for f in result.findings
                if f in k.finding and k.finding[f].kind == "readiness"
            ],
            "text": _t(k.finding["gate.not_ready"].description, lang)
            if "gate.not_ready" in k.finding
            else "",
            "postponed": postponed,
        },
        "current": current,
        "swot": swot_view,
        "findings": findings_view,
        "charts": program_charts(current, _scale_max(k), lang),
        "prospects": {
            "model": _t(k.program.prospects_by_model.get(model_id), lang),
            "band": _t(k.program.prospects_by_band.get(m.get("index_band") or ""), lang),
            "ratio": current["ratio"]["text"],
            "target_markets": list(a.get("target_markets") or []),
            "partners": [_partner_view(c, k, lang) for c in partner_choice.candidates]
            if "co_partner_cluster" in by_id
            else [],
            "geographies": [
                _t(k.partners.geographies.get(g), lang) for g in partner_choice.available
            ],
        },
        "org_changes": [r for r in recs if r["kind"] == "organizational_change"],
        "recommendations": recs,
        "by_direction": by_direction,
        "by_actor": by_actor,
        "kpis": kpis,
        "monitoring": {
            "text": _t(k.program.monitoring, lang),
            "stages": [_t(x, lang) for x in k.program.stages],
        },
        "data_gaps": gaps,
        "not_made": not_made(result, k, lang),
        "method_notes": [_t(x, lang) for x in k.program.method_notes],
        "sources": _sources(
            sorted(
                {sid for r in recs_order for sid in k.recommendation[r].sources}
                | {sid for f in result.firings for sid in k.rule[f.rule].rule.sources}
            ),
            k,
            lang,
        ),
    }


def _scale_max(k: Knowledge) -> dict[str, float]:
    """The top of the score scale of each indicator group (the axis of its chart)."""
    out: dict[str, float] = {}
    for ind in k.indicators.indicators:
        if ind.scale and ind.scale in k.indicators.scales:
            top = k.indicators.scales[ind.scale].max
            out[ind.group] = max(out.get(ind.group, top), top)
    return out


def _unknown(lang: str) -> str:
    return strings()[lang]["not_determined"]


def _partner_view(c: Any, k: Knowledge, lang: str) -> dict[str, Any]:
    p = c.partner
    t = strings()[lang]
    reasons = []
    if c.from_assessment:
        reasons.append(t["partner_named"])
    if c.sectors:
        reasons.append(
            f"{t['partner_sector']}: "
            + ", ".join(localized(k.partners.sectors.get(s), lang) or s for s in c.sectors)
        )
    if c.prior_link:
        reasons.append(t["partner_prior_link"])
    return {
        "name": c.name,
        "country": p.country if p else "",
        "region": localized(p.region, lang) if p else "",
        "facts": _t(p.facts, lang) if p else "",
        "geography": [_t(k.partners.geographies.get(g), lang) for g in c.geography],
        "reasons": reasons,
        "sources": _sources(p.sources if p else [], k, lang),
    }


def _baseline(kpi: KPIDef, result: Result) -> Any:
    if not kpi.baseline:
        return None
    kind, ref = next(iter(kpi.baseline.items()))
    v = result.assessment.get(ref) if kind == "indicator" else result.measures.get(ref)
    if isinstance(v, (list, tuple)):
        return len(v)
    if isinstance(v, bool):
        return int(v)
    return v


def _target(kpi: KPIDef, base: Any, k: Knowledge) -> float | None:
    t = kpi.target
    v = t.value
    if t.kind == "increase_pct":
        return None if base is None or v is None else base * (1 + v / 100.0)
    if t.kind == "add":
        return None if v is None else (base or 0) + v
    if t.kind == "at_least":
        return None if v is None else max(base or 0, v)
    if t.kind in ("fixed", "reach"):
        return v
    if t.kind == "benchmark":
        ref = next(iter(kpi.baseline.values())) if kpi.baseline else None
        b = k.scoring.benchmarks.get(ref or "")
        return max(base or 0, b.value) if b else None
    return None


def _round_like(base: Any, target: float | None) -> float | int | None:
    if target is None:
        return None
    if isinstance(base, int) or (base is None and float(target).is_integer()):
        return math.ceil(target - 1e-9)
    return round(target, 2)


def _kpis(result: Result, k: Knowledge, lang: str, recs: list[str], horizon: int) -> list[dict]:
    order = [x.id for x in k.kpis.kpis]
    used: dict[str, list[str]] = {}
    for rid in recs:
        for kid in k.recommendation[rid].kpis:
            if kid in k.kpi:
                used.setdefault(kid, []).append(rid)
    rows = []
    for kid in sorted(used, key=order.index):
        kpi = k.kpi[kid]
        base = _baseline(kpi, result)
        target = _round_like(base, _target(kpi, base, k))
        rows.append(
            {
                "id": kid,
                "label": _t(kpi.label, lang),
                "unit": _t(kpi.unit, lang),
                "direction": _t(k.recommendations.directions.get(kpi.direction), lang),
                "baseline": _num(base, lang)
                if base is not None
                else ("нет данных" if lang == "ru" else "no data"),
                "baseline_raw": base,
                "target_raw": target,
                "target": _num(target, lang)
                if target is not None
                else (
                    "установить после замера базы"
                    if lang == "ru"
                    else "set once the baseline is measured"
                ),
                "horizon": horizon,
                "note": _t(kpi.note, lang),
                "recommendations": [k.recommendation[r].title.get(lang) for r in used[kid]],
            }
        )
    return rows


def _data_gaps(result: Result, k: Knowledge, lang: str) -> dict[str, Any]:
    considered = [i for i in k.indicators.indicators if i.group in GAP_GROUPS]
    blank = [i for i in considered if result.assessment.get(i.id) is None]
    share = round(len(blank) / len(considered) * 100, 1) if considered else 0.0
    thresholds = k.scoring.data_confidence
    level = "high"
    if share >= thresholds.get("low", 101):
        level = "low"
    elif share >= thresholds.get("medium", 101):
        level = "medium"
    groups: dict[str, list[str]] = {}
    for i in blank:
        groups.setdefault(i.group, []).append(_t(i.label, lang))
    return {
        "count": len(blank),
        "of": len(considered),
        "share": _num(share, lang),
        "level": level,
        "text": _t(k.program.data_gap_levels.get(level), lang),
        "groups": [
            {"label": _t(k.group[g].label, lang), "labels": items} for g, items in groups.items()
        ],
        "ids": [i.id for i in blank],
    }


def _chain_lines(
    views: list[dict[str, Any]], k: Knowledge, lang: str, depth: int = 0
) -> list[dict]:
    """The full chain as nested lines for the HTML 'expand' view and the appendix."""
    out = []
    for v in views:
        conds = []
        for c in v["conditions"]:
            line = {
                "text": describe_check(c, k, lang),
                "at": c.get("at", ""),
                "derivation": "",
                "setting": "",
                "children": _chain_lines(c.get("because") or [], k, lang, depth + 1),
            }
            if c.get("derivation"):
                d = c["derivation"]
                inputs = ", ".join(
                    f"{i['id']} = {fmt_value(i['value'], lang)}" for i in d["inputs"]
                )
                line["derivation"] = formula_in(d, lang) + (f" ({inputs})" if inputs else "")
                line["setting"] = d["setting"]
            conds.append(line)
        out.append(
            {
                "rule": v["rule"],
                "where": v["where"],
                "title": Text(**v["title"]).get(lang),
                "sources": v["sources"],
                "conditions": conds,
            }
        )
    return out


def result_json(result: Result, k: Knowledge) -> dict[str, Any]:
    """The machine-readable result: scores, findings, recommendation ids, trace. Stable shape."""
    a = result.assessment
    partner_choice = choose_partners(a, k)
    return {
        "schema": "cluster-intl/result/1",
        "generator": f"cluster-intl {__version__}",
        "cluster": {
            "name": a.get("cluster_name"),
            "region": a.get("region_name"),
            "source": a.source,
        },
        "scores": {key: result.measures.values[key] for key in sorted(result.measures.values)},
        "derivations": {key: d.as_dict() for key, d in sorted(result.measures.derivations.items())},
        "findings": list(result.findings),
        "recommendations": [
            {
                "id": rid,
                "priority": result.priority[rid],
                "actor": k.recommendation[rid].actor,
                "direction": k.recommendation[rid].direction,
                "rules": sorted({f.rule for f in result.producers("recommendation", rid)}),
            }
            for rid in order_recommendations(result, k)
        ],
        "postponed": list(result.postponed),
        "not_made": not_made_json(result, k),
        "partners": partner_choice.as_dict(),
        "data_gaps": list(_data_gaps(result, k, "en")["ids"]),
        "rules_fired": sorted({f.rule for f in result.firings}),
        "trace": [f.as_dict() for f in result.firings],
    }
