"""What the workspace's pages need beyond `engine.api`: the indicators as form controls, an
assessment written back as YAML (a saved variant), and the portfolio of the workspace's clusters."""

from __future__ import annotations

from typing import Any

from engine.assessment.validate import Assessment
from engine.assessment.variant import dated
from engine.deliverables.portfolio import dashboard, summary_row
from engine.deliverables.summary import labelled, portfolio_notes, row_view
from engine.inference.trace import Result
from engine.knowledge.models import Knowledge
from engine.program.charts import summary_chart
from engine.program.model import build_program
from engine.text.message import Locale, Msg, localize


def indicators(k: Knowledge, lang: str) -> list[dict[str, Any]]:
    """Every indicator as plain data for a form: type, bounds of its scale, choices, unit, labels."""
    out = []
    levels = {}
    if k.scoring.self_assessment.indicator:
        levels = {
            n: lv.label.get(lang) for n, lv in sorted(k.scoring.self_assessment.levels.items())
        }
    for ind in k.indicators.indicators:
        lo, hi, anchors = ind.min, ind.max, {}
        if ind.scale and ind.scale in k.indicators.scales:
            scale = k.indicators.scales[ind.scale]
            lo, hi = scale.min, scale.max
            anchors = {n: a.get(lang) for n, a in sorted(scale.anchors.items())}
        if ind.id == k.scoring.self_assessment.indicator:
            anchors = {**anchors, **levels}
        out.append(
            {
                "id": ind.id,
                "group": ind.group,
                "group_label": k.group[ind.group].label.get(lang) if ind.group in k.group else "",
                "type": ind.type,
                "label": ind.label.get(lang),
                "question": ind.question.get(lang) if ind.question else "",
                "unit": ind.unit.get(lang) if ind.unit else "",
                "min": lo,
                "max": hi,
                "anchors": anchors,
                "choices": [
                    {
                        "value": v,
                        "label": ind.value_labels[v].get(lang) if v in ind.value_labels else v,
                    }
                    for v in ind.values or []
                ],
                "required": ind.required,
            }
        )
    return out


def dated_variant(a: Assessment) -> Assessment:
    """A variant's assessment with today's date (UTC), as it is saved."""
    import datetime

    return dated(a, datetime.datetime.now(datetime.UTC).date().isoformat())


def assessment_yaml(assessment: Assessment, k: Knowledge) -> str:
    """An assessment as a YAML file that reads back to the same values, provenance and variant
    record (indicators in order; a value with a basis or source as `{value, basis, source}`)."""
    lines = []
    if assessment.variant is not None:
        v = assessment.variant
        lines += [
            "variant:",
            f"  derived_from: {_scalar(v['derived_from'])}",
            f"  date: {_scalar(v.get('date'))}",
            "  changes:",
        ]
        lines += [
            f"    - {{indicator: {c['indicator']}, from: {_scalar(c['from'])}, to: {_scalar(c['to'])}}}"
            for c in v["changes"]
        ] or ["    []"]
    for ind in k.indicators.indicators:
        value = _scalar(assessment.values.get(ind.id))
        declared = assessment.provenance.get(ind.id) or {}
        parts = [
            f"{key}: {_scalar(declared[key])}" for key in ("basis", "source") if declared.get(key)
        ]
        if parts:
            value = "{value: " + value + ", " + ", ".join(parts) + "}"
        lines.append(f"{ind.id}: {value}")
    return "\n".join(lines) + "\n"


def _scalar(value: Any) -> str:
    """One value as YAML in flow style on one line, quoted where YAML needs it; floats written so
    they read back equal (repr), never as text."""
    import yaml

    if value is None:
        return "null"
    if isinstance(value, (tuple, frozenset, set)) or type(value).__name__ == "frozenlist":
        value = list(value)
    if isinstance(value, float) and not isinstance(value, bool):
        return repr(value) if "e" not in repr(value) else _exp(value)
    text = yaml.safe_dump(value, allow_unicode=True, default_flow_style=True, width=10**6)
    return text.removesuffix("\n").removesuffix("\n...").rstrip("\n")


def _exp(x: float) -> str:
    """A float in exponent notation as YAML 1.1 reads it as a number (mantissa with a dot)."""
    mantissa, exponent = repr(x).split("e")
    if "." not in mantissa:
        mantissa += ".0"
    return f"{mantissa}e{int(exponent):+d}"


def portfolio(
    named: list[tuple[str, Result]], k: Knowledge, lang: str, shown: dict[str, str] | None = None
) -> dict[str, Any]:
    """The batch summary of results already computed: its rows (the batch's portfolio columns)
    and its index chart, the weakest cluster's bar marked; `shown` names a source's cluster in
    the page's language (the English name where the assessment gives one)."""

    plain = Locale(lang, typography=False)
    rows = [
        summary_row(source, "", r, localize(build_program(r, k), plain), k)
        for i, (source, r) in enumerate(named)
    ]
    rows = dashboard(rows, k)  # year on year by the names as given, before the shown ones
    for row in rows:
        row["cluster"] = (shown or {}).get(row["source"]) or row["cluster"]
    texts = [localize(row_view(row), plain) for row in rows]
    base = k.resources.base_currency
    chart = (
        localize(
            summary_chart(
                [labelled(r) for r in rows], Msg("b_chart"), Msg("b_index"), weakest(rows)
            ),
            plain,
        )
        if rows
        else None
    )
    notes = portfolio_notes(len(rows), k.program.portfolio.distinguishing_share, base)
    return {"rows": texts, "chart": chart, **localize(notes, plain)}


# the portfolio's columns a page may sort by (`?sort=KEY&dir=asc|desc`)
SORTABLE = (
    "cluster",
    "year",
    "level",
    "index",
    "coverage",
    "completeness",
    "ratio",
    "recommendations",
    "budget_base",
    "index_change",
)


def sorted_portfolio(
    rows: list[dict[str, Any]], key: str, descending: bool
) -> list[dict[str, Any]]:
    """The portfolio's rows by one column (as listed when `key` is not one of SORTABLE); rows
    without a value for it come last in either direction: missing data is not a low score."""
    if key not in SORTABLE:
        return rows
    known = [r for r in rows if r.get(key) is not None]
    missing = [r for r in rows if r.get(key) is None]

    def value(r: dict[str, Any]) -> Any:
        v = r[key]
        return str(v).casefold() if isinstance(v, str) else v

    return sorted(known, key=value, reverse=descending) + missing


def weakest(rows: list[dict[str, Any]]) -> str | None:
    """The source of the one row with the lowest index, when two or more have one (a tie names
    none: no cluster is the weakest)."""
    scored = sorted((r["index"], r["source"]) for r in rows if r.get("index") is not None)
    if len(scored) < 2 or scored[0][0] == scored[1][0]:
        return None
    return str(scored[0][1])
