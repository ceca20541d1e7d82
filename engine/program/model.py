"""Pipeline step 7: the program model, a plain view model the templates render.

Sections follow methodology §6.1 (current state, SWOT, prospects, measures by direction, target
indicators) plus monitoring through the Cluster Council, organizational changes (§7.1), measures by
actor, KPIs with baseline and target, data gaps, method notes and the "why" of every
recommendation. Everything is read from the inference result and its firing record.
"""

from __future__ import annotations

from typing import Any

from engine import __version__
from engine.explain.justify import justify, running_reasons, running_unknown, short_reasons
from engine.explain.labels import describe_check
from engine.explain.why_not import not_made
from engine.explain.wording import country_of, country_profile, measure_wording
from engine.inference.trace import Result
from engine.knowledge.base import localized
from engine.knowledge.models import PRIORITY_RANK, Knowledge
from engine.program.charts import program_charts
from engine.program.data_requests import data_requests_view
from engine.program.gaps import data_gaps
from engine.program.kpis import kpis_view
from engine.program.partners import catalogue_lists, choose_partners, platforms_to_join
from engine.program.provenance import continued_wording, proposals_relied_on, status_view
from engine.program.scores import scores_view
from engine.program.sections import chain_lines, partner_view, scale_max, sources_view, unknown_text
from engine.text.numbers import fmt_num
from engine.text.strings import strings

# the benchmark labels said differently for a cluster outside the survey's country
FOREIGN_WORDS = {
    "benchmark": "benchmark_foreign",
    "k_benchmark": "k_benchmark_foreign",
    "actors_heading": "actors_heading_foreign",
    "directions_heading": "directions_heading_foreign",
    "swot_mean": "swot_mean_foreign",
}


def foreign_benchmark_words(lang: str) -> dict[str, str]:
    """The benchmark labels of a cluster whose country's benchmarks are not the survey's own."""
    t = strings()[lang]
    return {key: t[foreign] for key, foreign in FOREIGN_WORDS.items()}


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


def recommendation_view(
    result: Result, rid: str, k: Knowledge, lang: str, partners: Any, to_join: list[Any]
) -> dict[str, Any]:
    """One measure as the document shows it, with its reasons from the firing record."""
    r = k.recommendation[rid]
    words = measure_wording(result, rid, k, lang)
    view = {
        "id": rid,
        "title": localized(r.title, lang),
        "text": words["text"],
        "rationale": words["rationale"],
        "because": words["because"],
        "kind": r.kind,
        "actor": localized(k.recommendations.actors.get(r.actor), lang),
        "actor_id": r.actor,
        "direction": localized(k.recommendations.directions.get(r.direction), lang),
        "direction_id": r.direction,
        "priority": localized(k.recommendations.priorities.get(result.priority[rid]), lang),
        "priority_id": result.priority[rid],
        "timeframe": localized(r.timeframe, lang),
        "kpis": [localized(k.kpi[x].label, lang) for x in r.kpis if x in k.kpi],
        "kpi_ids": [x for x in r.kpis if x in k.kpi],
        "sources": sources_view(r.sources, k, lang),
        "proposal": r.proposal,
        "basis": r.basis,
        **status_view(result.status[rid], r, lang, running_unknown(result, rid)),
        "why": short_reasons(result, rid, k, lang) + running_reasons(result, rid, k, lang),
        "chain": chain_lines(justify(result, "recommendation", rid, k), k, lang),
        "partners": [],
        "platforms": [],
        "lists": r.lists,
    }
    if view["condition"] and words["condition"]:
        view["condition"] = words["condition"]  # the variant's or the catalogue's, filled
    if result.status[rid] == "continue":
        view.update(continued_wording(view["title"], view["text"], r, lang))
    view.update(catalogue_lists(r, k, lang, partners, to_join))
    return view


def current_view(
    result: Result, k: Knowledge, lang: str, peer_rank: dict[str, Any] | None
) -> dict[str, Any]:
    """The current state: self-assessment, index, ratio, model, scores against the means."""
    a, m, s = result.assessment, result.measures.values, k.scoring
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
                    "label": localized(ind.label, lang),
                    "value": fmt_num(v, lang),
                    "raw": v,
                    "benchmark": fmt_num(bench.value, lang)
                    + ("*" if bench.kind == "constructed" else "")
                    if bench
                    else "—",
                    "benchmark_raw": bench.value if bench else None,
                    "diff": fmt_num(v - bench.value, lang) if (bench and v is not None) else "—",
                }
            )
        return rows

    partial_rows = []
    for p in s.partial_indicators:
        partial_rows.append(
            {
                "id": p.id,
                "label": localized(p.label, lang),
                "value": fmt_num(m.get(p.id), lang),
                "raw": m.get(p.id),
                "weight": fmt_num(p.weight, lang) if p.formula == "ratio" else "—",
                "region": fmt_num(m.get(p.region), lang) if p.region else "—",
                "region_raw": m.get(p.region) if p.region else None,
                "tercile": m.get(f"tercile_{p.id}") or "",
            }
        )
    index_band = next((b for b in s.index.bands if b.id == m.get("index_band")), None)
    ratio_band = next((b for b in s.ratio.bands if b.id == m.get("ratio_band")), None)
    model_id = m.get("model") or "unknown"
    counted = len([p for p in s.partial_indicators if p.formula == "ratio" and p.weight > 0])
    current: dict[str, Any] = {
        "self_assessment": {
            "level": level,
            "label": localized(lv.label, lang) if lv else "",
            "description": localized(lv.description, lang) if lv else "",
            "band": localized(s.self_assessment.bands.get(lv.band), lang) if lv else "",
            "proposal": bool(lv and lv.proposal),
            "note": localized(s.self_assessment.note, lang),
        },
        "index": {
            "value": fmt_num(m.get("index"), lang, 1),
            "raw": m.get("index"),
            "band": localized(index_band.label, lang)
            if index_band
            else localized(s.index.not_determined, lang) or unknown_text(lang),
            "band_id": m.get("index_band"),
            "coverage": m.get("coverage"),
            "of": counted,
            "note": localized(s.index.note, lang),
        },
        "ratio": {
            "value": fmt_num(m.get("ratio"), lang),
            "raw": m.get("ratio"),
            "band": localized(ratio_band.label, lang) if ratio_band else unknown_text(lang),
            "band_id": m.get("ratio_band"),
            "region_index": fmt_num(m.get("region_index"), lang, 1),
            "cluster_matched": fmt_num(m.get("cluster_matched_index"), lang, 1),
            "text": localized(k.program.ratio_texts.get(m.get("ratio_band") or "unknown"), lang),
            "note": localized(s.ratio.note, lang),
        },
        "model": {
            "id": model_id,
            "label": localized(s.helix.models.get(model_id), lang),
            "helices": [
                {
                    "id": h,
                    "label": localized(s.helix.labels.get(h), lang) or h,
                    "value": fmt_num(m.get(f"helix_{h}"), lang),
                }
                for h in s.helix.helices
            ],
            "note": localized(s.helix.note, lang),
        },
        "actors": score_rows("actors"),
        "directions": score_rows("directions"),
        "geography": score_rows("geography"),
        "partials": partial_rows,
        "scores": scores_view(result, k, lang, peer_rank),
    }
    return current


def swot_view(result: Result, k: Knowledge, lang: str) -> dict[str, list[dict[str, Any]]]:
    """SWOT: the findings of each kind, then the assessment's own items."""
    a = result.assessment

    def swot(kind: str, indicator: str) -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = [
            {
                "text": localized(k.finding[f].label, lang),
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

    own = k.program.swot_indicators
    return {
        "strengths": swot("strength", own["strength"]),
        "weaknesses": swot("weakness", own["weakness"]),
        "opportunities": swot("opportunity", own["opportunity"]),
        "threats": swot("threat", own["threat"]),
    }


def grouped(recs: list[dict[str, Any]], k: Knowledge, lang: str) -> tuple[list[Any], list[Any]]:
    """The measures by direction (organizational changes apart) and by actor, in program.yaml's
    order."""
    by_direction = []
    for d in k.program.direction_order:
        items = [r for r in recs if r["direction_id"] == d and r["kind"] != "organizational_change"]
        by_direction.append(
            {
                "id": d,
                "label": localized(k.recommendations.directions.get(d), lang),
                "measures": items,
            }
        )
    by_actor = []
    for act in k.program.actor_order:
        items = [r for r in recs if r["actor_id"] == act]
        if items:
            by_actor.append(
                {
                    "id": act,
                    "label": localized(k.recommendations.actors.get(act), lang),
                    "measures": items,
                }
            )
    return by_direction, by_actor


def build_program(
    result: Result, k: Knowledge, lang: str, peer_rank: dict[str, Any] | None = None
) -> dict[str, Any]:
    """The document view model of one result: every section the templates render."""
    a = result.assessment
    m = result.measures.values
    recs_order = order_recommendations(result, k)
    horizon = a.get(k.program.horizon_indicator) or k.program.default_horizon_years
    partner_choice = choose_partners(a, k)
    to_join = platforms_to_join(a, k)

    recs = [
        recommendation_view(result, rid, k, lang, partner_choice, to_join) for rid in recs_order
    ]
    country = country_of(result, k)
    profile = country_profile(country, k) if country else None
    # readiness gate and postponed measures
    gate = k.program.gate_finding in result.findings
    postponed = [
        {
            "id": pid,
            "title": localized(k.recommendation[pid].title, lang),
            "why": [
                describe_check(c, k, lang)
                for f in result.producers("postponed", pid)
                for c in f.conditions
            ],
        }
        for pid in result.postponed
        if pid in k.recommendation
    ]

    current = current_view(result, k, lang, peer_rank)
    model_id = current["model"]["id"]
    swot = swot_view(result, k, lang)
    by_direction, by_actor = grouped(recs, k, lang)

    kpis = kpis_view(result, k, lang, recs_order, horizon)
    gaps = data_gaps(result, k, lang)
    findings_view = [
        {"id": f, "label": localized(k.finding[f].label, lang), "kind": k.finding[f].kind}
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
                localized(k.finding[f].label, lang)
                for f in result.findings
                if f in k.finding and k.finding[f].kind == "readiness"
            ],
            "text": localized(k.finding[k.program.gate_finding].description, lang)
            if k.program.gate_finding in k.finding
            else "",
            "postponed": postponed,
        },
        "current": current,
        "swot": swot,
        "findings": findings_view,
        "charts": program_charts(current, scale_max(k), lang),
        "prospects": {
            "gate": " ".join(
                localized(text, lang)
                for fid, text in k.program.prospects_by_finding.items()
                if fid in result.findings
            ),
            "model": localized(k.program.prospects_by_model.get(model_id), lang),
            "band": localized(k.program.prospects_by_band.get(m.get("index_band") or ""), lang),
            "ratio": current["ratio"]["text"],
            "target_markets": list(a.get("target_markets") or []),
            "partners": [partner_view(c, k, lang) for c in partner_choice.candidates]
            if any(r["lists"] == "partners" for r in recs)
            else [],
            "geographies": [
                localized(k.partners.geographies.get(g), lang) for g in partner_choice.available
            ],
        },
        "org_changes": [r for r in recs if r["kind"] == "organizational_change"],
        "recommendations": recs,
        "by_direction": by_direction,
        "by_actor": by_actor,
        "kpis": kpis,
        "monitoring": {
            "text": localized(k.program.monitoring, lang),
            "stages": [localized(x, lang) for x in k.program.stages],
        },
        "data_gaps": gaps,
        "data_requests": data_requests_view(result, k, lang),
        "proposals": proposals_relied_on(result, k, lang, recs_order),
        "not_made": not_made(result, k, lang),
        "method_notes": [localized(x, lang) for x in k.program.method_notes],
        # UI words this document says differently (a cluster outside Russia: Russian benchmarks)
        "words": foreign_benchmark_words(lang) if profile and not profile.native_benchmarks else {},
        "sources": sources_view(
            sorted(
                {sid for r in recs_order for sid in k.recommendation[r].sources}
                | {sid for f in result.firings for sid in k.rule[f.rule].rule.sources}
            ),
            k,
            lang,
        ),
    }
