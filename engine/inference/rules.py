"""Pipeline step 5: compile the YAML rules of `knowledge/rules/` into an experta engine class.

Each AND-branch of a rule (after expanding `any:`) becomes one experta rule whose right-hand side
records the firing (rule id, source position, matched facts and values, what it declared).
Salience comes from stratification: a rule that needs a finding to be absent (`not:`) runs only
after every rule that could derive that finding, so negation is never read too early.
The conflict-resolution strategy is deterministic and never fires a stale activation.
"""

from __future__ import annotations

import bisect
import inspect
import logging
import operator
from collections.abc import Callable
from dataclasses import dataclass
from functools import update_wrapper
from typing import Any

from experta import AND, NOT, DefFacts, KnowledgeEngine, P, Rule, watchers
from experta.abstract import Strategy
from experta.agenda import Agenda
from experta.conditionalelement import ConditionalElement
from experta.fact import Fact, InitialFact
from experta.factlist import FactList

from engine.errors import InputError
from engine.inference import matcher
from engine.inference.facts import Finding, Measure, Postponed, Recommended, group_class
from engine.knowledge.conditions import branch_problems, branches, predicate
from engine.knowledge.graph import strata
from engine.knowledge.models import Atom, Knowledge, Not_, RuleSite


class StableStrategy(Strategy):
    """Depth-first like CLIPS' default, without experta's two defects.

    Key: (salience, earlier rule first, earlier branch first, most recent facts first). Ties cannot
    happen, so the order never depends on `hash()`; removal is by equality, so no stale activation
    survives a retraction or a `NOT` that became false.
    """

    @staticmethod
    def key(act: Any) -> tuple[Any, ...]:
        """The agenda's sort key: salience, then the rule's place in the files, branch and facts."""
        facts = tuple(sorted(map(_FACT_ID, act.facts), reverse=True))
        rank = getattr(act.rule, "ci_rank", None)  # a compiled rule's, worked out once
        if rank is not None:
            return (*rank, facts)
        wrapped = act.rule._wrapped
        meta = getattr(wrapped, "ci_meta", None)
        order, branch = (meta.order, meta.branch) if meta else (0, 0)
        # the name breaks ties between hand-written experta rules (tests); compiled rules never tie
        return (act.rule.salience, -order, -branch, getattr(wrapped, "__name__", ""), facts)

    def _update_agenda(self, agenda: Any, added: list[Any], removed: list[Any]) -> None:
        # the agenda stays sorted by key, compared in C (`_KEY`) rather than by a Python call to
        # `Activation.__lt__` per comparison; equal activations have equal keys (their `__eq__`
        # compares them), so a removal looks only at the run of activations with its key
        acts = agenda.activations
        for act in removed:
            act.key = key = self.key(act)
            lo = bisect.bisect_left(acts, key, key=_KEY)
            hi = bisect.bisect_right(acts, key, lo, key=_KEY)
            if lo < hi:
                acts[lo:hi] = [a for a in acts[lo:hi] if a != act]
        for act in added:
            act.key = key = self.key(act)
            acts.insert(bisect.bisect_right(acts, key, key=_KEY), act)


_KEY = operator.attrgetter("key")  # an activation's agenda key (`StableStrategy.key`)
_FACT_ID = operator.itemgetter("__factid__")  # a fact's index in working memory


class _Engine(KnowledgeEngine):
    """experta's engine with the same run loop, less the work its logging does when nobody
    listens: stock `run` formats every firing's facts for a debug line before the logger drops
    it (a tenth of the loop), and `reset` reads each deffacts' signature to pass no arguments.
    Its fact list enters a fact without experta's checks that do nothing for ours (`_FactList`),
    and `feed` declares a cluster's facts with the checks made per set of field names."""

    def __init__(self) -> None:
        super().__init__()
        self._plain_names: set[tuple[Any, ...]] = set()  # see `_FactList`
        self.facts = _FactList(self._plain_names)
        # the (class, field names) pairs `feed` found free of nested accessors
        self._names_ok: set[tuple[type, tuple[Any, ...]]] = set()

    # a compiled engine's recorder (`build_engine_class`): the run loop hands it each firing
    _record: Recorder | None = None

    def run(self, steps: float = float("inf")) -> None:
        """Fire the agenda's activations, as experta's `run` does (its loop when a watcher is on).

        A compiled rule's firing goes straight to the recorder its right-hand side would call
        (`_make_rhs`), without experta's `Rule.__call__` and two rebuilds of the bindings."""
        if (
            watchers.RULES.isEnabledFor(logging.INFO)
            or watchers.worth("AGENDA", "DEBUG")
            or watchers.worth("ACTIVATIONS", "INFO")
        ):
            return super().run(steps)
        self.running = True
        # `update_agenda` less its watcher's check (made above); nothing to do on no change
        changes, update, agenda = self.matcher.changes, self.strategy._update_agenda, self.agenda
        record = self._record
        while steps > 0 and self.running:
            added, removed = changes(*self.facts.changes)
            if added or removed:
                update(agenda, added, removed)
            activation = agenda.get_next()
            if activation is None:
                break
            steps -= 1
            rule = activation.rule
            bound = {k: v for k, v in activation.context.items() if not k.startswith("__")}
            meta = getattr(rule, "ci_meta", None)
            if meta is None or record is None:
                rule(self, **bound)
            else:
                record(self, meta, bound)
        self.running = False
        return None

    def reset(self, **kwargs: Any) -> None:
        """experta's `reset`; without arguments each deffacts is called without any."""
        if kwargs:
            return super().reset(**kwargs)
        self.agenda = Agenda()
        self.facts = _FactList(self._plain_names)
        self.matcher.reset()
        self._feed([fact for deffacts in self.get_deffacts() for fact in deffacts()])
        self.running = False
        return None

    def feed(self, facts: list[Fact]) -> None:
        """`declare(*facts)`: the same fact list entries, network pass and agenda update, with
        experta's checks made per set of field names (once per engine) and per value type
        rather than field by field in Python (~250 fields a cluster)."""
        if not self.facts:
            watchers.ENGINE.warning("Declaring fact before reset()")
        self._feed(facts)

    def _feed(self, facts: list[Fact]) -> None:
        # experta's `__declare`
        _check_facts(facts, self._names_ok)
        declare = self.facts.declare
        for fact in facts:
            declare(fact)
        if not self.running:
            added, removed = self.get_activations()
            self.strategy.update_agenda(self.agenda, added, removed)

    def conclude(self, cls: type[Fact], fid: str) -> bool:
        """`declare(cls(id=fid))` from a rule's right-hand side, whether the fact was new: the
        same fact list entry, without experta's checks of a fact that has one plain field."""
        return self.facts.conclude(cls, fid)


def _check_facts(facts: list[Fact], names_ok: set[tuple[type, tuple[Any, ...]]]) -> None:
    """experta's `__declare` checks, raising as it does: no field holds a pattern (a conditional
    element), then no field name is a nested accessor (`a__b`; each set of names read once)."""
    for fact in facts:
        if any(issubclass(t, ConditionalElement) for t in set(map(type, fact.values()))):
            raise TypeError("Declared facts cannot contain conditional elements")
    for fact in facts:
        key = (type(fact), tuple(fact))
        if key not in names_ok:
            if fact.has_nested_accessor():
                raise KeyError("Cannot declare facts containing double underscores as keys.")
            names_ok.add(key)


def _is_special(key: Any) -> bool:
    return isinstance(key, str) and key.startswith("__") and key.endswith("__")


class _FactList(FactList):
    """experta's fact list, entering a fact without the work that does nothing for ours: no
    validation when its class declares no `Field`, its identity (class and plain fields) built
    without a call per field when no field name is special (`__x__`)."""

    def __init__(self, plain: set[tuple[Any, ...]] | None = None) -> None:
        super().__init__()
        # whether experta's FACTS watcher logs each fact entered: read once per fact list (one
        # per run), not in a logger call per fact
        self._log = watchers.FACTS.isEnabledFor(logging.INFO)
        # the sets of field names found free of special names (`__x__`), kept by the engine
        # across its runs: a group's ~30 names are read once, not at every declaration
        self._plain = set() if plain is None else plain

    def declare(self, fact: Any) -> Any:
        """experta's `FactList.declare`: the fact with its index, or None when already there."""
        if not isinstance(fact, Fact) or type(fact).__fields__:
            return super().declare(fact)
        names = tuple(fact)
        plain = names in self._plain
        if not plain and not any(map(_is_special, names)):
            plain = True
            self._plain.add(names)
        if plain:
            fact_id = frozenset([fact.__class__, *fact.items()])
        else:
            fact_id = self._get_fact_id(fact)
        if self.duplication or fact_id not in self.reference_counter:
            self._enter(fact, fact_id)
            return fact
        return None

    def conclude(self, cls: type[Fact], fid: str) -> bool:
        """Declare `cls(id=fid)`, built only when new; whether it was."""
        fact_id = frozenset((cls, ("id", fid)))
        if not self.duplication and fact_id in self.reference_counter:
            return False
        fact: Any = dict.__new__(cls)
        dict.__setitem__(fact, "id", fid)
        fact._Fact__defaults = {}  # what Fact.__init__ sets besides the fields
        self._enter(fact, fact_id)
        return True

    def _enter(self, fact: Any, fact_id: frozenset[Any]) -> None:
        idx = self.last_index
        dict.__setitem__(fact, "__factid__", idx)  # Fact's `__factid__` setter
        self[idx] = fact
        self.last_index += 1
        self.added.append(fact)
        # `Counter`'s `+=` on a new key goes through its `__missing__`, a Python call per fact
        counter = self.reference_counter
        counter[fact_id] = counter.get(fact_id, 0) + 1
        if self._log:
            watchers.FACTS.info(" ==> %s: %r", fact, fact)


@dataclass(frozen=True)
class RuleMeta:
    rule_id: str
    order: int
    branch: int
    site: RuleSite


Recorder = Callable[[Any, RuleMeta, dict[str, Any]], None]


def _pattern_for_branch(branch: list[Any], knowledge: Knowledge) -> list[Any]:
    per_group: dict[str, dict[str, Any]] = {}
    measure_fields: dict[str, Any] = {}
    positives: list[Any] = []
    negatives: list[Any] = []

    def add(fields: dict[str, Any], name: str, atom: Atom) -> None:
        check = P(predicate(atom.op or "", atom.value))
        fields[name] = fields[name] & check if name in fields else check

    for cond in branch:
        if isinstance(cond, Not_):
            a = cond.not_
            cls = Finding if a.subject_kind == "finding" else Recommended
            negatives.append(NOT(cls(id=a.subject)))
            continue
        a = cond
        if a.subject_kind == "indicator":
            group = knowledge.indicator[a.subject].group
            add(per_group.setdefault(group, {}), a.subject, a)
        elif a.subject_kind == "measure":
            add(measure_fields, a.subject, a)
        elif a.subject_kind == "finding":
            positives.append(("finding", a.subject, Finding(id=a.subject)))
        else:
            positives.append(("recommendation", a.subject, Recommended(id=a.subject)))
    patterns: list[Any] = []
    for group in sorted(per_group):
        patterns.append((f"g_{group}", group_class(group)(**per_group[group])))
    if measure_fields:
        patterns.append(("m", Measure(**measure_fields)))
    for kind, subject, pat in positives:
        patterns.append((f"{kind[0]}_{subject.replace('.', '_')}", pat))
    bound = [name << pat for name, pat in patterns]
    if not bound:
        bound = [InitialFact()]
    return bound + negatives


def build_engine_class(knowledge: Knowledge, record: Recorder) -> type[KnowledgeEngine]:
    """A KnowledgeEngine subclass with one experta rule per rule branch."""
    over = branch_problems(knowledge.rules)  # a bounded draft: refuse before building anything
    if over:
        raise InputError([p for _, p in over])
    levels = strata(knowledge)
    top = max(levels.values(), default=0)
    attrs: dict[str, Any] = {"__strategy__": StableStrategy}
    for site in knowledge.rules:
        for b, branch in enumerate(branches(site.rule.when)):
            meta = RuleMeta(site.rule.id, site.order, b, site)
            rhs = _make_rhs(meta, record)
            # higher salience fires first: stratum 0 gets the highest
            salience = top - levels[site.rule.id]
            # the agenda's key of the rule's activations, less their facts (`StableStrategy.key`)
            rhs.ci_rank = (salience, -site.order, -b, rhs.__name__)  # type: ignore[attr-defined]
            rule = Rule(AND(*_pattern_for_branch(branch, knowledge)), salience=salience)
            attrs[f"r{site.order:05d}_{b:02d}"] = _wrap(rule, rhs)
    attrs["_record"] = staticmethod(record)
    attrs["__matcher__"] = matcher.matcher_class()  # looked up at call time: tests swap it
    attrs["get_deffacts"] = _get_deffacts
    cls = type("ClusterIntlEngine", (_Engine,), attrs)
    cls._deffact_names = tuple(  # type: ignore[attr-defined]
        name for name, v in inspect.getmembers(cls) if isinstance(v, DefFacts)
    )
    return cls


def _get_deffacts(engine: Any) -> list[DefFacts]:
    """experta's `get_deffacts` without its `inspect.getmembers` of the whole engine at every
    `reset` (once per cluster): the names are found once, when the class is built."""
    found = [getattr(engine, name) for name in type(engine)._deffact_names]
    return sorted(found, key=lambda d: d.order)


def _wrap(rule: Rule, rhs: Callable[..., None]) -> Rule:
    """`rule(rhs)` without its `inspect.signature(rhs)`: our right-hand sides take `**bound`, for
    which experta keeps every argument (`_wrapped_args` stays empty). Two signatures per rule
    were a tenth of the time the engine takes to build."""
    rule._wrapped = rhs
    return update_wrapper(rule, rhs)


def _make_rhs(meta: RuleMeta, record: Recorder) -> Callable[..., None]:
    # a factory, so each closure keeps its own meta (no late binding of loop variables)
    def rhs(engine: Any, **bound: Any) -> None:
        record(engine, meta, bound)

    rhs.ci_meta = meta  # type: ignore[attr-defined]
    rhs.__name__ = f"{meta.rule_id}__b{meta.branch}"
    return rhs


__all__ = [
    "Finding",
    "Postponed",
    "Recommended",
    "RuleMeta",
    "StableStrategy",
    "build_engine_class",
    "strata",
]
