"""The parts of the program a client receives (issue 12), added to the program view model.

Front matter (title page with the approval block, version, date), the calendar period, the
executive summary, the passport, one numbered action plan with every measure (responsible body,
co-executors, start and end quarter, funding from the support instruments of the client's
country, expected result, KPI), the KPIs by year, the responsibility matrix of the bodies of
Fig. 28, the risk register, abbreviations, the numbered bibliography and the methodological
annex. Plain sentences replace the engine's conditions for the client; the consultant audience
keeps the reasons. Everything comes from `knowledge/document.yaml`, the assessment and the view
`build_program` made, in no language: `localize` puts the document into words and Russian text
through one typography rule set.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from engine.explain.wording import country_profile
from engine.inference.trace import Result
from engine.knowledge.document_model import PlanEntry
from engine.knowledge.models import Knowledge
from engine.program.leaves import Cite, Or, RStrip, SortedByText, tx
from engine.program.model import ProgramView, SwotItem
from engine.text.message import ByLang, Locale, Lower, Msg, Num, Plural, Rendered, cat, localize

AUDIENCES = ("client", "consultant")
ROMAN = {1: "I", 2: "II", 3: "III", 4: "IV"}
BENCH_STATUS = "bench_status_"  # the measure ids engine/measures.py gives the weak/strong status


# --- the records of the client's document ---------------------------------------------------------


@dataclass(slots=True)
class Front:
    """The title page: the program, the client's names, the approval block and the period."""

    title: Any
    cluster: Any
    region: Any
    approval: Any
    version: str
    year: int | None
    period: str
    contractor: Any
    chair: str


@dataclass(slots=True)
class Summary:
    """The executive summary: the level, conclusions, priority measures and key targets."""

    level: Any
    conclusions: list[Any]
    measures: list[dict[str, Any]]
    targets: list[Any]


@dataclass(slots=True)
class Passport:
    name: Any
    basis: Any
    goal: Any
    tasks: list[Any]
    period: Any
    executors: list[Any]
    resources: list[Any]
    results: list[Any]


@dataclass(slots=True)
class PlanRow:
    """One numbered measure of the action plan."""

    no: int
    id: str
    title: Any
    direction: Any
    org_change: bool
    responsible: Any
    co_executors: list[Any]
    start: Any
    end: Any
    when: Any
    funding: list[Any]
    result: list[Any]
    kpis: list[Any]
    priority_id: str


@dataclass(slots=True)
class KpiRow:
    """A KPI of the document: the program's row with its annual values, source, owner and
    frequency of measurement."""

    id: str
    label: Any
    unit: Any
    direction: Any
    baseline: Any
    baseline_raw: Any
    target_raw: Any
    target: Any
    targets: list[dict[str, Any]]
    basis: Any
    horizon: int
    note: Any
    recommendations: list[Any]
    years: list[Any] = field(default_factory=list)
    source: Any = ""
    owner: Any = ""
    frequency: Any = ""


@dataclass(slots=True)
class MatrixRow:
    label: Any
    roles: list[Any]


@dataclass(slots=True)
class Matrix:
    """The responsibility matrix: the bodies of Fig. 28 by function."""

    bodies: list[Any]
    rows: list[MatrixRow]
    legend: list[Any]


@dataclass(slots=True)
class Risk:
    no: int
    text: Any
    probability: Any
    impact: Any
    mitigation: Any
    owner: Any


@dataclass(slots=True)
class BibEntry:
    no: int
    text: Any
    id: str


@dataclass(slots=True)
class Extra:
    """The parts of the client's document added to the program view."""

    audience: str
    specialization: list[Any]
    names: dict[str, Any]
    front: Front
    period: dict[str, Any]
    summary: Summary
    passport: Passport
    plan: list[PlanRow]
    kpi_rows: list[KpiRow]
    swot_plain: dict[str, list[Any]]
    matrix: Matrix
    risks: list[Risk]
    abbreviations: Any
    bibliography: list[BibEntry]
    method_annex: list[Any]


# --- names, periods, instruments ------------------------------------------------------------------


def names(result: Result, k: Knowledge) -> dict[str, Any]:
    """The client's own names: cluster and region (English ones in English when given) and the
    bodies an assessment names; otherwise the neutral names of `document.yaml`."""
    a = result.assessment
    cluster = a.get("cluster_name") or ""
    region = a.get("region_name") or ""
    out: dict[str, Any] = {
        "cluster": ByLang(ru=cluster, en=a.get("cluster_name_en") or cluster),
        "region": ByLang(ru=region, en=a.get("region_name_en") or region),
    }
    made = set(result.findings)
    for b in k.document.bodies:
        given = a.get(b.name_indicator) if b.name_indicator else None
        name = next((r.name for r in b.renamed if all(f in made for f in r.if_)), b.name)
        out[b.id] = str(given) if given and b.id != "council" else tx(name)
    return out


def body_names(result: Result, k: Knowledge) -> dict[str, Any]:
    nm = names(result, k)
    return {b.id: nm[b.id] for b in k.document.bodies}


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


def _when(year: int, quarter: int, per: dict[str, Any]) -> Msg:
    if per["start"] is None:
        return Msg("plan_quarter_rel", q=ROMAN[quarter], y=year)
    return Msg("plan_quarter", q=ROMAN[quarter], y=per["start"] + year - 1)


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


def kpi_years(row: dict[str, Any], per: dict[str, Any]) -> list[Any]:
    """Annual values from the baseline to the target (the KPI's own `targets` when it has them)."""
    years = per["years"]
    if not years:
        return []
    given = row.get("targets")
    if isinstance(given, list) and row.get("target_raw") is not None:
        # the KPI's own per-year targets (kpis.yaml)
        by_year = {str(x["year"]): x["value"] for x in given}
        return [by_year.get(str(y), "") for y in years]
    base, target = row.get("baseline_raw"), row.get("target_raw")
    if target is None:
        return [row["target"]] + [""] * (len(years) - 1)
    if base is None or not isinstance(base, (int, float)):
        return [""] * (len(years) - 1) + [Num(target)]
    n = len(years)
    digits = max(_decimals(base), _decimals(target))
    values: list[Any] = []
    for i in range(1, n + 1):
        v = base + (target - base) * i / n
        v = round(v) if digits == 0 else round(v, digits)
        values.append(Num(v))
    return values


def _decimals(v: float | int) -> int:
    """Decimal places a value is written with (at most 2): the annual values keep them."""
    if isinstance(v, int) or float(v).is_integer():
        return 0
    return min(2, len(f"{v:.2f}".rstrip("0").split(".")[1]))


def _list_value(values: list[Any], ind: Any, k: Knowledge) -> Any:
    """A list answer in words: the labels of its items, or how many there are."""
    platforms = {p.id: p.name for p in k.partners.platforms}
    labels = []
    for x in values:
        x = str(x)
        label = ind.value_labels.get(x) or platforms.get(x) or k.partners.geographies.get(x)
        if label is None:
            return Num(len(values))
        labels.append(label)
    return cat(labels, ", ")


# --- SWOT and summary -----------------------------------------------------------------------------


def _score_sentence(v: Any, top: Any, bench: Any, mean_key: str) -> Any:
    text = Msg("swot_score", v=Num(v), points=Plural(v, "points_forms"), max=Num(top))
    if bench is None:
        return text
    return cat([text, Msg(mean_key, mean=Num(bench.value))])


def _shown(v: Any, ind: Any, k: Knowledge) -> Any:
    """An answer inside a SWOT sentence; None: nothing to say."""
    if isinstance(v, bool):
        return Msg("word_yes" if v else "word_no")
    if isinstance(v, (list, tuple)):
        return _list_value(list(v), ind, k) if v else Msg("none_lower")
    if v is None:
        return None
    return Num(v) if isinstance(v, (int, float)) else str(v)


def swot_sentence(
    item: SwotItem,
    kind: str,
    result: Result,
    k: Knowledge,
    words: dict[str, Msg] | None = None,
) -> Any:
    """A finding as a sentence a client reads: the score, the scale and the survey mean."""
    if item.origin != "engine" or not item.finding:
        return item.text
    label = item.text
    mean_key = (words or {}).get("swot_mean", Msg("swot_mean")).key
    word = {"strengths": "swot_strength_word", "weaknesses": "swot_weakness_word"}.get(kind)
    for f in result.producers("finding", item.finding)[:1]:
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
                text = _score_sentence(v, top, k.scoring.benchmarks.get(ind.id), mean_key)
                if word:
                    return cat([label, " — ", Msg(word), ": ", text])
                return cat([label, ": ", text])
            shown = _shown(v, ind, k)
            if shown is None:
                continue
            detail = cat([Lower(ind.label), " — ", shown])
            if word:
                return cat([label, " — ", Msg(word), ": ", detail])
            return cat([label, " (", detail, ")"])
    return label


def _conclusions(view: ProgramView) -> list[Any]:
    cur = view["current"]
    out: list[Any] = []
    if cur["index"]["raw"] is not None:
        out.append(Msg("sum_index", value=cur["index"]["value"], band=cur["index"]["band"]))
    if cur["ratio"]["raw"] is not None:
        out.append(Msg("sum_ratio", value=cur["ratio"]["value"], band=cur["ratio"]["band"]))
    swot = view["swot"]
    strengths = [x.text for x in swot["strengths"] if x.origin == "engine"]
    weaknesses = [x.text for x in swot["weaknesses"] if x.origin == "engine"]
    if strengths:
        out.append(Msg("sum_strengths", items=cat(map(Lower, strengths), ", ")))
    if weaknesses:
        out.append(Msg("sum_weaknesses", items=cat(map(Lower, weaknesses), ", ")))
    if cur["model"]["id"] != "unknown":
        out.append(Msg("sum_model", model=cur["model"]["label"]))
    return out


def summary_parts(
    view: ProgramView,
    plan: list[PlanRow],
    kpi_rows: list[KpiRow],
    per: dict[str, Any],
    k: Knowledge,
) -> Summary:
    """The executive summary: the level, the main conclusions, the priority measures and the key
    targets (how many of each: document.yaml)."""
    d = k.document
    sa = view["current"]["self_assessment"]
    rank = {"high": 0, "medium": 1, "low": 2}
    priority = sorted(plan, key=lambda p: (rank.get(p.priority_id, 3), p.no))
    priority = sorted(priority[: d.summary_measures], key=lambda p: p.no)
    targets = [x for x in kpi_rows if x.target_raw is not None and x.baseline_raw is not None]
    key_targets: list[Any] = [
        Msg(
            "sum_target",
            kpi=x.label,
            unit=x.unit,
            base=Num(x.baseline_raw),
            target=Num(x.target_raw),
            year=per["end"] or Msg("plan_end_rel"),
        )
        for x in targets[: d.summary_targets]
    ] or [Msg("sum_targets_none")]  # no measured baseline yet: say when the targets come
    level: Any = ""
    if sa["level"] is not None:
        level = Msg("sum_level", level=sa["level"], label=sa["label"], band=sa["band"])
    return Summary(
        level=level,
        conclusions=_conclusions(view)[: d.summary_conclusions],
        measures=[{"no": p.no, "title": p.title} for p in priority],
        targets=key_targets,
    )


# --- the action plan and the KPI table ------------------------------------------------------------


def _plan_results(r: dict[str, Any], kpis: dict[str, Any], per: dict[str, Any]) -> list[Any]:
    """The expected results of a measure: its KPIs' final targets."""
    results: list[Any] = []
    for kid in r["kpi_ids"]:
        x = kpis.get(kid)
        if x is None:
            continue
        if x["target_raw"] is not None:
            results.append(
                Msg(
                    "plan_result",
                    kpi=x["label"],
                    unit=x["unit"],
                    value=Num(x["target_raw"]),
                    year=per["end"] if per["end"] else Msg("plan_end_rel"),
                )
            )
        else:
            results.append(cat([x["label"], ": ", x["target"]]))
    return results


def plan_rows(
    view: ProgramView,
    result: Result,
    k: Knowledge,
    per: dict[str, Any],
    bodies: dict[str, Any],
) -> list[PlanRow]:
    """The action plan: organizational changes first, then the directions' measures."""
    d = k.document
    horizon = int(view["cluster"]["horizon"])
    country = str(result.assessment.get(k.partners.country_indicator) or "")
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
        start, end = _when(sy, sq, per), _when(ey, eq, per)
        plan.append(
            PlanRow(
                no=n,
                id=r["id"],
                title=r["title"],
                direction=r["direction"] if r["kind"] != "organizational_change" else "",
                org_change=r["kind"] == "organizational_change",
                responsible=bodies.get(d.actor_bodies.get(r["actor_id"], ""), r["actor"]),
                co_executors=[bodies[b] for b in e.co_executors if b in bodies],
                start=start,
                end=end,
                when=start if start == end else cat([start, " — ", end]),
                funding=[tx(i.name) for i in funding],
                result=_plan_results(r, kpis, per),
                kpis=r["kpis"],
                priority_id=r["priority_id"],
            )
        )
    return plan


def number_measures(view: ProgramView, plan: list[PlanRow]) -> None:
    """The plan's number, responsible body and dates on every recommendation of the view."""
    rows = {p.id: p for p in plan}
    for r in view["recommendations"]:
        row = rows.get(r["id"])
        r["no"] = row.no if row else None
        r["responsible"] = row.responsible if row else r["actor"]
        r["when"] = row.when if row else r["timeframe"]


def kpi_table(view: ProgramView, per: dict[str, Any], bodies: dict[str, Any]) -> list[KpiRow]:
    """The KPIs by year, with data source, owner and frequency."""
    return [
        KpiRow(
            **x,
            years=kpi_years(x, per),
            source=Msg("kpi_data_source"),
            owner=bodies["expert_group"],
            frequency=Msg("kpi_frequency"),
        )
        for x in view["kpis"]
    ]


# --- passport, matrix, risks, abbreviations -------------------------------------------------------


def _distinct(items: list[Any]) -> list[Any]:
    out: list[Any] = []
    for x in items:
        if x not in out:
            out.append(x)
    return out


def passport_view(
    view: ProgramView,
    plan: list[PlanRow],
    nm: dict[str, Any],
    per: dict[str, Any],
    k: Knowledge,
    results: list[Any],
) -> Passport:
    year = view["cluster"]["year"]
    directions = [dd for dd in view["by_direction"] if dd["measures"]]
    tasks = [dd["label"] for dd in directions]
    if view["org_changes"] and not any(dd["id"] == "organizational" for dd in directions):
        tasks.insert(0, Msg("task_org"))
    return Passport(
        name=cat([Msg("title"), ": ", nm["cluster"]]),
        basis=Msg("passport_basis_text", year=year if year is not None else "—"),
        goal=k.document.goal,
        tasks=tasks,
        period=per["label"] or Msg("passport_period_rel", h=int(view["cluster"]["horizon"])),
        executors=_distinct([b for p in plan for b in [p.responsible, *p.co_executors]]),
        resources=_distinct([f for p in plan for f in p.funding]),
        results=results,
    )


def matrix_view(k: Knowledge, bodies: dict[str, Any]) -> Matrix:
    """The responsibility matrix: bodies of Fig. 28 in the order of document.yaml."""
    d = k.document
    in_matrix = [b.id for b in d.bodies if any(b.id in f.roles for f in d.functions)]
    return Matrix(
        bodies=[bodies[b] for b in in_matrix],
        rows=[
            MatrixRow(
                label=tx(f.label),
                roles=[Msg(f"role_{f.roles[b]}") if b in f.roles else "" for b in in_matrix],
            )
            for f in d.functions
        ],
        legend=[Msg(f"role_{r}_legend") for r in ("lead", "approve", "take_part", "informed")],
    )


def risk_register(result: Result, k: Knowledge, bodies: dict[str, Any]) -> list[Risk]:
    """The risks that apply to this cluster (a risk may depend on findings)."""
    applies = (
        r
        for r in k.document.risks
        if not r.when_findings or any(f in result.findings for f in r.when_findings)
    )
    return [
        Risk(
            no=i,
            text=tx(r.text),
            probability=Msg(f"level_{r.probability}"),
            impact=Msg(f"level_{r.impact}"),
            mitigation=tx(r.mitigation),
            owner=bodies.get(r.owner, r.owner),
        )
        for i, r in enumerate(applies, 1)
    ]


def abbreviations(k: Knowledge, country: str) -> SortedByText:
    """The abbreviations of this cluster's country, in the order of their short form."""
    return SortedByText(
        tuple(
            {"short": tx(x.short), "full": tx(x.full)}
            for x in k.document.abbreviations
            if not x.countries or country in x.countries
        ),
        "short",
    )


# --- bibliography and annex -----------------------------------------------------------------------


def _cited(view: ProgramView) -> list[str]:
    cited = [s["id"] for s in view["sources"]]
    for r in view["recommendations"]:
        cited += [s["id"] for s in r["sources"]]
    for c in view["prospects"]["partners"]:
        cited += [s["id"] for s in c["sources"]]
    return cited


def bibliography(
    view: ProgramView, k: Knowledge, audience: str
) -> tuple[list[BibEntry], dict[str, int]]:
    """One numbered entry per work, then every other source cited; the number of each id."""
    d = k.document
    cited = _cited(view)
    annex = " ".join(f"{x.ru or ''} {x.en or ''}" for x in d.method_annex)
    bib: list[BibEntry] = []
    ref_no: dict[str, int] = {}
    for w in d.works:
        if any(s in w.sources for s in cited) or w.id in annex:
            bib.append(BibEntry(no=len(bib) + 1, text=tx(w.entry), id=w.id))
            ref_no[w.id] = len(bib)
            for s in w.sources:
                ref_no[s] = len(bib)
    for sid in dict.fromkeys(cited):
        if sid in ref_no or sid not in k.source:
            continue
        src = k.source[sid]
        if src.kind == "proposal" and audience == "client":
            continue
        text: Any = RStrip(src.citation)
        if src.url:
            url = Msg("bib_url", url=src.url, date=d.accessed)
            text = cat([RStrip(text, "."), ". — ", url])
        bib.append(BibEntry(no=len(bib) + 1, text=text, id=sid))
        ref_no[sid] = len(bib)
    return bib, ref_no


def method_annex(k: Knowledge, ref_no: dict[str, int], country: str) -> list[Any]:
    """The methodological annex with its references numbered; a cluster outside the survey's
    country is told its benchmarks are Russian (2013)."""
    numbers = tuple(ref_no.items())
    out: list[Any] = [Cite(x, numbers) for x in k.document.method_annex]
    profile = country_profile(country.upper(), k) if country else None
    if profile is not None and not profile.native_benchmarks and profile.note is not None:
        out.append(profile.note)
    return out


def name_countries(view: ProgramView, k: Knowledge) -> None:
    """Country names for the ISO codes of the partner candidates."""
    partners = view["prospects"]["partners"] + [
        c for r in view["recommendations"] for c in r["partners"]
    ]
    for c in partners:
        code = c["country"]
        c["country_name"] = Or(tx(k.document.countries.get(code)), code) if code else ""


def front_view(result: Result, k: Knowledge, nm: dict[str, Any], per: dict[str, Any]) -> Front:
    d, a = k.document, result.assessment
    return Front(
        title=Msg("title"),
        cluster=nm["cluster"],
        region=nm["region"],
        approval=tx(d.approval),
        version=d.version,
        year=a.get("assessment_year"),
        period=per["label"],
        contractor=tx(d.contractor),
        chair=str(a.get("council_chair_name") or ""),
    )


def document_parts(
    view: ProgramView, result: Result, k: Knowledge, audience: str = "client"
) -> Extra:
    """The parts of a client's document, from the program view (which gets the plan's numbers,
    responsible bodies, dates and bibliography references of its measures)."""
    a = result.assessment
    nm = names(result, k)
    bodies = body_names(result, k)
    country = str(a.get(k.partners.country_indicator) or "")
    per = period(a.get("assessment_year"), int(view["cluster"]["horizon"]))
    plan = plan_rows(view, result, k, per, bodies)
    number_measures(view, plan)
    kpi_rows = kpi_table(view, per, bodies)
    summary = summary_parts(view, plan, kpi_rows, per, k)
    bib, ref_no = bibliography(view, k, audience)
    for r in view["recommendations"]:
        r["refs"] = sorted({ref_no[s["id"]] for s in r["sources"] if s["id"] in ref_no})
    name_countries(view, k)
    words = view.get("words")
    return Extra(
        audience=audience,
        specialization=[
            Or(tx(k.partners.sectors.get(x)), x) for x in view["cluster"]["specialization"]
        ],
        names=nm,
        front=front_view(result, k, nm, per),
        period=per,
        summary=summary,
        passport=passport_view(view, plan, nm, per, k, summary.targets),
        plan=plan,
        kpi_rows=kpi_rows,
        swot_plain={
            key: [swot_sentence(item, key, result, k, words) for item in items]
            for key, items in view["swot"].items()
        },
        matrix=matrix_view(k, bodies),
        risks=risk_register(result, k, bodies),
        abbreviations=abbreviations(k, country),
        bibliography=bib,
        method_annex=method_annex(k, ref_no, country),
    )


@dataclass(slots=True)
class Document(Rendered):
    """The whole document before words: the program view and the parts of a client's document.
    In words it is one mapping, the program's keys then the parts' (what the renderers read)."""

    program: ProgramView
    parts: Extra

    def localized(self, loc: Locale) -> dict[str, Any]:
        return {**localize(self.program, loc), **localize(self.parts, loc)}


def build_document(
    view: ProgramView, result: Result, k: Knowledge, audience: str = "client"
) -> Document:
    """The program view with the parts of a client's document (new keys; nothing removed)."""
    return Document(view, document_parts(view, result, k, audience))
