"""engine/deliverables/portfolio.py and the portfolio columns of the batch summary (issue 24 item 3):
completeness, measures by status, distinguishing measures, budget, year-on-year movement; the
summary workbook's filter and print setup read back with openpyxl."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
import yaml
from openpyxl import load_workbook

from engine.deliverables.batch import Job, Work, process
from engine.deliverables.portfolio import (
    dashboard,
    distinguishing,
    failed_row,
    movements,
    rank_rows,
)
from engine.deliverables.summary import (
    labelled,
    summaries,
    summary_page,
    summary_record,
    summary_view,
)
from engine.program.charts import wrap_label
from engine.render.jinja import environment
from engine.text.message import Locale, localize
from engine.text.strings import strings
from tests.conftest import EXAMPLES, ROOT

CORPUS = sorted((EXAMPLES / "corpus").glob("*.yaml"))
UNSEEN = sorted((ROOT / "tests" / "fixtures" / "unseen").glob("*.yaml"))
NN, NN2014 = EXAMPLES / "nizhny-novgorod.yaml", EXAMPLES / "nizhny-novgorod-2014.yaml"


def rows_of(paths: list[Path], knowledge: Any, lang: str = "en") -> list[dict[str, Any]]:
    """The batch's summary rows of these files, drafted in this process (no document rendered)."""
    work = Work(knowledge, "json", lang)
    outcomes = [
        process(Job(i, str(p), f"{p.stem}.json", path=str(p)), work) for i, p in enumerate(paths)
    ]
    assert all(o.ok for o in outcomes), [o.problems for o in outcomes]
    return dashboard(rank_rows([o.row for o in outcomes if o.row]), knowledge)


@pytest.fixture(scope="module")
def two_years(knowledge):
    return rows_of([NN, NN2014], knowledge)


def test_completeness_counts_the_known_indicators_of_a_cluster_with_blanks(knowledge, tmp_path):
    """The index read "not determined" with no column saying why: the data-gap groups' indicators
    known, of all of them."""
    source = UNSEEN[0]
    data = yaml.safe_load(source.read_text("utf-8"))
    considered = [
        i.id
        for i in knowledge.indicators.indicators
        if i.group in knowledge.program.data_gap_groups
    ]
    blanked = [i for i in considered if data.get(i) not in (None, [], "")][:5]
    for ind in blanked:
        data[ind] = None
    path = tmp_path / "blanks.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), "utf-8")
    before, after = rows_of([source, path], knowledge)
    assert after["known_of"] == before["known_of"] == len(considered)
    assert after["known"] == before["known"] - len(blanked)
    assert after["completeness"] == round(after["known"] / len(considered) * 100)
    assert after["completeness"] < before["completeness"] <= 100
    assert 0 <= after["index_coverage"] <= after["index_of"]


def test_measures_by_status_add_up_to_the_measures_made(two_years):
    for r in two_years:
        made = sum(n for s, n in r["by_status"].items() if s != "postponed")
        assert made == r["recommendations"] == len(r["made"])
        assert set(r["by_status"]) == {"new", "continue", "conditional", "postponed"}


def test_year_on_year_movement_of_nizhny_novgorod(two_years):
    old, new = sorted(two_years, key=lambda r: r["year"])
    assert (old["year"], new["year"]) == (2013, 2014)
    assert old["movement"] is None
    assert new["movement"] == {
        "from_year": 2013,
        "index": round(new["index"] - old["index"], 2),
        "measures": new["recommendations"] - old["recommendations"],
    }
    assert new["movement"]["index"] != 0


def test_movement_needs_the_same_region_and_an_earlier_year():
    rows = [
        {"cluster": "A", "region": "R1", "year": 2020, "index": 10.0, "recommendations": 5},
        {"cluster": "a ", "region": "r1", "year": 2022, "index": None, "recommendations": 7},
        {"cluster": "A", "region": "R2", "year": 2023, "index": 12.0, "recommendations": 4},
        {"cluster": "A", "region": "R1", "year": 2021, "index": 11.5, "recommendations": 6},
    ]
    moved = movements(rows)
    assert moved[0] is None and moved[2] is None  # the first year; another region's cluster
    assert moved[1] == {"from_year": 2021, "index": None, "measures": 1}  # latest earlier year
    assert moved[3] == {"from_year": 2020, "index": 1.5, "measures": 1}


def _made(*ids: str, priority: str = "medium") -> dict[str, Any]:
    return {"made": [{"id": i, "title": i, "priority": priority} for i in ids]}


def test_distinguishing_is_rarest_first_then_priority_and_never_common(knowledge):
    rows = [_made("common", "rare_low", "rare2"), _made("common", "rare2"), _made("common")]
    rows[0]["made"][1]["priority"] = "low"
    rows.append({"made": [{"id": "common", "title": "", "priority": "high"}]})
    made = [[m["id"] for m in r["made"]] for r in rows]
    picked = distinguishing(made, rows, knowledge)
    # of four clusters, at most half: rare2 (two) and rare_low (one); common (all four) never
    assert picked == [["rare_low", "rare2"], ["rare2"], [], []]
    half = knowledge.program.portfolio.distinguishing_share / 2
    settings = knowledge.program.portfolio.model_copy(update={"distinguishing_share": half})
    strict = SimpleNamespace(program=SimpleNamespace(portfolio=settings))
    assert distinguishing(made, rows, strict) == [["rare_low"], [], [], []]  # the share is data


def test_one_cluster_alone_names_its_first_measures(knowledge):
    rows = [_made("a", "b", "c", "d", "e")]
    count = knowledge.program.portfolio.distinguishing_count
    assert distinguishing([["a", "b", "c", "d", "e"]], rows, knowledge) == [
        ["a", "b", "c", "d", "e"][:count]
    ]


@pytest.mark.slow  # 14 clusters drafted in one process; .ci/run runs it (-m slow)
def test_distinguishing_measures_differ_between_corpus_clusters(knowledge):
    """The "top recommendations" column was the same organizational trio in 8 of 14 rows."""
    rows = rows_of(CORPUS, knowledge)
    lists = [tuple(r["distinguishing_ids"]) for r in rows]
    assert len(set(lists)) > len(lists) // 2, lists  # not all equal: most differ
    everyone = set.intersection(*({m["id"] for m in r["made"]} for r in rows))
    assert everyone, "the corpus has measures every cluster gets (the check below needs them)"
    limit = knowledge.program.portfolio.distinguishing_share * len(rows)
    for r in rows:
        assert not everyone & set(r["distinguishing_ids"])
        made = {m["id"] for m in r["made"]}
        assert set(r["distinguishing_ids"]) <= made  # the cluster's own measures
        for rid in r["distinguishing_ids"]:
            assert sum(rid in {m["id"] for m in o["made"]} for o in rows) <= limit
    # the summary says why the index is not determined: a completeness figure for every row
    assert all(0 < r["completeness"] <= 100 for r in rows)
    assert sum(1 for r in rows if r["index"] is None) >= 1


def test_the_workbook_has_a_filter_a_frozen_header_and_landscape_a4_print_setup(two_years):
    """summary.xlsx had no filter and printed on five portrait pages."""
    data = summaries(two_years, "en", 0.5)["summary.xlsx"]
    assert isinstance(data, bytes)
    ws = load_workbook(io.BytesIO(data)).worksheets[0]
    header = [c.value for c in ws[1]]
    assert ws.auto_filter.ref == f"A1:{ws.cell(1, len(header)).column_letter}3"
    assert ws.freeze_panes == "C2"
    assert ws.page_setup.orientation == "landscape"
    assert str(ws.page_setup.paperSize) == ws.PAPERSIZE_A4
    assert ws.sheet_properties.pageSetUpPr.fitToPage is True
    assert (ws.page_setup.fitToWidth, ws.page_setup.fitToHeight) == (1, 0)
    assert ws.print_title_rows == "$1:$1"
    for column in ("Completeness, %", "Distinguishing measures", "Budget, thousand EUR"):
        assert column in header
    row = {h: c.value for h, c in zip(header, ws[3], strict=True)}
    assert row["Index change, pp"] == two_years[1]["movement"]["index"]


def test_the_csv_keeps_the_earlier_columns_first_and_adds_the_portfolio(two_years):
    text = summaries(two_years, "en", 0.5)["summary.csv"]
    assert isinstance(text, str)
    rows = list(csv.DictReader(io.StringIO(text)))
    assert list(rows[0])[:18][-1] == "year"  # what earlier releases wrote, in place
    new = rows[1]
    assert new["change_since_year"] == "2013" and new["budget"] and new["currency"] == "RUB"
    assert new["base_currency"] == "EUR"
    assert int(new["measures_new"]) + int(new["measures_continue"]) + int(
        new["measures_conditional"]
    ) == int(new["recommendations"])


def test_a_long_cluster_name_keeps_its_year_on_the_chart():
    """The two years of Nizhny Novgorod's long name both ended "нефтехимии…": the year was cut."""
    name = "Нижегородский индустриальный инновационный кластер в области автомобилестроения"
    label = labelled({"cluster": f"{name} и нефтехимии", "source": "x.yaml", "year": 2014})
    assert wrap_label(label["cluster"])[-1].endswith("(2014)")
    assert labelled({"cluster": "Short", "source": "x", "year": 2013})["cluster"] == "Short (2013)"
    assert labelled({"cluster": "", "source": "x.yaml", "year": None})["cluster"] == "x.yaml"


def test_movements_compare_a_row_with_its_own_clusters_rows_not_every_pair():
    """Regression: every row was compared with every row of the batch (160 000 pairs for 400
    clusters, a millisecond of the parent's time per cluster); a row now reads its own cluster's."""
    reads = []

    class Row(dict):
        def get(self, key, default=None):
            reads.append(key)
            return super().get(key, default)

    rows = [
        Row(cluster=f"C{i % 200}", region="R", year=2020 + i // 200, index=1.0, recommendations=i)
        for i in range(400)
    ]
    moved = movements(rows)
    assert moved[:200] == [None] * 200
    assert moved[200] == {"from_year": 2020, "index": 0.0, "measures": 200}
    assert len(reads) < 10 * len(rows)  # every pair: over 160 000


@pytest.mark.parametrize("lang", ["en", "ru"])
@pytest.mark.parametrize("fmt", ["md", "html"])
def test_the_pages_are_what_the_whole_record_in_words_gives(knowledge, lang, fmt):
    """`summary_view` walks only what the summary adds to the rows (in words already), once for
    both pages: each page is the one the whole record put into words gives, failed rows and the
    comparison chart included."""
    drafted = rows_of(CORPUS[:4], knowledge, lang)
    failed = [failed_row("a.yaml", ["a.yaml: bad"]), failed_row("b.yaml", [])]
    plain = [
        {k: v for k, v in r.items() if k not in ("distinguishing", "movement")} for r in drafted
    ]
    rows = dashboard(rank_rows(plain[:2] + failed[:1] + plain[2:] + failed[1:]), knowledge)
    whole = localize(summary_record(rows, 0.5), Locale(lang, typography=False))
    text = environment().get_template(f"summary.{fmt}.j2").render(s=whole, t=strings()[lang])
    view = summary_view(rows, lang, 0.5)
    assert view == whole
    page = summary_page(view, lang, fmt)
    assert page == re.sub(r"\n{3,}", "\n\n", text).strip() + "\n"
    assert "a.yaml: bad" in page and summaries(rows, lang, 0.5)[f"summary.{fmt}"] == page
