"""The parts of the program a client receives (issue 12), added to the program view model.

Front matter (title page with the approval block, version, date), the calendar period, the
executive summary, the passport, one numbered action plan with every measure (responsible body,
co-executors, start and end quarter, funding from the support instruments of the client's
country, expected result, KPI), the KPIs by year, the responsibility matrix of the bodies of
Fig. 28, the risk register, abbreviations, the numbered bibliography and the methodological
annex. Plain sentences replace the engine's conditions for the client; the consultant audience
keeps the reasons. Everything comes from `knowledge/document.yaml`, the assessment and the view
`build_program` made; Russian text goes through one typography rule set.
"""

from __future__ import annotations

import re
from typing import Any

from engine.explain.wording import country_profile
from engine.inference.trace import Result
from engine.knowledge.base import localized
from engine.knowledge.document_model import PlanEntry
from engine.knowledge.models import Knowledge
from engine.text.numbers import fmt_num, plural
from engine.text.strings import strings
from engine.text.typography import typeset_view

AUDIENCES = ("client", "consultant")
ROMAN = {1: "I", 2: "II", 3: "III", 4: "IV"}


def names(result: Result, k: Knowledge, lang: str) -> dict[str, str]:
    """The client's own names: cluster and region (English ones in English when given) and the
    bodies an assessment names; otherwise the neutral names of `document.yaml`."""
    a = result.assessment
    cluster = a.get("cluster_name") or ""
    region = a.get("region_name") or ""
    if lang == "en":
        cluster = a.get("cluster_name_en") or cluster
        region = a.get("region_name_en") or region
    out = {"cluster": cluster, "region": region}
    made = set(result.findings)
    for b in k.document.bodies:
        given = a.get(b.name_indicator) if b.name_indicator else None
        name = next((r.name for r in b.renamed if all(f in made for f in r.if_)), b.name)
        out[b.id] = str(given) if given and b.id != "council" else localized(name, lang)
    return out


def body_names(result: Result, k: Knowledge, lang: str) -> dict[str, str]:
    return {b.id: names(result, k, lang)[b.id] for b in k.document.bodies}


def period(year: int | None, horizon: int) -> dict[str, Any]:
    if year is None:
        return {"start": None, "end": None, "years": [], "label": ""}
    start, end = year + 1, year + horizon
    return {
        "start": start,
        "end": end,
        "years": list(range(start, end + 1)),
        "label": f"{start}–{end}" if end > start else str(start),
    }


def _when(year: int, quarter: int, per: dict[str, Any], t: dict[str, str]) -> str:
    if per["start"] is None:
        return t["plan_quarter_rel"].format(q=ROMAN[quarter], y=year)
    return t["plan_quarter"].format(q=ROMAN[quarter], y=per["start"] + year - 1)


def instruments_for(
    ids: list[str],
    k: Knowledge,
    country: str,
    years: tuple[int | None, int | None],
    findings: set[str],
) -> list:
    """The instruments of `ids` open to this cluster's country, program years and findings."""
    first_year, last_year = years
    out = []
    for iid in ids:
        ins = next((i for i in k.document.instruments if i.id == iid), None)
        if ins is None or (ins.countries and country not in ins.countries):
            continue
        if ins.available_from and last_year is not None and ins.available_from > last_year:
            continue
        if ins.available_until and first_year is not None and ins.available_until < first_year:
            continue
        if not all(f in findings for f in ins.requires):
            continue
        out.append(ins)
    return out


def _lower(text: str) -> str:
    """A label inside a sentence: first letter lower-case unless the word is an abbreviation."""
    if len(text) > 1 and text[1].isupper():
        return text
    return text[:1].lower() + text[1:]


def kpi_years(row: dict[str, Any], per: dict[str, Any], lang: str) -> list[str]:
    """Annual values from the baseline to the target (the KPI's own `targets` when it has them)."""
    years = per["years"]
    if not years:
        return []
    given = row.get("targets")
    if isinstance(given, list) and row.get("target_raw") is not None:
        # the KPI's own per-year targets (kpis.yaml), already written in the document's language
        by_year = {str(x["year"]): x["value"] for x in given}
        return [by_year.get(str(y), "") for y in years]
    base, target = row.get("baseline_raw"), row.get("target_raw")
    if target is None:
        return [row["target"]] + [""] * (len(years) - 1) if years else []
    if base is None or not isinstance(base, (int, float)):
        return [""] * (len(years) - 1) + [fmt_num(target, lang)]
    n = len(years)
    digits = max(_decimals(base), _decimals(target))
    values = []
    for i in range(1, n + 1):
        v = base + (target - base) * i / n
        v = round(v) if digits == 0 else round(v, digits)
        values.append(fmt_num(v, lang))
    return values


def _decimals(v: float | int) -> int:
    """Decimal places a value is written with (at most 2): the annual values keep them."""
    if isinstance(v, int) or float(v).is_integer():
        return 0
    return min(2, len(f"{v:.2f}".rstrip("0").split(".")[1]))


def _list_value(values: list[Any], ind: Any, k: Knowledge, lang: str) -> str:
    """A list answer in words: the labels of its items, or how many there are."""
    platforms = {p.id: localized(p.name, lang) for p in k.partners.platforms}
    labels = []
    for x in values:
        x = str(x)
        label = (
            localized(ind.value_labels.get(x), lang)
            or platforms.get(x)
            or localized(k.partners.geographies.get(x), lang)
        )
        if not label:
            return fmt_num(len(values), lang)
        labels.append(label)
    return ", ".join(labels)


BENCH_STATUS = "bench_status_"  # the measure ids engine/measures.py gives the weak/strong status


def swot_sentence(
    item: dict[str, Any],
    kind: str,
    result: Result,
    k: Knowledge,
    lang: str,
    words: dict[str, str] | None = None,
) -> str:
    """A finding as a sentence a client reads: the score, the scale and the survey mean."""
    t = {**strings()[lang], **(words or {})}
    if item["origin"] != "engine" or not item.get("finding"):
        return item["text"]
    label = item["text"]
    word = {"strengths": t["swot_strength_word"], "weaknesses": t["swot_weakness_word"]}.get(kind)
    for f in result.producers("finding", item["finding"])[:1]:
        for c in f.conditions:
            subject, v = c.subject, c.actual
            if c.kind == "measure" and subject.startswith(BENCH_STATUS):
                # weak/strong against the survey mean: read the indicator the measure compares
                subject = subject[len(BENCH_STATUS) :]
                v = result.assessment.get(subject)
            elif c.kind != "indicator":
                continue
            if subject not in k.indicator:
                continue
            ind = k.indicator[subject]
            if ind.type == "score" and ind.scale in k.indicators.scales:
                top = k.indicators.scales[ind.scale].max
                bench = k.scoring.benchmarks.get(ind.id)
                forms = t["points_forms"].split("|")
                text = t["swot_score"].format(
                    v=fmt_num(v, lang), points=plural(v, forms), max=fmt_num(top, lang)
                )
                if bench is not None:
                    text += t["swot_mean"].format(mean=fmt_num(bench.value, lang))
                return f"{label} — {word}: {text}" if word else f"{label}: {text}"
            if isinstance(v, bool):
                shown = t["word_yes"] if v else t["word_no"]
            elif isinstance(v, (list, tuple)):
                shown = _list_value(list(v), ind, k, lang) if v else t["none_lower"]
            elif v is None:
                continue
            else:
                shown = fmt_num(v, lang) if isinstance(v, (int, float)) else str(v)
            what = localized(ind.label, lang)
            what = _lower(what)
            detail = f"{what} — {shown}"
            return f"{label} — {word}: {detail}" if word else f"{label} ({detail})"
    return label


def summary_parts(
    view: dict[str, Any],
    plan: list[dict[str, Any]],
    kpi_rows: list[dict[str, Any]],
    per: dict[str, Any],
    k: Knowledge,
    lang: str,
) -> dict[str, Any]:
    """The executive summary: the level, the main conclusions, the priority measures and the key
    targets (how many of each: document.yaml)."""
    t, d = strings()[lang], k.document
    cur = view["current"]
    sa = cur["self_assessment"]
    conclusions = []
    if cur["index"]["raw"] is not None:
        conclusions.append(
            t["sum_index"].format(value=cur["index"]["value"], band=cur["index"]["band"])
        )
    if cur["ratio"]["raw"] is not None:
        conclusions.append(
            t["sum_ratio"].format(value=cur["ratio"]["value"], band=cur["ratio"]["band"])
        )
    strengths = [x["text"] for x in view["swot"]["strengths"] if x["origin"] == "engine"]
    weaknesses = [x["text"] for x in view["swot"]["weaknesses"] if x["origin"] == "engine"]
    if strengths:
        conclusions.append(t["sum_strengths"].format(items=", ".join(map(_lower, strengths))))
    if weaknesses:
        conclusions.append(t["sum_weaknesses"].format(items=", ".join(map(_lower, weaknesses))))
    if cur["model"]["id"] != "unknown":
        conclusions.append(t["sum_model"].format(model=cur["model"]["label"]))
    rank = {"high": 0, "medium": 1, "low": 2}
    priority = sorted(plan, key=lambda p: (rank.get(p["priority_id"], 3), p["no"]))
    priority = sorted(priority[: d.summary_measures], key=lambda p: p["no"])
    targets = [x for x in kpi_rows if x["target_raw"] is not None and x["baseline_raw"] is not None]
    key_targets = [
        t["sum_target"].format(
            kpi=x["label"],
            unit=x["unit"],
            base=fmt_num(x["baseline_raw"], lang),
            target=fmt_num(x["target_raw"], lang),
            year=per["end"] or t["plan_end_rel"],
        )
        for x in targets[: d.summary_targets]
    ] or [t["sum_targets_none"]]  # no measured baseline yet: say when the targets come
    level = (
        t["sum_level"].format(level=sa["level"], label=sa["label"], band=sa["band"])
        if sa["level"] is not None
        else ""
    )

    return {
        "level": level,
        "conclusions": conclusions[: d.summary_conclusions],
        "measures": [{"no": p["no"], "title": p["title"]} for p in priority],
        "targets": key_targets,
    }


def document_view(
    view: dict[str, Any], result: Result, k: Knowledge, lang: str, audience: str = "client"
) -> dict[str, Any]:
    """The program view with the parts of a client's document (new keys; nothing removed)."""
    t = strings()[lang]
    d = k.document
    a = result.assessment
    nm = names(result, k, lang)
    bodies = body_names(result, k, lang)
    country = str(a.get(k.partners.country_indicator) or "")
    horizon = int(view["cluster"]["horizon"])
    year = a.get("assessment_year")
    per = period(year, horizon)

    # the action plan: organizational changes first, then the directions' measures
    ordered = list(view["org_changes"]) + [r for dd in view["by_direction"] for r in dd["measures"]]
    kpis = {x["id"]: x for x in view["kpis"]}
    plan = []
    for n, r in enumerate(ordered, 1):
        e: PlanEntry = d.plan.get(r["id"], d.default_plan)
        sy, sq = e.start
        ey, eq = e.end if e.end else (horizon, 4)
        sy, ey = min(sy, horizon), min(ey, horizon)
        funding_ids = e.funding or d.funding_by_actor.get(r["actor_id"], [])
        funding = instruments_for(
            funding_ids, k, country, (per["start"], per["end"]), set(result.findings)
        )
        results = []
        for kid in r["kpi_ids"]:
            x = kpis.get(kid)
            if x is None:
                continue
            if x["target_raw"] is not None:
                results.append(
                    t["plan_result"].format(
                        kpi=x["label"],
                        unit=x["unit"],
                        value=fmt_num(x["target_raw"], lang),
                        year=per["end"] if per["end"] else t["plan_end_rel"],
                    )
                )
            else:
                results.append(f"{x['label']}: {x['target']}")
        responsible = bodies.get(d.actor_bodies.get(r["actor_id"], ""), r["actor"])
        start, end = _when(sy, sq, per, t), _when(ey, eq, per, t)
        plan.append(
            {
                "no": n,
                "id": r["id"],
                "title": r["title"],
                "direction": r["direction"] if r["kind"] != "organizational_change" else "",
                "org_change": r["kind"] == "organizational_change",
                "responsible": responsible,
                "co_executors": [bodies[b] for b in e.co_executors if b in bodies],
                "start": start,
                "end": end,
                "when": start if start == end else f"{start} — {end}",
                "funding": [localized(i.name, lang) for i in funding],
                "result": results,
                "kpis": r["kpis"],
                "priority_id": r["priority_id"],
            }
        )
    number = {p["id"]: p["no"] for p in plan}
    for r in view["recommendations"]:
        r["no"] = number.get(r["id"])
        row = next((p for p in plan if p["id"] == r["id"]), None)
        r["responsible"] = row["responsible"] if row else r["actor"]
        r["when"] = row["when"] if row else r["timeframe"]

    # KPIs by year, with data source, owner and frequency
    kpi_rows = []
    for x in view["kpis"]:
        kpi_rows.append(
            {
                **x,
                "years": kpi_years(x, per, lang),
                "source": t["kpi_data_source"],
                "owner": bodies["expert_group"],
                "frequency": t["kpi_frequency"],
            }
        )

    # SWOT as sentences
    swot_plain = {
        key: [swot_sentence(item, key, result, k, lang, view.get("words")) for item in items]
        for key, items in view["swot"].items()
    }

    summary = summary_parts(view, plan, kpi_rows, per, k, lang)
    key_targets = summary["targets"]

    # passport
    directions_with_measures = [dd for dd in view["by_direction"] if dd["measures"]]
    tasks = [dd["label"] for dd in directions_with_measures]
    if view["org_changes"] and not any(
        dd["id"] == "organizational" for dd in directions_with_measures
    ):
        tasks.insert(0, t["task_org"])
    used = list(plan)
    resources = []
    for p in used:
        for f in p["funding"]:
            if f not in resources:
                resources.append(f)
    executors = []
    for p in plan:
        for b in [p["responsible"], *p["co_executors"]]:
            if b not in executors:
                executors.append(b)

    # responsibility matrix: bodies of Fig. 28 in the order of document.yaml
    in_matrix = [b.id for b in d.bodies if any(b.id in f.roles for f in d.functions)]
    matrix = {
        "bodies": [bodies[b] for b in in_matrix],
        "rows": [
            {
                "label": localized(f.label, lang),
                "roles": [t[f"role_{f.roles[b]}"] if b in f.roles else "" for b in in_matrix],
            }
            for f in d.functions
        ],
        "legend": [t[f"role_{r}_legend"] for r in ("lead", "approve", "take_part", "informed")],
    }

    risks = [
        {
            "no": i,
            "text": localized(r.text, lang),
            "probability": t[f"level_{r.probability}"],
            "impact": t[f"level_{r.impact}"],
            "mitigation": localized(r.mitigation, lang),
            "owner": bodies.get(r.owner, r.owner),
        }
        for i, r in enumerate(
            (
                r
                for r in d.risks
                if not r.when_findings or any(f in result.findings for f in r.when_findings)
            ),
            1,
        )
    ]

    abbreviations = sorted(
        (
            {"short": localized(x.short, lang), "full": localized(x.full, lang)}
            for x in d.abbreviations
            if not x.countries or country in x.countries
        ),
        key=lambda x: x["short"].lower(),
    )

    # bibliography: one numbered entry per work, then every other source cited
    cited = [s["id"] for s in view["sources"]]
    for r in view["recommendations"]:
        cited += [s["id"] for s in r["sources"]]
    for c in view["prospects"]["partners"]:
        cited += [s["id"] for s in c["sources"]]
    bib: list[dict[str, Any]] = []
    ref_no: dict[str, int] = {}
    for w in d.works:
        if any(s in w.sources for s in cited) or w.id in " ".join(
            localized(x, lang) for x in d.method_annex
        ):
            bib.append({"no": len(bib) + 1, "text": localized(w.entry, lang), "id": w.id})
            ref_no[w.id] = len(bib)
            for s in w.sources:
                ref_no[s] = len(bib)
    for sid in dict.fromkeys(cited):
        if sid in ref_no or sid not in k.source:
            continue
        src = k.source[sid]
        if src.kind == "proposal" and audience == "client":
            continue
        text = src.citation.get(lang).rstrip()
        if src.url:
            text = text.rstrip(".") + ". — " + t["bib_url"].format(url=src.url, date=d.accessed)
        bib.append({"no": len(bib) + 1, "text": text, "id": sid})
        ref_no[sid] = len(bib)
    for r in view["recommendations"]:
        r["refs"] = sorted({ref_no[s["id"]] for s in r["sources"] if s["id"] in ref_no})

    def cite(text: str) -> str:
        return re.sub(r"\{(\w+)\}", lambda m: f"[{ref_no.get(m.group(1), '?')}]", text)

    method_annex = [cite(localized(x, lang)) for x in d.method_annex]
    profile = country_profile(country.upper(), k) if country else None
    if profile is not None and not profile.native_benchmarks and profile.note is not None:
        method_annex.append(localized(profile.note, lang))  # the benchmarks are Russian (2013)

    # country names for ISO codes, sector labels for the specialization tags
    def country_name(code: str) -> str:
        return localized(d.countries.get(code), lang) or code

    for c in view["prospects"]["partners"] + [
        c for r in view["recommendations"] for c in r["partners"]
    ]:
        c["country_name"] = country_name(c["country"]) if c["country"] else ""
    specialization = [
        localized(k.partners.sectors.get(x), lang) or x for x in view["cluster"]["specialization"]
    ]

    extra = {
        "audience": audience,
        "specialization": specialization,
        "names": nm,
        "front": {
            "title": t["title"],
            "cluster": nm["cluster"],
            "region": nm["region"],
            "approval": localized(d.approval, lang),
            "version": d.version,
            "year": year,
            "period": per["label"],
            "contractor": localized(d.contractor, lang),
            "chair": str(a.get("council_chair_name") or ""),
        },
        "period": per,
        "summary": summary,
        "passport": {
            "name": f"{t['title']}: {nm['cluster']}",
            "basis": t["passport_basis_text"].format(year=year if year is not None else "—"),
            "goal": localized(d.goal, lang),
            "tasks": tasks,
            "period": per["label"] or t["passport_period_rel"].format(h=horizon),
            "executors": executors,
            "resources": resources,
            "results": key_targets,
        },
        "plan": plan,
        "kpi_rows": kpi_rows,
        "swot_plain": swot_plain,
        "matrix": matrix,
        "risks": risks,
        "abbreviations": abbreviations,
        "bibliography": bib,
        "method_annex": method_annex,
    }
    out = {**view, **extra}
    return typeset_view(out) if lang == "ru" else out
