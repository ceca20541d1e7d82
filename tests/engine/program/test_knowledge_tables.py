"""The tables a record reads from the knowledge alone, built once per knowledge base, hold what
the walks they replaced found for every cluster (in the same order where it counts)."""

from __future__ import annotations

import random

from engine.program import data_requests, gaps, kpis, model
from engine.program.leaves import tx


def test_positions_are_the_catalogues(knowledge):
    recs = [r.id for r in knowledge.recommendations.recommendations]
    assert knowledge.derived(data_requests.catalogue_order) == {r: recs.index(r) for r in recs}
    ids = [x.id for x in knowledge.kpis.kpis]
    assert knowledge.derived(kpis._kpi_order) == {x: ids.index(x) for x in ids}


def test_indicators_by_group_keep_the_catalogue_order(knowledge):
    every = knowledge.indicators.indicators
    by_group = knowledge.derived(model._by_group)
    assert set(by_group) == {i.group for i in every}
    for group, items in by_group.items():
        assert items == [i for i in every if i.group == group]
    counted = knowledge.program.data_gap_groups
    assert knowledge.derived(gaps._considered) == [i for i in every if i.group in counted]


def test_rules_sources_and_conditional_rules(knowledge, nn_result):
    table = knowledge.derived(model._rule_sources)
    fired = {f.rule for f in nn_result.firings}
    walked = {sid for f in nn_result.firings for sid in knowledge.rule[f.rule].rule.sources}
    assert walked and {sid for r in fired & table.keys() for sid in table[r]} == walked
    conditional = knowledge.derived(data_requests._conditional_rules)
    assert conditional == {
        s.rule.id for s in knowledge.rules if s.rule.then.status == "conditional"
    }


def test_finding_labels_cited_once_as_comparing_them_by_value(knowledge):
    labels = knowledge.derived(data_requests._finding_labels)
    ids = sorted(knowledge.finding)
    assert all(labels[f] == tx(knowledge.finding[f].label) for f in ids)
    rng = random.Random(3)
    for _ in range(200):
        picked = rng.choices(ids, k=rng.randint(0, 8))
        by_value = list(dict.fromkeys(tx(knowledge.finding[f].label) for f in picked))
        assert list({id(t): t for t in (labels[f] for f in picked)}.values()) == by_value
