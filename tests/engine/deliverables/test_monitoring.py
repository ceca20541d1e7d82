"""engine/deliverables/monitoring.py: `compare` scores the earlier program's KPIs against its
target for the later assessment's year (issue 24 item 2), never above 100 %, and refuses a pair
given in the wrong order."""

from __future__ import annotations

import json
import re

import pytest

from engine import api
from engine.assessment.validate import with_changes
from engine.deliverables.compare import compare, comparison, render_compare
from engine.deliverables.monitoring import check_order, kpi_score, same_cluster
from engine.errors import InputError
from tests.conftest import EXAMPLES

UNSEEN = EXAMPLES.parent / "tests" / "fixtures" / "unseen"


@pytest.fixture(scope="module")
def nn2014(session):
    return api.evaluate(EXAMPLES / "nizhny-novgorod-2014.yaml", session)


@pytest.fixture(scope="module")
def old_json(nn_result, knowledge):
    """The earlier program as `draft --format json` gives it: its KPI targets by year."""
    return {k["id"]: k for k in json.loads(api.draft(nn_result, knowledge, "json", "en"))["kpis"]}


@pytest.fixture(scope="module")
def view(nn_result, nn2014, knowledge):
    return compare(nn_result, nn2014, knowledge, "en")


def _year_of(result, knowledge, year, session):
    """The same assessment with another year (re-inferred)."""
    changed = with_changes(result.assessment, {"assessment_year": year}, knowledge)
    return api.run(changed, session)


@pytest.mark.parametrize(
    "base,target,now,expected",
    [
        (0, 2, 2, ("reached", 100.0)),
        (0, 2, 3, ("exceeded", 100.0)),  # 150 % of the way: exceeded, done stays 100
        (4, 6, 5, ("behind", 50.0)),
        (4, 6, 4, ("not_started", 0.0)),
        (4, 6, 3, ("moved_away", 0.0)),
        (4, 5, 4.9999, ("behind", 99.9)),  # short of the target never reads 100
        (None, 2, 2, ("reached", 100.0)),
        (None, 2, 1, ("behind", None)),
        (1, None, 2, ("no_target", None)),
        (1, 2, None, ("no_data", None)),
        (2, 2, 2, ("reached", 100.0)),
        (2, 2, 3, ("exceeded", 100.0)),
        (2, 2, 1, ("moved_away", 0.0)),
        # a target below the baseline: lower is better
        (10, 6, 8, ("behind", 50.0)),
        (10, 6, 5, ("exceeded", 100.0)),
        (10, 6, 12, ("moved_away", 0.0)),
        (10, 6, 10, ("not_started", 0.0)),
    ],
)
def test_kpi_score(base, target, now, expected):
    assert kpi_score(base, target, now) == expected


def test_done_never_exceeds_100_whatever_the_values():
    values = [None, 0, 1, 2.5, 4, 10, 17.5, 100, 250]
    for base in values:
        for target in values:
            for now in values:
                done = kpi_score(base, target, now)[1]
                assert done is None or 0 <= done <= 100, (base, target, now, done)


def test_each_kpi_is_scored_against_its_2014_target_from_the_earlier_programs_json(view, old_json):
    assert view["targets"]["basis"] == "year" and view["targets"]["key"] == "2014"
    rows = {r["id"]: r for r in view["kpis"]}
    assert set(rows) == set(old_json)
    for kid, row in rows.items():
        targets = old_json[kid]["targets"]
        assert row["raw"]["year_target"] == targets["2014"], kid
        assert row["raw"]["final_target"] == targets[max(targets)], kid
    # the yardstick of the issue: R&D projects, 2014 target 7 (the final one is 9)
    rd = rows["kpi_intl_rd_projects"]
    assert (rd["raw"]["year_target"], rd["raw"]["final_target"]) == (
        old_json["kpi_intl_rd_projects"]["targets"]["2014"],
        old_json["kpi_intl_rd_projects"]["targets"]["2016"],
    )
    assert rd["raw"]["year_target"] < rd["raw"]["final_target"]
    assert rd["status_id"] == "exceeded"


def test_a_share_over_its_target_is_exceeded_and_done_stays_at_100(view, old_json):
    """Regression: the SME share 10 -> 17.5 % against a target of 13 printed "250" (and "227,3 %"
    in the issue's run)."""
    share = {r["id"]: r for r in view["kpis"]}["kpi_sme_share"]
    assert share["raw"]["now"] > old_json["kpi_sme_share"]["targets"]["2014"]
    assert share["status_id"] == "exceeded" and share["raw"]["done"] == 100.0
    assert share["status"] == "exceeded" and share["done"] == "100"


@pytest.mark.parametrize("lang", ["en", "ru"])
def test_no_done_figure_over_100_in_the_text(nn_result, nn2014, knowledge, lang):
    md = render_compare(compare(nn_result, nn2014, knowledge, lang), "md").replace("\u00a0", " ")
    head = "Done, %" if lang == "en" else "Выполнено, %"
    lines = md.splitlines()
    at = next(i for i, line in enumerate(lines) if line.startswith("|") and head in line)
    col = [c.strip() for c in lines[at].split("|")].index(head)
    rest = lines[at + 2 :]
    table = rest[: next(i for i, line in enumerate(rest) if not line.startswith("|"))]
    done = [row.split("|")[col].strip() for row in table]
    assert done and all(d == "—" or float(d.replace(",", ".")) <= 100 for d in done)
    assert ("превышено" if lang == "ru" else "exceeded") in md


def test_every_kpi_row_names_its_data_source(view, knowledge):
    names = {s.id: s.name.get("en") for s in knowledge.kpis.data_sources}
    for row in view["kpis"]:
        assert row["source"] == names[knowledge.kpi[row["id"]].source], row["id"]


def test_after_the_horizon_the_final_target_is_used_and_said(nn_result, knowledge, session):
    later = _year_of(nn_result, knowledge, 2020, session)
    v = compare(nn_result, later, knowledge, "en")
    assert v["targets"]["basis"] == "after" and v["targets"]["key"] == "2016"
    assert "ended in 2016" in v["targets"]["note"]
    assert all(r["raw"]["year_target"] == r["raw"]["final_target"] for r in v["kpis"])


def test_the_same_year_has_no_target_for_that_year(nn_result, knowledge):
    v = compare(nn_result, nn_result, knowledge, "en")
    assert v["targets"]["basis"] == "before" and v["targets"]["key"] is None
    known = [r for r in v["kpis"] if r["raw"]["baseline"] is not None]
    assert known and all(r["status"] == "no target for that year" for r in known)
    assert all(r["done"] == "—" for r in known)


def test_a_blank_year_measures_against_the_final_target(nn_result, nn2014, knowledge, session):
    blank = api.run(with_changes(nn2014.assessment, {"assessment_year": None}, knowledge), session)
    data = comparison(nn_result, blank, knowledge)
    assert data["targets"]["basis"] == "unknown" and data["targets"]["key"] == "2016"
    assert any("is blank" in w for w in check_order(nn_result, blank, knowledge))


def test_a_later_year_given_first_is_refused_at_its_year_line(nn_result, nn2014, knowledge):
    with pytest.raises(InputError) as err:
        check_order(nn2014, nn_result, knowledge)
    (problem,) = err.value.problems
    line = 1 + next(
        i
        for i, text in enumerate(
            (EXAMPLES / "nizhny-novgorod-2014.yaml").read_text("utf-8").splitlines()
        )
        if text.startswith("assessment_year:")
    )
    assert problem.file.endswith("nizhny-novgorod-2014.yaml") and problem.line == line
    assert re.search(r"assessment_year: 2014 is later than 2013", problem.format())
    assert "--allow-reverse" in problem.format()
    warnings = check_order(nn2014, nn_result, knowledge, allow_reverse=True)
    assert warnings == [
        "comparing in reverse order (2014 → 2013): the KPIs have no target for 2013"
    ]


def test_the_right_order_and_one_cluster_give_no_warning(nn_result, nn2014, knowledge):
    assert check_order(nn_result, nn2014, knowledge) == []


def test_another_region_is_another_cluster(nn_result, nn2014, knowledge, session):
    moved = with_changes(nn2014.assessment, {"region_name": "Самарская область"}, knowledge)
    other = api.run(moved, session)
    assert not same_cluster(nn_result, other)
    assert any("name different clusters" in w for w in check_order(nn_result, other, knowledge))
    assert compare(nn_result, other, knowledge, "en")["same_cluster"] is False


def test_an_unseen_cluster_a_year_later(knowledge, session):
    """A Chilean mining-suppliers cluster (no example is like it), a year on: more exporting SMEs
    and missions, one more specialist."""
    old = api.evaluate(UNSEEN / "chilean-mining.yaml", session)
    year = old.assessment.get("assessment_year") + 1
    a = old.assessment
    changes = {
        "assessment_year": year,
        "smes_with_foreign_activity": a.get("smes_with_foreign_activity") * 2 + 2,
        "trade_missions_last_year": 3,
        "foreign_or_exchange_specialists": a.get("foreign_or_exchange_specialists") + 1,
    }
    new = api.run(with_changes(a, changes, knowledge), session)
    targets = {
        k["id"]: k["targets"] for k in json.loads(api.draft(old, knowledge, "json", "en"))["kpis"]
    }
    assert check_order(old, new, knowledge) == []
    v = compare(old, new, knowledge, "ru")
    assert v["targets"]["key"] == str(year)
    rows = {r["id"]: r for r in v["kpis"]}
    for kid, row in rows.items():
        assert row["raw"]["year_target"] == targets[kid][str(year)], kid
        assert row["raw"]["done"] is None or 0 <= row["raw"]["done"] <= 100
    assert rows["kpi_sme_share"]["status_id"] == "exceeded"  # 11.25 % -> 25 %, target 12
    assert rows["kpi_trade_missions"]["status_id"] == "exceeded"
    assert rows["kpi_specialist_exchanges"]["status_id"] == "behind"
    assert 0 < rows["kpi_specialist_exchanges"]["raw"]["done"] < 100
    assert rows["kpi_sme_share"]["status"] == "превышено"
