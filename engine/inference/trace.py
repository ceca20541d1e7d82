"""The firing record: what fired, where it is written, on which facts with which values, and what
it declared. Plain dataclasses: every explanation reads them, none needs experta."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from engine.assessment.validate import Assessment
from engine.knowledge.base import DeclaredKind, FactKind, SubjectKind
from engine.measures import Measures

# The records a run makes for every firing (~300 a cluster) are frozen dataclasses whose
# `__init__` is written out: it stores the fields in the instance's dict, where the generated one
# calls `object.__setattr__` once per field (three times slower). Same fields, order, defaults,
# equality and hash; tests/engine/inference/test_trace.py compares them with generated ones.


@dataclass(frozen=True, init=False)
class Matched:
    """A fact an activation matched: an indicator group, the measures, a finding or a recommendation."""

    fact_id: int
    kind: FactKind
    name: str  # group id, "measures", finding id or recommendation id
    values: tuple[tuple[str, Any], ...] = ()  # the fields the rule tested, with their values

    def __init__(
        self, fact_id: int, kind: FactKind, name: str, values: tuple[tuple[str, Any], ...] = ()
    ) -> None:
        d = self.__dict__
        d["fact_id"], d["kind"], d["name"], d["values"] = fact_id, kind, name, values

    def as_dict(self) -> dict[str, Any]:
        """The matched fact as JSON data (the result's trace)."""
        return {
            "fact": self.fact_id,
            "kind": self.kind,
            "name": self.name,
            "values": dict(self.values),
        }


@dataclass(frozen=True, init=False)
class CondCheck:
    """One condition of the firing branch with the value it saw."""

    kind: SubjectKind
    subject: str
    op: str | None
    value: Any
    actual: Any
    negated: bool
    holds: bool

    def __init__(
        self,
        kind: SubjectKind,
        subject: str,
        op: str | None,
        value: Any,
        actual: Any,
        negated: bool,
        holds: bool,
    ) -> None:
        d = self.__dict__
        d["kind"], d["subject"], d["op"], d["value"] = kind, subject, op, value
        d["actual"], d["negated"], d["holds"] = actual, negated, holds

    def as_dict(self) -> dict[str, Any]:
        """The condition as read, as JSON data (the result's trace)."""
        return {
            "kind": self.kind,
            "subject": self.subject,
            "op": self.op,
            "value": self.value,
            "actual": self.actual,
            "negated": self.negated,
            "holds": self.holds,
        }


@dataclass(frozen=True, init=False)
class Declared:
    kind: DeclaredKind
    id: str
    new: bool

    def __init__(self, kind: DeclaredKind, id: str, new: bool) -> None:
        d = self.__dict__
        d["kind"], d["id"], d["new"] = kind, id, new

    def as_dict(self) -> dict[str, Any]:
        """The declaration as JSON data (the result's trace)."""
        return {"kind": self.kind, "id": self.id, "new": self.new}


@dataclass(frozen=True, init=False)
class Firing:
    seq: int
    rule: str
    where: str
    branch: int
    salience: int
    matched: tuple[Matched, ...]
    conditions: tuple[CondCheck, ...]
    declared: tuple[Declared, ...]
    priority: str | None
    live: bool  # every matched fact present and every `not` true at firing time

    def __init__(
        self,
        seq: int,
        rule: str,
        where: str,
        branch: int,
        salience: int,
        matched: tuple[Matched, ...],
        conditions: tuple[CondCheck, ...],
        declared: tuple[Declared, ...],
        priority: str | None,
        live: bool,
    ) -> None:
        d = self.__dict__
        d["seq"], d["rule"], d["where"], d["branch"] = seq, rule, where, branch
        d["salience"], d["matched"], d["conditions"] = salience, matched, conditions
        d["declared"], d["priority"], d["live"] = declared, priority, live

    def as_dict(self) -> dict[str, Any]:
        """The firing as JSON data (the result's trace)."""
        return {
            "seq": self.seq,
            "rule": self.rule,
            "where": self.where,
            "branch": self.branch,
            "salience": self.salience,
            "matched": [m.as_dict() for m in self.matched],
            "conditions": [c.as_dict() for c in self.conditions],
            "declared": [d.as_dict() for d in self.declared],
            "priority": self.priority,
        }


@dataclass(frozen=True, init=False)
class RunningCheck:
    """Whether the assessment shows that a made measure already runs (its catalogue `running:`
    condition), the values read, and what that did to the status the rules gave it."""

    recommendation: str
    holds: bool | None  # True: it runs; False: it does not; None: the inputs are blank
    conditions: tuple[CondCheck, ...]  # every atom read (`holds` False also for a blank one)
    unknown: tuple[str, ...]  # the subjects left blank
    before: str  # the status the firing rules gave
    status: str  # the status after the check

    def __init__(
        self,
        recommendation: str,
        holds: bool | None,
        conditions: tuple[CondCheck, ...],
        unknown: tuple[str, ...],
        before: str,
        status: str,
    ) -> None:
        d = self.__dict__  # written out as the firing records' (~16 a cluster)
        d["recommendation"], d["holds"], d["conditions"] = recommendation, holds, conditions
        d["unknown"], d["before"], d["status"] = unknown, before, status

    def as_dict(self) -> dict[str, Any]:
        """The reading of the `running:` condition as JSON data (the result's trace)."""
        return {
            "recommendation": self.recommendation,
            "holds": self.holds,
            "conditions": [c.as_dict() for c in self.conditions],
            "unknown": list(self.unknown),
            "before": self.before,
            "status": self.status,
        }

    @property
    def decisive(self) -> tuple[CondCheck, ...]:
        """The values that decided: those that hold when it runs, the blanks when unknown."""
        if self.holds is None:
            return tuple(c for c in self.conditions if c.subject in self.unknown)
        if self.holds:
            return tuple(c for c in self.conditions if c.holds)
        return self.conditions


@dataclass(frozen=True)
class ClusterKind:
    """The cluster's kind as sectors.yaml derives it from its sector codes, with the assessment's
    knowledge base; an empty tuple (or None) is unknown."""

    sectors: tuple[str, ...]
    output: tuple[str, ...]
    market: tuple[str, ...]
    knowledge_base: str | None

    def as_dict(self) -> dict[str, Any]:
        """The kind as JSON data."""
        return {
            "sectors": list(self.sectors),
            "output": list(self.output),
            "market": list(self.market),
            "knowledge_base": self.knowledge_base,
        }


@dataclass(frozen=True)
class KindCheck:
    """One key of a measure's `applies_to:` read on the cluster's kind."""

    dimension: str  # output | market | knowledge_base | sectors
    required: tuple[str, ...]
    actual: tuple[str, ...]
    holds: bool | None  # None: the cluster's kind is unknown there, which excludes nothing

    def as_dict(self) -> dict[str, Any]:
        """The check as JSON data."""
        return {
            "dimension": self.dimension,
            "required": list(self.required),
            "actual": list(self.actual),
            "holds": self.holds,
        }


@dataclass(frozen=True)
class Applicability:
    """Whether a measure applies to the cluster's kind (its catalogue `applies_to:`)."""

    recommendation: str
    applies: bool
    checks: tuple[KindCheck, ...]
    where: str  # recommendations.yaml:line of the `applies_to:`

    def as_dict(self) -> dict[str, Any]:
        """The reading of `applies_to:` as JSON data (the result's trace)."""
        return {
            "recommendation": self.recommendation,
            "applies": self.applies,
            "checks": [c.as_dict() for c in self.checks],
            "where": self.where,
        }

    @property
    def failing(self) -> tuple[KindCheck, ...]:
        """The keys the cluster's kind does not meet."""
        return tuple(c for c in self.checks if c.holds is False)


@dataclass
class Result:
    assessment: Assessment
    measures: Measures
    firings: list[Firing]
    findings: list[str] = field(default_factory=list)
    recommendations: list[str] = field(default_factory=list)
    postponed: list[str] = field(default_factory=list)
    priority: dict[str, str] = field(default_factory=dict)
    # new | continue | conditional: the firmest status among the rules that made it
    status: dict[str, str] = field(default_factory=dict)
    # recommendation -> its `running:` check, for every made measure whose entry declares one
    running: dict[str, RunningCheck] = field(default_factory=dict)
    # recommendation -> the priority its rules asked for, when the cap on "high" lowered it
    lowered: dict[str, str] = field(default_factory=dict)
    # recommendation a rule made -> the findings that close a direction it serves (`restricts`):
    # left out of `recommendations`, the record why-not reads
    restricted: dict[str, list[str]] = field(default_factory=dict)
    # the cluster's kind, and every measure a rule made that does not apply to it (never declared)
    kind: ClusterKind | None = None
    excluded: dict[str, Applicability] = field(default_factory=dict)

    _by_declared: dict[tuple[str, str], list[Firing]] | None = field(
        default=None, init=False, repr=False, compare=False
    )

    def excluded_ids(self) -> list[str]:
        """The measures rules made that do not apply to the cluster, in firing order."""
        return list(
            dict.fromkeys(d.id for f in self.firings for d in f.declared if d.kind == "excluded")
        )

    def index_producers(self, index: dict[tuple[str, str], list[Firing]]) -> None:
        """Hand over the firings by what they declared, as `producers` would index them: the
        runner builds it in its own pass over the declarations."""
        self._by_declared = index

    def producers(self, kind: str, ident: str) -> list[Firing]:
        """The firings that declared `ident` (new or again): every justification."""
        if self._by_declared is None:  # the firing record is complete once a Result exists
            index: dict[tuple[str, str], list[Firing]] = {}
            for f in self.firings:
                for key in dict.fromkeys((d.kind, d.id) for d in f.declared):
                    index.setdefault(key, []).append(f)
            self._by_declared = index
        return list(self._by_declared.get((kind, ident), ()))
