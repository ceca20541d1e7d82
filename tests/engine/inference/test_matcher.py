"""The touched-nodes matcher gives exactly the firings of experta's stock ReteMatcher.

It relies on experta 1.9.4 internals, so these tests pin both the internals it uses and the
behaviour: identical firing records on the examples, on generated assessments, on a synthetic base
of 200 rules, and on hand-written engines that use experta features our compiler never emits.
"""

from __future__ import annotations

import random
from pathlib import Path

import experta
import pytest
from experta import (
    AND,
    AS,
    EXISTS,
    FORALL,
    MATCH,
    NOT,
    OR,
    TEST,
    Fact,
    KnowledgeEngine,
    L,
    P,
    Rule,
    W,
)
from experta.matchers import ReteMatcher

import engine.inference.run as inference
from bench.synthetic import random_assessment, synthetic_knowledge
from engine.assessment.load import load_assessment
from engine.inference import matcher as matcher_module
from engine.inference.matcher import TouchedNodesMatcher
from engine.inference.rules import StableStrategy
from engine.measures import compute

EXAMPLES = sorted((Path(__file__).resolve().parents[3] / "examples").glob("*.yaml"))


def runners(k, monkeypatch):
    """(stock, touched) runners on the same knowledge base."""
    with monkeypatch.context() as m:
        m.setattr(matcher_module, "matcher_class", lambda: ReteMatcher)
        stock = inference.Runner(k)
    touched = inference.Runner(k)
    assert type(stock.engine.matcher) is ReteMatcher
    assert type(touched.engine.matcher) is TouchedNodesMatcher
    return stock, touched


def trace(runner, assessment) -> list[dict]:
    result = runner.run(assessment, compute(assessment, runner.knowledge))
    return [f.as_dict() for f in result.firings]


def test_experta_internals_we_rely_on_are_there():
    from experta.matchers.rete.mixins import ChildNode
    from experta.matchers.rete.nodes import ConflictSetNode, FeatureTesterNode

    assert experta.__version__ == "1.9.4"
    assert ChildNode._fields == ("node", "callback")
    assert hasattr(ReteMatcher, "_get_conflict_set_nodes")
    assert {"added", "removed", "memory"} <= set(vars(ConflictSetNode(Rule())))
    assert callable(FeatureTesterNode._activate) and callable(ConflictSetNode.get_activations)


def test_the_engine_uses_the_touched_matcher(knowledge, session):
    assert matcher_module.matcher_class() is TouchedNodesMatcher
    assert type(session.runner.engine.matcher) is TouchedNodesMatcher


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.stem)
def test_identical_firings_on_the_examples(knowledge, monkeypatch, example):
    stock, touched = runners(knowledge, monkeypatch)
    a = load_assessment(example, knowledge)
    expected = trace(stock, a)
    assert expected
    assert trace(touched, a) == expected
    assert trace(touched, a) == expected  # and again after reset()


@pytest.mark.slow  # end to end; .ci/run runs it (-m slow)
def test_identical_firings_on_generated_assessments(knowledge, monkeypatch):
    stock, touched = runners(knowledge, monkeypatch)
    rng = random.Random(2024)
    fired = 0
    for _ in range(60):
        a = random_assessment(knowledge, rng, blank=rng.choice([0.0, 0.2, 0.6]))
        expected = trace(stock, a)
        assert trace(touched, a) == expected
        fired += len(expected)
    assert fired > 600


@pytest.mark.slow  # heavy differential / many-run check: CI runs it (-m slow)
def test_identical_firings_on_a_synthetic_base_of_200_rules(tmp_path, monkeypatch):
    from engine.knowledge.load import load_knowledge

    k = load_knowledge(synthetic_knowledge(tmp_path / "kb", 200, seed=3))
    assert len(k.rules) == 200
    stock, touched = runners(k, monkeypatch)
    rng = random.Random(7)
    for _ in range(15):
        a = random_assessment(k, rng)
        assert trace(touched, a) == trace(stock, a)


def test_only_touched_conflict_set_nodes_are_polled(knowledge, session):
    runner = session.runner
    matcher = runner.engine.matcher
    polled = []
    nodes = [n for n in matcher._nodes if hasattr(n, "get_activations")]
    for node in nodes:
        original = node.get_activations

        def spy(original=original, node=node):
            polled.append(node)
            return original()

        node.get_activations = spy
    try:
        runner.run(load_assessment(EXAMPLES[0], knowledge))
    finally:
        for node in nodes:
            del node.get_activations
    changes = len(runner.recorder.firings) + 2  # one poll per firing, after reset and declare
    # stock experta polls every node at every change; this matcher only the touched ones
    assert len(nodes) > 100
    assert len(polled) < len(nodes) * changes / 10


def test_a_child_the_dispatch_found_passes_its_own_test(knowledge, session):
    """A dispatch hands a token on without the test of the children its lookup found (`True` in
    the plan): each of them passes its test on a fact holding the value looked up."""
    skipped = 0
    for node in session.runner.engine.matcher._nodes:
        dispatch = getattr(node, "_dispatch", None)
        if dispatch is None:
            continue
        for value, plan in dispatch.table.items():
            fact = dict.__new__(value) if dispatch.by_type else {dispatch.what: value}
            for test, target in plan:
                if test is True:
                    skipped += 1
                    assert target.__self__._test(fact)
    assert skipped > 40


def test_reset_leaves_every_memory_empty(knowledge, session):
    runner = session.runner
    runner.run(load_assessment(EXAMPLES[0], knowledge))
    runner.engine.reset()
    for node in runner.engine.matcher._nodes:
        for attr in ("memory", "left_memory", "right_memory"):
            if attr == "memory" and hasattr(node, "rule"):
                # the conflict-set memory holds only what reset() re-declared: InitialFact
                assert all(len(info.data) == 1 for info in node.memory)
            elif hasattr(node, attr):
                mem = getattr(node, attr)
                assert all("InitialFact" in repr(x) for x in mem) or not mem


# --- experta features our compiler does not emit: the matcher must still be exact ---------------


class Item(Fact):
    pass


class Tag(Fact):
    pass


def _general_engine(matcher: type, strategy: type, log: list[str]) -> KnowledgeEngine:
    def rule(name, *patterns, salience=0):
        def rhs(self, **kw):
            log.append(f"{name} {sorted((k, str(v)) for k, v in kw.items())}")

        rhs.__name__ = name
        return Rule(*patterns, salience=salience)(rhs)

    attrs = {
        "__matcher__": matcher,
        "__strategy__": strategy,
        "literal_int": rule("literal_int", Item(v=1)),
        "literal_float": rule("literal_float", Item(v=1.0)),
        "literal_true": rule("literal_true", Item(v=True)),
        "literal_text": rule("literal_text", Item(v="1")),
        "literal_bound": rule("literal_bound", Item(v="two" << L(2), k=MATCH.k)),
        "literal_nan": rule("literal_nan", Item(v=float("nan"))),
        "literal_list": rule("literal_list", Item(v=L((1, 2)))),
        "wild": rule("wild", Item(k=W(), v=MATCH.v), salience=1),
        "join": rule("join", Item(k=MATCH.k), Tag(k=MATCH.k, t=MATCH.t)),
        "not_join": rule("not_join", AS.i << Item(k=MATCH.k), NOT(Tag(k=MATCH.k))),
        "pred": rule("pred", Item(v=P(lambda x: isinstance(x, int) and x > 1))),
        "test": rule("test", Item(v=MATCH.a), Tag(t=MATCH.b), TEST(lambda a, b: str(a) == str(b))),
        "or": rule("or", OR(Item(k="a"), Tag(t="a"))),
        "exists": rule("exists", EXISTS(Tag(k=MATCH.k))),
        "forall": rule("forall", FORALL(Item(k=MATCH.k), Tag(k=MATCH.k))),
        "nested": rule("nested", Item(d__x=5)),
        "missing": rule("missing", Item(z=L("z"))),
        "tag_by_type": rule("tag_by_type", Tag()),
    }
    return type("General", (KnowledgeEngine,), attrs)()


def _drive(engine: KnowledgeEngine, rng: random.Random) -> None:
    engine.reset()
    values = [1, 1.0, True, "1", 2, 3, float("nan"), (1, 2), [1, 2], {"x": 5}, None, "a"]
    for _ in range(30):
        op = rng.random()
        if op < 0.45:
            engine.declare(Item(k=rng.choice("abc"), v=rng.choice(values)))
        elif op < 0.7:
            engine.declare(Tag(k=rng.choice("abc"), t=rng.choice(["a", "1", "2"])))
        elif op < 0.8:
            engine.declare(Item(d={"x": rng.choice([5, 6])}, k="d"))
        elif op < 0.9 and len(engine.facts) > 1:
            engine.retract(rng.choice([f for i, f in engine.facts.items() if i > 0]))
        else:
            engine.run(rng.randint(1, 5))
    engine.run()


@pytest.mark.slow  # heavy; .ci/run runs it (-m slow)
def test_identical_firings_with_general_experta_features():
    # compared under our stable strategy: experta's DepthStrategy breaks ties by hash(), so two
    # stock engines already disagree with each other (tests/engine/inference/test_rules.py)
    for seed in range(40):
        logs = {}
        for matcher in (ReteMatcher, TouchedNodesMatcher):
            log: list[str] = []
            _drive(_general_engine(matcher, StableStrategy, log), random.Random(seed))
            logs[matcher] = log
        assert logs[TouchedNodesMatcher] == logs[ReteMatcher], seed
        assert logs[ReteMatcher]


def test_touched_nodes_are_polled_in_the_stock_order():
    # stock experta polls the conflict-set nodes in a depth-first walk of its network (whose
    # shape depends on hash(), so two engines differ); the ranks follow the same engine's walk
    engine = _general_engine(TouchedNodesMatcher, StableStrategy, [])
    matcher = engine.matcher
    stock_order = list(ReteMatcher._get_conflict_set_nodes(matcher))
    ranked = sorted((n for n in matcher._nodes if hasattr(n, "_order")), key=lambda n: n._order)
    assert len(stock_order) > 10 and ranked == stock_order


@pytest.mark.slow  # end to end; .ci/run runs it (-m slow)
def test_fast_rule_preparation_equals_expertas(knowledge, tmp_path):
    """Skipping experta's DNF passes for flat rules must give exactly the rules it would build."""
    from experta.matchers.rete.utils import prepare_rule

    from engine.inference.matcher import prepare_flat
    from engine.knowledge.load import load_knowledge

    bases = [knowledge, load_knowledge(synthetic_knowledge(tmp_path / "kb", 300, seed=5))]
    for k in bases:
        rules = inference.Runner(k).engine.get_rules()
        assert any(isinstance(c, NOT) for r in rules for c in r[0])  # negations are exercised
        for rule in rules:
            fast, slow = prepare_flat(rule), prepare_rule(rule)
            assert fast == slow and repr(fast) == repr(slow)


def test_rule_preparation_of_every_shape_equals_expertas():
    from experta.matchers.rete.utils import prepare_rule

    from engine.inference.matcher import prepare_flat

    class F(Fact):
        pass

    flat = (
        Rule(AND(NOT(F(a=1)), F(b=1))),
        Rule(AND(NOT(F(a=1)))),
        Rule(AND()),
        Rule(AND(F(a=1), F(b=2), NOT(F(c=3)))),
    )  # the fast path, leading NOT included
    other = (
        Rule(OR(F(a=1), F(b=2))),
        Rule(F(a=1), NOT(F(b=2))),
        Rule(NOT(F(a=1))),
        Rule(),
        Rule(AND(F(a=1), OR(F(b=1), F(c=1)))),
        Rule(AND(NOT(OR(F(a=1), F(b=1))))),
    )
    for rule in flat + other:
        assert repr(prepare_flat(rule)) == repr(prepare_rule(rule))

    def rhs(self, a, b=1):  # experta passes a right-hand side without **kwargs only its names
        pass

    def rhs_kw(self, **kw):
        pass

    for fn in (rhs, rhs_kw):
        rhs.ci_meta = "meta"
        for rule in flat:
            fast, slow = prepare_flat(Rule(*rule)(fn)), prepare_rule(Rule(*rule)(fn))
            assert fast == slow and repr(fast) == repr(slow)
            assert fast._wrapped_args == slow._wrapped_args and vars(fast) == vars(slow)


def _network(matcher_cls: type, ruleset: set) -> list[tuple]:
    """The network `matcher_cls` builds for `ruleset`, node by node in a depth-first walk: each
    node's class and test (or rule) and its children as (walk index, entry point)."""
    from experta.matchers.rete.nodes import BusNode

    root = BusNode()
    alpha = ReteMatcher.build_alpha_part(ruleset, root)
    matcher_cls.build_beta_part(ruleset, alpha)
    index: dict[int, int] = {}
    order: list = []
    stack = [root]
    while stack:
        node = stack.pop()
        if id(node) in index:
            continue
        index[id(node)] = len(order)
        order.append(node)
        stack.extend(c.node for c in reversed(node.children))

    def test(node):
        # a join's SameContextCheck has no state; the InitialFact that build_alpha_part adds is
        # a new object each time, and its capture is named by its id; other checks compare equal
        check = getattr(node, "matcher", None)
        if type(check).__name__ == "SameContextCheck":
            return "SameContextCheck"
        if type(check).__name__ == "FactCapture" and check.bind.startswith("__pattern_"):
            return "FactCapture(__pattern__)"
        return check

    return [
        (
            type(n).__name__,
            test(n),
            id(getattr(n, "rule", None)),
            [(index[id(c.node)], c.callback.__name__) for c in n.children],
        )
        for n in order
    ]


def test_fast_beta_network_equals_expertas(knowledge):
    """Flat rules wired without experta's per-rule singledispatch give its very network; other
    shapes (OR, TEST, EXISTS, FORALL, a leading NOT) still go through experta's wiring."""
    from engine.inference.matcher import _flat_elements

    engines = [inference.Runner(knowledge).engine, _general_engine(ReteMatcher, StableStrategy, [])]
    for engine in engines:
        ruleset = TouchedNodesMatcher.prepare_ruleset(engine)
        ours, stock = _network(TouchedNodesMatcher, ruleset), _network(ReteMatcher, ruleset)
        assert len(ours) > 20 and ours == stock
    flat = [r for r in TouchedNodesMatcher.prepare_ruleset(engines[1]) if _flat_elements(r)]
    assert 0 < len(flat) < len(engines[1].get_rules())  # both ways are exercised
    assert any(n[0] == "NotNode" for n in _network(TouchedNodesMatcher, set(flat)))
