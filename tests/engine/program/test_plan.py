"""engine/program/plan.py: the support instruments a measure of the action plan is funded from
follow the cluster's country, the program's years and the cluster's status; the calendar period and
the KPIs' annual values."""

from __future__ import annotations

from engine.program.plan import instruments_for, kpi_years, period
from engine.text.message import Msg, Num


def test_funding_follows_the_country_and_the_years(knowledge):
    ids = ["ru_rec", "ru_my_export", "by_eximgarant", "kz_damu", "regional_budget"]
    ru = [i.id for i in instruments_for(ids, knowledge, "RU", (2014, 2016), set())]
    assert ru == ["ru_rec", "regional_budget"]  # «Мой экспорт» starts in 2020
    by = [i.id for i in instruments_for(ids, knowledge, "BY", (2014, 2016), set())]
    assert by == ["by_eximgarant", "regional_budget"]


def test_funding_follows_the_clusters_status_and_instruments_that_ended(knowledge):
    ids = ["ru_pilot_cluster_subsidy", "regional_budget"]
    # the federal subsidy is for pilot innovative territorial clusters only
    assert [i.id for i in instruments_for(ids, knowledge, "RU", (2027, 2029), set())] == [
        "regional_budget"
    ]
    pilot = instruments_for(ids, knowledge, "RU", (2027, 2029), {"governance.pilot"})
    assert [i.id for i in pilot] == ids
    # an institution dissolved before the program starts is not offered
    by = ["by_ncmc", "by_eximgarant"]
    assert [i.id for i in instruments_for(by, knowledge, "BY", (2024, 2026), set())] == by
    assert [i.id for i in instruments_for(by, knowledge, "BY", (2027, 2029), set())] == [
        "by_eximgarant"
    ]


def test_the_period_runs_from_the_year_after_the_assessment_over_the_horizon():
    assert period(2013, 3) == {
        "start": 2014,
        "end": 2016,
        "years": [2014, 2015, 2016],
        "label": "2014–2016",
    }
    assert period(2013, 1)["label"] == "2014"
    # no assessment year: the plan counts program years, and there are no calendar ones
    assert period(None, 3) == {"start": None, "end": None, "years": [], "label": ""}


def test_annual_kpi_values_step_from_the_baseline_to_the_target_in_its_decimals():
    per = period(2013, 3)
    row = {"baseline_raw": 10, "target_raw": 16, "target": Num(16)}
    assert kpi_years(row, per) == [Num(12), Num(14), Num(16)]
    row = {"baseline_raw": 1.5, "target_raw": 2.25, "target": Num(2.25)}
    assert kpi_years(row, per) == [Num(1.75), Num(2.0), Num(2.25)]


def test_annual_kpi_values_without_a_baseline_or_target_show_what_is_known():
    per = period(2013, 3)
    # no measured baseline: only the final target is placed, in the last year
    assert kpi_years({"baseline_raw": None, "target_raw": 5, "target": Num(5)}, per) == [
        "",
        "",
        Num(5),
    ]
    # no target yet: the first year says what comes instead
    later = Msg("kpi_baseline_first")
    assert kpi_years({"baseline_raw": 3, "target_raw": None, "target": later}, per) == [
        later,
        "",
        "",
    ]
    # the KPI's own targets by year win over a straight line
    own = {
        "baseline_raw": 1,
        "target_raw": 9,
        "target": Num(9),
        "targets": [{"year": 2014, "value": Num(2)}, {"year": 2016, "value": Num(9)}],
    }
    assert kpi_years(own, per) == [Num(2), "", Num(9)]
    assert kpi_years(own, period(None, 3)) == []


def test_no_body_co_executes_a_measure_it_is_responsible_for(session, knowledge):
    """The plan's co-executors come from document.yaml by measure; the body responsible for it
    (by its actor, set in the cluster) is never listed beside itself, on clusters of any shape."""
    from engine import api
    from engine.program.document import build_document
    from engine.program.model import build_program
    from tests.conftest import EXAMPLES

    root = EXAMPLES.parent
    paths = sorted(EXAMPLES.glob("*.yaml")) + sorted(
        (root / "tests/fixtures/unseen").glob("*.yaml")
    )
    rows = 0
    for path in paths:
        result = api.evaluate(path, session)
        plan = build_document(build_program(result, knowledge), result, knowledge).parts.plan
        for row in plan:
            assert row.responsible not in row.co_executors, (path.name, row.id)
            rows += 1
    assert rows > 100


def test_plan_dates_made_once_say_what_the_plain_messages_say(knowledge):
    # `_when` and `_span` keep one leaf per date and period (words once per language): the
    # same words as the messages each row built before, and one leaf for equal dates
    from engine.program.plan import ROMAN, _span, _when
    from engine.text.message import Locale, cat, localize

    for per, y in (({"start": 2027}, 2028), ({"start": None}, 2)):
        start, end = _when(2, 3, per, knowledge), _when(3, 1, per, knowledge)
        assert _when(2, 3, per, knowledge) is start and _span(start, start, knowledge) is start
        key = "plan_quarter" if per["start"] else "plan_quarter_rel"
        plain_start, plain_end = Msg(key, q=ROMAN[3], y=y), Msg(key, q=ROMAN[1], y=y + 1)
        for lang in ("ru", "en"):
            loc = Locale(lang)
            assert localize(start, loc) == localize(plain_start, loc)
            span = localize(_span(start, end, knowledge), loc)
            assert span == localize(cat([plain_start, " — ", plain_end]), loc)
