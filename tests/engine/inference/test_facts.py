"""The working memory's facts are built as experta's `Fact(**fields)` would build them."""

from __future__ import annotations

import random

from bench.synthetic import random_assessment
from engine.inference.facts import Measure, _fact, build_facts
from engine.measures import compute


def _stock(fact):
    return type(fact)(**fact)


def test_facts_built_without_freeze_equal_expertas(knowledge):
    """Every fact of generated clusters: same class, same fields in the same order, same values
    (by type too), equal and of equal hash, to the one experta's constructor builds."""
    rng = random.Random(25)
    for _ in range(30):
        a = random_assessment(knowledge, rng)
        for fact in build_facts(a, compute(a, knowledge), knowledge):
            stock = _stock(fact)
            assert type(fact) is type(stock)
            assert list(fact.items()) == list(stock.items())
            assert [type(v) for v in fact.values()] == [type(v) for v in stock.values()]
            assert fact == stock and hash(fact) == hash(stock)


def test_a_field_experta_would_freeze_goes_through_its_constructor():
    """A list or a dict value is frozen by experta (`frozenlist`, `frozendict`), as before."""
    fact = _fact(Measure, {"a": 1, "b": [1, 2], "c": {"x": [3]}})
    assert type(fact["b"]).__name__ == "frozenlist"
    assert type(fact["c"]).__name__ == "frozendict"
    assert type(fact["c"]["x"]).__name__ == "frozenlist"


def _freeze(value):
    return tuple(value) if isinstance(value, list) else value


def _plain_facts(a, m, knowledge):
    """The working memory as built before the per-knowledge table of groups and their ids."""
    from engine.inference.facts import group_class

    by_group: dict[str, dict] = {g.id: {} for g in knowledge.indicators.groups}
    for ind in knowledge.indicators.indicators:
        by_group[ind.group][ind.id] = _freeze(a.values.get(ind.id))
    facts = [_fact(group_class(g), dict(sorted(f.items()))) for g, f in by_group.items()]
    facts.append(_fact(Measure, {k: _freeze(v) for k, v in sorted(m.values.items())}))
    return facts


def test_facts_from_the_groups_table_equal_the_plain_building(knowledge):
    """The facts built from the groups' sorted ids (once per knowledge base) are those built
    indicator by indicator: same classes and order, same fields in the same order."""
    rng = random.Random(26)
    for _ in range(100):
        a = random_assessment(knowledge, rng)
        m = compute(a, knowledge)
        ours, plain = build_facts(a, m, knowledge), _plain_facts(a, m, knowledge)
        assert [type(f) for f in ours] == [type(f) for f in plain]
        assert [list(f.items()) for f in ours] == [list(f.items()) for f in plain]


def test_facts_hashed_by_index_fire_as_with_expertas_hash(knowledge, monkeypatch):
    """A fact in working memory hashes by its index (equal facts alike, a pattern by experta's
    hash of its fields); the rules fire as they do with experta's `Fact.__hash__`."""
    from experta import Fact

    from engine.inference.facts import Finding, IndexedFact
    from engine.inference.run import Runner

    rng = random.Random(27)
    assessments = [random_assessment(knowledge, rng) for _ in range(8)]
    runner = Runner(knowledge)
    ours = [[f.as_dict() for f in runner.run(a).firings] for a in assessments]
    for fact in runner.engine.facts.values():
        twin = type(fact)()
        dict.update(twin, fact)
        assert twin == fact and hash(twin) == hash(fact)
    assert hash(Finding(id="x")) == Fact.__hash__(Finding(id="x"))
    with monkeypatch.context() as m:
        m.setattr(IndexedFact, "__hash__", Fact.__hash__)
        stock = [[f.as_dict() for f in Runner(knowledge).run(a).firings] for a in assessments]
    assert ours == stock


def test_rows_frozen_in_place_equal_the_per_field_freeze():
    """`_frozen` turns each list into a tuple and leaves every other value, as a field-by-field
    `_freeze` did, keeping the fields' order."""
    from engine.inference.facts import _frozen

    for row in (
        {},
        {"a": 1, "b": None},
        {"a": [1, 2], "b": "x", "c": [], "d": (3,), "e": {"k": 1}},
    ):
        expected = {k: _freeze(v) for k, v in row.items()}
        for lists in ((), tuple(k for k in row if k in "ac")):
            got = _frozen(dict(row), lists)
            assert list(got.items()) == list(expected.items())
            assert [type(v) for v in got.values()] == [type(v) for v in expected.values()]
