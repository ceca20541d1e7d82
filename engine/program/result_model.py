"""The shape of the machine-readable result (`cluster-intl/result/2`), as typed models.

`kb schema` writes their JSON Schema to `schemas/result.schema.json`; a test validates real outputs
against that file. `result_json.py` builds the dict; these models only describe it.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from engine.knowledge.base import Basis
from engine.knowledge.models import Actor, Direction, Priority, Status


class _Closed(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ClusterRef(_Closed):
    name: str | None
    region: str | None
    source: str
    kind: dict[str, Any] | None = Field(
        default=None,
        description="the cluster's kind (sectors.yaml): its sector codes, output, market and "
        "knowledge base; null when the assessment leaves them blank",
    )


class RunningCheckOut(_Closed):
    recommendation: str
    holds: bool | None = Field(
        description="the catalogue's `running:` condition: true, it already runs; false, it "
        "does not; null, the assessment leaves its inputs blank"
    )
    conditions: list[dict[str, Any]] = Field(description="every value read, as in the trace")
    unknown: list[str] = Field(description="the subjects left blank")
    before: Status = Field(description="the status the firing rules gave")
    status: Status = Field(description="the status after the check")


class RecommendationOut(_Closed):
    id: str
    status: Status = Field(
        description="new: a measure to start; continue: already running; conditional: made on "
        "a blank, to be confirmed ('if not yet ..., ...')"
    )
    basis: Basis | None = Field(
        description="source, derived or proposal (knowledge/recommendations.yaml)"
    )
    priority: Priority
    actor: Actor
    direction: Direction
    rules: list[str]
    running: RunningCheckOut | None = Field(
        description="whether the assessment shows the measure already runs; null when the "
        "catalogue entry declares no `running:` condition"
    )


class DataRequestOut(_Closed):
    indicator: str = Field(description="the blank indicator some rule needed")
    group: str
    rules: list[str] = Field(description="the rules that needed it")
    recommendations: list[str] = Field(description="recommendations its value would decide")
    findings: list[str] = Field(description="findings its value would decide")
    conditional: list[str] = Field(
        description="conditional recommendations its value confirms or drops"
    )


class KPIOut(_Closed):
    id: str
    direction: Direction
    baseline: float | None = Field(description="null when blank: no numeric target is set")
    kind: Literal["increase_pct", "add", "at_least", "benchmark", "fixed", "reach"]
    basis: Basis | None = Field(description="where the target rule comes from")
    targets: dict[str, float | None] = Field(
        description="calendar year (the year after assessment_year first; '+1', '+2'... when the "
        "year is blank) -> target, one per year of the horizon; null against a blank baseline"
    )
    recommendations: list[str]


class ValueProvenance(_Closed):
    basis: Literal["reported", "estimate", "synthetic"] | None
    source: str | None


class KnowledgeRef(_Closed):
    """The knowledge base that drafted the result."""

    version: str | None = Field(description="the version its authors gave it (program.yaml)")
    digest: str = Field(description="SHA-256 of its files' names and bytes (scenarios left out)")


class ResultOut(_Closed):
    """`draft --format json`: the diagnosis, the advice and the firing record of one cluster."""

    model_config = ConfigDict(extra="forbid", title="cluster-intl result")

    schema_: Literal["cluster-intl/result/2"] = Field(alias="schema")
    generator: str
    knowledge: KnowledgeRef
    cluster: ClusterRef
    provenance: dict[str, ValueProvenance] = Field(
        description="assessment values that declared their basis"
    )
    scores: dict[str, Any]
    derivations: dict[str, dict[str, Any]]
    peers: dict[str, Any] | None = Field(
        description="the rank of the index against --peers (position, n, percentile), or null"
    )
    findings: list[str]
    recommendations: list[RecommendationOut]
    postponed: list[str]
    not_made: list[dict[str, Any]]
    not_applicable: list[dict[str, Any]] = Field(
        default_factory=list,
        description="measures the rules asked for that do not apply to the cluster's kind "
        "(recommendations.yaml `applies_to:`), each with the kind checks that failed",
    )
    partners: dict[str, Any]
    data_gaps: list[str]
    data_requests: list[DataRequestOut]
    kpis: list[KPIOut]
    rules_fired: list[str]
    trace: list[dict[str, Any]]


def result_schema() -> dict[str, Any]:
    """The JSON Schema of the JSON result (`result.schema.json` of `kb schema`), for its consumers."""
    schema = ResultOut.model_json_schema(by_alias=True)
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    return schema
