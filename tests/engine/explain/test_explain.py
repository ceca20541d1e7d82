"""engine/explain/ (why.py, why_not.py, text.py, justify.py): `why` and `why-not` data read from
the firing record, their text, and the one-line reasons of the not-made list."""

from __future__ import annotations

import dataclasses

import pytest

from engine.errors import UsageError
from engine.explain.justify import justify, short_reasons
from engine.explain.why import benchmark_for, resolve_id, why_data
from engine.explain.why_not import (
    failing_conditions,
    not_made,
    not_made_json,
    reason_line,
    why_not_data,
)
from engine.render.explain_text import explanation_words, render_why, render_why_not
from engine.text.message import say


def test_justify_follows_findings_down_to_indicators(nn_result, knowledge):
    [view] = justify(nn_result, "recommendation", "co_sme_internationalization", knowledge)
    assert view["rule"] == "co_sme_weak"
    [finding] = view["conditions"]
    assert finding["subject"] == "weakness.sme_internationalization"
    [inner] = finding["because"]
    assert inner["rule"] == "weakness_sme"
    # the one weak/strong rule: the measure, derived from the indicator on its line
    assert inner["conditions"][0]["subject"] == "bench_status_activity_smes"
    inputs = inner["conditions"][0]["derivation"]["inputs"]
    assert [(i["id"], i["at"].endswith("nizhny-novgorod.yaml:40")) for i in inputs] == [
        (("activity_smes", True))
    ]


def test_why_is_read_from_the_firing_record_not_recomputed(nn_result, knowledge):
    """Drop the firing of weakness_sme from the record: the chain loses it, though the
    indicator still satisfies the rule. Explanations never re-derive what the engine did."""
    d = why_data(nn_result, "co_sme_internationalization", knowledge)
    assert d["justifications"][0]["conditions"][0]["because"][0]["rule"] == "weakness_sme"
    trimmed = dataclasses.replace(
        nn_result, firings=[f for f in nn_result.firings if f.rule != "weakness_sme"]
    )
    d2 = why_data(trimmed, "co_sme_internationalization", knowledge)
    assert d2["justifications"][0]["conditions"][0]["because"] == []
    assert [i["id"] for i in d2["indicators"]] == ["measures_already_run"]  # the running check


def test_benchmark_is_found_by_matching_the_threshold(knowledge):
    b = benchmark_for("indicator", "activity_smes", "le", 2, knowledge)
    assert b is not None and b["value"] == 2.0 and b["sources"] == ["s0_survey_actors"]
    assert b["setting"].startswith("knowledge/scoring.yaml:")
    assert benchmark_for("indicator", "activity_smes", "le", 3, knowledge) is None
    assert benchmark_for("indicator", "activity_smes", "is_missing", None, knowledge) is None
    assert benchmark_for("indicator", "geo_europe", "ge", 3, knowledge) is None
    gap = benchmark_for("measure", "bench_gap_direction_export", "lt", 0, knowledge)
    assert gap is not None and gap["value"] == 1.6


def test_resolve_id_suggests_close_ids(nn_result, knowledge):
    kinds = ("recommendation", "finding", "measure", "indicator")
    assert resolve_id("index", nn_result, knowledge, kinds, "why") == "measure"
    assert resolve_id("level.high", nn_result, knowledge, kinds, "why") == "finding"
    with pytest.raises(UsageError, match="did you mean 'co_benchmarking'"):
        resolve_id("co_benchmarkin", nn_result, knowledge, kinds, "why")
    with pytest.raises(UsageError, match="is a measure"):
        resolve_id("ratio", nn_result, knowledge, ("recommendation", "finding"), "why-not")


def test_why_not_marks_each_condition_and_follows_findings_never_derived(nn_result, knowledge):
    d = why_not_data(nn_result, "co_joint_rd_projects", knowledge, search=False)
    assert d["changes"] == [] and d["search"] is None
    [rule] = d["rules"]
    cond = rule["branches"][0]["conditions"][0]
    assert (cond["subject"], cond["holds"]) == ("weakness.science", False)
    inner = {r["rule"]: r for r in cond["because_not"]}
    assert set(inner) == {"weakness_science_score", "weakness_science_share"}
    score = inner["weakness_science_score"]["branches"][0]["conditions"][0]
    assert (score["actual"], score["value"], score["holds"]) == ("strong", "weak", False)
    failing = failing_conditions(d)
    assert any(c["subject"] == "bench_status_direction_science" for c in failing)


def test_why_not_names_a_blocking_finding_with_its_rule(knowledge, tmp_path, session):
    from engine import api
    from tests.conftest import EXAMPLES

    r = api.evaluate(EXAMPLES / "nascent-cluster.yaml", session)
    d = why_not_data(r, "co_cluster_community", knowledge, search=False)
    blocking = [c for c in failing_conditions(d) if c.get("blocked_by")]
    assert blocking and blocking[0]["subject"] == "gate.not_ready"
    assert {n["rule"] for n in blocking[0]["blocked_by"]} <= {
        "gate_closed_plans",
        "gate_closed_mandate",
    }
    assert d["postponed_by"][0]["rule"] == "gate_first_steps"
    line = reason_line(d["rules"], d["postponed_by"])
    text = say(line["text"], "en")
    assert text.startswith("postponed by rule gate_first_steps; ")
    assert 'blocked by "Readiness gate' in text


def test_reason_line_takes_the_closest_rule(nn_result, knowledge):
    d = why_not_data(nn_result, "co_value_chain_integration", knowledge, search=False)
    line = reason_line(d["rules"], d["postponed_by"])
    assert line["rule"] == "co_value_chains_weak"
    assert "Производственная кооперация = обычно (требуется = слабо)" in say(line["text"], "ru")


def test_not_made_covers_every_recommendation_not_made(nn_result, knowledge):
    items = not_made(nn_result, knowledge)
    ids = [x["id"] for x in items]
    expected = [
        r.id
        for r in knowledge.recommendations.recommendations
        if r.id not in nn_result.recommendations
    ]
    assert ids == expected
    assert all(say(x["reason"], "en") and x["rule"] for x in items)
    plain = not_made_json(nn_result, knowledge)
    assert [x["id"] for x in plain] == expected
    assert all(x["failing"] for x in plain)


def test_text_is_rendered_from_the_data_only(nn_result, knowledge):
    d = explanation_words(why_data(nn_result, "co_sme_internationalization", knowledge), "en")
    d["justifications"][0]["title"] = "A TITLE FROM THE DATA"
    assert "A TITLE FROM THE DATA" in render_why(d)
    n = why_not_data(nn_result, "co_value_chain_integration", knowledge, search=False)
    n = explanation_words(n, "en")
    n["rules"][0]["title"] = "ANOTHER"
    assert "ANOTHER" in render_why_not(n)


def test_short_reasons_still_serve_the_document(nn_result, knowledge):
    lines = short_reasons(nn_result, "co_sme_internationalization", knowledge)
    assert lines and lines[0]["rule"] == "co_sme_weak"
    assert "International activity of SMEs = weak" in say(lines[0]["text"], "en")
