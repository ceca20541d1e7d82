"""The batch summary: one row per cluster as CSV (fields neutralised against formula injection),
XLSX (string cells only), Markdown and HTML with links to the programs and a comparison chart."""

from __future__ import annotations

import csv
import io
import re
from typing import Any

from engine import __version__
from engine.files.office import csv_safe, text_cells
from engine.files.stable_zip import stable_zip
from engine.program.charts import ChartNum, summary_chart
from engine.program.leaves import LangCode
from engine.render.jinja import environment
from engine.text.message import Locale, Msg, localize
from engine.text.strings import strings

CSV_COLUMNS = (
    "source",
    "cluster",
    "status",
    "level",
    "level_band",
    "index",
    "index_band",
    "model",
    "ratio",
    "ratio_band",
    "recommendations",
    "top_recommendations",
    "output",
    "error",
    "peer_position",
    "peer_n",
    "peer_percentile",
    "year",
)


def summaries(rows: list[dict[str, Any]], lang: str) -> dict[str, str | bytes]:
    """The batch summary in every form, by file name: CSV, XLSX, Markdown and HTML."""
    return {
        "summary.csv": summary_csv(rows),
        "summary.xlsx": summary_xlsx(rows, lang),
        "summary.md": summary_text(rows, lang, "md"),
        "summary.html": summary_text(rows, lang, "html"),
    }


def summary_csv(rows: list[dict[str, Any]]) -> str:
    """Machine-readable: stable English column ids, one row per input (failed ones included)."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(CSV_COLUMNS)
    for r in rows:
        fields = ["" if r.get(c) is None else r[c] for c in CSV_COLUMNS[:11]]
        fields += [" | ".join(r["top_ids"]), r["output"], r["error"]]
        fields += ["" if r.get(c) is None else r[c] for c in CSV_COLUMNS[14:]]
        w.writerow([csv_safe(f) for f in fields])
    return buf.getvalue()


def _headers(t: dict[str, str]) -> list[str]:
    return [
        t["b_source"],
        t["cluster"],
        t["b_year"],
        t["b_level"],
        t["b_index"],
        t["b_index_band"],
        t["b_peer_rank"],
        t["b_model"],
        t["b_ratio"],
        t["b_ratio_band"],
        t["b_recs"],
        t["b_top"],
        t["b_output"],
    ]


def _cells(r: dict[str, Any]) -> list[Any]:
    return [
        r["source"],
        r["cluster"],
        r["year"],
        r["level"],
        r["index"],
        r["index_band"],
        _rank_text(r),
        r["model"],
        r["ratio"],
        r["ratio_band"],
        r["recommendations"],
        "; ".join(r["top"]),
        r["output"],
    ]


def _rank_text(r: dict[str, Any]) -> str:
    if r.get("peer_position") is None:
        return "—"
    return f"{r['peer_position']} / {r['peer_n']} ({r['peer_percentile']})"


def summary_xlsx(rows: list[dict[str, Any]], lang: str) -> bytes:
    """The batch summary as a workbook with fixed metadata and zip times (same rows, same bytes);
    failed inputs on a sheet of their own."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    t = strings()[lang]
    wb = Workbook()
    ws = wb.active
    ws.title = t["b_title"][:31]
    headers = _headers(t)
    ws.append(headers)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for n, r in enumerate(rows, start=2):
        ws.append(_cells(r) if r["status"] == "ok" else [r["source"]] + [None] * 11)
        # names and messages are data, never formulas; the row's cells as ws[n] gives them, without
        # its scan of every cell for the last row and column (a batch of 1000 is 13 000 cells)
        text_cells(next(ws.iter_rows(min_row=n, max_row=n, max_col=len(headers))))
    if any(r["status"] != "ok" for r in rows):
        errors = wb.create_sheet(t["b_failed"][:31])
        errors.append([t["b_source"], "error"])
        for r in rows:
            if r["status"] != "ok":
                errors.append([r["source"], r["error"]])
                text_cells(errors[errors.max_row])
    widths = (28, 40, 8, 10, 10, 14, 24, 8, 24, 10, 70, 28)
    for col, width in zip("ABCDEFGHIJKL", widths, strict=False):
        ws.column_dimensions[col].width = width
    top = Alignment(vertical="top", wrap_text=True)  # one object: found in the styles by identity
    for row in ws.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = top
    ws.freeze_panes = "B2"
    import datetime as dt

    wb.properties.created = wb.properties.modified = dt.datetime(2000, 1, 1)
    wb.properties.creator = wb.properties.lastModifiedBy = "cluster-intl"
    buf = io.BytesIO()
    wb.save(buf)
    return stable_zip(buf.getvalue())


def summary_record(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """The summary before words: the rows (already in words: they come from the programs), their
    numbers, and the comparison chart."""
    ok = [r for r in rows if r["status"] == "ok"]
    return {
        "lang": LangCode(),
        "generator": f"cluster-intl {__version__}",
        "rows": [
            {
                **r,
                "index_text": _number(r["index"]),
                "ratio_text": _number(r["ratio"]),
                "rank_text": _rank_text(r),
            }
            for r in ok
        ],
        "failed": [r for r in rows if r["status"] != "ok"],
        "total": len(rows),
        "ok": len(ok),
        "chart": summary_chart([_labelled(r) for r in ok], Msg("b_chart"), Msg("b_index"))
        if ok
        else None,
    }


def summary_text(rows: list[dict[str, Any]], lang: str, fmt: str) -> str:
    """summary.md or summary.html (with the comparison chart as inline SVG)."""
    view = localize(summary_record(rows), Locale(lang, typography=False))
    text = environment().get_template(f"summary.{fmt}.j2").render(s=view, t=strings()[lang])
    return re.sub(r"\n{3,}", "\n\n", text).strip() + "\n"


def _labelled(r: dict[str, Any]) -> dict[str, Any]:
    """A row whose chart label tells two assessments of one cluster apart (by their year)."""
    name = r["cluster"] or r["source"]
    return {**r, "cluster": f"{name} ({r['year']})" if r.get("year") is not None else name}


def _number(v: Any) -> Any:
    return "—" if v is None else ChartNum(v)
