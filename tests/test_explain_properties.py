"""Properties of the explanations over generated assessments (hypothesis).

Assessments are built from knowledge/indicators.yaml: each indicator gets a random value of its
type within its scale, or stays blank. For every recommendation made, `why` returns a chain that
ends in input indicators (or in rules with no conditions); for every recommendation not made,
`why-not` names an unsatisfied condition or a blocking rule; a minimal change it proposes, applied
and rerun, does make the recommendation fire.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine import api
from engine.assessment.validate import Assessment, with_changes
from engine.explain.why import why_data
from engine.explain.why_not import (
    failing_conditions,
    reason_line,
    restricted_line,
    why_not_data,
)
from engine.text.message import say
from tests.conftest import shared_session
from tests.test_properties import EXAMPLES, places

SESSION = shared_session()
KNOWLEDGE = SESSION.knowledge
_TEXT = st.text(alphabet="abcdefgh", min_size=1, max_size=6)


def _value(ind: Any) -> st.SearchStrategy[Any]:
    if ind.lookup:
        return places(ind, KNOWLEDGE)
    if ind.type == "bool":
        return st.booleans()
    if ind.type == "enum":
        return st.sampled_from(ind.values)
    if ind.type == "score":
        scale = KNOWLEDGE.indicators.scales[ind.scale]
        return st.integers(int(scale.min), int(scale.max))
    if ind.type == "int":
        return st.integers(
            int(ind.min if ind.min is not None else 0), int(ind.max if ind.max is not None else 300)
        )
    if ind.type == "float":
        return st.integers(
            int(ind.min if ind.min is not None else 0),
            int(ind.max if ind.max is not None else 10_000),
        ).map(float)
    if ind.type == "list":
        if ind.id == KNOWLEDGE.sectors.indicator:  # sector codes or the words that resolve to them
            return st.lists(st.sampled_from(sorted(KNOWLEDGE.sectors.alias)), max_size=3)
        if ind.values:
            return st.lists(st.sampled_from(ind.values), unique=True, max_size=len(ind.values))
        return st.lists(_TEXT, max_size=3)
    return _TEXT


# a third of the values blank ("no information")
assessments = st.fixed_dictionaries(
    {
        ind.id: st.one_of(st.none(), _value(ind), _value(ind))
        for ind in KNOWLEDGE.indicators.indicators
    }
)


def _result(values: dict[str, Any]):
    blank = Assessment(source="generated.yaml", values=dict.fromkeys(KNOWLEDGE.indicator))
    return api.run(with_changes(blank, values, KNOWLEDGE), SESSION)


def _derivation_ends_in_inputs(d: dict[str, Any]) -> bool:
    for i in d["inputs"]:
        if i["kind"] == "indicator":
            assert i["at"]
        else:
            assert i["kind"] == "measure", i
            _derivation_ends_in_inputs(i["derivation"])
    return True


def _ends_in_inputs(node: dict[str, Any]) -> None:
    if node["always"]:
        assert node["conditions"] == []
        return
    assert node["conditions"]
    for c in node["conditions"]:
        assert c["holds"], c
        if c["kind"] == "indicator":
            assert c["at"]
        elif c["kind"] == "measure":
            assert c.get("derivation"), c
            _derivation_ends_in_inputs(c["derivation"])
        elif c["negated"]:
            continue  # an absence: nothing derived it, so there is nothing to follow
        else:
            assert c["because"], c
            for child in c["because"]:
                _ends_in_inputs(child)


@pytest.mark.slow  # a property sweep of 1.9-2.8 s in a fresh clone (CI's 50 examples): CI runs it
@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(assessments)
def test_why_ends_in_inputs_and_why_not_names_a_reason(values):
    r = _result(values)
    for rid in r.recommendations:
        d = why_data(r, rid, KNOWLEDGE)
        assert d["made"] and d["justifications"]
        for node in d["justifications"]:
            _ends_in_inputs(node)
    for rec in KNOWLEDGE.recommendations.recommendations:
        if rec.id in r.recommendations:
            continue
        d = why_not_data(r, rec.id, KNOWLEDGE, search=False)
        assert not d["made"]
        if rec.id in r.restricted:  # made by its rules, left out by the experts' restriction
            line = restricted_line(d)
            assert line is not None and line["rule"] in KNOWLEDGE.rule
            continue
        if d["not_applicable"] is not None:  # its rules fired; the cluster's kind excluded it
            checks = d["not_applicable"]["checks"]
            assert rec.id in r.excluded and any(c["holds"] is False for c in checks), rec.id
            continue
        assert failing_conditions(d), rec.id
        assert say(reason_line(d["rules"], d["postponed_by"])["text"], "en")


@pytest.mark.slow  # heavy; .ci/run runs it (-m slow)
@settings(
    max_examples=max(5, EXAMPLES // 2), deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
@given(assessments, st.data())
def test_a_proposed_minimal_change_makes_it_fire(values, data):
    r = _result(values)
    not_made = [
        x.id for x in KNOWLEDGE.recommendations.recommendations if x.id not in r.recommendations
    ]
    if not not_made:
        return
    rid = data.draw(st.sampled_from(not_made))
    d = why_not_data(r, rid, KNOWLEDGE, runner=SESSION.runner)
    if d["not_applicable"] is not None:  # its rules fired; only another kind of cluster gets it
        assert not d["changes"], rid
        return
    if not d["changes"]:
        reasons = ("no_rule", "limit", "needs_several", "blocked", "restricted")
        assert d["no_change"]["reason"] in reasons
        return
    for c in d["changes"]:
        rerun = api.run(with_changes(r.assessment, {c["indicator"]: c["to"]}, KNOWLEDGE), SESSION)
        assert rid in rerun.recommendations, (rid, c)
        assert set(c["rules"]) <= {f.rule for f in rerun.producers("recommendation", rid)}
