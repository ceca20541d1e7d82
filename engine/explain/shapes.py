"""The documented shapes of the explanations (`why`, `why-not`, `what-if` with `--format json`),
as typed records. `schemas/{why,why-not,what-if}.schema.json` are generated from them (`kb schema`),
and a test validates real answers against them, so the documentation cannot drift from the code.

`total=False` marks the keys that appear only where they apply (docs/explanations.md says which).
"""

from __future__ import annotations

from typing import (
    Any,
    Literal,
    NotRequired,  # pydantic needs these on Python < 3.12
)

from pydantic import ConfigDict, TypeAdapter
from typing_extensions import TypedDict

from engine.knowledge.base import DeclaredKind, SubjectKind

SubjectStatus = Literal[
    "made",
    "not_made",
    "postponed",
    "restricted",
    "derived",
    "not_derived",
    "computed",
    "blank",
    "input",
]
_CLOSED = ConfigDict(extra="forbid")


class Source(TypedDict):
    __pydantic_config__ = _CLOSED  # type: ignore[misc]
    id: str
    kind: str
    citation: str
    section: str | None
    url: str | None


class Declared(TypedDict):
    __pydantic_config__ = _CLOSED  # type: ignore[misc]
    kind: DeclaredKind
    id: str
    new: bool


class Benchmark(TypedDict):
    __pydantic_config__ = _CLOSED  # type: ignore[misc]
    indicator: str
    label: str
    value: float
    kind: Literal["survey_mean", "constructed"]
    sources: list[str]
    proposal: bool
    note: str | None
    setting: str


class DerivationInput(TypedDict):
    __pydantic_config__ = _CLOSED  # type: ignore[misc]
    id: str
    kind: Literal["indicator", "measure"]
    label: str
    value: Any
    at: NotRequired[str]
    derivation: NotRequired[Derivation]


class Derivation(TypedDict):
    __pydantic_config__ = _CLOSED  # type: ignore[misc]
    id: str
    label: str
    value: Any
    value_text: str
    formula: str
    setting: str
    inputs: list[DerivationInput]
    bands: NotRequired[list[dict[str, Any]]]
    benchmark: NotRequired[Benchmark]


class Condition(TypedDict):
    __pydantic_config__ = _CLOSED  # type: ignore[misc]
    kind: SubjectKind
    subject: str
    label: str
    op: str | None
    value: Any
    actual: Any
    negated: bool
    holds: bool
    text: str
    at: NotRequired[str]
    derivation: NotRequired[Derivation]
    benchmark: NotRequired[Benchmark]
    because: NotRequired[list[Node]]
    because_not: NotRequired[list[Analysis]]
    blocked_by: NotRequired[list[Node]]
    derived_by: NotRequired[list[dict[str, str]]]


class Node(TypedDict):
    """One firing, from the record."""

    __pydantic_config__ = _CLOSED  # type: ignore[misc]
    rule: str
    where: str
    seq: int
    branch: int
    title: str
    sources: list[str]
    proposal: bool
    note: str | None
    always: bool
    conditions: list[Condition]
    declared: list[Declared]


class Branch(TypedDict):
    __pydantic_config__ = _CLOSED  # type: ignore[misc]
    branch: int
    satisfied: int
    unsatisfied: int
    conditions: list[Condition]


class Analysis(TypedDict):
    """A rule re-read against the final facts (why-not)."""

    __pydantic_config__ = _CLOSED  # type: ignore[misc]
    rule: str
    where: str
    title: str
    sources: list[str]
    proposal: bool
    note: str | None
    always: bool
    fired: bool
    branches: list[Branch]


class Subject(TypedDict):
    __pydantic_config__ = _CLOSED  # type: ignore[misc]
    kind: SubjectKind
    id: str
    label: str
    status: SubjectStatus


class RunningValue(TypedDict):
    __pydantic_config__ = _CLOSED  # type: ignore[misc]
    kind: str
    subject: str
    label: str
    actual: Any
    holds: bool
    text: str
    at: NotRequired[str]


class RunningView(TypedDict):
    """The recommendation's `running:` check: does the assessment show it already runs?"""

    __pydantic_config__ = _CLOSED  # type: ignore[misc]
    holds: bool | None  # null: the inputs are blank
    before: str  # the status the rules gave
    status: str  # the status after the check
    where: str
    text: str  # "" when the check changed nothing
    values: list[RunningValue]


class TargetView(TypedDict):
    """A KPI the measure moves: the rule of its target, baseline, final target, source, owner."""

    __pydantic_config__ = _CLOSED  # type: ignore[misc]
    kpi: str
    rule: str
    baseline: Any
    target: Any
    source: str
    owner: str


class ScheduleView(TypedDict):
    """When the measure runs and why it starts then (its plan, a precondition, capacity)."""

    __pydantic_config__ = _CLOSED  # type: ignore[misc]
    start: str
    end: str
    reason: str
    after: list[str]
    after_titles: list[str]
    priority_asked: str | None
    priority_asked_label: str | None
    max_high: int


class RecommendationView(TypedDict):
    __pydantic_config__ = _CLOSED  # type: ignore[misc]
    title: str
    rationale: str
    priority: str | None
    priority_label: str
    actor: str
    direction: str
    proposal: bool
    postponed: bool
    sources: list[str]
    status: NotRequired[str]
    running: NotRequired[RunningView]
    targets: NotRequired[list[TargetView]]
    schedule: NotRequired[ScheduleView]


class UsedBy(TypedDict):
    __pydantic_config__ = _CLOSED  # type: ignore[misc]
    rule: str
    where: str
    seq: int
    title: str
    condition: str
    declared: list[Declared]


class IndicatorValue(TypedDict):
    __pydantic_config__ = _CLOSED  # type: ignore[misc]
    id: str
    label: str
    value: Any
    at: str


class WhyData(TypedDict):
    """`cluster-intl/why/1`."""

    __pydantic_config__ = _CLOSED  # type: ignore[misc]
    schema: Literal["cluster-intl/why/1"]
    lang: Literal["ru", "en"]
    assessment: str
    cluster: str
    subject: Subject
    made: bool
    recommendation: NotRequired[RecommendationView]
    justifications: NotRequired[list[Node]]
    value: NotRequired[Any]
    derivation: NotRequired[Derivation]
    at: NotRequired[str]
    used_by: NotRequired[list[UsedBy]]
    indicators: list[IndicatorValue]
    sources: list[Source]


# `from` is a Python keyword, so the records with that key use the functional syntax
Change = TypedDict(
    "Change",
    {
        "indicator": str,
        "label": str,
        "from": Any,
        "to": Any,
        "at": str,
        "distance": float,
        "rules": list[str],
        "also_added": list[str],
        "also_removed": list[str],
    },
)


class Search(TypedDict):
    __pydantic_config__ = _CLOSED  # type: ignore[misc]
    indicators: int
    candidates: int
    outcomes: int
    runs: int
    truncated: bool
    rules: list[str]


class NotApplicable(TypedDict):
    """Why a measure a rule made does not apply to the cluster's kind."""

    __pydantic_config__ = _CLOSED  # type: ignore[misc]
    where: str
    kind: str
    failing: list[str]
    checks: list[dict[str, Any]]


class WhyNotData(TypedDict):
    """`cluster-intl/why-not/1`."""

    __pydantic_config__ = _CLOSED  # type: ignore[misc]
    schema: Literal["cluster-intl/why-not/1"]
    lang: Literal["ru", "en"]
    assessment: str
    cluster: str
    subject: Subject
    made: bool
    not_applicable: NotApplicable | None
    rules: list[Analysis]
    postponed_by: list[Node]
    restricted_by: list[Node]  # the rules closing a direction the measure serves (experts' list)
    restriction_note: str | None  # the experts' `restrictions_note`, quoted
    changes: list[Change]
    no_change: dict[str, Any] | None
    search: Search | None
    sources: list[Source]


class Reason(TypedDict):
    __pydantic_config__ = _CLOSED  # type: ignore[misc]
    text: str
    rule: str
    where: str


class Moved(TypedDict):
    __pydantic_config__ = _CLOSED  # type: ignore[misc]
    id: str
    label: str
    reasons: list[Reason]


class AddedRemoved(TypedDict):
    __pydantic_config__ = _CLOSED  # type: ignore[misc]
    added: list[Moved]
    removed: list[Moved]


class IdsAddedRemoved(TypedDict):
    __pydantic_config__ = _CLOSED  # type: ignore[misc]
    added: list[str]
    removed: list[str]


SetChange = TypedDict(
    "SetChange", {"indicator": str, "label": str, "from": Any, "to": Any, "at": str}
)


ScoreMove = TypedDict("ScoreMove", {"id": str, "label": str, "from": Any, "to": Any})

# a measure made in both runs whose status moved: new, continue or conditional
StatusMove = TypedDict(
    "StatusMove",
    {
        "id": str,
        "label": str,
        "from": Literal["new", "continue", "conditional"],
        "to": Literal["new", "continue", "conditional"],
        "reasons": list[Reason],
    },
)


class WhatIfData(TypedDict):
    """`cluster-intl/what-if/1`."""

    __pydantic_config__ = _CLOSED  # type: ignore[misc]
    schema: Literal["cluster-intl/what-if/1"]
    lang: Literal["ru", "en"]
    assessment: str
    cluster: str
    changes: list[SetChange]
    recommendations: AddedRemoved
    findings: AddedRemoved
    postponed: IdsAddedRemoved
    postponements: AddedRemoved  # the same measures by label, with the rule that (un)postpones
    status: list[StatusMove]
    scores: list[ScoreMove]
    changed: bool


for _shape in (Change, SetChange, ScoreMove, StatusMove):
    _shape.__pydantic_config__ = _CLOSED  # type: ignore[attr-defined,union-attr]

AdviceStatus = Literal["new", "continue", "conditional", "postponed"]


# one plausible single change of an answer (`from` the assessment's, `to` the value tried)
Tried = TypedDict(
    "Tried",
    {
        "indicator": str,
        "label": str,
        "from": Any,
        "to": Any,
        "from_text": str,
        "to_text": str,
        "at": str,
        "distance": float,
    },
)


class Margin(Tried):
    """A change that drops a measure made or changes its status, rerun on the engine."""

    effect: Literal["dropped", "status"]
    status: AdviceStatus | None
    status_label: str | None


class SensitivityMeasure(TypedDict):
    id: str
    label: str
    status: AdviceStatus
    status_label: str
    holds: bool  # no plausible single change drops it or changes its status
    margins: list[Margin]


class Answer(TypedDict):
    """Answers to a blank that do the same to the measure."""

    values: list[Any]
    values_text: str
    effect: Literal["dropped", "stays", "status"]
    status: AdviceStatus | None
    status_label: str | None


class DecidingBlank(TypedDict):
    indicator: str
    label: str
    answers: list[Answer]


class ConditionalMeasure(TypedDict):
    id: str
    label: str
    blanks: list[DecidingBlank]


class SummaryMove(Tried):
    value: Any
    value_text: str


class SummaryScore(TypedDict):
    id: Literal["self_band", "index_band", "ratio_band", "model"]
    label: str
    value: Any
    value_text: str
    changes: list[SummaryMove]


class Ranked(TypedDict):
    indicator: str
    label: str
    moves: int
    dropped: int
    added: int
    status: int


class SensitivitySearch(TypedDict):
    indicators: int
    candidates: int
    outcomes: int
    runs: int
    count_factor: float | None


class SensitivityData(TypedDict):
    """`cluster-intl/sensitivity/1`."""

    __pydantic_config__ = _CLOSED  # type: ignore[misc]
    schema: Literal["cluster-intl/sensitivity/1"]
    lang: Literal["ru", "en"]
    assessment: str
    cluster: str
    measures: list[SensitivityMeasure]
    conditional: list[ConditionalMeasure]
    summary: list[SummaryScore]
    ranking: list[Ranked]
    search: SensitivitySearch


for _closed in (
    Tried,
    Margin,
    SensitivityMeasure,
    Answer,
    DecidingBlank,
    ConditionalMeasure,
    SummaryMove,
    SummaryScore,
    Ranked,
    SensitivitySearch,
):
    _closed.__pydantic_config__ = _CLOSED  # type: ignore[attr-defined,union-attr]

SHAPES: dict[str, Any] = {
    "why": WhyData,
    "why-not": WhyNotData,
    "what-if": WhatIfData,
    "sensitivity": SensitivityData,
}


def adapter(name: str) -> TypeAdapter[Any]:
    """A validator of one shape (unknown keys refused): tests check real answers with it."""
    return TypeAdapter(SHAPES[name])


def json_schema(name: str) -> dict[str, Any]:
    """The JSON Schema of one answer shape (`why`, `why-not`, `what-if`), as `kb schema` writes
    it."""
    return adapter(name).json_schema(mode="serialization")
