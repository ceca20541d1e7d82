"""engine/program/charts.py: chart data and SVG layout, escaping of labels, deterministic PNG."""

from __future__ import annotations

import io

import pytest

from engine import api
from engine.program import charts
from engine.render.jinja import environment
from engine.text.message import Locale, localize, say
from engine.text.strings import strings


def chart_in(lang: str, *args, **kwargs):
    """A bar chart put into words (laid out) for `lang`."""
    return localize(charts.bar_chart(*args, **kwargs), Locale(lang))


def test_nice_max_covers_the_largest_value_with_round_steps():
    assert charts.nice_max([4.0, 40.0, 35.0]) == (40.0, 10.0)
    assert charts.nice_max([0.5, 1.0]) == (1.0, 0.2)
    assert charts.nice_max([73.0]) == (80.0, 20.0)
    assert charts.nice_max([None, 0.0]) == (10.0, 2.0)  # type: ignore[list-item]


def test_wrap_label_limits_lines_and_marks_a_cut():
    assert charts.wrap_label("Export") == ["Export"]
    long = " ".join(["word"] * 60)
    lines = charts.wrap_label(long, width=20, lines=2)
    assert len(lines) == 2 and lines[-1].endswith("…")
    assert all(len(line) <= 20 for line in lines)


def test_bar_chart_layout_scales_bars_and_marks_missing_values():
    c = chart_in(
        "en",
        "x",
        "Title",
        [("cluster", "Cluster"), ("benchmark", "Mean")],
        [("A", [2, 4]), ("B", [None, 1.5])],
        vmax=4,
        step=1,
    )
    svg = c["svg"]
    assert len(svg["bars"]) == 3  # one value is missing: no bar
    widths = {b["title"]: b["w"] for b in svg["bars"]}
    assert widths["A — Cluster: 2"] == pytest.approx(charts.PLOT_W / 2, abs=0.1)
    assert widths["A — Mean: 4"] == pytest.approx(charts.PLOT_W, abs=0.1)
    missing = [v for v in svg["numbers"] if v["missing"]]
    assert [v["text"] for v in missing] == ["no data"]
    assert [g["text"] for g in svg["grid"]] == ["0", "1", "2", "3", "4"]
    assert not c["empty"]
    # bars never leave the plot even when a value exceeds the axis
    over = chart_in("en", "y", "T", [("cluster", "C")], [("A", [9])], vmax=4, step=1)
    assert over["svg"]["bars"][0]["w"] == pytest.approx(charts.PLOT_W)


def test_a_chart_without_any_value_is_empty():
    c = chart_in("ru", "x", "T", [("cluster", "C")], [("A", [None])])
    assert c["empty"] and c["no_data"] == "нет данных"


def test_russian_numbers_use_a_decimal_comma():
    assert say(charts.ChartNum(2.35), "ru") == "2,35"
    assert say(charts.ChartNum(2.0), "en") == "2"


def test_a_chart_is_laid_out_from_its_labels_in_the_readers_language(nn_result, knowledge):
    # one neutral chart, two layouts: the label rows follow the words of each language
    from engine.program.model import build_program

    chart = build_program(nn_result, knowledge)["charts"]["actors"]
    ru, en = localize(chart, Locale("ru")), localize(chart, Locale("en"))
    assert ru["title"] != en["title"] and ru["lang"] == "ru" and en["lang"] == "en"
    assert [x["title"] for x in ru["svg"]["labels"]] == [i["label"] for i in ru["items"]]
    assert [x["title"] for x in en["svg"]["labels"]] == [i["label"] for i in en["items"]]
    assert ru["svg"]["legend"][0]["text"] != en["svg"]["legend"][0]["text"]


def test_program_charts_cover_participants_directions_geography_and_partials(nn_result, knowledge):
    view = api.program_view(nn_result, knowledge, "en")
    cs = view["charts"]
    assert set(cs) == {"partials", "actors", "directions", "geography"}
    assert [s["key"] for s in cs["directions"]["series"]] == ["cluster", "benchmark"]
    assert [s["key"] for s in cs["partials"]["series"]] == ["cluster", "region"]
    assert cs["directions"]["max"] == 4  # the top of the score04 scale in indicators.yaml
    export = next(i for i in cs["directions"]["items"] if i["label"] == "Export")
    assert export["values"] == [1, 1.6]
    assert len(cs["partials"]["items"]) == len(knowledge.scoring.partial_indicators)


def test_svg_labels_are_escaped():
    c = chart_in("en", "x", "<b>T</b>", [("cluster", "C&C")], [('<script>alert(1)</script>"', [1])])
    html = environment().get_template("chart.html.j2").render(chart=c, t=strings()["en"])
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "<b>T</b>" not in html and "C&amp;C" in html
    assert html.count("<svg") == 1 and 'class="bar"' in html


@pytest.mark.slow  # end to end; .ci/run runs it (-m slow)
def test_png_is_deterministic_and_carries_no_software_metadata(nn_result, knowledge):
    chart = api.program_view(nn_result, knowledge, "ru")["charts"]["directions"]
    a, b = charts.png(chart), charts.png(chart)
    assert a == b
    assert a.startswith(b"\x89PNG\r\n\x1a\n")
    assert b"matplotlib" not in a and b"Software" not in a
    from PIL import Image

    img = Image.open(io.BytesIO(a))
    assert img.width > 600 and img.height > 200
    colours = img.convert("RGB").getcolors(maxcolors=1_000_000)
    assert colours is not None and len(colours) > 10  # bars, text and grid, not a blank image


def test_summary_chart_draws_a_cluster_without_an_index_as_a_labelled_empty_bar():
    rows = [
        {"cluster": "Alpha", "source": "a.yaml", "index": 12.5},
        {"cluster": "Beta", "source": "b.yaml", "index": None},
    ]
    c = localize(charts.summary_chart(rows, "Index", "Index"), Locale("en"))
    bars = c["svg"]["bars"]
    assert [b["title"] for b in bars if b["missing"]] == ["Beta — Index: no data"]
    assert [b["title"] for b in bars if not b["missing"]] == ["Alpha — Index: 12.5"]
    html = environment().get_template("chart.html.j2").render(chart=c)
    assert html.count('class="bar-missing"') == 1 and html.count('class="bar"') == 1
    assert "no data" in html
