"""The back matter of the client's document (issue 12): the responsibility matrix of the bodies
of Fig. 28, the risk register, the abbreviations, the numbered bibliography and the
methodological annex with its references, all from `knowledge/document.yaml` and the sources the
program view cites.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from engine.explain.wording import country_profile
from engine.inference.trace import Result
from engine.knowledge.models import Knowledge
from engine.program.leaves import Cite, KnownSortedByText, RStrip, fixed_text, tx
from engine.program.model import ProgramView
from engine.text.message import Known, Msg, Once, cat


@dataclass(slots=True)
class MatrixRow:
    """One function of the matrix with the role of each body in it."""

    label: Any
    roles: list[Any]


@dataclass(slots=True)
class Matrix:
    """The responsibility matrix: the bodies of Fig. 28 by function."""

    bodies: list[Any]
    rows: list[MatrixRow]
    legend: list[Any]
    note: Any  # whose the table is: the bodies are Fig. 28's, the roles the system's proposal


@dataclass(slots=True)
class Risk:
    """One numbered risk: its probability, impact, mitigation and owner."""

    no: int
    text: Any
    probability: Any
    impact: Any
    mitigation: Any
    owner: Any


@dataclass(slots=True)
class BibEntry:
    """One numbered entry of the bibliography (the id of the work or source it cites)."""

    no: int
    text: Any
    id: str


def _matrix_parts(k: Knowledge) -> tuple[list[str], Known, Known, Msg]:
    """What the matrix takes from the knowledge alone, once per knowledge base: the bodies in it,
    the functions with their roles, the legend and whose the table is (lists put into words once
    per language)."""
    d = k.document
    in_matrix = [b.id for b in d.bodies if any(b.id in f.roles for f in d.functions)]
    rows = Known(
        MatrixRow(
            label=tx(f.label),
            roles=[Msg(f"role_{f.roles[b]}") if b in f.roles else "" for b in in_matrix],
        )
        for f in d.functions
    )
    legend = Known(Msg(f"role_{r}_legend") for r in ("lead", "approve", "take_part", "informed"))
    proposal = all(f.basis == "proposal" for f in d.functions)
    note = Msg("matrix_basis_proposal" if proposal else "matrix_basis_mixed")
    return in_matrix, rows, legend, note


def matrix_view(k: Knowledge, bodies: dict[str, Any]) -> Matrix:
    """The responsibility matrix: bodies of Fig. 28 in the order of document.yaml."""
    in_matrix, rows, legend, note = k.derived(_matrix_parts)
    return Matrix(bodies=[bodies[b] for b in in_matrix], rows=rows, legend=legend, note=note)


def risks_note(result: Result, k: Knowledge) -> Any:
    """Whose the risk register is: one line under the table when every risk shown is the
    system's proposal (otherwise each proposal is marked in its row)."""
    shown = _applicable_risks(result, k)
    return Msg("risks_basis_proposal") if shown and _all_proposals(shown) else ""


def _applicable_risks(result: Result, k: Knowledge) -> list[Any]:
    return [
        r
        for r in k.document.risks
        if not r.when_findings or any(f in result.findings for f in r.when_findings)
    ]


def _all_proposals(risks: list[Any]) -> bool:
    return all(r.basis == "proposal" for r in risks)


def risk_register(result: Result, k: Knowledge, bodies: dict[str, Any]) -> list[Risk]:
    """The risks that apply to this cluster (a risk may depend on findings)."""
    applies = _applicable_risks(result, k)
    one_line = _all_proposals(applies)  # then risks_note says it once, under the table
    return [
        Risk(
            no=i,
            text=tx(r.text)
            if one_line or r.basis != "proposal"
            else cat([tx(r.text), " (", Msg("our_proposal"), ")"]),
            # the knowledge's own words, one leaf each (~11 a cluster, the same few levels)
            probability=k.derived_each(fixed_text, f"level_{r.probability}"),
            impact=k.derived_each(fixed_text, f"level_{r.impact}"),
            mitigation=tx(r.mitigation),
            owner=bodies.get(r.owner, r.owner),
        )
        for i, r in enumerate(applies, 1)
    ]


def _abbreviation_lists(k: Knowledge) -> dict[tuple[int, ...], KnownSortedByText]:
    """The abbreviation lists made so far, by the abbreviations each holds (a memo per knowledge
    base: as many as the sets of countries' abbreviations documents showed)."""
    return {}


def abbreviations(k: Knowledge, country: str) -> KnownSortedByText:
    """The abbreviations of this cluster's country, in the order of their short form (built and
    put into words once per knowledge base and set of abbreviations)."""
    every = k.document.abbreviations
    chosen = tuple(i for i, x in enumerate(every) if not x.countries or country in x.countries)
    made = k.derived(_abbreviation_lists)
    hit = made.get(chosen)
    if hit is None:
        items = tuple({"short": tx(every[i].short), "full": tx(every[i].full)} for i in chosen)
        hit = made[chosen] = KnownSortedByText(items, "short")
    return hit


def _cited(view: ProgramView) -> list[str]:
    cited = [s["id"] for s in view["sources"]]
    for r in view["recommendations"]:
        cited += [s["id"] for s in r["sources"]]
    for c in view["prospects"]["partners"]:
        cited += [s["id"] for s in c["sources"]]
    return cited


def _source_entry(k: Knowledge, sid: str) -> Once:
    """A source's bibliography entry, with its URL and the date it was checked: the knowledge's
    alone, built once when first cited and shared (put into words once per language)."""
    src = k.source[sid]
    text: Any = RStrip(src.citation)
    if src.url:
        # the date the page was checked, where the knowledge base records it
        seen = src.checked.strftime("%d.%m.%Y") if src.checked else k.document.accessed
        url = Msg("bib_url", url=src.url, date=seen)
        text = cat([RStrip(text, "."), ". — ", url])
    return Once(text)


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
        bib.append(BibEntry(no=len(bib) + 1, text=k.derived_each(_source_entry, sid), id=sid))
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
