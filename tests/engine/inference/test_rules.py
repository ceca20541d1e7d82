"""The conflict-resolution strategy is pinned: no stale firing, no hash-dependent order."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from experta import AS, MATCH, NOT, Fact, KnowledgeEngine, Rule
from experta.activation import Activation
from experta.agenda import Agenda
from experta.factlist import FactList
from experta.strategies import DepthStrategy

from engine.inference.rules import StableStrategy

ROOT = Path(__file__).resolve().parents[3]


class Item(Fact):
    pass


class Done(Fact):
    pass


def _activations(n: int) -> list[Activation]:
    """n activations of different rules on the same fact: equal (salience, facts) keys."""
    fact = Item(n=1)
    fact.__factid__ = 7  # type: ignore[attr-defined]
    dict.__setitem__(fact, "__factid__", 7)
    acts = []
    for i in range(n):

        def rhs(engine, i=i):
            return i

        rhs.__name__ = f"r{i}"
        acts.append(Activation(Rule(Item())(rhs), [fact]))
    return acts


def _remove_middle(strategy_cls) -> int:
    strategy = strategy_cls()
    agenda = Agenda()
    acts = _activations(5)
    strategy.update_agenda(agenda, acts, [])
    # remove three of them, not in agenda order
    gone = [agenda.activations[2], agenda.activations[3], agenda.activations[1]]
    strategy.update_agenda(agenda, [], gone)
    return sum(1 for a in agenda.activations if any(a is g for g in gone))


def test_depth_strategy_defect_is_real_and_ours_is_free_of_it():
    # experta's DepthStrategy looks only at idx-1..idx+1 around the first equal key
    assert _remove_middle(DepthStrategy) > 0
    assert _remove_middle(StableStrategy) == 0


def _stress(strategy_cls, seed: int) -> dict[str, int]:
    """Random rules with NOT conditions and retractions; count firings whose conditions are false."""
    rnd = random.Random(seed)
    stats = {"fired": 0, "stale": 0}
    attrs: dict[str, object] = {"__strategy__": strategy_cls}
    for i in range(8):
        sal = rnd.choice([0, 0, 1, 2])

        def claim(self, f, n, i=i):
            stats["fired"] += 1
            alive = f["__factid__"] in self.facts
            done = any(isinstance(x, Done) and x["n"] == n for x in self.facts.values())
            if not alive or done:
                stats["stale"] += 1
            self.declare(Done(n=n, by=i))

        claim.__name__ = f"claim{i}"
        attrs[f"claim{i}"] = Rule(AS.f << Item(n=MATCH.n), NOT(Done(n=MATCH.n)), salience=sal)(
            claim
        )

        def sweep(self, f, d, i=i):
            stats["fired"] += 1
            if f["__factid__"] not in self.facts or d["__factid__"] not in self.facts:
                stats["stale"] += 1
                return
            self.retract(f)
            if i % 3 == 0:
                self.retract(d)

        sweep.__name__ = f"sweep{i}"
        attrs[f"sweep{i}"] = Rule(
            AS.f << Item(n=MATCH.n), AS.d << Done(n=MATCH.n), salience=rnd.choice([0, 1])
        )(sweep)
    engine = type("Stress", (KnowledgeEngine,), attrs)()
    engine.reset()
    for k in range(40):
        engine.declare(Item(n=k % 25, copy=k))
    engine.run(5000)
    return stats


@pytest.mark.slow  # heavy; .ci/run runs it (-m slow)
def test_stress_no_stale_firing_with_not_and_retractions():
    total = 0
    for seed in range(5):
        stats = _stress(StableStrategy, seed)
        assert stats["stale"] == 0, stats
        total += stats["fired"]
    assert total > 200  # the stress did real work


def test_compiled_engine_uses_stable_strategy(knowledge, session):

    assert session.runner.engine.strategy.__class__ is StableStrategy


def test_every_firing_of_the_example_was_live(nn_result):
    assert nn_result.firings and all(f.live for f in nn_result.firings)


def _firings(runner, assessments) -> list[list[dict]]:
    out = []
    for a in assessments:
        firings = [f.as_dict() for f in runner.run(a).firings]
        # the working memory too: each fact with its index, and the fact list's identities
        facts = runner.engine.facts
        memory = [(i, type(f).__name__, sorted(f.items(), key=repr)) for i, f in facts.items()]
        out.append([*firings, memory, sorted(map(repr, facts.reference_counter.items()))])
    return out


def test_lean_run_loop_and_conclude_give_expertas_firing_record(knowledge, monkeypatch):
    """The engine's own `run`, `reset`, `feed` and `conclude` and its fact list (no debug strings
    built, no checks of a one-field fact, the checks of a cluster's facts per set of names) fire,
    declare and fill the working memory exactly as experta's stock methods do."""
    from bench.synthetic import random_assessment
    from engine.assessment.load import load_assessment
    from engine.inference import rules
    from engine.inference.run import Runner

    rng = random.Random(18)
    examples = [load_assessment(p, knowledge) for p in sorted((ROOT / "examples").glob("*.yaml"))]
    assessments = examples + [random_assessment(knowledge, rng) for _ in range(12)]
    ours = _firings(Runner(knowledge), assessments)
    with monkeypatch.context() as m:
        m.setattr(rules._Engine, "run", KnowledgeEngine.run)
        m.setattr(rules._Engine, "reset", KnowledgeEngine.reset)
        m.setattr(rules._Engine, "conclude", lambda e, cls, fid: e.declare(cls(id=fid)) is not None)
        m.setattr(rules._Engine, "feed", lambda e, facts: e.declare(*facts))
        m.setattr(rules, "_FactList", lambda plain=None: FactList())  # no shared name sets
        stock = _firings(Runner(knowledge), assessments)
    assert ours == stock
    assert any(not d["new"] for run in ours for f in run for d in f["declared"])  # a repeat seen


def test_lean_run_loop_logs_firings_when_the_rules_watcher_is_on(knowledge, caplog):
    """With experta's RULES watcher on, the engine runs experta's own loop, which logs each firing."""
    import logging

    from experta import watchers

    from engine.assessment.load import load_assessment
    from engine.inference.run import Runner

    example = sorted((ROOT / "examples").glob("*.yaml"))[0]
    runner = Runner(knowledge)
    a = load_assessment(example, knowledge)
    watchers.watch("RULES", level=logging.INFO)
    try:
        with caplog.at_level(logging.INFO, logger="experta.watchers.RULES"):
            fired = len(runner.run(a).firings)
    finally:
        watchers.unwatch("RULES")
        watchers.RULES.setLevel(logging.NOTSET)
    assert sum("FIRE" in r.getMessage() for r in caplog.records) == fired > 0


def test_feed_refuses_what_declare_refuses(knowledge):
    """`feed` raises experta's errors: a pattern as a value, a nested accessor as a name, a
    non-fact; a repeated fact is entered once, and a field named like `__x__` stays out of the
    fact's identity as in experta's fact list."""
    from experta import P

    from engine.inference.rules import _FactList
    from engine.inference.run import Runner

    engine = Runner(knowledge).engine
    engine.reset()
    with pytest.raises(TypeError):
        engine.feed([Item(n=1), Item(n=P(lambda v: v))])
    with pytest.raises(KeyError):
        engine.feed([Item(n=1), Item(a__b=1)])
    engine.feed([Item(n=1), Item(n=1)])
    assert sum(isinstance(f, Item) for f in engine.facts.values()) == 1
    ours, stock = _FactList(), FactList()
    for facts in (ours, stock):
        with pytest.raises(ValueError):
            facts.declare({"n": 1})
        facts.declare(Item(n=2, __tag__="x"))
        facts.declare(Item(n=2, __tag__="y"))
        facts.declare(Done(id="a"))
    assert ours.reference_counter == stock.reference_counter
    assert [(type(f), dict(f)) for f in ours.values()] == [
        (type(f), dict(f)) for f in stock.values()
    ]
    assert ours.conclude(Done, "a") is False and ours.conclude(Done, "b") is True
    assert dict(ours[2]) == {"id": "b", "__factid__": 2} and type(ours[2]) is Done


def test_compiled_rules_rank_as_the_agendas_generic_key(knowledge):
    """A compiled rule's stored rank is the agenda's key worked out from its rule (salience,
    place, branch, name): the network's prepared rules carry it too."""
    from engine.inference.run import Runner

    engine = Runner(knowledge).engine
    rules = engine.get_rules() + _prepared(engine)
    assert rules
    for rule in rules:
        meta = rule._wrapped.ci_meta
        generic = (rule.salience, -meta.order, -meta.branch, rule._wrapped.__name__)
        assert rule.ci_rank == generic


def _prepared(engine):
    """The rules the matcher's conflict-set nodes hold (prepared copies of the engine's)."""
    return [n.rule for n in engine.matcher._nodes if hasattr(n, "rule")]


def test_fact_list_logs_each_fact_entered_when_the_facts_watcher_is_on(caplog):
    """With experta's FACTS watcher on when a fact list is made, each fact it enters is logged,
    as experta's own fact list logs it."""
    import logging

    from experta import watchers

    from engine.inference.rules import _FactList

    watchers.watch("FACTS", level=logging.INFO)
    try:
        with caplog.at_level(logging.INFO, logger="experta.watchers.FACTS"):
            facts = _FactList()
            facts.declare(Item(n=1))
            facts.conclude(Done, "a")
            facts.conclude(Done, "a")
    finally:
        watchers.unwatch("FACTS")
        watchers.FACTS.setLevel(logging.NOTSET)
    assert sum("==>" in r.getMessage() for r in caplog.records) == 2
    assert not _FactList()._log
