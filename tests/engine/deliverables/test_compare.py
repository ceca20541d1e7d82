"""engine/deliverables/compare.py: progress from the 2013 to the (synthetic) 2014 Nizhny Novgorod
assessment."""

from __future__ import annotations

import json

import pytest

from engine import api
from engine.deliverables.compare import (
    compare,
    dropped_reasons,
    reasons_from_firings,
    render_compare,
)
from engine.text.message import say
from tests.conftest import EXAMPLES


@pytest.fixture(scope="module")
def nn2014(knowledge, session):
    return api.evaluate(EXAMPLES / "nizhny-novgorod-2014.yaml", session)


@pytest.fixture(scope="module")
def view(nn_result, nn2014, knowledge):
    return compare(nn_result, nn2014, knowledge, "en")


def test_same_cluster_and_years(view):
    assert view["same_cluster"]
    assert (view["old"]["year"], view["new"]["year"]) == (2013, 2014)


def test_indicators_that_moved_with_their_change(view):
    rows = {r["id"]: r for g in view["moved"] for r in g["rows"]}
    assert rows["cluster_exports"]["change"] == "+6000"
    assert (rows["has_intl_working_group"]["old"], rows["has_intl_working_group"]["new"]) == (
        "no",
        "yes",
    )
    assert rows["geo_cis"]["change"] == "-1"
    assert rows["website_languages"]["change"] == "+en"
    assert "activity_anchor_enterprises" not in rows  # unchanged values are not listed
    partials = {r["id"]: r for r in view["partials"]}
    assert partials["q_export_share"]["old"] == "4" and partials["q_export_share"]["new"] == "5.2"


def test_kpis_are_measured_against_the_targets_of_the_old_program(view, nn_result, knowledge):
    from engine.program.model import build_program

    old = {k["id"]: k for k in build_program(nn_result, knowledge)["kpis"]}
    kpis = {k["id"]: k for k in view["kpis"]}
    assert set(kpis) == set(old)
    for kid, row in kpis.items():
        assert row["raw"]["final_target"] == old[kid]["target_raw"]  # the end of the horizon
    missions = kpis["kpi_trade_missions"]["raw"]
    # 0 -> at least 2 in the final year 2016 on a straight path: 1 in 2014; 2 now is beyond it
    assert (missions["baseline"], missions["year_target"], missions["now"]) == (0, 1, 2)
    assert kpis["kpi_trade_missions"]["status_id"] == "exceeded" and missions["done"] == 100.0
    assert kpis["kpi_foreign_investment"]["status_id"] == "not_started"


def test_recommendations_added_and_dropped_with_reasons(view):
    added = {r["id"]: r for r in view["added"]}
    dropped = {r["id"]: r for r in view["dropped"]}
    assert set(added) == {"co_eaeu_cis_markets"}
    assert "CIS countries = 1" in " ".join(added["co_eaeu_cis_markets"]["reasons"])
    assert {
        "org_intl_working_group",
        "org_intl_manager",
        "co_partner_cluster",
        "co_multilingual_website",
    } <= set(dropped)
    assert any(
        "Multilingual website = yes" in r for r in dropped["co_multilingual_website"]["reasons"]
    )
    assert any("International manager = yes" in r for r in dropped["org_intl_manager"]["reasons"])


def test_reasons_from_the_firing_record_alone(nn_result, nn2014, knowledge):
    """The fallback used when explain.py has no why-not analysis: old value, new value, rule."""
    reasons = [
        say(x, "en")
        for x in reasons_from_firings("co_multilingual_website", nn_result, nn2014, knowledge)
    ]
    assert reasons == ["Multilingual website = yes (required is no); was no"]
    partner = [
        say(x, "en")
        for x in reasons_from_firings("co_partner_cluster", nn_result, nn2014, knowledge)
    ]
    assert partner[0].startswith("weakness: Cooperation with other clusters — no longer holds (")
    assert "Foreign partner clusters = 1" in partner[0]


def test_dropped_reasons_name_every_rule_that_gave_it(nn_result, nn2014, knowledge):
    reasons = [
        say(x, "en")
        for x in dropped_reasons("org_intl_working_group", nn_result, nn2014, knowledge)
    ]
    assert len(reasons) == 2
    assert all("Working group on international activity = yes" in r for r in reasons)


def test_comparing_an_assessment_with_itself_shows_no_change(nn_result, knowledge):
    v = compare(nn_result, nn_result, knowledge, "en")
    assert v["moved"] == [] and v["partials"] == [] and v["added"] == [] and v["dropped"] == []


def test_markdown_section_can_be_appended_to_the_program(view, nn_result, nn2014, knowledge):
    md = render_compare(view, "md")
    assert md.startswith("## Progress since the previous assessment (2013 → 2014)\n")
    assert "### Targets of the previous program" in md
    assert (
        "| Trade and business missions abroad | per year | 0 | 1 | 2 | 2 | 100 | exceeded "
        "| records of the regional authorities (missions, exhibitions, support programs) |"
    ) in md
    assert "**Target the EAEU and CIS markets as near-term export destinations**" in md
    assert "\n# " not in md  # no top-level heading: it is a section
    ru = render_compare(compare(nn_result, nn2014, knowledge, "ru"), "md")
    assert ru.startswith("## Изменения с предыдущей оценки (2013 → 2014)")
    assert "| 14,04 | 17,37 | +3,33 |" in ru  # the index of shares only (counts left it)
    data = json.loads(render_compare(view, "json"))
    assert data["new"]["year"] == 2014
