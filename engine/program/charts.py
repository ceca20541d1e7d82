"""Charts of the program (pipeline step 7b): plain chart data, SVG geometry for HTML, PNG for Word.

A chart is a plain dict built from the view model: grouped horizontal bars, one group per item
(an indicator), one bar per series (the cluster, the survey mean, the region). `bar_chart` also lays
the chart out as SVG primitives (rectangles, lines, text with positions) that
`templates/chart.html.j2` prints; the template's autoescaping escapes every label, so user text
never becomes markup. `png` draws the same data with matplotlib (imported lazily, Agg canvas, fixed
fonts and no metadata) for the Word document; the same chart gives the same bytes.
"""

from __future__ import annotations

import dataclasses
import io
import math
import textwrap
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from engine.text.message import Loc, Locale, Msg, Rendered
from engine.text.typography import typeset_view

Chart = dict[str, Any]

# Presentation only: colours of the series (the knowledge base says nothing about them).
COLORS = {"cluster": "#2b7bb9", "benchmark": "#9aa7b4", "region": "#d9822b", "old": "#9aa7b4"}
MARKED = "#a4461b"  # the bar of a marked item (the portfolio's weakest cluster): the pages' --warn

# SVG geometry (user units; the SVG scales to the page width)
WIDTH = 760
LABEL_RIGHT = 262  # labels end here (text-anchor: end)
PLOT_X = 270  # bars start here
PLOT_W = 430  # bar length of the axis maximum; the rest is room for value labels
BAR_H = 11
BAR_GAP = 2
LINE_H = 13
ROW_PAD = 9
LABEL_CHARS = 34  # characters per label line (≈ 6.6 units per character at 10.5 px)
LABEL_LINES = 3
TOP = 34  # below the legend
FONT = "DejaVu Sans"  # ships with matplotlib; has Cyrillic


@dataclass(frozen=True, slots=True)
class ChartNum(Loc):
    """A number on a chart: two decimals at most, the language's decimal separator, and the
    "no data" word for none."""

    value: float | int | None

    def words(self, loc: Locale) -> str:
        """A value on a chart: the no-data mark for none, at most two decimals with the
        language's separator."""
        v = self.value
        if v is None:
            return loc.text("no_data_value")
        text = f"{v:.2f}".rstrip("0").rstrip(".") if isinstance(v, float) else str(v)
        return text.replace(".", loc.text("decimal_separator"))


def nice_max(values: list[float]) -> tuple[float, float]:
    """An axis maximum and tick step that cover the largest value with round numbers."""
    top = max([v for v in values if v is not None] + [0.0])
    if top <= 0:
        return 10.0, 2.0
    raw = top / 5
    mag = 10 ** math.floor(math.log10(raw))
    step = next(m * mag for m in (1, 2, 2.5, 5, 10) if m * mag >= raw)
    return math.ceil(top / step - 1e-9) * step, step


def wrap_label(text: str, width: int = LABEL_CHARS, lines: int = LABEL_LINES) -> list[str]:
    """A bar's label in at most `lines` lines of `width` characters, the last cut with an
    ellipsis."""
    return list(_wrapped(str(text), width, lines))


@lru_cache(maxsize=4096)
def _wrapped(text: str, width: int, lines: int) -> tuple[str, ...]:
    # a pure memo: the same indicator and group labels are wrapped in every cluster's charts
    out = textwrap.wrap(" ".join(text.split()), width=width, break_long_words=True) or [""]
    if len(out) > lines:
        out = out[:lines]
        out[-1] = out[-1][: width - 1].rstrip() + "…"
    return tuple(out)


def _r(x: float) -> float:
    return round(x, 1)


@dataclass(frozen=True, slots=True)
class BarChart(Rendered):
    """Grouped horizontal bars before words: `series` is [(key, label)], `items` is
    [(label, values)]; the labels are texts of any language. In words it becomes the chart dict
    with its SVG layout, which depends on the length of the labels."""

    id: str
    title: Any
    series: tuple[tuple[str, Any], ...]
    items: tuple[tuple[Any, tuple[float | int | None, ...]], ...]
    max: float
    step: float
    unit: str = ""
    caption: bool = True
    # a missing value drawn as a labelled empty bar (the summary's clusters without an index),
    # not only as the "no data" mark
    empty_bars: bool = False
    marked: tuple[int, ...] = ()  # items whose bars are drawn in the MARKED colour

    def localized(self, loc: Locale) -> Chart:
        """The chart in the reader's language with its SVG laid out from the labels in words (their
        length sets the space they take), then typeset for Russian."""
        plain = Locale(loc.lang, loc.templates, loc.aliases, typography=False)
        chart: Chart = {
            "id": self.id,
            "title": plain.param(self.title),
            "unit": self.unit,
            "lang": loc.lang,
            "max": self.max,
            "step": self.step,
            "caption": self.caption,
            "empty_bars": self.empty_bars,
            "series": [
                {"key": k, "label": plain.param(label), "color": COLORS.get(k, COLORS["cluster"])}
                for k, label in self.series
            ],
            "items": [
                {"label": plain.param(label), "values": list(vals), "marked": i in self.marked}
                for i, (label, vals) in enumerate(self.items)
            ],
            "empty": not any(v is not None for _, vals in self.items for v in vals),
            "no_data": plain.text("no_data_value"),
        }
        chart["svg"] = _layout(chart, plain)
        return typeset_view(chart) if loc.typesets else chart


def bar_chart(
    chart_id: str,
    title: Any,
    series: list[tuple[str, Any]],
    items: list[tuple[Any, list[float | int | None]]],
    vmax: float | None = None,
    step: float | None = None,
    unit: str = "",
    caption: bool = True,
) -> BarChart:
    """A bar chart; the axis covers the values with round numbers unless `vmax` and `step` say."""
    if vmax is None or step is None:
        vmax, step = nice_max([v for _, vals in items for v in vals if v is not None])
    return BarChart(
        chart_id,
        title,
        tuple(series),
        tuple((label, tuple(vals)) for label, vals in items),
        vmax,
        step,
        unit,
        caption,
    )


def _legend(chart: Chart) -> list[dict[str, Any]]:
    legend, x = [], PLOT_X
    for s in chart["series"]:
        legend.append(
            {
                "x": x,
                "y": 10,
                "w": 12,
                "h": 10,
                "color": s["color"],
                "tx": x + 17,
                "ty": 19,
                "text": s["label"],
            }
        )
        x += 17 + int(len(s["label"]) * 6.4) + 22
    return legend


def _bars(
    chart: Chart, item: dict[str, Any], by: float, loc: Locale
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The bars of one item's series from height `by` down, and their value labels."""
    vmax = float(chart["max"])
    bars, values = [], []
    for s, v in zip(chart["series"], item["values"], strict=False):
        text = loc.param(ChartNum(v))
        if v is None and chart.get("empty_bars"):
            # a labelled empty bar: the reader sees the cluster has no value, not a zero or a gap
            bars.append(
                {
                    "x": PLOT_X,
                    "y": _r(by),
                    "w": _r(len(text) * 6.0 + 8),
                    "h": BAR_H,
                    "color": s["color"],
                    "title": f"{item['label']} — {s['label']}: {text}",
                    "missing": True,
                }
            )
            values.append({"x": PLOT_X + 4, "y": _r(by + BAR_H - 2), "text": text, "missing": True})
        elif v is None:
            values.append({"x": PLOT_X + 3, "y": _r(by + BAR_H - 2), "text": text, "missing": True})
        else:
            w = max(0.0, min(float(v), vmax)) / vmax * PLOT_W
            bars.append(
                {
                    "x": PLOT_X,
                    "y": _r(by),
                    "w": _r(w),
                    "h": BAR_H,
                    "color": MARKED if item.get("marked") else s["color"],
                    "title": f"{item['label']} — {s['label']}: {text}",
                    "missing": False,
                }
            )
            values.append(
                {"x": _r(PLOT_X + w + 4), "y": _r(by + BAR_H - 2), "text": text, "missing": False}
            )
        by += BAR_H + BAR_GAP
    return bars, values


def _grid(chart: Chart, bottom: float, loc: Locale) -> list[dict[str, Any]]:
    vmax, step = float(chart["max"]), float(chart["step"])
    grid = []
    for i in range(round(vmax / step) + 1):
        gx = PLOT_X + i * step / vmax * PLOT_W
        grid.append(
            {
                "x": _r(gx),
                "y1": TOP - 4,
                "y2": _r(bottom),
                "ty": _r(bottom + 13),
                "text": loc.param(ChartNum(_tick(i * step))),
            }
        )
    return grid


def _layout(chart: Chart, loc: Locale) -> dict[str, Any]:
    n = len(chart["series"])
    group_h = n * BAR_H + (n - 1) * BAR_GAP
    labels, bars, values = [], [], []
    y = float(TOP)
    for item in chart["items"]:
        lines = wrap_label(item["label"])
        row_h = max(group_h, len(lines) * LINE_H) + ROW_PAD
        first = y + row_h / 2 - (len(lines) - 1) * LINE_H / 2 + 4
        labels.append(
            {
                "x": LABEL_RIGHT,
                "lines": [{"y": _r(first + i * LINE_H), "text": t} for i, t in enumerate(lines)],
                "title": item["label"],
            }
        )
        item_bars, item_values = _bars(chart, item, y + (row_h - group_h) / 2, loc)
        bars += item_bars
        values += item_values
        y += row_h
    bottom = y + 2
    return {
        "width": WIDTH,
        "height": math.ceil(bottom + 22),
        "legend": _legend(chart),
        "labels": labels,
        "bars": bars,
        "numbers": values,
        "grid": _grid(chart, bottom, loc),
        "axis": {"x": PLOT_X, "y1": TOP - 4, "y2": _r(bottom)},
    }


def _tick(v: float) -> float | int:
    return int(v) if float(v).is_integer() else round(v, 2)


# --- the program's charts -------------------------------------------------------------------------


def program_charts(current: dict[str, Any], scale_max: dict[str, float]) -> dict[str, BarChart]:
    """The four charts of the 'current state' section, from the view model's rows.

    `scale_max` gives the axis maximum of each group's score scale (from knowledge/indicators.yaml).
    """

    cluster, bench, region = (
        ("cluster", Msg("cluster")),
        ("benchmark", Msg("benchmark")),
        ("region", Msg("region_col")),
    )

    def scored(group: str, title: Msg, with_bench: bool) -> BarChart:
        rows = current[group]
        top = scale_max.get(group)
        series = [cluster, bench] if with_bench else [cluster]
        items = [
            (r["label"], [r["raw"], r["benchmark_raw"]] if with_bench else [r["raw"]]) for r in rows
        ]
        step = 1.0 if top is not None and top <= 10 else None
        # the section heading right above says what the chart shows: no second caption
        return bar_chart(group, title, series, items, vmax=top, step=step, caption=False)

    partials = bar_chart(
        "partials",
        Msg("partials"),
        [cluster, region],
        [(r["label"], [r["raw"], r["region_raw"]]) for r in current["partials"]],
        unit="%",
    )
    return {
        "partials": partials,
        "actors": scored("actors", Msg("actors_heading"), True),
        "directions": scored("directions", Msg("directions_heading"), True),
        "geography": scored("geography", Msg("geography_heading"), False),
    }


# --- PNG for Word ---------------------------------------------------------------------------------


def png(chart: Chart, dpi: int = 150) -> bytes:
    """The chart as a PNG image (matplotlib, Agg canvas); identical input gives identical bytes."""
    import matplotlib
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    items = chart["items"]
    series = chart["series"]
    loc = Locale(chart["lang"], typography=False)
    n = max(1, len(series))
    rows = max(1, len(items))
    rc: Any = {"font.family": "sans-serif", "font.sans-serif": [FONT], "font.size": 8}
    with matplotlib.rc_context(rc):
        height = 0.9 + rows * (0.18 * n + 0.16)
        fig = Figure(figsize=(6.6, height), dpi=dpi)
        FigureCanvasAgg(fig)
        ax = fig.add_axes((0.36, 0.9 / height * 0.45, 0.58, 1 - 0.9 / height * 0.95))
        bar = 0.8 / n
        for j, s in enumerate(series):
            ys, ws, missing = [], [], []
            for i, item in enumerate(items):
                v = item["values"][j] if j < len(item["values"]) else None
                y = i + (j - (n - 1) / 2) * bar
                if v is None:
                    missing.append(y)
                    continue
                ys.append(y)
                ws.append(float(v))
            ax.barh(ys, ws, height=bar * 0.92, color=s["color"], label=s["label"])
            for y, w in zip(ys, ws, strict=False):
                ax.text(
                    min(w, chart["max"]) + chart["max"] * 0.01,
                    y,
                    loc.param(ChartNum(_tick(w) if float(w).is_integer() else w)),
                    va="center",
                    fontsize=6.5,
                )
            for y in missing:
                ax.text(
                    chart["max"] * 0.01,
                    y,
                    chart["no_data"],
                    va="center",
                    fontsize=6.5,
                    color="#5b6775",
                )
        ax.set_yticks(range(rows))
        ax.set_yticklabels(["\n".join(wrap_label(it["label"], 38, 2)) for it in items])
        ax.set_ylim(rows - 0.5, -0.5)
        ax.set_xlim(0, chart["max"] * 1.08)
        ticks = round(chart["max"] / chart["step"])
        ax.set_xticks([i * chart["step"] for i in range(ticks + 1)])
        ax.set_xticklabels([loc.param(ChartNum(_tick(x))) for x in ax.get_xticks()])
        ax.grid(axis="x", color="#d5dbe1", linewidth=0.6)
        ax.set_axisbelow(True)
        for side in ("top", "right"):
            ax.spines[side].set_visible(False)
        if n > 1:
            ax.legend(
                loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=n, frameon=False, fontsize=7.5
            )
        buf = io.BytesIO()
        fig.savefig(
            buf,
            format="png",
            dpi=dpi,
            metadata={"Software": None},
            bbox_inches="tight",
            pad_inches=0.06,
        )
    return buf.getvalue()


# --- comparison across clusters (batch) -----------------------------------------------------------


def summary_chart(
    rows: list[dict[str, Any]], title: Any, series_label: Any, marked: str | None = None
) -> BarChart:
    """One bar per cluster: the internationalization index (%); a cluster without one has a
    labelled empty bar, and the row whose source is `marked` (the weakest) a bar of its colour."""
    items = [(r["cluster"] or r["source"], [r["index"]]) for r in rows]
    chart = bar_chart("summary", title, [("cluster", series_label)], items, unit="%")
    picked = tuple(i for i, r in enumerate(rows) if marked is not None and r["source"] == marked)
    return dataclasses.replace(chart, empty_bars=True, marked=picked)
