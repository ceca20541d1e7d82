"""Pipeline step 6 (speed): an experta matcher that does less work per change, same results.

Stock `ReteMatcher.changes` polls every rule's conflict-set node after each change to working
memory, so its cost grows with the number of rules. This subclass keeps the network experta builds
and changes how tokens travel through it:

1. a conflict-set node records itself when a token reaches it, and only those nodes are polled
   (in the order stock experta polls them);
2. a node whose children test the fact's type, or one field against a literal
   (`Finding(id="x")`), hands a token only to the children whose test passes, found by a dict
   lookup on the value (which compares as their test does: `type(fact) == t`, `literal == value`,
   so the test is not run again);
3. a token is copied only by the node that changes it (stock experta copies it on entry to every
   node, although only feature testers write to it), and a test that only answers yes or no (a
   type, a literal, a predicate on a plain field) runs inline in its parent's loop, without
   experta's per-test debug logging;
4. `reset()` wipes only the memories written since the last reset (stock experta wipes every
   node, once per path leading to it);
5. the join, not and conflict-set nodes (`engine.inference.nodes`) build their tokens without
   re-validation, and a conflict-set node keeps its won and lost activations in lists.

It relies on experta 1.9.4 internals (the version is pinned in pyproject.toml);
tests/engine/inference/test_matcher.py pins the behaviour: identical firings to the stock matcher.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from functools import update_wrapper
from itertools import pairwise
from typing import Any

from experta.fieldconstraint import L, P
from experta.matchers import ReteMatcher
from experta.matchers.rete.check import FactCapture, FeatureCheck, TypeCheck
from experta.matchers.rete.mixins import ChildNode
from experta.matchers.rete.nodes import (
    BusNode,
    ConflictSetNode,
    FeatureTesterNode,
    NotNode,
    OrdinaryMatchNode,
)
from experta.matchers.rete.token import Token
from experta.matchers.rete.utils import prepare_rule

from engine.inference.nodes import _VALID, _ConflictSet, _Join, _Memory, _Not

_new_token = tuple.__new__  # Token is a namedtuple: build one without re-validating its parts


# A plan is how a node hands a token on, child by child: (test, target). With a test (a child
# feature tester whose test only says yes or no), the test runs inline and, when it passes, the
# token goes straight on to that child's own children: `target(token, fact)`; `True` for a test
# the dispatch already passed (see `_Dispatch`). Without a test (None), `target(token)` is the
# child's ordinary entry point.
Plan = tuple[tuple[Any, Any], ...]


class _Dispatch:
    """The plans of one node's children, chosen for a fact by the value its children test."""

    __slots__ = ("by_type", "default", "everyone", "table", "what")

    def __init__(
        self, by_type: bool, what: Any, table: dict[Any, Plan], default: Plan, everyone: Plan
    ) -> None:
        self.by_type = by_type
        self.what = what
        self.table = table
        self.default = default
        self.everyone = everyone

    def plan(self, fact: Any) -> Plan:
        """The children a fact is handed to: those whose test can pass on the value it holds."""
        if self.by_type:
            return self.table.get(type(fact), self.default)
        try:
            key = fact[self.what]
        except (KeyError, IndexError, TypeError):
            return self.default  # a missing field fails every literal test
        try:
            return self.table.get(key, self.default)
        except TypeError:  # an unhashable value: let every child test it
            return self.everyone


def _plain_key(what: Any) -> bool:
    # FeatureCheck reads nested (a__b), positional and dunder keys differently: leave them alone
    return isinstance(what, str) and "__" not in what and not what.isnumeric()


def _dispatch_key(node: Any) -> tuple[bool, Any, Hashable] | None:
    """(by type?, field, value) when `node` passes only facts of one type or one field value."""
    if not isinstance(node, FeatureTesterNode):
        return None
    check = node.matcher
    if isinstance(check, TypeCheck):
        return (True, None, check.fact_type)
    if isinstance(check, FeatureCheck) and isinstance(check.how, L) and _plain_key(check.what):
        value = check.how.value
        try:
            hash(value)
        except TypeError:
            return None
        if value != value:  # NaN: a dict finds it by identity, `==` never matches it
            return None
        return (False, check.what, value)
    return None


def _yes_no_test(check: Any) -> Any:
    """A plain function equal to `check(fact)` when the check can only answer True or False
    (a type, a literal or a predicate without a binding), without its debug logging."""
    if isinstance(check, TypeCheck):
        fact_type = check.fact_type
        return lambda fact: type(fact) == fact_type  # noqa: E721 (experta's exact test)
    if not isinstance(check, FeatureCheck) or not _plain_key(check.what):
        return None
    what, how = check.what, check.how
    if getattr(how, "__bind__", True) is not None:
        return None
    if isinstance(how, P):
        test = how.match
    elif isinstance(how, L):
        expected = how.value

        def test(value: Any) -> bool:
            return bool(expected == value)
    else:
        return None

    def feature(fact: Any) -> bool:
        try:
            value = fact[what]
        except (IndexError, KeyError, TypeError):
            return False
        return bool(test(value))

    return feature


def _plan(children: list[ChildNode], passed: frozenset[int] = frozenset()) -> Plan:
    """How a node hands a token to `children`; those at the places `passed` are known to pass
    their yes-or-no test (their dispatch found them by the value it tests)."""
    out = []
    for i, child in enumerate(children):
        node = child.node
        ours = isinstance(node, _Tester) and child.callback == node.activate
        if ours and node._yes_no:
            out.append((True if i in passed else node._test, node._forward))
        elif ours and node._bind is not None:
            out.append((None, node.capture))
        else:
            out.append((None, child.callback))
    return tuple(out)


def _build_dispatch(children: list[ChildNode]) -> _Dispatch | None:
    """Dispatch on the largest group of tests of the same thing; keep the children's order."""
    groups: dict[tuple[bool, Any], list[int]] = {}
    keys: dict[int, tuple[bool, Any, Hashable]] = {}
    for i, child in enumerate(children):
        key = _dispatch_key(child.node)
        if key is not None:
            keys[i] = key
            groups.setdefault(key[:2], []).append(i)
    if not groups:
        return None
    best = max(groups, key=lambda g: (len(groups[g]), -groups[g][0]))
    if len(groups[best]) < 2:
        return None
    chosen = set(groups[best])
    always = [i for i in range(len(children)) if i not in chosen]
    by_value: dict[Hashable, list[int]] = {}
    for i in groups[best]:
        by_value.setdefault(keys[i][2], []).append(i)
    table = {}
    for value, idx in by_value.items():
        places = sorted(always + idx)
        passed = frozenset(places.index(i) for i in idx)
        table[value] = _plan([children[i] for i in places], passed)
    return _Dispatch(best[0], best[1], table, _plan([children[i] for i in always]), _plan(children))


class _Router:
    """Hands a token only to the children whose literal test the fact can pass."""

    _dispatch: _Dispatch | None
    _plan: Plan

    def _forward(self, token: Token, fact: Any) -> None:
        plan = self._plan if self._dispatch is None else self._dispatch.plan(fact)
        for test, target in plan:
            if test is None:
                target(token)
            elif test is True or test(fact):
                target(token, fact)


class _Bus(_Router, BusNode):
    def add(self, fact: Any) -> None:
        """Send a fact newly in working memory down the network."""
        self._forward(_new_token(Token, (_VALID, {fact}, {})), fact)  # Token.valid(fact)

    def remove(self, fact: Any) -> None:
        """Send the retraction of a fact down the network."""
        self._forward(Token.invalid(fact), fact)


class _Tester(_Router, FeatureTesterNode):
    """FeatureTesterNode._activate, copying the token only when the test adds to its context."""

    _test: Any
    _yes_no: bool
    _bind: str | None  # the name a fact-capture node binds its fact to (`name << Pattern`)

    def activate(self, token: Token) -> None:
        """Run the node's test on the token's one fact; pass it on when the test holds."""
        data = token.data
        if len(data) != 1:
            raise ValueError("a feature tester receives a token of one fact")
        (fact,) = data
        match = self._test(fact)
        if not match:
            return
        if isinstance(match, Mapping):
            context = token.context
            for key, value in match.items():
                if isinstance(key, tuple):  # negated condition
                    if key[1] in context and context[key[1]] == value:
                        return
                else:
                    if context.get(key, value) != value:
                        return
                    if (False, key) in context and context[(False, key)] == value:
                        return
            context = dict(context)
            context.update(match)
            token = _new_token(Token, (token.tag, set(data), context))
        self._forward(token, fact)

    _activate = activate

    def capture(self, token: Token) -> None:
        """`activate` of a node that binds the token's fact to a name: experta's `FactCapture`
        test answers `{name: fact}`, read here without building that mapping or logging it."""
        data = token.data
        if len(data) != 1:
            raise ValueError("a feature tester receives a token of one fact")
        (fact,) = data
        name, context = self._bind, token.context
        if not context:  # a fact fresh from the bus: nothing bound yet (most captures)
            context = {name: fact}
        else:
            if name in context and context[name] != fact:
                return
            if (False, name) in context and context[(False, name)] == fact:
                return
            context = dict(context)
            context[name] = fact
        self._forward(_new_token(Token, (token.tag, set(data), context)), fact)


def prepare_flat(rule: Any) -> Any:
    """`prepare_rule(rule)` for a rule whose whole left-hand side is one AND of (NOT) patterns."""
    from experta.conditionalelement import AND, NOT
    from experta.fact import Fact, InitialFact

    def plain(ce: Any) -> bool:
        return isinstance(ce, Fact) or (
            type(ce) is NOT and len(ce) == 1 and isinstance(ce[0], Fact)
        )

    if len(rule) != 1 or type(rule[0]) is not AND or not all(plain(c) for c in rule[0]):
        return prepare_rule(rule)
    ces = tuple(rule[0])
    if not ces or isinstance(ces[0], NOT) or not any(isinstance(c, Fact) for c in ces):
        ces = (InitialFact(),) + ces
    return _new_conditions(rule, ces)


def _new_conditions(rule: Any, ces: tuple[Any, ...]) -> Any:
    """`rule.new_conditions(*ces)`, reusing what experta read from the right-hand side's
    signature for `rule` instead of reading it again (`inspect.signature` is slow)."""
    new = type(rule)(*ces, salience=rule.salience)
    if rule._wrapped:
        new._wrapped = rule._wrapped
        new._wrapped_args = type(rule._wrapped_args)(rule._wrapped_args)
        update_wrapper(new, rule._wrapped)
    return new


def _flat_elements(rule: Any) -> tuple[Any, ...] | None:
    """The patterns of a prepared rule that is one conjunction of (NOT) patterns, else None."""
    from experta.conditionalelement import NOT
    from experta.fact import Fact

    elems = tuple(rule)
    for ce in elems:
        if not (
            isinstance(ce, Fact) or (type(ce) is NOT and len(ce) == 1 and isinstance(ce[0], Fact))
        ):
            return None
    return elems if elems and isinstance(elems[0], Fact) else None


def wire_flat(rule: Any, alpha_terminals: Mapping[Any, Any]) -> bool:
    """experta's `wire_rule(rule, alpha_terminals)` for a flat rule (see `_flat_elements`):
    the same nodes, joined in the same order; False, with nothing wired, for any other rule.

    experta's version builds a new `singledispatch` function per rule, whose empty cache makes
    it resolve the type of every pattern again (most of the time the network takes to build).
    """
    from experta.conditionalelement import NOT
    from experta.matchers.rete.check import SameContextCheck

    elems = _flat_elements(rule)
    if elems is None:
        return False

    def terminal(ce: Any) -> Any:
        return alpha_terminals[ce[0] if type(ce) is NOT else ce]

    last = terminal(elems[0])
    current = None
    for first, second in pairwise(elems):
        node_cls = NotNode if type(second) is NOT else OrdinaryMatchNode
        if current is None:
            current = node_cls(SameContextCheck())
            left = terminal(first)
        else:
            left = current
            current = node_cls(SameContextCheck())
        right = terminal(second)
        left.add_child(current, current.activate_left)
        right.add_child(current, current.activate_right)
        last = current
    conflict_set_node = ConflictSetNode(rule)
    last.add_child(conflict_set_node, conflict_set_node.activate)
    return True


_SWAP = {
    BusNode: _Bus,
    FeatureTesterNode: _Tester,
    OrdinaryMatchNode: _Join,
    NotNode: _Not,
    ConflictSetNode: _ConflictSet,
}


class TouchedNodesMatcher(ReteMatcher):
    """experta's RETE matcher, polling only the conflict-set nodes touched since the last poll."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)  # builds the network
        self._touched: list[_ConflictSet] = []
        self._dirty: list[_Memory] = []
        self._nodes = self._every_node()
        self._prepare()

    @staticmethod
    def prepare_ruleset(engine: Any) -> set[Any]:
        """experta's rule preparation, without its two DNF passes for rules already flat.

        Our compiler gives every rule one conjunction of patterns and negated patterns: already
        in disjunctive normal form, so experta's `prepare_rule` (two `dnf` rewrites, most of the
        network build time) only unwraps the `AND` and puts an `InitialFact` before a leading
        `NOT`. Any other shape goes through experta's own code; a test checks that both ways
        give equal rules on the shipped and the synthetic knowledge bases.
        """
        return {prepare_flat(rule) for rule in engine.get_rules()}

    @staticmethod
    def build_beta_part(ruleset: Any, alpha_terminals: Any) -> None:
        """experta's beta network, flat rules wired by `wire_flat` (a test compares the two)."""
        for rule in ruleset:
            if not wire_flat(rule, alpha_terminals):
                ReteMatcher.build_beta_part([rule], alpha_terminals)

    def _every_node(self) -> list[Any]:
        """Each node once, depth first in children order: the order stock experta polls in."""
        seen: set[int] = set()
        order: list[Any] = []
        stack = [self.root_node]
        while stack:
            node = stack.pop()
            if id(node) in seen:
                continue
            seen.add(id(node))
            order.append(node)
            stack.extend(child.node for child in reversed(node.children))
        return order

    def _prepare(self) -> None:
        for node in self._nodes:
            cls = _SWAP.get(type(node))
            if cls is not None:
                node.__class__ = cls
        rank = 0
        for node in self._nodes:
            if isinstance(node, _Memory):
                node._matcher = self
                node._dirty = True
                self._dirty.append(node)  # the first reset wipes every memory once
            # callbacks are bound methods taken when the network was wired: re-bind them so
            # they reach the methods of the swapped classes
            node.children[:] = [
                ChildNode(c.node, getattr(c.node, c.callback.__name__)) for c in node.children
            ]
            if isinstance(node, _ConflictSet):
                node._order = rank
                rank += 1
                node.added, node.removed = list(node.added), list(node.removed)
                node._touched = bool(node.added or node.removed)
                if node._touched:
                    self._touched.append(node)
        for node in self._nodes:
            if isinstance(node, _Tester):
                fast = _yes_no_test(node.matcher)
                node._test = fast or node.matcher
                node._yes_no = fast is not None
                node._bind = node.matcher.bind if type(node.matcher) is FactCapture else None
        for node in self._nodes:
            if isinstance(node, (_Bus, _Tester)):
                node._plan = _plan(node.children)
                node._dispatch = _build_dispatch(node.children)

    def changes(self, adding: Any = None, deleting: Any = None) -> tuple[list[Any], list[Any]]:
        """Pass added and deleted facts through the network; return the activations won and lost."""
        if deleting is not None:
            for fact in deleting:
                self.root_node.remove(fact)
        if adding is not None:
            for fact in adding:
                self.root_node.add(fact)
        added: list[Any] = []
        removed: list[Any] = []
        touched = self._touched
        if touched:
            if len(touched) > 1:
                touched.sort(key=_order)
            for csn in touched:
                csn._touched = False
                c_added, c_removed = csn.get_activations()
                added.extend(c_added)
                removed.extend(c_removed)
            touched.clear()
        return added, removed

    def reset(self) -> None:
        """Empty the memories written since the last reset, for the engine's next run."""
        # stock `reset()` wipes every node's memory (once per path to it); nodes without memory
        # have nothing to wipe and a memory nobody wrote to since the last reset is still empty
        for node in self._dirty:
            node._reset()  # type: ignore[attr-defined]  # experta internals, pinned by tests
            node._dirty = False
        self._dirty.clear()


def _order(node: _ConflictSet) -> int:
    return node._order


__all__ = ["TouchedNodesMatcher"]


def matcher_class() -> type:
    """The matcher the compiled engines use (tests and the benchmark swap in stock ReteMatcher)."""
    return TouchedNodesMatcher
