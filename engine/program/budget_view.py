"""The resources of the client's document (issue 20): the amount column and funding by source of
each plan row, the passport's funding line, the resource table and its notes, from the `Budget`
of `budget.py`. No language: numbers and leaves that `localize` puts into words."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from engine.knowledge.base import Text
from engine.knowledge.models import Knowledge
from engine.program.budget import NO_COST, Budget, MeasureCost
from engine.program.leaves import RStrip, fixed_text, tx
from engine.program.plan import PlanRow, instrument
from engine.text.message import Msg, Num, Once, cat

# the plan cells `_line` keeps per knowledge base before it starts again: a batch of clusters of
# many sizes, currencies and years adds a few new cells each (~10,000 in 3,000 clusters)
LINES_MAX = 8192


@dataclass(slots=True)
class ResourceRow:
    """A row of the resource table: a funding source, its amount per year and in all."""

    source: Any
    years: list[Any]
    total: Any


@dataclass(slots=True)
class BudgetView:
    """The budget as the document shows it: unit, years, rows by source, totals, notes."""

    unit: Any
    amount_head: Any  # the plan's amount column
    years: list[Any]
    rows: list[ResourceRow]
    total: ResourceRow
    passport: list[Any]
    notes: list[Any]


def _amount(v: int) -> Num:
    return Num(v, 0)


def _years(budget: Budget, per: dict[str, Any]) -> list[Any]:
    """The column heads: calendar years, or program years when the assessment gives none."""
    if per["years"]:
        return [str(y) for y in per["years"]]
    return [Msg("budget_year_rel", y=y) for y in range(1, budget.horizon + 1)]


def source_name(sid: str, k: Knowledge, findings: frozenset[str]) -> Any:
    """A funding instrument's name for this cluster (its id when the document names none)."""
    ins = instrument(sid, k)
    return tx(ins.name_for(findings)) if ins is not None else sid


def _name(sid: str, names: dict[str, Any], k: Knowledge, budget: Budget) -> Any:
    """`source_name` for the plan's rows, each source's looked up once (`names`: those found)."""
    hit = names.get(sid)
    if hit is None:
        hit = names[sid] = source_name(sid, k, budget.findings)
    return hit


def budget_view(budget: Budget, k: Knowledge, per: dict[str, Any]) -> BudgetView:
    """The resource table, the passport's funding line and the notes on estimates and currency."""
    unit, amount_head = k.derived_each(_unit_heads, budget.money.code)
    heads = _years(budget, per)
    rows = [
        ResourceRow(
            source_name(s, k, budget.findings),
            [_amount(v) for v in ys.values()],
            _amount(sum(ys.values())),
        )
        for s, ys in budget.source_years().items()
        if sum(ys.values())
    ]
    # sums over the measures: worked out once for the view
    amount, years = budget.total, list(budget.by_year.values())
    total = ResourceRow(_fixed(k, "budget_total"), [_amount(v) for v in years], _amount(amount))
    by_year = cat([cat([h, " — ", _amount(v)]) for h, v in zip(heads, years, strict=True)], "; ")
    by_source = cat([cat([r.source, " — ", r.total]) for r in rows], "; ")
    passport = [Msg("budget_passport_total", total=_amount(amount), unit=unit)]
    if amount:
        passport += [
            Msg("budget_passport_years", items=by_year),
            Msg("budget_passport_sources", items=by_source),
        ]
    return BudgetView(unit, amount_head, heads, rows, total, passport, _notes(budget, k))


def _unit_heads(k: Knowledge, code: str) -> tuple[Once, Once]:
    """The unit of the amounts in a currency and the plan's amount column head: the knowledge's
    alone, one leaf each per currency (put into words once per language)."""
    unit = Once(Msg("budget_unit", cur=tx(k.resources.currencies[code].short)))
    return unit, Once(Msg("plan_amount", unit=unit))


def _notes(budget: Budget, k: Knowledge) -> list[Any]:
    """What the reader must know of the amounts: estimates or not, the currency and its rate
    (each note the knowledge's alone for its size band or currency: one leaf, put into words
    once per language)."""
    m = budget.money
    notes: list[Any] = []
    if budget.estimated:
        notes.append(k.derived_each(_estimate_note, budget.band.id))
    if any(c.basis == "consultant" for c in budget.measures.values()):
        notes.append(_fixed(k, "budget_note_consultant"))
    if m.converted and m.code != m.base:
        notes.append(k.derived_each(_rate_note, m.code))
    elif not m.converted:
        notes.append(k.derived_each(_no_rate_note, m.code))
    return notes


def _estimate_note(k: Knowledge, band: str) -> Once:
    """The note that the amounts are estimates for a cluster of the size band `band`."""
    size = next(b for b in k.resources.size_bands if b.id == band)
    return Once(Msg("budget_note_estimate", band=tx(size.label)))


def _rate_note(k: Knowledge, code: str) -> Once:
    """The note on the rate the amounts in currency `code` were converted at."""
    cur = k.resources.currencies[code]
    source = k.source.get(cur.source or "")
    return Once(
        Msg(
            "budget_note_rate",
            cur=tx(cur.name),
            rate=Num(cur.per_base),
            base=k.resources.base_currency,
            date=_date(cur.date),
            source=RStrip(tx(source.citation), ". ") if source else "",
        )
    )


def _no_rate_note(k: Knowledge, code: str) -> Once:
    """The note that the amounts are in the base currency `code`, no rate being known."""
    return Once(Msg("budget_note_no_rate", base=tx(k.resources.currencies[code].name)))


def _date(iso: str | None) -> Any:
    """A YYYY-MM-DD date as the language writes it (24.04.2024; 2024-04-24)."""
    if not iso or len(iso.split("-")) != 3:
        return iso or ""
    y, m, d = iso.split("-")
    return Msg("budget_rate_date", y=y, m=m, d=d)


def _mark(c: MeasureCost, k: Knowledge) -> Once:
    """How the row's amount was set: the consultant's figure, an estimate, or no extra cost."""
    if c.basis == "consultant":
        return _fixed(k, "cost_mark_consultant")
    if c.total == 0:
        return _fixed(k, "cost_within")
    return _fixed(k, "cost_mark_estimate")


def _fixed(k: Knowledge, key: str) -> Once:
    """The strings text `key` as one leaf per knowledge base (each plan row shows a few)."""
    return k.derived_each(fixed_text, key)


def cost_to_plan(plan: list[PlanRow], budget: Budget, k: Knowledge, per: dict[str, Any]) -> None:
    """Each plan row gets its amounts by year, its funding with the amount of each source (the
    names alone stay in `funding`, which the passport lists) and its deliverable as the expected
    result."""
    heads = _years(budget, per)
    total = _fixed(k, "budget_total")
    names: dict[str, Any] = {}  # each source's name, looked up once for the plan
    for row in plan:
        c = budget.measures.get(row.id)
        row.result = [tx(k.resources.measures[row.id].result)]
        row.sources = list(row.funding)
        if c is None:
            continue
        if c.total:
            row.amount = [
                _line(total, ": ", c.total, k),
                *[_line(heads[y - 1], ": ", v, k) for y, v in c.by_year.items() if v],
                _mark(c, k),
            ]
            if c.estimate and k.resources.measures[row.id].recurs:
                row.amount.append(_fixed(k, "cost_mark_recurs"))
            row.sources = [
                _line(_name(s, names, k, budget), " — ", v, k) for s, v in c.by_source.items() if v
            ]
        else:
            row.amount = [_mark(c, k)]
            if c.basis != "consultant":
                row.sources = [source_name(NO_COST, k, budget.findings)]


def _line(label: Any, sep: str, v: int, k: Knowledge) -> Any:
    """`label`, `sep` and the amount `v` as one plan cell ("2027: 1 200"). Where the label is a
    string or the knowledge's own leaf, the cell is one leaf per knowledge base, put into words
    once per language: a plan shows ~70 such cells, and a batch's clusters repeat most of them
    (the same measure, size band and currency cost the same)."""
    if not isinstance(label, (str, Once, Text)):
        return cat([label, sep, _amount(v)])  # a leaf of this cluster's (a relative year)
    made = k.derived(_lines)
    plain = type(label) is str
    key = (label if plain else id(label), sep, v)
    hit = made.get(key)
    # a leaf or text is kept with its cell: its id stays its own while the memo holds it
    if hit is None or (not plain and hit[0] is not label):
        if len(made) >= LINES_MAX:
            made.clear()
        hit = made[key] = (label, Once(cat([label, sep, _amount(v)])))
    return hit[1]


def _lines(k: Knowledge) -> dict[tuple[Any, str, int], tuple[Any, Once]]:
    """The plan cells made so far, by label, separator and amount: a memo per knowledge base."""
    return {}
