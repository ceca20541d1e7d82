"""Pipeline step 7: the program model, a plain view model the templates render.

Sections follow methodology §6.1 (current state, SWOT, prospects, measures by direction, target
indicators) plus monitoring through the Cluster Council, organizational changes (§7.1), measures by
actor, KPIs with baseline and target, data gaps, method notes and the "why" of every
recommendation. Everything is read from the inference result and its firing record. The model
holds no language: its texts are the leaves of `engine.text.message`, put into words once by
`localize` when a document is rendered.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, TypedDict

from engine import __version__
from engine.explain.justify import justify, running_reasons, running_unknown, short_reasons
from engine.explain.labels import describe_check
from engine.explain.why_not import not_made
from engine.explain.wording import country_of, country_profile, measure_wording
from engine.inference.trace import Result
from engine.knowledge.models import PRIORITY_RANK, Indicator, Knowledge, ProgramFile, Text
from engine.program.charts import program_charts
from engine.program.data_requests import catalogue_order
from engine.program.gaps import data_gaps
from engine.program.kpis import kpis_view
from engine.program.leaves import LangCode, Or, fixed_text, num, tx
from engine.program.markets import market_names
from engine.program.partial import requests_first
from engine.program.partners import (
    PartnerChoice,
    catalogue_lists,
    choose_partners,
    platforms_to_join,
)
from engine.program.provenance import (
    continued_wording,
    measure_title,
    proposals_relied_on,
    status_view,
)
from engine.program.scores import helix_labels, partial_weights, reported_source, scores_view
from engine.program.sections import chain_lines, partner_view, scale_max, sources_view
from engine.text.message import Known, Lower, Msg, Num, Once, cat

# the benchmark labels said differently for a cluster outside the survey's country
FOREIGN_WORDS = {
    "benchmark": "benchmark_foreign",
    "k_benchmark": "k_benchmark_foreign",
    "actors_heading": "actors_heading_foreign",
    "directions_heading": "directions_heading_foreign",
    "swot_mean": "swot_mean_foreign",
}


def foreign_benchmark_words() -> dict[str, Msg]:
    """The benchmark labels of a cluster whose country's benchmarks are not the survey's own."""
    return {key: Msg(foreign) for key, foreign in FOREIGN_WORDS.items()}


@dataclass(slots=True)
class SwotItem:
    """One SWOT item: a finding of the engine (its label and the conditions that gave it) or an
    item the assessment lists itself."""

    text: Any
    origin: str  # "engine" or "assessment"
    finding: str | None
    why: list[Any]


class ProgramView(TypedDict):
    """The program before words: what `build_program` returns and the templates read (after
    `localize`), section by section."""

    lang: Any
    generator: str
    knowledge: dict[str, Any]
    cluster: dict[str, Any]
    gate: dict[str, Any]
    current: dict[str, Any]
    swot: dict[str, list[SwotItem]]
    findings: list[dict[str, Any]]
    charts: dict[str, Any]
    prospects: dict[str, Any]
    org_changes: list[dict[str, Any]]
    recommendations: list[dict[str, Any]]
    by_direction: list[dict[str, Any]]
    by_actor: list[dict[str, Any]]
    kpis: list[dict[str, Any]]
    monitoring: dict[str, Any]
    data_gaps: dict[str, Any]
    data_requests: list[dict[str, Any]]
    data_first: bool
    proposals: list[dict[str, Any]]
    not_made: list[Any]
    method_notes: list[Any]
    words: dict[str, Msg]
    sources: list[dict[str, Any]]


def order_recommendations(result: Result, k: Knowledge) -> list[str]:
    """Gate first, then organizational changes, then by priority and catalogue order."""
    catalogue = k.derived(catalogue_order)
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
            catalogue[rid],
        )

    return sorted(result.recommendations, key=key)


def _measure_sources(k: Knowledge) -> dict[str, Known]:
    """Each measure's sources as the document cites them: the knowledge's alone, built and put
    into words once (a batch cluster cited ~20 sources of its measures)."""
    return {r.id: Known(sources_view(r.sources, k)) for r in k.recommendations.recommendations}


def _rule_sources(k: Knowledge) -> dict[str, tuple[str, ...]]:
    """The sources each rule cites, of the rules that cite any: once per knowledge base (a
    cluster's ~150 firings were each looked up in the rules for them)."""
    return {s.rule.id: tuple(s.rule.sources) for s in k.rules if s.rule.sources}


def _monitoring(k: Knowledge) -> dict[str, Any]:
    """Monitoring through the Cluster Council: the knowledge's alone, built once (its stages put
    into words once per language); shared, never changed."""
    return {
        "text": tx(k.program.monitoring),
        "stages": Known(tx(x) for x in k.program.stages),
        # the stages are the system's reconstruction wherever the knowledge marks them so
        "stages_note": Once(Msg("stages_reconstruction"))
        if any(st.basis == "proposal" for st in k.program.stages)
        else "",
    }


def _method_notes(k: Knowledge) -> Known:
    """The method notes: the knowledge's alone, built and put into words once."""
    return Known(tx(x) for x in k.program.method_notes)


def _measure_kpis(k: Knowledge) -> dict[str, tuple[Known, list[str]]]:
    """Each measure's KPIs as the document lists them (labels, a Known list put into words once)
    and their ids: the knowledge's alone, built once; shared, never changed."""
    out = {}
    for r in k.recommendations.recommendations:
        ids = [x for x in r.kpis if x in k.kpi]
        out[r.id] = (Known(k.kpi[x].label for x in ids), ids)
    return out


def recommendation_view(
    result: Result,
    rid: str,
    k: Knowledge,
    partners: PartnerChoice,
    to_join: list[Any],
    reasons: bool = True,
) -> dict[str, Any]:
    """One measure as the document shows it, with its reasons from the firing record (`why` and
    `chain`, which only the consultant reads, and `because`, which no document reads but inside
    `rationale`: empty without `reasons`)."""
    r = k.recommendation[rid]
    rs = k.recommendations
    words = measure_wording(result, rid, k)
    kpis, kpi_ids = k.derived(_measure_kpis)[rid]
    view = {
        "id": rid,
        "title": words["title"],  # a sector variant's title, else the catalogue's
        "text": words["text"],
        "rationale": words["rationale"],
        "because": words["because"] if reasons else [],  # no document reads it but in `rationale`
        "kind": r.kind,
        "actor": tx(rs.actors.get(r.actor)),
        "actor_id": r.actor,
        "direction": tx(rs.directions.get(r.direction)),
        "direction_id": r.direction,
        "priority": tx(rs.priorities.get(result.priority[rid])),
        "priority_id": result.priority[rid],
        "timeframe": tx(r.timeframe),
        "kpis": kpis,
        "kpi_ids": kpi_ids,
        "sources": k.derived(_measure_sources)[rid],
        "proposal": r.proposal,
        "basis": r.basis,
        **status_view(result.status[rid], r, k, running_unknown(result, rid)),
        "why": list(short_reasons(result, rid, k)) + list(running_reasons(result, rid, k))
        if reasons
        else [],
        "chain": chain_lines(justify(result, "recommendation", rid, k), k) if reasons else [],
        "partners": [],
        "platforms": [],
        "lists": r.lists,
    }
    if view["condition"] and words["condition"]:
        view["condition"] = words["condition"]  # the variant's or the catalogue's, filled
    if result.status[rid] == "continue":
        view.update(continued_wording(view["title"], view["text"], r, k))
    view.update(catalogue_lists(r, k, partners, to_join))
    return view


def _benchmarks_shown(k: Knowledge) -> dict[str, Once]:
    """Each indicator's survey mean as the scores show it (a constructed one starred): the
    knowledge's alone, built once and shared (put into words once per language)."""
    return {
        iid: Once(cat([Num(b.value), "*"]) if b.kind == "constructed" else Num(b.value))
        for iid, b in k.scoring.benchmarks.items()
        if b
    }


def _by_group(k: Knowledge) -> dict[str, list[Indicator]]:
    """The indicators of each group, in catalogue order: once per knowledge base (a cluster's
    three score tables each walked all ~120 indicators for their group's)."""
    out: dict[str, list[Indicator]] = {}
    for ind in k.indicators.indicators:
        out.setdefault(ind.group, []).append(ind)
    return out


def _score_rows(result: Result, k: Knowledge, group: str) -> list[dict[str, Any]]:
    """The scores of one indicator group against the survey means."""
    values, s = result.assessment.values, k.scoring
    shown_by = k.derived(_benchmarks_shown)
    rows = []
    for ind in k.derived(_by_group).get(group, ()):
        v = values.get(ind.id)
        bench = s.benchmarks.get(ind.id)
        shown: Any = shown_by.get(ind.id, "—")
        rows.append(
            {
                "id": ind.id,
                "label": ind.label,
                "value": num(v, k),
                "raw": v,
                "benchmark": shown,
                "benchmark_raw": bench.value if bench else None,
                "diff": Num(v - bench.value) if (bench and v is not None) else "—",
            }
        )
    return rows


def _partial_rows(result: Result, k: Knowledge) -> list[dict[str, Any]]:
    m = result.measures.values
    weights = k.derived(partial_weights)
    return [
        {
            "id": p.id,
            "label": p.label,
            "value": num(m.get(p.id), k),
            "raw": m.get(p.id),
            "weight": weights.get(p.id, "—"),
            "region": num(m.get(p.region), k) if p.region else "—",
            "region_raw": m.get(p.region) if p.region else None,
            "tercile": m.get(f"tercile_{p.id}") or "",
        }
        for p in k.scoring.partial_indicators
    ]


def _self_assessment(result: Result, k: Knowledge) -> dict[str, Any]:
    sa = k.scoring.self_assessment
    level = result.assessment.get(sa.indicator)
    lv = sa.levels.get(level) if level is not None else None
    return {
        "level": level,
        "label": tx(lv.label) if lv else "",
        "description": tx(lv.description) if lv else "",
        "band": tx(sa.bands.get(lv.band)) if lv else "",
        "proposal": bool(lv and lv.proposal),
        "quote": tx(lv.quote) if lv and lv.quote else "",
        "intermediate": bool(lv and lv.intermediate),
        "note": tx(sa.note),
    }


def _index(result: Result, k: Knowledge) -> dict[str, Any]:
    m, s = result.measures.values, k.scoring
    band = next((b for b in s.index.bands if b.id == m.get("index_band")), None)
    counted = len([p for p in s.partial_indicators if p.formula == "ratio" and p.weight > 0])
    return {
        "value": Num(m.get("index"), 1),
        "raw": m.get("index"),
        "band": tx(band.label) if band else k.derived(_index_not_determined),
        "band_id": m.get("index_band"),
        "coverage": m.get("coverage"),
        "of": counted,
        "note": tx(s.index.note),
    }


def _index_not_determined(k: Knowledge) -> Once:
    """The index band's words when no band is determined: the knowledge's alone, one leaf."""
    return Once(Or(tx(k.scoring.index.not_determined), Msg("not_determined")))


def _ratio(result: Result, k: Knowledge) -> dict[str, Any]:
    m, s = result.measures.values, k.scoring
    band = next((b for b in s.ratio.bands if b.id == m.get("ratio_band")), None)
    return {
        "value": num(m.get("ratio"), k),
        "raw": m.get("ratio"),
        "band": tx(band.label) if band else k.derived_each(fixed_text, "not_determined"),
        "band_id": m.get("ratio_band"),
        "region_index": Num(m.get("region_index"), 1),
        "cluster_matched": Num(m.get("cluster_matched_index"), 1),
        "text": tx(k.program.ratio_texts.get(m.get("ratio_band") or "unknown")),
        "note": tx(s.ratio.note),
    }


def _model(result: Result, k: Knowledge) -> dict[str, Any]:
    m, helix = result.measures.values, k.scoring.helix
    model_id = m.get("model") or "unknown"
    labels = k.derived(helix_labels)
    return {
        "id": model_id,
        "label": tx(helix.models.get(model_id)),
        "helices": [
            {"id": h, "label": labels[h], "value": num(m.get(f"helix_{h}"), k)}
            for h in helix.helices
        ],
        "note": tx(helix.note),
        "leading": _leading_actors(result, k, model_id),
    }


def _leading_actors(result: Result, k: Knowledge, model_id: str) -> Any:
    """Who leads the model: each leading helix (every helix of a balanced one) with its most
    active actor and score; "" for a nascent or undetermined model."""
    m, helix = result.measures.values, k.scoring.helix
    balanced = model_id == helix.model_ids.balanced
    items = []
    for name, comps in helix.helices.items():
        if not balanced and m.get(f"helix_leads_{name}") != "leads":
            continue
        scored = [
            (result.assessment.get(c.indicator), c.indicator, c.actor)
            for c in comps
            if c.map == "score" and c.indicator and result.assessment.get(c.indicator) is not None
        ]
        if scored:
            value, ind, actor = max(scored, key=lambda s: (s[0], s[1]))
            items.append(
                Msg(
                    "model_leading_actor",
                    helix=Or(tx(helix.labels.get(name)), name),
                    actor=tx(actor) if actor else Lower(tx(k.indicator[ind].label)),
                    value=Num(value),
                    top=Num(helix.scale_max),
                )
            )
    if not items:
        return ""
    return Msg("model_top_actors" if balanced else "model_leading", actors=cat(items, "; "))


def current_view(result: Result, k: Knowledge, peer_rank: dict[str, Any] | None) -> dict[str, Any]:
    """The current state: self-assessment, index, ratio, model, scores against the means."""
    return {
        "self_assessment": _self_assessment(result, k),
        "index": _index(result, k),
        "ratio": _ratio(result, k),
        "model": _model(result, k),
        "actors": _score_rows(result, k, "actors"),
        "directions": _score_rows(result, k, "directions"),
        "geography": _score_rows(result, k, "geography"),
        "partials": _partial_rows(result, k),
        "scores": scores_view(result, k, peer_rank),
    }


def swot_view(result: Result, k: Knowledge, reasons: bool = True) -> dict[str, list[SwotItem]]:
    """SWOT: the findings of each kind, then the assessment's own items; each finding with the
    conditions that gave it (`why`, which only the consultant reads: empty without `reasons`)."""
    a = result.assessment

    def swot(kind: str, indicator: str) -> list[SwotItem]:
        items = [
            SwotItem(
                text=k.finding[f].label,
                origin="engine",
                finding=f,
                why=[
                    describe_check(c, k)
                    for p in result.producers("finding", f)[:1]
                    for c in p.conditions
                ]
                if reasons
                else [],
            )
            for f in result.findings
            if f in k.finding and k.finding[f].kind == kind
        ]
        items += [SwotItem(str(x), "assessment", None, []) for x in (a.get(indicator) or [])]
        return items

    own = k.program.swot_indicators
    return {
        "strengths": swot("strength", own["strength"]),
        "weaknesses": swot("weakness", own["weakness"]),
        "opportunities": swot("opportunity", own["opportunity"]),
        "threats": swot("threat", own["threat"]),
    }


def grouped(recs: list[dict[str, Any]], k: Knowledge) -> tuple[list[Any], list[Any]]:
    """The measures by direction (organizational changes apart) and by actor, in program.yaml's
    order."""
    rs = k.recommendations
    by_direction = [
        {
            "id": d,
            "label": tx(rs.directions.get(d)),
            "measures": [
                r for r in recs if r["direction_id"] == d and r["kind"] != "organizational_change"
            ],
        }
        for d in k.program.direction_order
    ]
    by_actor = []
    for act in k.program.actor_order:
        items = [r for r in recs if r["actor_id"] == act]
        if items:
            by_actor.append({"id": act, "label": tx(rs.actors.get(act)), "measures": items})
    return by_direction, by_actor


def gate_view(result: Result, k: Knowledge, reasons: bool = True) -> dict[str, Any]:
    """The readiness gate: closed or not, its reasons, and the measures postponed behind it
    (each with the conditions that postponed it, `why`: empty without `reasons`; no document
    reads them)."""
    gate = k.program.gate_finding
    postponed = [
        {
            "id": pid,
            "title": measure_title(result, pid, k),
            "why": [
                describe_check(c, k)
                for f in result.producers("postponed", pid)
                for c in f.conditions
            ]
            if reasons
            else [],
        }
        for pid in result.postponed
        if pid in k.recommendation
    ]
    return {
        "closed": gate in result.findings,
        "reasons": [
            k.finding[f].label
            for f in result.findings
            if f in k.finding and k.finding[f].kind == "readiness"
        ],
        "text": tx(k.finding[gate].description) if gate in k.finding else "",
        "postponed": postponed,
    }


def instead(
    result: Result, p: ProgramFile, kind: str, ident: str, texts: dict[str, Text]
) -> Text | None:
    """The prospects text of `kind.ident`, or the one a made finding says instead (a restricted
    direction's prospects promise nothing of it: program.yaml `prospects_instead`)."""
    for fid, alts in p.prospects_instead.items():
        if fid in result.findings and f"{kind}.{ident}" in alts:
            return alts[f"{kind}.{ident}"]
    return texts.get(ident)


def prospects_view(
    result: Result,
    k: Knowledge,
    current: dict[str, Any],
    recs: list[dict[str, Any]],
    partners: PartnerChoice,
) -> dict[str, Any]:
    """Prospects: by the findings, the model and the band; partners and open geographies."""
    a, m, p = result.assessment, result.measures.values, k.program
    return {
        "gate": cat(
            (text for fid, text in p.prospects_by_finding.items() if fid in result.findings), " "
        ),
        "model": tx(instead(result, p, "model", current["model"]["id"], p.prospects_by_model)),
        "band": tx(p.prospects_by_band.get(m.get("index_band") or "")),
        "ratio": tx(instead(result, p, "ratio", m.get("ratio_band") or "unknown", p.ratio_texts)),
        "target_markets": market_names(a, k),
        "partners": [partner_view(c, k) for c in partners.candidates]
        if any(r["lists"] == "partners" for r in recs)
        else [],
        "geographies": [tx(k.partners.geographies.get(g)) for g in partners.available],
        # a blank is unknown: the partner search then looks everywhere, and says it assumed so
        "geographies_label": k.derived_each(
            fixed_text,
            "available_geographies"
            if a.get(k.partners.availability_indicator) is not None
            else "available_geographies_assumed",
        ),
    }


def build_program(
    result: Result,
    k: Knowledge,
    peer_rank: dict[str, Any] | None = None,
    *,
    reasons: bool = True,
    kpi_titles: bool = True,
    charts: bool = True,
) -> ProgramView:
    """The document view model of one result: every section the templates render, in no
    language (`localize` puts it into words).

    `reasons=False` leaves out what only the consultant's document (and the web workspace's
    why-not list) reads, a third of the work: the rules behind each measure (`why`, `chain`),
    the conditions behind each SWOT finding and postponed measure (`why`) and the reason of
    every recommendation not made (`not_made`). A batch drafts the client's
    document. `kpi_titles=False` leaves out the titles of each KPI's measures (their ids stay),
    which no page of the batch reads; `charts=False` the charts' layout (empty), which the
    Markdown does not show (~2 % of the record)."""
    a = result.assessment
    recs_order = order_recommendations(result, k)
    horizon = a.get(k.program.horizon_indicator) or k.program.default_horizon_years
    partner_choice = choose_partners(a, k)
    to_join = platforms_to_join(a, k)
    recs = [
        recommendation_view(result, rid, k, partner_choice, to_join, reasons) for rid in recs_order
    ]
    country = country_of(result, k)
    profile = country_profile(country, k) if country else None
    current = current_view(result, k, peer_rank)
    data_first, requests = requests_first(result, k, recs)
    by_direction, by_actor = grouped(recs, k)
    cited = {sid for r in recs_order for sid in k.recommendation[r].sources}
    rule_sources = k.derived(_rule_sources)
    for rule in {f.rule for f in result.firings} & rule_sources.keys():
        cited.update(rule_sources[rule])
    if (sid := reported_source(result, k)) is not None:  # the level computed outside, cited
        cited.add(sid)
    return {
        "lang": LangCode(),
        "generator": f"cluster-intl {__version__}",
        "knowledge": k.identity(),
        "cluster": {
            "name": a.get("cluster_name") or "",
            "region": a.get("region_name") or "",
            "year": a.get("assessment_year"),
            "horizon": horizon,
            "specialization": list(a.get("specialization") or []),
            "source": a.source,
        },
        "gate": gate_view(result, k, reasons),
        "current": current,
        "swot": swot_view(result, k, reasons),
        "findings": [
            {"id": f, "label": k.finding[f].label, "kind": k.finding[f].kind}
            for f in result.findings
            if f in k.finding
        ],
        "charts": program_charts(current, scale_max(k)) if charts else {},
        "prospects": prospects_view(result, k, current, recs, partner_choice),
        "org_changes": [r for r in recs if r["kind"] == "organizational_change"],
        "recommendations": recs,
        "by_direction": by_direction,
        "by_actor": by_actor,
        "kpis": kpis_view(result, k, recs_order, horizon, kpi_titles),
        "monitoring": k.derived(_monitoring),
        "data_gaps": data_gaps(result, k),
        "data_requests": requests,
        "data_first": data_first,  # most running-checks blank: the data requests come first
        "proposals": proposals_relied_on(result, k, recs_order),
        "not_made": not_made(result, k) if reasons else [],
        "method_notes": k.derived(_method_notes),
        # UI words this document says differently (a cluster outside Russia: Russian benchmarks)
        "words": foreign_benchmark_words() if profile and not profile.native_benchmarks else {},
        "sources": sources_view(sorted(cited), k),
    }
