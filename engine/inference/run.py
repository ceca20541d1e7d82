"""Pipeline step 6: run forward chaining over the compiled rules and keep the firing record.

The record (`Firing`) is the single source of every explanation: which rule fired, where it is
written, on which facts with which values, and what it declared. One engine is kept per knowledge
base and process and reused with `reset()` (experta's matcher caches punish alternating engines).
"""

from __future__ import annotations

import operator
from typing import Any

from engine.assessment.validate import Assessment
from engine.inference.applicability import cluster_kind, excluded_measures, read_of_kind
from engine.inference.facts import Finding, Postponed, Recommended, build_facts
from engine.inference.priority_cap import cap_high
from engine.inference.rules import build_engine_class
from engine.inference.trace import (
    Applicability,
    ClusterKind,
    CondCheck,
    Declared,
    Firing,
    Matched,
    Result,
    RunningCheck,
)
from engine.knowledge.base import DeclaredKind, FactKind
from engine.knowledge.conditions import Truth, branches, holds, predicate, truth
from engine.knowledge.models import PRIORITY_RANK, STATUS_RANK, Atom, Knowledge, Not_, Then
from engine.measures import Measures, compute


def _plain(value: Any) -> Any:
    if isinstance(value, (tuple, list)) or type(value).__name__ == "frozenlist":
        return [_plain(v) for v in value]
    return value


class _Recorder:
    """Called by every rule's right-hand side; turns an activation into a `Firing`."""

    def __init__(self, knowledge: Knowledge) -> None:
        self.knowledge = knowledge
        self.firings: list[Firing] = []
        # measures that do not apply to this run's cluster
        self.excluded: frozenset[str] = frozenset()
        # a run without the explanation's detail (the facts matched and each condition as read):
        # what fired and what it declared only, for the sensitivity map's many reruns
        self.lean = False
        # a run that reads each condition but keeps no matched facts (`Firing.matched` empty):
        # what a document reads, not the JSON result's trace (a batch of Markdown or HTML)
        self.facts = True
        self._branches: dict[tuple[str, int], list[Any]] = {}
        # by (rule order, branch): what every firing of the branch records alike (`_first`)
        self._static: dict[tuple[int, int], tuple[Any, ...]] = {}
        # each rule branch's salience, known once the engine class is built (`Runner`)
        self.saliences: dict[tuple[str, int], int] = {}

    def branch(self, site: Any, b: int) -> list[Any]:
        """The conditions of one branch of a rule (its `when` unfolded), computed once."""
        key = (site.rule.id, b)
        if key not in self._branches:
            self._branches[key] = branches(site.rule.when)[b]
        return self._branches[key]

    def __call__(self, engine: Any, meta: Any, bound: dict[str, Any]) -> None:
        """Record one activation: the facts it matched, its conditions as read, what it declared."""
        static = self._static.get((meta.order, meta.branch))
        if static is None:  # the branch's alone: worked out on its first firing
            static = self._static[(meta.order, meta.branch)] = self._first(meta)
        rule, where, salience, then, tested, plan, concludes = static
        if self.lean:
            matched: list[Matched] = []
            checks: list[CondCheck] = []
            live = absent = True
        else:
            matched = self._matched(bound, tested) if self.facts else []
            # every matched fact still in working memory (by its index), tested in C
            live = all(map(engine.facts.__contains__, map(_FACT_ID, bound.values())))
            checks, absent = _checks(engine, plan, bound)
        declared = _declare(engine, concludes, self.excluded)
        firings = self.firings
        firings.append(
            Firing(
                len(firings) + 1,
                rule,
                where,
                meta.branch,
                salience,
                tuple(matched),
                tuple(checks),
                tuple(declared),
                then.priority,
                live and absent,
            )
        )

    def _first(self, meta: Any) -> tuple[Any, ...]:
        """What every firing of a branch records alike: its rule, place, salience and
        conclusions, the subjects it tests, how its conditions are read and what it declares."""
        site = meta.site
        branch = self.branch(site, meta.branch)
        return (
            site.rule.id,
            f"{site.file}:{site.line}",
            self.saliences[(site.rule.id, meta.branch)],
            site.rule.then,
            self._tested(branch),
            self._plan(branch),
            _concludes(site.rule.then),
        )

    def _tested(self, branch: list[Any]) -> dict[str, list[str]]:
        """The subjects the branch tests, by the name its fact is bound to (`g_<group>`, `m`)."""
        tested: dict[str, list[str]] = {}
        for cond in branch:
            if isinstance(cond, Atom) and cond.subject_kind == "indicator":
                group = self.knowledge.indicator[cond.subject].group
                tested.setdefault(f"g_{group}", []).append(cond.subject)
            elif isinstance(cond, Atom) and cond.subject_kind == "measure":
                tested.setdefault("m", []).append(cond.subject)
        return tested

    @staticmethod
    def _matched(bound: dict[str, Any], tested: dict[str, list[str]]) -> list[Matched]:
        """The matched facts with the tested values."""
        matched = []
        for name, fact in sorted(bound.items()):
            kind: FactKind
            if name.startswith("g_"):
                kind, label = "indicators", name[2:]
            elif name == "m":
                kind, label = "measures", "measures"
            elif name.startswith("f_"):
                kind, label = "finding", fact["id"]
            else:
                kind, label = "recommendation", fact["id"]
            values = tuple((f, _plain(fact.get(f))) for f in dict.fromkeys(tested.get(name, [])))
            matched.append(Matched(fact["__factid__"], kind, label, values))
        return matched

    def _plan(self, branch: list[Any]) -> tuple[tuple[Any, ...], ...]:
        """How each condition of a branch is read on a firing's facts, worked out once: a `not`
        by the fact-list key of its finding or recommendation (with its record when absent and
        when present), a positive condition on an indicator or a measure by the fact it reads
        and its test, a finding or recommendation made by its record (it holds: matched)."""
        steps: list[tuple[Any, ...]] = []
        for cond in branch:
            if isinstance(cond, Not_):
                neg = cond.not_
                cls = Finding if neg.subject_kind == "finding" else Recommended
                read = {
                    h: CondCheck(neg.subject_kind, neg.subject, None, None, None, True, h)
                    for h in (True, False)
                }
                steps.append((_NOT, frozenset((cls, ("id", neg.subject))), read))
            elif isinstance(cond, Atom) and cond.subject_kind in ("indicator", "measure"):
                if cond.subject_kind == "indicator":  # the name its group's fact is bound to
                    fact = f"g_{self.knowledge.indicator[cond.subject].group}"
                else:
                    fact = "m"
                test = predicate(cond.op, cond.value) if cond.op is not None else None
                record = (cond.subject_kind, cond.subject, cond.op, _plain(cond.value))
                steps.append((_READ, cond, fact, test, record))
            else:
                made = CondCheck(cond.subject_kind, cond.subject, None, None, True, False, True)
                steps.append((_MADE, made))
        return tuple(steps)


def _checks(
    engine: Any, plan: tuple[tuple[Any, ...], ...], bound: dict[str, Any]
) -> tuple[list[CondCheck], bool]:
    """Each condition of the branch as read on the matched facts, and whether every `not` still
    holds (its finding or recommendation absent from the working memory: not in the fact list's
    keys, which no rule ever retracts from)."""
    present = engine.facts.reference_counter
    all_absent = True
    checks = []
    for step in plan:
        how = step[0]
        if how is _NOT:
            absent = step[1] not in present
            all_absent = all_absent and absent
            checks.append(step[2][absent])
        elif how is _READ:
            _, a, fact, test, (kind, subject, op, value) = step
            actual = bound[fact].get(subject)
            if type(actual) not in _SCALAR:
                actual = _plain(actual)
            ok = test(actual) if test is not None else holds(a, actual)
            checks.append(CondCheck(kind, subject, op, value, actual, False, ok))
        else:  # a finding or recommendation made: matched, so it holds
            checks.append(step[1])
    return checks, all_absent


# how `_checks` reads a condition (see `_Recorder._plan`)
_NOT, _READ, _MADE = "not", "read", "made"
_FACT_ID = operator.itemgetter("__factid__")  # a fact's index in working memory
# the values `_plain` returns as they are, checked inline for the ~100 read a cluster
_SCALAR = frozenset({str, int, float, bool, type(None)})


# the declarations a branch makes, each (fact class, id, its record when new, when not new)
Concludes = tuple[tuple[type, str, Declared, Declared], ...]


def _concludes(then: Then) -> Concludes:
    """What a rule concludes, in `_declare`'s order, with the records of either outcome."""
    out: list[tuple[type, str, DeclaredKind]] = [(Finding, fid, "finding") for fid in then.finding]
    out += [(Recommended, rid, "recommendation") for rid in then.recommend]
    out += [(Postponed, rid, "postponed") for rid in then.postpone]
    return tuple(
        (cls, i, Declared(kind, i, True), Declared(kind, i, False)) for cls, i, kind in out
    )


def _declare(engine: Any, concludes: Concludes, excluded: frozenset[str]) -> list[Declared]:
    """Declare what the rule concludes; each entry says whether the fact was new. A measure that
    does not apply to the cluster is recorded as `excluded` and never declared."""
    declared = []
    for cls, fid, new, old in concludes:
        if cls is Recommended and fid in excluded:
            declared.append(Declared("excluded", fid, False))
        else:
            declared.append(new if engine.conclude(cls, fid) else old)
    return declared


class Runner:
    """A compiled knowledge base and its one reusable engine."""

    def __init__(self, knowledge: Knowledge) -> None:

        self.knowledge = knowledge
        self.recorder = _Recorder(knowledge)
        self.engine_class = build_engine_class(knowledge, self.recorder)
        self.engine = self.engine_class()
        # the recorder gives each firing its salience as it records it
        self._saliences = self.recorder.saliences
        for rule in self.engine.get_rules():
            meta = rule._wrapped.ci_meta
            self._saliences[(meta.rule_id, meta.branch)] = rule.salience
        # the measures that do not apply, by what they read of the cluster's kind: a batch's
        # clusters share kinds, and reading every `applies_to:` for each was a fortieth of a run
        self._excluded: dict[Any, tuple[dict[str, Applicability], frozenset[str]]] = {}

    def excluded(self, kind: ClusterKind) -> tuple[dict[str, Applicability], frozenset[str]]:
        """`excluded_measures(kind)` and its ids, read once per kind (for at most 1024 kinds)."""
        key = read_of_kind(kind, self.knowledge)
        known = self._excluded.get(key)
        if known is None:
            if len(self._excluded) >= 1024:
                self._excluded.clear()
            excluded = excluded_measures(kind, self.knowledge)
            known = self._excluded[key] = (excluded, frozenset(excluded))
        return known

    def run(
        self,
        assessment: Assessment,
        measures: Measures | None = None,
        *,
        trace: bool = True,
        facts: bool = True,
    ) -> Result:
        """Run the rules on one assessment; return the result with its firing record (without
        `trace`, the record keeps what fired and declared, not the facts and values it read: the
        same findings, measures, statuses and priorities, for callers that explain nothing;
        without `facts`, each condition as read but not the facts matched, which only the JSON
        result's trace shows)."""

        measures = measures or compute(assessment, self.knowledge)
        kind = cluster_kind(assessment, self.knowledge)
        excluded, self.recorder.excluded = self.excluded(kind)
        self.recorder.firings = []
        self.recorder.lean = not trace
        self.recorder.facts = facts
        self.engine.reset()
        self.engine.feed(build_facts(assessment, measures, self.knowledge))
        self.engine.run()
        firings = self.recorder.firings
        result = _result(assessment, measures, firings, self.knowledge)
        result.kind = kind
        result.excluded = {r: excluded[r] for r in result.excluded_ids()}
        return result


def _collect_declared(result: Result, knowledge: Knowledge) -> dict[str, str]:
    """Findings, recommendations and postponements in the order first declared, each once (an
    `excluded` measure stays out: the runner keeps it in `result.excluded`), with each made
    measure's status; return the highest priority the firing rules asked for each. One pass
    over the declarations (~50 firings a cluster), which also indexes the firings by what they
    declared (`Result.producers`, asked for every measure the program shows)."""
    lists = {
        "finding": result.findings,
        "recommendation": result.recommendations,
        "postponed": result.postponed,
    }
    producers: dict[tuple[str, str], list[Firing]] = {}
    status = result.status
    asked: dict[str, str] = {}
    for f in result.firings:
        for d in f.declared:
            key = (d.kind, d.id)
            found = producers.get(key)
            if found is None:
                producers[key] = [f]
            elif found[-1] is not f:  # a firing once per what it declared
                found.append(f)
            target = lists.get(d.kind)
            if target is None:
                continue
            if found is None:  # declared first here
                target.append(d.id)
            if d.kind != "recommendation":
                continue
            # status: a measure is new as soon as one rule makes it on known facts; it stays
            # conditional only when every rule that made it did so on a blank ("if not yet ...")
            made = knowledge.rule[f.rule].rule.then.status
            held = status.get(d.id)
            if held is None or STATUS_RANK[made] < STATUS_RANK[held]:
                status[d.id] = made
            if f.priority:
                held = asked.get(d.id)
                if held is None or PRIORITY_RANK[f.priority] < PRIORITY_RANK[held]:
                    asked[d.id] = f.priority
    result.index_producers(producers)
    return asked


def _result(
    assessment: Assessment, measures: Measures, firings: list[Firing], knowledge: Knowledge
) -> Result:
    result = Result(assessment=assessment, measures=measures, firings=firings)
    asked = _collect_declared(result, knowledge)
    _restrict(result, knowledge)
    for rid in result.recommendations:
        check = running_check(result, rid, knowledge)
        if check is not None:
            result.running[rid] = check
            result.status[rid] = check.status
    # priority: the highest of the recommendation's default and what the firing rules asked for
    for rid in result.recommendations:
        priority: str = knowledge.recommendation[rid].priority
        wanted = asked.get(rid)
        if wanted is not None and PRIORITY_RANK[wanted] < PRIORITY_RANK[priority]:
            priority = wanted
        result.priority[rid] = priority
    result.lowered = cap_high(result, knowledge)
    return result


def _restrict(result: Result, knowledge: Knowledge) -> None:
    """Leave out every made measure that serves a direction a made finding closes (the experts'
    `restricted_directions`), recording which findings closed it."""
    closed: dict[str, list[str]] = {}
    for fid in result.findings:
        d = knowledge.finding[fid].restricts if fid in knowledge.finding else None
        if d:
            closed.setdefault(d, []).append(fid)
    if not closed:
        return
    for rid in list(result.recommendations):
        hits = [f for d in knowledge.recommendation[rid].serves for f in closed.get(d, [])]
        if hits:
            result.restricted[rid] = list(dict.fromkeys(hits))
            result.recommendations.remove(rid)


def running_check(result: Result, rid: str, knowledge: Knowledge) -> RunningCheck | None:
    """Read the entry's `running:` condition against the assessment, the measures and the
    findings: a measure shown to run is continued (never new, and no longer conditional on a
    blank: it demonstrably runs); one whose evidence is blank is conditional instead of new."""
    cond = knowledge.recommendation[rid].running
    if cond is None:
        return None

    def value_of(a: Atom) -> Any:
        if a.subject_kind == "indicator":
            return _plain(result.assessment.get(a.subject))
        if a.subject_kind == "measure":
            return _plain(result.measures.get(a.subject))
        if a.subject_kind == "finding":
            return a.subject in result.findings
        return a.subject in result.recommendations

    read: list[tuple[Atom, bool, Any, Truth]] = []
    verdict = truth(cond, value_of, read)
    before = result.status[rid]
    status = before
    if verdict is True:
        status = "continue"
    elif verdict is None and before == "new":
        status = "conditional"
    checks = tuple(
        CondCheck(a.subject_kind, a.subject, a.op, _plain(a.value), actual, negated, t is True)
        for a, negated, actual, t in read
    )
    unknown = tuple(dict.fromkeys(a.subject for a, _, _, t in read if t is None))
    return RunningCheck(rid, verdict, checks, unknown, before, status)


def infer(assessment: Assessment, runner: Runner) -> Result:
    """One assessment's findings and recommendations (status, priority) with the firing record,
    from a session's runner (built once per session: experta's caches punish alternating
    engines)."""
    return runner.run(assessment)
