"""The batch summary: one row per cluster as CSV (fields neutralised against formula injection),
XLSX (string cells only), Markdown and HTML with links to the programs and a comparison chart."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from typing import Any

from engine import __version__
from engine.deliverables.portfolio import STATUSES
from engine.files.office import csv_safe, text_cells
from engine.files.stable_zip import stable_zip
from engine.program.charts import ChartNum, summary_chart, wrap_label
from engine.program.leaves import LangCode
from engine.render.jinja import environment
from engine.text.message import Locale, Msg, Num, cat, localize
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
    # the portfolio (issue 24 item 3), after the columns earlier releases wrote
    "region",
    "index_coverage",
    "index_of",
    "completeness",
    "known",
    "known_of",
    "measures_new",
    "measures_continue",
    "measures_conditional",
    "measures_postponed",
    "distinguishing",
    "budget",
    "currency",
    "budget_base",
    "base_currency",
    "index_change",
    "measures_change",
    "change_since_year",
)
PORTFOLIO = CSV_COLUMNS.index("region")
SUMMARY_FILES = ("summary.csv", "summary.xlsx", "summary.md", "summary.html")


def summaries(
    rows: list[dict[str, Any]],
    lang: str,
    share: float | None = None,
    workbook: Callable[[], bytes] | None = None,
    made: Callable[[str, str | bytes], None] = lambda name, data: None,
) -> dict[str, str | bytes]:
    """The batch summary in every form, by file name: CSV, XLSX, Markdown and HTML; `share`:
    the knowledge base's distinguishing share, which the pages explain; `workbook`: the XLSX when
    it is built elsewhere (asked for last, once the others are built); `made` is told each file
    as soon as it is built (the batch writes it meanwhile)."""
    files: dict[str, str | bytes] = dict.fromkeys(SUMMARY_FILES, b"")

    def done(name: str, data: str | bytes) -> None:
        files[name] = data
        made(name, data)

    done("summary.csv", summary_csv(rows))
    view = summary_view(rows, lang, share)  # the same words for both pages
    done("summary.md", summary_page(view, lang, "md"))
    done("summary.html", summary_page(view, lang, "html"))
    done("summary.xlsx", workbook() if workbook else summary_xlsx(rows, lang))
    return files


def _flat(r: dict[str, Any]) -> dict[str, Any]:
    """The portfolio's nested figures as the flat columns of the CSV and the workbook."""
    move = r.get("movement") or {}
    by_status = r.get("by_status") or {}
    return {
        **r,
        **{f"measures_{s}": by_status.get(s) for s in STATUSES},
        "distinguishing": " | ".join(r.get("distinguishing_ids") or []),
        "index_change": move.get("index"),
        "measures_change": move.get("measures"),
        "change_since_year": move.get("from_year"),
    }


def summary_csv(rows: list[dict[str, Any]]) -> str:
    """Machine-readable: stable English column ids, one row per input (failed ones included)."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(CSV_COLUMNS)
    for r in map(_flat, rows):
        fields = ["" if r.get(c) is None else r[c] for c in CSV_COLUMNS[:11]]
        fields += [" | ".join(r["top_ids"]), r["output"], r["error"]]
        fields += ["" if r.get(c) is None else r[c] for c in CSV_COLUMNS[14:]]
        w.writerow([csv_safe(f) for f in fields])
    return buf.getvalue()


def _xlsx_columns(t: dict[str, str], base: str) -> list[tuple[str, str, int]]:
    """(header, row key, width) of each column of the workbook's summary sheet."""
    return [
        (t["b_source"], "source", 18),
        (t["cluster"], "cluster", 26),
        (t["b_region"], "region", 16),
        (t["b_year"], "year", 7),
        (t["b_level"], "level", 8),
        (t["b_index"], "index", 7),
        (t["b_coverage"], "coverage_text", 8),
        (t["b_index_band"], "index_band", 14),
        (t["b_peer_rank"], "rank_text", 10),
        (t["b_completeness"], "completeness", 9),
        (t["b_known"], "known_text", 8),
        (t["b_model"], "model", 16),
        (t["b_ratio"], "ratio", 6),
        (t["b_ratio_band"], "ratio_band", 14),
        (t["b_measures"], "recommendations", 7),
        (t["b_st_new"], "measures_new", 6),
        (t["b_st_continue"], "measures_continue", 6),
        (t["b_st_conditional"], "measures_conditional", 6),
        (t["b_st_postponed"], "measures_postponed", 6),
        (t["b_distinct"], "distinguishing_text", 40),
        (t["b_budget"].format(cur=base), "budget_base", 9),
        (t["b_budget_own"], "budget", 10),
        (t["b_currency"], "currency", 6),
        (t["b_move_index_col"], "index_change", 8),
        (t["b_move_measures_col"], "measures_change", 8),
        (t["b_move_from_col"], "change_since_year", 7),
        (t["b_output"], "output", 16),
    ]


def _rank_text(r: dict[str, Any]) -> str:
    if r.get("peer_position") is None:
        return "—"
    return f"{r['peer_position']} / {r['peer_n']} ({r['peer_percentile']})"


def _xlsx_row(r: dict[str, Any], keys: list[str]) -> list[Any]:
    if r["status"] != "ok":
        return [r["source"]] + [None] * (len(keys) - 1)
    f = _flat(r)
    f["coverage_text"] = f"{r['index_coverage']}/{r['index_of']}"
    f["known_text"] = f"{r['known']}/{r['known_of']}"
    f["rank_text"] = _rank_text(r)
    f["distinguishing_text"] = "; ".join(r["distinguishing"])
    return [f.get(key) for key in keys]


def summary_xlsx(rows: list[dict[str, Any]], lang: str) -> bytes:
    """The batch summary as a workbook with fixed metadata and zip times (same rows, same bytes):
    a filter on every column, the header row frozen and printed on every page, landscape A4
    fitted to the page width; failed inputs on a sheet of their own."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    t = strings()[lang]
    wb = Workbook()
    ws = wb.active
    ws.title = t["b_title"][:31]
    base = next((r["base_currency"] for r in rows if r.get("base_currency")), "")
    columns = _xlsx_columns(t, base)
    keys = [key for _, key, _ in columns]
    ws.append([header for header, _, _ in columns])
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for n, r in enumerate(rows, start=2):
        ws.append(_xlsx_row(r, keys))
        # names and messages are data, never formulas; the row's cells as ws[n] gives them, without
        # its scan of every cell for the last row and column (a batch of 1000 is 27 000 cells)
        text_cells(next(ws.iter_rows(min_row=n, max_row=n, max_col=len(keys))))
    if any(r["status"] != "ok" for r in rows):
        errors = wb.create_sheet(t["b_failed"][:31])
        errors.append([t["b_source"], "error"])
        for r in rows:
            if r["status"] != "ok":
                errors.append([r["source"], r["error"]])
                text_cells(errors[errors.max_row])
    for i, (_, _, width) in enumerate(columns, start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
    top = Alignment(vertical="top", wrap_text=True)  # one object: found in the styles by identity
    for row in ws.iter_rows():
        for cell in row:
            cell.alignment = top
    _print_setup(ws, len(keys), len(rows) + 1)
    import datetime as dt

    wb.properties.created = wb.properties.modified = dt.datetime(2000, 1, 1)
    wb.properties.creator = wb.properties.lastModifiedBy = "cluster-intl"
    buf = io.BytesIO()
    wb.save(buf)
    return stable_zip(buf.getvalue())


def _print_setup(ws: Any, ncols: int, nrows: int) -> None:
    """A filter on the table, the header row and the cluster column frozen, and the sheet printed
    on landscape A4, fitted to one page wide, the header row on every page."""
    from openpyxl.utils import get_column_letter

    last = get_column_letter(ncols)
    ws.auto_filter.ref = f"A1:{last}{max(nrows, 2)}"
    ws.freeze_panes = "C2"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0  # as many pages down as the rows need
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = "1:1"
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.page_margins.top = ws.page_margins.bottom = 0.5


def summary_record(
    rows: list[dict[str, Any]],
    share: float | None = None,
    row: Callable[[dict[str, Any]], dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """The summary before words: the rows (already in words: they come from the programs), their
    numbers, and the comparison chart; `share`: the knowledge base's distinguishing share; `row`:
    each row's view (`row_view`)."""
    ok = [r for r in rows if r["status"] == "ok"]
    base = next((r["base_currency"] for r in ok if r.get("base_currency")), "")
    return {
        "lang": LangCode(),
        "generator": f"cluster-intl {__version__}",
        "rows": [(row or row_view)(r) for r in ok],
        "failed": [r for r in rows if r["status"] != "ok"],
        "total": len(rows),
        "ok": len(ok),
        "chart": summary_chart([labelled(r) for r in ok], Msg("b_chart"), Msg("b_index"))
        if ok
        else None,
        **portfolio_notes(len(ok), share, base),
    }


def portfolio_notes(n: int, share: float | None, base: str) -> dict[str, Any]:
    """The budget column's heading and the notes under the portfolio of `n` clusters: how the
    distinguishing measures were chosen (`share`: the knowledge base's), and the budget's
    currency (`base`)."""
    distinct: Any = ""
    if n == 1:
        distinct = Msg("b_distinct_alone")
    elif share is not None:
        distinct = Msg("b_distinct_note", share=Num(round(share * 100)))
    return {
        "budget_head": Msg("b_budget", cur=base),
        "budget_note": Msg("b_budget_note", cur=base) if base else "",
        "distinct_note": distinct,
    }


def row_view(r: dict[str, Any]) -> dict[str, Any]:
    """One cluster's row of the portfolio before words: its figures as texts and leaves."""
    return {**r, **row_texts(r)}


def row_texts(r: dict[str, Any]) -> dict[str, Any]:
    """What the portfolio adds to a cluster's row (in words already): its figures as texts and
    leaves."""
    own = r.get("currency") and r["currency"] != r.get("base_currency")
    return {
        "index_text": _number(r["index"]),
        "ratio_text": _number(r["ratio"]),
        "rank_text": _rank_text(r),
        "coverage_text": Msg("b_coverage_of", n=r["index_coverage"], of=r["index_of"]),
        "completeness_text": _number(r["completeness"]),
        "known_text": Msg("b_known_of", n=r["known"], of=r["known_of"]),
        "statuses": [
            Msg("b_st_item", label=Msg(f"b_st_{s}"), n=n) for s, n in r["by_status"].items() if n
        ],
        "budget_text": Num(r["budget_base"]),
        "budget_own": Msg("b_budget_own_text", amount=Num(r["budget"]), cur=r["currency"])
        if own
        else "",
        "movement_text": _movement(r.get("movement")),
        "index_change": (r.get("movement") or {}).get("index"),
    }


def _movement(move: dict[str, Any] | None) -> Any:
    """ "since 2013: index −3.33 pp, measures +2" (the index part "no data" when either year
    has none)."""
    if not move:
        return ""
    index = (
        Msg("b_move_index", delta=_signed(move["index"]))
        if move["index"] is not None
        else Msg("b_move_index_none")
    )
    parts = [
        Msg("b_move_since", year=move["from_year"]),
        index,
        Msg("b_move_measures", delta=_signed(move["measures"])),
    ]
    return cat(parts, "; ")


def _signed(v: float | int) -> Any:
    """A change with its sign: "+2", "−3,33", "0"."""
    return cat(["+", Num(v)]) if v > 0 else Num(v)


def summary_text(
    rows: list[dict[str, Any]], lang: str, fmt: str, share: float | None = None
) -> str:
    """summary.md or summary.html (with the comparison chart as inline SVG)."""
    return summary_page(summary_view(rows, lang, share), lang, fmt)


def summary_view(rows: list[dict[str, Any]], lang: str, share: float | None = None) -> Any:
    """`summary_record` in words. The rows are in words already (they come from the programs, and
    words of words are the same): only what the summary adds to them is walked, not each row's
    measures and figures again (most of the walk, ~130 nodes a row)."""
    record = summary_record(rows, share, row=row_texts)
    texts, failed = record.pop("rows"), record.pop("failed")
    loc = Locale(lang, typography=False)
    view = localize(record, loc)
    ok = [r for r in rows if r["status"] == "ok"]
    view["rows"] = [{**r, **t} for r, t in zip(ok, localize(texts, loc), strict=True)]
    view["failed"] = failed
    return view


def summary_page(view: Any, lang: str, fmt: str) -> str:
    """summary.md or summary.html from the summary in words (`summary_view`)."""
    text = environment().get_template(f"summary.{fmt}.j2").render(s=view, t=strings()[lang])
    return re.sub(r"\n{3,}", "\n\n", text).strip() + "\n"


def labelled(r: dict[str, Any]) -> dict[str, Any]:
    """A row whose chart label tells two assessments of one cluster apart by their year, kept
    visible: a long name is cut (with an ellipsis) before the year, never the year itself."""
    name = r["cluster"] or r["source"]
    if r.get("year") is None:
        return {**r, "cluster": name}
    tail, label = f" ({r['year']})", f"{name} ({r['year']})"
    while wrap_label(label)[-1].endswith("…") and len(name) > 1:
        name = name[:-1].rstrip()
        label = f"{name}…{tail}"
    return {**r, "cluster": label}


def _number(v: Any) -> Any:
    return "—" if v is None else ChartNum(v)
