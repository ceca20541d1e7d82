"""engine/explain/what_if.py and search.py, with engine/knowledge/measure_ids.py and graph.py: the
measure dependencies, the cone of rules, the minimal-change search and the what-if comparison."""

from __future__ import annotations

import pytest

from engine import api
from engine.assessment.validate import with_changes
from engine.errors import InputError
from engine.explain.search import minimal_changes
from engine.explain.what_if import parse_sets, what_if_data
from engine.knowledge.graph import cone
from engine.knowledge.measure_ids import measure_inputs
from tests.conftest import EXAMPLES


def _leaves(name, result, k, seen=None):
    """The indicators a measure was actually computed from (its derivation record)."""
    seen = seen or set()
    d = result.measures.derivations.get(name)
    if d is None or name in seen:
        return set()
    seen.add(name)
    out = set()
    for i in d.inputs:
        if i in k.indicator:
            out.add(i)
        elif i != name:
            out |= _leaves(i, result, k, seen)
    return out


@pytest.mark.parametrize("example", ["nizhny-novgorod", "nascent-cluster", "mature-cluster"])
def test_measure_inputs_cover_every_derivation(knowledge, example, session):
    """The search varies the indicators the scoring settings feed into a measure: they must
    include every indicator the derivation record actually used."""
    r = api.evaluate(EXAMPLES / f"{example}.yaml", session)
    deps = measure_inputs(knowledge)
    for name in r.measures.derivations:
        if name in deps:
            assert _leaves(name, r, knowledge) <= deps[name], name


def test_cone_includes_the_rules_behind_a_blocking_not(knowledge):
    ids = [s.rule.id for s in cone("recommendation", "co_partner_cluster", knowledge)]
    assert {
        "co_partner_cluster_none",
        "gate_closed_plans",
        "gate_closed_mandate",
        "readiness_not_in_plans",
        "readiness_no_mandate",
    } <= set(ids)


def test_minimal_changes_are_verified_and_smallest_first(nn_result, knowledge, session):
    found = minimal_changes(
        nn_result, "recommendation", "co_value_chain_integration", knowledge, session.runner
    )
    # two paths are one step away: production cooperation down to weak, or import up to the
    # import dependence of knowledge/rules/profiles.yaml (export is weak in the example)
    nearest = min(c["distance"] for c in found["changes"])
    steps = {
        (c["indicator"], c["from"], c["to"]) for c in found["changes"] if c["distance"] == nearest
    }
    assert ("direction_production_cooperation", 2, 1) in steps
    assert ("direction_import", 2, 3) in steps
    distances = [c["distance"] for c in found["changes"]]
    assert distances == sorted(distances)
    for c in found["changes"]:
        rerun = api.run(
            with_changes(nn_result.assessment, {c["indicator"]: c["to"]}, knowledge), session
        )
        assert "co_value_chain_integration" in rerun.recommendations


def test_minimal_change_of_a_raw_number_moves_a_measure_across_its_threshold(
    nn_result, knowledge, session
):
    # K is a median of per-indicator ratios: one trailing pair (publications 35 % against 50 %)
    # and one near parity (foreign investment 40 % against 41 %): one more trailing pair lags
    base = with_changes(
        nn_result.assessment,
        {"region_publications_international": 2500, "region_foreign_investment": 410000},
        knowledge,
    )
    result = api.run(base, session)
    assert result.measures.get("ratio_band") == "mirror"
    found = minimal_changes(
        result, "recommendation", "rg_regional_channels", knowledge, session.runner
    )
    assert found["changes"], "lowering the region's denominators makes the cluster lag"
    assert any(c["indicator"].startswith("region_") for c in found["changes"])
    for c in found["changes"]:
        rerun = api.run(with_changes(base, {c["indicator"]: c["to"]}, knowledge), session)
        assert rerun.measures.get("ratio_band") == "lagging"


def test_one_change_that_makes_the_cluster_active_abroad_opens_the_gate(knowledge, session):
    # the nascent cluster has no mandate; activity abroad turns "wait" into "mandate first"
    r = api.evaluate(EXAMPLES / "nascent-cluster.yaml", session)
    assert "co_partner_cluster" in r.postponed
    found = minimal_changes(r, "recommendation", "co_partner_cluster", knowledge, session.runner)
    assert found["changes"] and not found["stats"]["truncated"]
    for c in found["changes"]:
        rerun = api.run(with_changes(r.assessment, {c["indicator"]: c["to"]}, knowledge), session)
        assert "readiness.active_abroad" in rerun.findings
        assert "co_partner_cluster" in rerun.recommendations


def test_no_single_change_when_two_independent_conditions_block(knowledge, session):
    # the ministry contact needs a government coordinator AND no named contact: two changes
    base = with_changes(
        api.evaluate(EXAMPLES / "mature-cluster.yaml", session).assessment,
        {"coordinator_is_government": False, "has_ministry_contact": True},
        knowledge,
    )
    r = api.run(base, session)
    assert "org_ministry_contact" not in r.recommendations
    found = minimal_changes(r, "recommendation", "org_ministry_contact", knowledge, session.runner)
    assert found["changes"] == [] and not found["stats"]["truncated"]


def test_parse_sets_reads_yaml_values(knowledge):
    got = parse_sets(
        [
            "direction_export=4",
            "has_intl_manager=true",
            "platform_memberships=[eacp]",
            "activity_smes=",
            "cluster_name='A: B'",
        ],
        knowledge,
    )
    assert got == {
        "direction_export": 4,
        "has_intl_manager": True,
        "platform_memberships": ["eacp"],
        "activity_smes": None,
        "cluster_name": "A: B",
    }


def test_parse_sets_collects_every_problem(knowledge):
    with pytest.raises(InputError) as exc:
        parse_sets(
            ["nothing", "geo_europe=5", "geo_europe=1", "geo_eurpe=1", "geo_apec={a: 1}"], knowledge
        )
    text = str(exc.value)
    assert "--set: nothing: expected ID=VALUE" in text
    assert "--set: geo_europe: 5 is out of scale" in text
    assert "did you mean 'geo_europe'?" in text
    assert "--set: geo_apec:" in text and "mapping" in text


def test_what_if_compares_two_runs(nn_result, knowledge, session):
    d = what_if_data(nn_result, {"direction_export": 4}, knowledge, session.runner)
    removed = [r["id"] for r in d["recommendations"]["removed"]]
    assert {"rg_export_trade_missions", "rg_market_entry_support", "rg_joint_advertising"} <= set(
        removed
    )
    assert d["changed"] and d["scores"] == []
    same = what_if_data(nn_result, {"direction_export": 1}, knowledge, session.runner)
    assert not same["changed"]


# --- status moves and postponements (issue 21 item 7) ----------------------------------------------


def test_what_if_reports_a_status_move_it_used_to_hide(nn_result, session):
    """Regression: a working group that exists but never met turns the measure from new to
    continue, and what-if said "no recommendation, finding or score changes"."""
    d = api.what_if(nn_result, ["has_intl_working_group=true"], session, "en")
    moves = {x["id"]: (x["from"], x["to"]) for x in d["status"]}
    assert moves == {"org_intl_working_group": ("new", "continue")}
    assert d["changed"] is True
    text = api.what_if_text(d)
    assert "No recommendation, finding or score changes" not in text
    assert "(org_intl_working_group): new → continue" in text
    assert "org_working_group_idle" in text  # the rule that made it "continue", with its place


def test_the_regions_running_measures_set_to_yes_move_from_new_to_continue(
    nn_result, knowledge, session
):
    sets = [
        "rg_brand_promotion_active=true",
        "rg_joint_advertising=true",
        "rg_collective_trademarks=true",
        "trade_missions_last_year=2",
    ]
    d = api.what_if(nn_result, sets, session, "en")
    moves = {x["id"]: (x["from"], x["to"]) for x in d["status"]}
    assert moves == {
        "rg_brand_promotion": ("new", "continue"),
        "rg_joint_advertising": ("new", "continue"),
        "rg_collective_trademarks": ("new", "continue"),
        "rg_export_trade_missions": ("new", "continue"),
    }
    for x in d["status"]:
        first = x["reasons"][0]
        assert first["rule"] == f"{x['id']}.running", x
        assert first["text"].startswith("the measure already runs: ")
        assert first["where"].startswith("knowledge/recommendations.yaml:")
    policy = api.what_if_text(api.what_if(nn_result, sets, session, "ru", "policy"), "policy")
    assert "новая → продолжить" in policy and ".running" not in policy


def test_a_blank_makes_a_continued_measure_conditional_never_continued(session):
    r = api.evaluate(EXAMPLES / "corpus" / "region-runs-measures.yaml", session)
    assert r.status["rg_brand_promotion"] == "continue"
    d = api.what_if(r, ["rg_brand_promotion_active="], session, "en")
    move = next(x for x in d["status"] if x["id"] == "rg_brand_promotion")
    assert (move["from"], move["to"]) == ("continue", "conditional")
    assert move["reasons"][0]["text"].startswith("whether the measure already runs is not known")


def test_evidence_taken_away_moves_continue_back_to_new_with_the_value_read(session):
    r = api.evaluate(EXAMPLES / "corpus" / "region-runs-measures.yaml", session)
    d = api.what_if(r, ["measures_already_run=[co_forum_sessions]"], session, "en")
    move = next(x for x in d["status"] if x["id"] == "rg_market_entry_support")
    assert (move["from"], move["to"]) == ("continue", "new")
    assert move["reasons"][0]["text"].startswith(
        "the assessment does not show the measure already runs: Measures already run"
    )


def test_lifted_postponements_name_the_rule_that_no_longer_applies(knowledge, session):
    r = api.evaluate(EXAMPLES / "nascent-cluster.yaml", session)
    sets = [
        "international_activity_planned=true",
        "internationalization_in_plans=true",
        "self_assessment_level=3",
    ]
    d = api.what_if(r, sets, session, "en")
    lifted = d["postponements"]["removed"]
    assert [x["id"] for x in lifted] == d["postponed"]["removed"] and lifted
    assert all(x["reasons"][0]["rule"] == "gate_first_steps" for x in lifted)
    assert d["postponements"]["added"] == []
    text = api.what_if_text(d)
    assert "Postponed measures:" in text and "No longer applies: Obtain a mandate first" in text
    # and back: postponing again names the rule that postpones now
    variant = api.variant(r, sets, session)
    back_sets = [
        "international_activity_planned=false",
        "internationalization_in_plans=false",
        "self_assessment_level=1",
    ]
    back = api.what_if(variant, back_sets, session, "en")
    assert [x["id"] for x in back["postponements"]["added"]] == [x["id"] for x in lifted]
    assert all(
        x["reasons"][0]["rule"] == "gate_first_steps" for x in back["postponements"]["added"]
    )
