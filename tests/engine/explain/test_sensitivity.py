"""The sensitivity map (engine/explain/sensitivity.py): every margin it reports is what `what-if`
finds for the same change; a measure reported to hold survives every plausible value tried, each
rerun on the engine without the map's shortcut; the blanks deciding a conditional measure are the
data requests naming it. On the example and on clusters unlike it (tests/fixtures/unseen)."""

from __future__ import annotations

import math

import pytest

from engine import api
from engine import measures as measures_module
from engine.assessment.validate import with_changes
from engine.explain.sensitivity import SensitivityMap, _Reach, advice_state
from engine.explain.what_if import what_if_data
from engine.measures import compute
from engine.measures.given import as_given, read_as_given
from engine.program.data_requests import data_requests
from tests.conftest import EXAMPLES, ROOT

UNSEEN = ROOT / "tests" / "fixtures" / "unseen"
CLUSTERS = [EXAMPLES / "nizhny-novgorod.yaml", UNSEEN / "belarus-pharma.yaml"]


@pytest.fixture(scope="module")
def maps(session):
    """Each cluster's result and its map in English, computed once for the module."""
    out = {}
    for path in CLUSTERS:
        result = api.evaluate(path, session)
        out[path.name] = (result, api.sensitivity(result, session, "en"))
    return out


def _confirm(result, rid, indicator, value, session):
    """What `what-if` says the change does to the measure: dropped, its new status, or None."""
    k = session.knowledge
    w = what_if_data(result, {indicator: value}, k, session.runner)
    if rid in w["postponed"]["added"]:
        return "status", "postponed"
    if rid in [x["id"] for x in w["recommendations"]["removed"]]:
        return "dropped", None
    moved = [s for s in w["status"] if s["id"] == rid]
    if moved:
        return "status", moved[0]["to"]
    return None, None


@pytest.mark.slow
@pytest.mark.parametrize("name", [p.name for p in CLUSTERS])
def test_every_margin_is_confirmed_by_what_if(maps, session, name):
    result, data = maps[name]
    checked = 0
    for m in data["measures"]:
        for margin in m["margins"]:
            got = _confirm(result, m["id"], margin["indicator"], margin["to"], session)
            assert got == (margin["effect"], margin["status"]), (m["id"], margin)
            checked += 1
    assert checked >= 10  # the map is not empty: there is something to confirm


@pytest.mark.slow
@pytest.mark.parametrize("name", [p.name for p in CLUSTERS])
def test_a_change_the_map_does_not_rerun_gives_the_base_run(maps, session, name):
    # the shortcut (no rule branch reads otherwise: the same run) checked by rerunning every
    # plausible value the map tried, shortcut or not; a measure reported to hold keeps its status
    result, data = maps[name]
    k = session.knowledge
    smap = SensitivityMap(result, k, session.runner)
    holding = [m["id"] for m in data["measures"] if m["holds"]]
    base = advice_state(result)
    tried = 0
    for iid in smap.indicators():
        for t in smap.tried(iid):
            a2 = with_changes(result.assessment, {iid: t.value}, k)
            state = advice_state(session.runner.run(a2))
            assert state == (t.state if t.state is not None else base), (iid, t.value)
            for rid in holding:
                assert state.get(rid) == base[rid], (rid, iid, t.value)
            tried += 1
    assert tried > 50


@pytest.mark.slow
def test_a_change_that_postpones_a_measure_says_postponed_not_dropped(session):
    # regression: the readiness gate takes a postponed measure out of the measures made, and the
    # map read that as "dropped"; what-if says "postponed"
    result = api.evaluate(EXAMPLES / "corpus" / "pharma-analytical.yaml", session)
    data = api.sensitivity(result, session, "en")
    postponing = [
        (m["id"], x) for m in data["measures"] for x in m["margins"] if x["status"] == "postponed"
    ]
    assert postponing
    for rid, x in postponing:
        assert _confirm(result, rid, x["indicator"], x["to"], session) == ("status", "postponed")


@pytest.mark.slow
def test_a_measure_that_holds_is_reported_as_such(maps):
    result, data = maps["nizhny-novgorod.yaml"]
    holding = [m for m in data["measures"] if m["holds"]]
    assert holding, "the example has measures no single change moves"
    assert all(m["margins"] == [] for m in holding)
    assert {m["id"] for m in holding} < set(result.recommendations)


@pytest.mark.slow
@pytest.mark.parametrize("name", [p.name for p in CLUSTERS])
def test_conditional_measures_are_decided_by_their_data_requests(maps, session, name):
    result, data = maps[name]
    requests = data_requests(result, session.knowledge)
    conditional = [r for r in result.recommendations if result.status[r] == "conditional"]
    assert [c["id"] for c in data["conditional"]] == conditional
    assert conditional
    for c in data["conditional"]:
        wanted = [row["indicator"] for row in requests if c["id"] in row["conditional"]]
        assert [b["indicator"] for b in c["blanks"]] == wanted
        for b in c["blanks"]:
            for answer in b["answers"]:
                for value in answer["values"]:
                    effect, status = _confirm(result, c["id"], b["indicator"], value, session)
                    if answer["effect"] == "stays":
                        assert effect is None, (c["id"], b["indicator"], answer)
                    else:
                        assert (effect, status) == (answer["effect"], answer["status"])


@pytest.mark.slow
@pytest.mark.parametrize("name", [p.name for p in CLUSTERS])
def test_only_plausible_values_are_tried(maps, session, name):
    _, data = maps[name]
    k = session.knowledge
    factor = k.program.sensitivity.count_factor
    for m in data["measures"]:
        for margin in m["margins"]:
            ind = k.indicator[margin["indicator"]]
            was, to = margin["from"], margin["to"]
            if ind.type in ("int", "float") and ind.max is None and isinstance(was, (int, float)):
                assert math.floor(was / factor) <= to <= max(abs(was), 1) * factor, margin
            if ind.min is not None and isinstance(to, (int, float)):
                assert ind.min <= to
            if ind.max is not None and isinstance(to, (int, float)):
                assert to <= ind.max


@pytest.mark.slow
@pytest.mark.parametrize("name", [p.name for p in CLUSTERS])
def test_the_ranking_counts_what_the_margins_show(maps, name):
    _, data = maps[name]
    ranked = {r["indicator"]: r for r in data["ranking"]}
    for m in data["measures"]:
        for margin in m["margins"]:
            assert ranked[margin["indicator"]]["moves"] >= 1
    moves = [r["moves"] for r in data["ranking"]]
    assert moves == sorted(moves, reverse=True)
    assert all(r["moves"] == r["dropped"] + r["added"] + r["status"] for r in data["ranking"])


@pytest.mark.slow
def test_summary_moves_are_the_measures_of_the_changed_assessment(maps, session):
    result, data = maps["nizhny-novgorod.yaml"]
    k = session.knowledge
    moved = 0
    for score in data["summary"]:
        for c in score["changes"]:
            a2 = with_changes(result.assessment, {c["indicator"]: c["to"]}, k)
            assert session.runner.run(a2).measures.get(score["id"]) == c["value"]
            moved += 1
    assert moved > 0


@pytest.mark.slow
def test_the_map_is_the_same_in_both_languages_but_its_words(maps, session):
    result, en = maps["nizhny-novgorod.yaml"]
    ru = api.sensitivity(result, session, "ru")
    assert [m["margins"] and [x["to"] for x in m["margins"]] for m in ru["measures"]] == [
        m["margins"] and [x["to"] for x in m["margins"]] for m in en["measures"]
    ]
    assert ru["measures"][0]["label"] != en["measures"][0]["label"]


def test_one_indicator_s_changes_are_what_if_s(nn_result, session):
    # the cheap check in the default suite: one indicator of the example, every outcome tried
    smap = SensitivityMap(nn_result, session.knowledge, session.runner)
    base = advice_state(nn_result)
    tried = smap.tried("activity_universities")
    assert any(t.state is not None for t in tried)
    for t in tried:
        w = what_if_data(nn_result, {t.indicator: t.value}, session.knowledge, session.runner)
        removed = {x["id"] for x in w["recommendations"]["removed"]}
        added = {x["id"] for x in w["recommendations"]["added"]}
        state = t.state if t.state is not None else base
        assert removed == set(base) - set(state)
        assert added == set(state) - set(base)


@pytest.mark.parametrize("name", ["chilean-mining.yaml", "uzbek-textiles.yaml"])
def test_measures_shared_by_rounded_shares_are_compute_s(session, name):
    # the map computes the measures once per rounded share of a raw amount (fed_shares): every
    # value tried, and one that rounds to the same shares, gives compute's own measures
    result = api.evaluate(UNSEEN / name, session)
    k = session.knowledge
    as_given = read_as_given(k)
    checked = shared = 0
    for ind in k.indicators.indicators:
        cur = result.assessment.get(ind.id)
        if ind.id in as_given or ind.type not in ("int", "float") or not cur:
            continue
        reach = _Reach(result, k, ind.id, [])
        for v in (cur, cur * 0.5, cur * 2, cur * (1 + 1e-9), cur + 1, 0):
            v = round(v) if ind.type == "int" else float(v)
            got = reach.changed(ind.id, v)
            if got is None:
                continue
            a2 = with_changes(result.assessment, {ind.id: v}, k)
            assert got[1].values == compute(a2, k, derivations=False).values, (ind.id, v)
            checked += 1
        shared += len(reach.tried_values) - len(reach.measures)
    assert checked > 30 and shared > 10


def test_compute_reads_only_shares_and_blanks_of_indicators_not_read_as_given(session, monkeypatch):
    # fed_shares' premise: outside the partial indicators, compute reads the value of an
    # indicator only if read_as_given names it (else at most whether a share's input is blank)
    result = api.evaluate(UNSEEN / "armenian-it.yaml", session)
    k = session.knowledge
    a = result.assessment
    inside, read = [False], set()
    original_get, original_partial = type(a).get, measures_module._partial

    def get(self, key):
        if not inside[0]:
            read.add(key)
        return original_get(self, key)

    def partial(p, assessment):
        inside[0] = True
        try:
            return original_partial(p, assessment)
        finally:
            inside[0] = False

    monkeypatch.setattr(type(a), "get", get)
    monkeypatch.setattr(measures_module, "_partial", partial)
    compute(a, k, derivations=False)
    s = k.scoring
    share_inputs = {i for p in s.partial_indicators for i in (p.numerator, p.denominator) if i}
    assert read - read_as_given(k) <= share_inputs
    assert read & read_as_given(k)


def test_compute_given_the_stages_read_as_given_is_compute(session):
    # compute(given=...) copies the stages reading indicators as they are; given those of the
    # same assessment it is compute itself, values and their order
    a = api.evaluate(UNSEEN / "kazakh-agrifood.yaml", session).assessment
    k = session.knowledge
    plain = compute(a, k, derivations=False).values
    given = compute(a, k, derivations=False, given=as_given(a, k)).values
    assert list(given.items()) == list(plain.items())
