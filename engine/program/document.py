"""The program a client receives (issue 12): the program view model with the parts of a
client's document added, in no language until `localize`.

This module assembles the parts and names the client's bodies: front matter (title page with the
approval block, version, date) and the country names of partners here; the action plan, its
period and the KPIs by year in `plan`; the executive summary and the passport in `summary`; the
SWOT in plain sentences in `swot_plain`; the responsibility matrix, risks, abbreviations,
bibliography and methodological annex in `back_matter`. Plain sentences replace the engine's
conditions for the client; the consultant audience keeps the reasons. Everything comes from
`knowledge/document.yaml`, the assessment and the view `build_program` made: `localize` puts the
document into words and Russian text through one typography rule set.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, cast

from engine.inference.trace import Result
from engine.knowledge.models import Knowledge
from engine.program.back_matter import (
    BibEntry,
    Matrix,
    Risk,
    abbreviations,
    bibliography,
    matrix_view,
    method_annex,
    risk_register,
    risks_note,
)
from engine.program.budget import Budget, build_budget
from engine.program.budget_view import BudgetView, budget_view, cost_to_plan
from engine.program.leaves import Cite, Or, tx
from engine.program.model import ProgramView
from engine.program.plan import KpiRow, PlanRow, kpi_table, number_measures, period, plan_rows
from engine.program.summary import Passport, Summary, passport_view, summary_parts
from engine.program.swot_plain import swot_sentence
from engine.text.message import ByLang, Locale, Msg, Rendered, Value, localize

AUDIENCES = ("client", "consultant")


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
    variant: dict[str, Any] | None = None  # a what-if variant's mark and changes, else None


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
    risks_note: Any  # whose the register is (one line under the table, or "")
    abbreviations: Any
    bibliography: list[BibEntry]
    method_annex: list[Any]
    budget: BudgetView
    # the consultant's annex of fields read from an earlier format of the file, or None
    earlier_format: dict[str, Any] | None = None
    # the consultant's annex "How firm is each measure" (engine/program/firmness.py), else None
    firmness: dict[str, Any] | None = None


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
    """The names of the bodies alone (by body id), for the plan, matrix and risks to cite."""
    nm = names(result, k)
    return {b.id: nm[b.id] for b in k.document.bodies}


def name_countries(view: ProgramView, k: Knowledge) -> None:
    """Country names for the ISO codes of the partner candidates."""
    partners = view["prospects"]["partners"] + [
        c for r in view["recommendations"] for c in r["partners"]
    ]
    for c in partners:
        code = c["country"]
        known = k.countries.countries.get(code)
        c["country_name"] = Or(tx(known.name if known else None), code) if code else ""


def front_view(result: Result, k: Knowledge, nm: dict[str, Any], per: dict[str, Any]) -> Front:
    """The title page from the assessment's names, year and chair and the document's approval."""
    d, a = k.document, result.assessment
    return Front(
        title=Msg("title"),
        cluster=nm["cluster"],
        region=nm["region"],
        approval=tx(
            next(
                (r.text for r in d.approval_reworded if all(f in result.findings for f in r.if_)),
                d.approval,
            )
        ),
        version=d.version,
        year=a.get("assessment_year"),
        period=per["label"],
        contractor=tx(d.contractor),
        chair=str(a.get("council_chair_name") or ""),
        variant=variant_mark(result, k),
    )


def variant_mark(result: Result, k: Knowledge) -> dict[str, Any] | None:
    """A what-if variant's mark for the title page and header, with the file it came from and
    its changes (None for an assessment that is not a variant)."""
    v = result.assessment.variant
    if v is None:
        return None
    changes = [
        Msg(
            "variant_change",
            label=k.indicator[c["indicator"]].label if c["indicator"] in k.indicator else "",
            before=Value(c["from"]),
            after=Value(c["to"]),
        )
        for c in v["changes"]
    ]
    return {
        "mark": Msg("variant_mark"),
        "derived_from": Msg("variant_derived", file=v["derived_from"]),
        "changes": changes,
    }


def earlier_format(result: Result, k: Knowledge) -> dict[str, Any] | None:
    """The fields the assessment gave in an earlier format and what was done with each (the
    notices the reader printed), or None for a file of the current format."""
    notices = result.assessment.notices
    if not notices:
        return None
    f = k.formats
    return {
        "intro": tx(f.notices["annex_intro"]),
        "items": [
            Msg(
                "earlier_format_item",
                field=n.field,
                # a YAML line, or a workbook's cell
                where=Msg("earlier_format_line", line=n.problem.line)
                if n.problem.line
                else n.problem.path,
                text=ByLang(ru=n.text(f, "ru"), en=n.text(f, "en")),
            )
            for n in notices
        ],
    }


def document_parts(
    view: ProgramView,
    result: Result,
    k: Knowledge,
    audience: str = "client",
    firmness: dict[str, Any] | None = None,
    budget: Budget | None = None,
) -> Extra:
    """The parts of a client's document, from the program view (which gets the plan's numbers,
    responsible bodies, dates and bibliography references of its measures); `firmness`: the
    consultant's annex on how firm each measure is; `budget`: the result's, when the caller
    built it already (the batch's summary row reads it too)."""
    a = result.assessment
    nm = names(result, k)
    bodies = body_names(result, k)
    country = str(a.get(k.partners.country_indicator) or "")
    horizon = int(view["cluster"]["horizon"])
    per = period(a.get("assessment_year"), horizon)
    budget = budget or build_budget(result, k)
    # the budget's schedule is the plan's when it costed the view's measures, in its order
    same = budget.horizon == horizon and budget.order == [r["id"] for r in view["recommendations"]]
    plan = plan_rows(view, result, k, per, bodies, budget.slots if same else None)
    number_measures(view, plan)
    cost_to_plan(plan, budget, k, per)
    kpi_rows = kpi_table(view, per, bodies, k)
    summary = summary_parts(view, plan, kpi_rows, per, k)
    bib, ref_no = bibliography(view, k, audience)
    for r in view["recommendations"]:
        r["refs"] = sorted({ref_no[s["id"]] for s in r["sources"] if s["id"] in ref_no})
    scores = view["current"]["scores"]
    if isinstance(scores["reported"], Cite):  # the cited source now has its number
        scores["reported"] = Cite(scores["reported"].inner, tuple(ref_no.items()))
    name_countries(view, k)
    words = view.get("words")
    return Extra(
        audience=audience,
        specialization=[Or(tx(k.sectors.label(x)), x) for x in view["cluster"]["specialization"]],
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
        risks_note=risks_note(result, k),
        abbreviations=abbreviations(k, country),
        bibliography=bib,
        method_annex=method_annex(k, ref_no, country),
        budget=budget_view(budget, k, per),
        earlier_format=earlier_format(result, k),
        firmness=firmness if audience == "consultant" else None,
    )


@dataclass(slots=True)
class Document(Rendered):
    """The whole document before words: the program view and the parts of a client's document.
    In words it is one mapping, the program's keys then the parts' (what the renderers read)."""

    program: ProgramView
    parts: Extra

    def localized(self, loc: Locale) -> dict[str, Any]:
        """The one mapping the renderers read: the program's keys in words, then the parts'."""
        return {**localize(self.program, loc), **localize(self.parts, loc)}

    def leaving_out(self, keys: tuple[str, ...]) -> Document:
        """The document without the program's `keys` (those a renderer never reads)."""
        if not keys:
            return self
        kept = cast(ProgramView, {k: v for k, v in self.program.items() if k not in keys})
        return Document(kept, self.parts)


def build_document(
    view: ProgramView,
    result: Result,
    k: Knowledge,
    audience: str = "client",
    firmness: dict[str, Any] | None = None,
    budget: Budget | None = None,
) -> Document:
    """The program view with the parts of a client's document (new keys; nothing removed)."""
    return Document(view, document_parts(view, result, k, audience, firmness, budget))
