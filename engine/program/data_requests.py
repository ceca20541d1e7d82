"""Data requests: each blank indicator some rule needed, and what it would decide.

Read from the rules' own conditions (the predicates of `engine.knowledge.conditions`, the same the
engine matched) and from the firing record: a rule branch that fails only because a value is blank
asks for that value; a conditional measure asks for the blank it was made on. Nothing here decides
advice: it lists what the consultant should collect, and what each answer would settle.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from engine.inference.trace import Result
from engine.knowledge.conditions import branches, predicate
from engine.knowledge.measure_ids import measure_inputs
from engine.knowledge.models import Atom, Knowledge, Not_, RuleSite
from engine.program.leaves import tx
from engine.program.provenance import measure_title

# operators that are about the blank itself, not about the cluster
_ABOUT_BLANK = {"is_missing", "is_known"}


class _Reader:
    def __init__(self, result: Result, k: Knowledge) -> None:
        self.result = result
        self.k = k
        self.inputs = k.derived(measure_inputs)
        self.steps = k.derived(_steps)  # each branch's, read for some 60 branches a cluster
        ids = k.scoring.helix.model_ids
        # the values a measure takes when its data are missing: not a fact about the cluster
        self.undetermined = {None, "unknown", "not_determined", ids.unknown}
        self._facts: dict[int, tuple[list[Any], tuple[list[str], list[str]] | None]] = {}
        # a measure's blank inputs (None when its value is known or none of them is blank), by
        # measure: both `_visit` and `_read` ask about the same few measures many times
        self._blank: dict[str, list[str] | None] = {}
        # what was made, as sets: the conditions ask about each finding and measure many times
        self.findings = set(result.findings)
        self.made = set(result.recommendations)

    def measure_waits(self, subject: str) -> bool:
        """Whether a condition on this measure can leave a branch waiting (`_read`): its
        `blank_inputs` are not None, whatever the operator (not determined, an input blank)."""
        return self.measure_blank(subject) is not None

    def measure_blank(self, subject: str) -> list[str] | None:
        """The blank indicators behind a measure not determined, or None (its value known, or
        none of its inputs blank): worked out once per measure and cluster (shared, not changed)."""
        if subject in self._blank:
            return self._blank[subject]
        blank = None
        value = self.result.measures.get(subject)
        if isinstance(value, (str, type(None))) and value in self.undetermined:
            # a rank is missing when its share is
            inputs = self.inputs.get(
                subject.removeprefix("tercile_"), self.inputs.get(subject, set())
            )
            values = self.result.assessment.values
            blank = [i for i in inputs if values.get(i) is None] or None
        self._blank[subject] = blank
        return blank

    def value(self, a: Atom) -> Any:
        """The answer or computed measure a condition reads."""
        if a.subject_kind == "indicator":
            return self.result.assessment.get(a.subject)
        return self.result.measures.get(a.subject)

    def blank_inputs(self, a: Atom) -> list[str] | None:
        """The blank indicators behind a condition, or None when its value is known."""
        if a.subject_kind == "indicator":
            return [a.subject] if self.result.assessment.values.get(a.subject) is None else None
        return self.measure_blank(a.subject)

    def branch_needs(
        self, branch: list[Any], pending: set[str]
    ) -> tuple[bool, list[str], list[str]]:
        """(blocked only by blanks, the blank indicators it needs, the pending findings it needs)."""
        # `facts` without its call (~50 branches a cluster)
        hit = self._facts.get(id(branch))
        facts = self.facts(branch) if hit is None else hit[1]
        if facts is None:
            return False, [], []
        needs, wanted = facts
        if any(f not in pending for f in wanted):
            return False, [], []
        return bool(needs or wanted), needs, wanted

    def facts(self, branch: list[Any]) -> tuple[list[str], list[str]] | None:
        """What a branch waits for whatever is pending: the blank indicators it needs and the
        findings not made it needs, or None when a known value or a conclusion made (or not)
        decides against it. Read once per branch: the fixpoint asks again only about `pending`."""
        key = id(branch)
        if key not in self._facts:
            self._facts[key] = (branch, self._read(branch))  # the branch kept: its id stays its own
        return self._facts[key][1]  # type: ignore[no-any-return]

    def _read(self, branch: list[Any]) -> tuple[list[str], list[str]] | None:
        needs: list[str] = []
        wanted: list[str] = []
        findings, made = self.findings, self.made
        values, measures = self.result.assessment.values, self.result.measures.values
        hit = self.steps.get(id(branch))  # `_steps_of` without its call (~60 branches a cluster)
        steps = hit[1] if hit is not None and hit[0] is branch else _steps_of(branch, self.steps)
        for code, subject, test, a in steps:
            if code == _NOT_FINDING:
                if subject in findings:
                    return None
            elif code == _NOT_MADE:
                if subject in made:
                    return None
            elif code == _FINDING:
                if subject not in findings:
                    wanted.append(subject)  # holds once it is pending
            elif code == _MADE:
                if subject not in made:
                    return None
            else:
                if test(values.get(subject) if code == _INDICATOR else measures.get(subject)):
                    continue
                if a.op in _ABOUT_BLANK:
                    return None
                # `blank_inputs` without its call: the value tested is blank, or the measure's
                # inputs are
                if code == _INDICATOR:
                    blank = None if values.get(subject) is not None else [subject]
                else:
                    blank = self.measure_blank(subject)
                if blank is None:
                    return None  # a known value decides against this branch
                needs.extend(blank)
        return needs, wanted


# What a branch's condition asks, as `_Reader._read` reads it: a `not:` is decided by whether a
# finding (else a recommendation) was made; a finding holds when made and waits when not; a
# recommendation not made decides against the branch; an indicator or a measure is tested.
_NOT_FINDING, _NOT_MADE, _FINDING, _MADE, _INDICATOR, _MEASURE = range(6)
Step = tuple[int, str, Any, Atom]  # (what it asks, its subject, the test of a value, the atom)


def _step(cond: Any) -> Step:
    if isinstance(cond, Not_):
        a = cond.not_
        return (_NOT_FINDING if a.subject_kind == "finding" else _NOT_MADE, a.subject, None, a)
    kind = cond.subject_kind
    if kind in ("finding", "recommendation"):
        return (_FINDING if kind == "finding" else _MADE, cond.subject, None, cond)
    assert cond.op is not None
    test = predicate(cond.op, cond.value)  # the callable `holds` looks up for every cluster
    return (_INDICATOR if kind == "indicator" else _MEASURE, cond.subject, test, cond)


def _steps(k: Knowledge) -> dict[int, tuple[list[Any], tuple[Step, ...]]]:
    """Each rule branch's conditions as steps, by the branch's id (kept with it, so that its id
    stays its own): once per knowledge base, where each cluster looked up every condition's
    kind and test again."""
    return {id(b): (b, tuple(_step(c) for c in b)) for site in k.rules for b in _branches(site)}


def _steps_of(
    branch: list[Any], known: dict[int, tuple[list[Any], tuple[Step, ...]]]
) -> tuple[Step, ...]:
    """The steps of a branch: the knowledge base's (`known`, its `_steps`), or worked out now for
    a branch it lacks."""
    hit = known.get(id(branch))
    if hit is not None and hit[0] is branch:
        return hit[1]
    return tuple(_step(c) for c in branch)


Requests = dict[str, dict[str, set[str]]]
Key = tuple[str, str]  # what a condition tests: (subject kind, id)


def _keys(branch: list[Any]) -> set[Key]:
    """What a branch can wait for, read as `_Reader._read` reads it: a `not:` is decided by what
    was made, a recommendation holds or decides against the branch; only a condition on an
    indicator (blank), a measure (not determined, an input blank) or a finding (not made yet)
    can add to what it needs. A branch none of whose keys waits is never blocked only by blanks:
    every condition holds, or a known value or a conclusion decides against it."""
    return {
        (cond.subject_kind, cond.subject)
        for cond in branch
        if not isinstance(cond, Not_) and cond.subject_kind != "recommendation"
    }


@dataclass(frozen=True)
class _Index:
    """Rules' AND-branches (by rule, in the rules' order), numbered in that order, and for each
    key the branches that test it, as a bit mask of their numbers: built once per knowledge base."""

    branches: list[list[list[Any]]]
    spots: dict[Key, int]
    where: list[tuple[int, int]]  # a branch's number -> (its rule, its place in the rule)
    # the spots by their subject's kind, (subject, bits) each: `_visit` asks each kind its way
    indicators: tuple[tuple[str, int], ...] = ()
    findings: tuple[tuple[str, int], ...] = ()
    measures: tuple[tuple[str, int], ...] = ()

    @classmethod
    def of(cls, rules: list[list[list[Any]]]) -> _Index:
        """The index of these rules' branches."""
        where = [(i, j) for i, branches_ in enumerate(rules) for j in range(len(branches_))]
        spots: dict[Key, int] = {}
        for n, (i, j) in enumerate(where):
            for key in _keys(rules[i][j]):
                spots[key] = spots.get(key, 0) | 1 << n
        by_kind: dict[str, list[tuple[str, int]]] = {"indicator": [], "finding": [], "measure": []}
        for (kind, subject), bits in spots.items():
            by_kind[kind if kind in by_kind else "measure"].append((subject, bits))
        return cls(
            rules,
            spots,
            where,
            tuple(by_kind["indicator"]),
            tuple(by_kind["finding"]),
            tuple(by_kind["measure"]),
        )


def _visit(
    reader: _Reader, index: _Index, pending: set[str] | None = None
) -> list[tuple[int, list[list[Any]]]]:
    """The rules (by position, in order) with those of their branches that can be blocked only
    by blanks in this cluster: the branches testing a key that waits. Any other gives
    (False, [], []): the fixpoint and the requests need not read it. A finding waits while it is
    not made (the fixpoint, finding the pending ones) or, once they are known, when `pending`:
    a branch reading a finding neither made nor pending is not blocked only by blanks."""
    mask = 0
    values = reader.result.assessment.values
    for subject, bits in index.indicators:
        if values.get(subject) is None:
            mask |= bits
    if pending is not None:
        for subject, bits in index.findings:
            if subject in pending:
                mask |= bits
    else:
        findings = reader.findings
        for subject, bits in index.findings:
            if subject not in findings:
                mask |= bits
    for subject, bits in index.measures:
        if reader.measure_blank(subject) is not None:
            mask |= bits
    out: list[tuple[int, list[list[Any]]]] = []
    while mask:  # the branches in their order: lowest number first
        low = mask & -mask
        mask ^= low
        i, j = index.where[low.bit_length() - 1]
        if out and out[-1][0] == i:
            out[-1][1].append(index.branches[i][j])
        else:
            out.append((i, [index.branches[i][j]]))
    return out


def _add(requests: Requests, indicator: str, rule: str, decides: set[str]) -> None:
    entry = requests.setdefault(indicator, {"rules": set(), "decides": set()})
    entry["rules"].add(rule)
    entry["decides"] |= decides


def _branches(site: RuleSite) -> list[list[Any]]:
    """The rule's AND-branches: expanded once when the knowledge was read (the fixpoint below
    reads every rule's several times per cluster), else now."""
    return site.branches if site.branches is not None else branches(site.rule.when)


def _deriving(k: Knowledge) -> list[tuple[tuple[str, ...], list[list[Any]]]]:
    """The rules that derive findings: their findings and AND-branches, once per knowledge base."""
    return [(tuple(s.rule.then.finding), _branches(s)) for s in k.rules if s.rule.then.finding]


def _deriving_index(k: Knowledge) -> _Index:
    """The deriving rules' branches by what they test, once per knowledge base."""
    return _Index.of([b for _, b in k.derived(_deriving)])


def _concluding(k: Knowledge) -> list[tuple[str, tuple[str, ...], list[list[Any]]]]:
    """Each rule's id, the conclusions a data request may decide (a direction the experts close,
    `restricts`, is their record, not a fact to collect) and its AND-branches, once per knowledge
    base."""
    out = []
    for site in k.rules:
        then = site.rule.then
        conclusions = tuple(
            c
            for c in dict.fromkeys(then.recommend + then.finding)
            if not (c in k.finding and k.finding[c].restricts)
        )
        if conclusions:
            out.append((site.rule.id, conclusions, _branches(site)))
    return out


def _concluding_index(k: Knowledge) -> _Index:
    """The concluding rules' branches by what they test, once per knowledge base."""
    return _Index.of([b for _, _, b in k.derived(_concluding)])


def _pending(reader: _Reader, k: Knowledge, made: set[str]) -> set[str]:
    """The findings a rule could still derive once blanks are filled, to a fixpoint: a worklist
    by finding. A branch blocked only by blanks adds its rule's findings; one that also needs
    findings not made waits until each of them is pending (a known value or a conclusion that
    decides against it never adds any)."""
    every = k.derived(_deriving)
    pending: set[str] = set()
    todo: list[str] = []
    # a finding -> the branches needing it: how many of their findings are not pending yet (a
    # counter shared by the branch's findings) and their rule's findings
    waiting: dict[str, list[tuple[list[int], tuple[str, ...]]]] = {}
    for i, branches_ in _visit(reader, k.derived(_deriving_index)):
        findings = every[i][0]
        if all(f in made for f in findings):
            continue  # nothing left for this rule to derive
        for b in branches_:
            facts = reader.facts(b)
            if facts is None or not (facts[0] or facts[1]):
                continue
            wanted = set(facts[1])
            if not wanted:
                _derive(findings, made, pending, todo)
                break  # the rule's findings are pending: its other branches add nothing
            left = [len(wanted)]
            for f in wanted:
                waiting.setdefault(f, []).append((left, findings))
    while todo:
        for left, findings in waiting.get(todo.pop(), ()):
            left[0] -= 1
            if left[0] == 0:
                _derive(findings, made, pending, todo)
    return pending


def _derive(findings: tuple[str, ...], made: set[str], pending: set[str], todo: list[str]) -> None:
    for f in findings:
        if f not in made and f not in pending:
            pending.add(f)
            todo.append(f)


def _rule_requests(
    reader: _Reader, k: Knowledge, made: set[str], pending: set[str], requests: Requests
) -> dict[str, set[str]]:
    """The blanks each rule branch waits for; returns what each pending finding would decide."""
    downstream: dict[str, set[str]] = {}
    every = k.derived(_concluding)
    for i, branches_ in _visit(reader, k.derived(_concluding_index), pending):
        rule, candidates = every[i][0], every[i][1]
        conclusions = {c for c in candidates if c not in made}
        if not conclusions:
            continue
        for branch in branches_:
            blocked, needs, via = reader.branch_needs(branch, pending)
            if not blocked:
                continue
            for indicator in needs:  # `_add` without its call (~60 a cluster)
                entry = requests.get(indicator)
                if entry is None:
                    entry = requests[indicator] = {"rules": set(), "decides": set()}
                entry["rules"].add(rule)
                entry["decides"] |= conclusions
            for finding in via:
                downstream.setdefault(finding, set()).update(conclusions)
    return downstream


def _conditional_rules(k: Knowledge) -> frozenset[str]:
    """The rules whose measures are conditional, once per knowledge base (a cluster's ~150
    firings were each looked up in the rules to find its few)."""
    return frozenset(s.rule.id for s in k.rules if s.rule.then.status == "conditional")


def _conditional_requests(result: Result, k: Knowledge, requests: Requests) -> None:
    """A conditional measure asks for the blank it was made on: its answer confirms or drops it;
    a measure conditional because whether it already runs is blank asks for that evidence."""
    conditional = k.derived(_conditional_rules)
    for f in result.firings:
        if f.rule not in conditional:
            continue
        recs = {d.id for d in f.declared if d.kind == "recommendation"}
        for c in f.conditions:
            if c.kind == "indicator" and c.op == "is_missing" and c.holds:
                _add(requests, c.subject, f.rule, recs)
    for rid, check in result.running.items():
        if check.holds is not None or check.status != "conditional":
            continue
        for c in check.conditions:
            if c.kind == "indicator" and c.subject in check.unknown:
                for f in result.producers("recommendation", rid):
                    _add(requests, c.subject, f.rule, {rid})


def _closure(ids: set[str], downstream: dict[str, set[str]]) -> set[str]:
    out, todo = set(ids), list(ids)
    while todo:
        for nxt in downstream.get(todo.pop(), ()):
            if nxt not in out:
                out.add(nxt)
                todo.append(nxt)
    return out


def data_requests(result: Result, k: Knowledge) -> list[dict[str, Any]]:
    """One entry per blank indicator some rule needed: the rules that needed it, and the
    recommendations and findings its value would decide. Catalogue order."""
    reader = _Reader(result, k)
    made = set(result.findings) | set(result.recommendations)
    pending = _pending(reader, k, made)
    requests: Requests = {}
    downstream = _rule_requests(reader, k, made, pending, requests)
    _conditional_requests(result, k, requests)
    # the conditional measures made: what a request confirms, as one set a row intersects
    conditional = {r for r in result.recommendations if result.status.get(r) == "conditional"}
    rows = []
    # the ~15 indicators asked for, in the catalogue's order (not a look at each of its ~120)
    order = k.derived(_indicator_order)
    for indicator in sorted(requests.keys() & order.keys(), key=order.__getitem__):
        entry = requests[indicator]
        decides = _closure(entry["decides"], downstream)
        rows.append(
            {
                "indicator": indicator,
                "group": k.indicator[indicator].group,
                "rules": sorted(entry["rules"]),
                "recommendations": sorted(decides & k.recommendation.keys()),
                "findings": sorted(decides & k.finding.keys()),
                "conditional": sorted(decides & conditional),
            }
        )
    return rows


def _indicator_order(k: Knowledge) -> dict[str, int]:
    """Each indicator's position in the catalogue, once per knowledge base."""
    return {ind.id: n for n, ind in enumerate(k.indicators.indicators)}


def _finding_labels(k: Knowledge) -> dict[str, Any]:
    """Each finding's label as the data requests cite it, findings of equal labels sharing the
    first one's: once per knowledge base (a cluster compared the labels of its requests by value,
    pydantic's hash and equality of each knowledge text)."""
    first: dict[Any, Any] = {}
    return {fid: first.setdefault(tx(f.label), tx(f.label)) for fid, f in k.finding.items()}


def data_requests_view(result: Result, k: Knowledge) -> list[dict[str, Any]]:
    """The data requests for the document: labels and questions, no ids. A measure is cited by
    several requests and a body asked for several indicators: each title and body worked out
    once a cluster."""
    order = k.derived(catalogue_order)
    labels = k.derived(_finding_labels)
    titles: dict[str, Any] = {}
    asked: dict[str, Any] = {}

    def titled(ids: list[str]) -> list[Any]:
        out = []
        for r in sorted(ids, key=order.__getitem__):
            title = titles.get(r)
            if title is None:
                title = titles[r] = tx(measure_title(result, r, k))
            out.append(title)
        return out

    out = []
    for row in data_requests(result, k):
        ind = k.indicator[row["indicator"]]
        recs = titled(row["recommendations"])
        # findings of one label cite it once: equal labels share one object (`_finding_labels`)
        findings = list({id(t): t for t in (labels[f] for f in row["findings"])}.values())
        ask = asked.get(ind.group)
        if ask is None:
            ask = asked[ind.group] = ask_whom(ind.group, k, result.findings)
        out.append(
            {
                "id": ind.id,
                "label": tx(ind.label),
                "question": tx(ind.question),
                "group": tx(k.group[ind.group].label),
                "ask": ask,
                "recommendations": recs,
                "findings": findings,
                # what the reader needs: the measures it decides, else the conclusions
                "decides": recs or findings,
                "confirms": titled(row["conditional"]),
            }
        )
    return out


def catalogue_order(k: Knowledge) -> dict[str, int]:
    """Each recommendation's position in the catalogue (`k.derived(catalogue_order)`: built once
    per knowledge base)."""
    return {r.id: i for i, r in enumerate(k.recommendations.recommendations)}


def ask_whom(group: str, k: Knowledge, findings: Collection[str] = ()) -> Any:
    """The body asked for a blank of this indicator group (one that exists, by the cluster's
    `findings`), or nothing."""
    s = k.program.schedule
    body_id = s.ask_by_group.get(group) if s else None
    for alt in s.ask_instead if s else []:
        if alt.body == body_id and all(f in findings for f in alt.if_):
            body_id = alt.ask
    body = next((b for b in k.document.bodies if b.id == body_id), None)
    return tx(body.name) if body is not None else ""
