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


class CostOut(_Closed):
    by_year: dict[str, int] = Field(
        description="thousands of the budget's currency per year the measure runs (calendar "
        "year, or '+1', '+2'... when the assessment year is blank)"
    )
    sources: dict[str, int] = Field(
        description="instrument id (document.yaml) -> thousands over the program; no_cost: 0"
    )
    basis: Literal["source", "derived", "proposal", "consultant", "within_current_activity"] = (
        Field(
            description="where the amount comes from: the knowledge base's estimate (its "
            "basis), the consultant's budget_overrides, or no extra cost"
        )
    )
    total: int


class CurrencyOut(_Closed):
    code: str = Field(description="ISO 4217 code of the amounts")
    converted: bool = Field(
        description="false: no rate for the cluster's country, the amounts are in the base currency"
    )
    per_base: float = Field(description="units of the currency per unit of the base currency")
    base: str
    rate_date: str | None
    rate_source: str | None


class BudgetOut(_Closed):
    currency: CurrencyOut
    unit: Literal["thousand"]
    size_band: str
    by_year: dict[str, int]
    total: int = Field(description="equals the sum of by_year and the sum of by_source")
    by_source: dict[str, int]
    estimated: bool = Field(description="some amounts are estimates, not the consultant's")


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
    priority_asked: Priority | None = Field(
        description="the priority the rules asked for when the cap on 'high' lowered it, else null"
    )
    start: str = Field(description="the first quarter, '2026-Q1' ('Y1-Q1' without a year)")
    end: str = Field(description="the last quarter, never beyond the program horizon")
    actor: Actor
    direction: Direction
    rules: list[str]
    running: RunningCheckOut | None = Field(
        description="whether the assessment shows the measure already runs; null when the "
        "catalogue entry declares no `running:` condition"
    )
    cost: CostOut
    result: dict[str, str] = Field(description="what the measure delivers, ru and en")


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
    rule: str = Field(description="the rule that set the targets: `kind`, or override")
    bounded: bool = Field(description="a share bound (maximum, step a year) cut the path")
    quantity: Literal["count", "share", "amount", "ratio"]
    source: str | None = Field(description="the data source id (kpis.yaml data_sources)")
    owner: str | None = Field(description="the body that reports the figure (document.yaml)")
    targets: dict[str, float | None] = Field(
        description="calendar year (the year after assessment_year first; '+1', '+2'... when the "
        "year is blank) -> target, one per year of the horizon; null against a blank baseline"
    )
    recommendations: list[str]


class TargetMarketOut(_Closed):
    code: str = Field(description="ISO 3166-1 alpha-2")
    name: dict[str, str] = Field(description="ru and en names (countries.yaml)")
    region: str | None = Field(description="UN M49 sub-region id (countries.yaml regions)")
    region_name: dict[str, str] | None
    via: str | None = Field(description="the region or grouping named that brought it, or null")


class ValueProvenance(_Closed):
    basis: Literal["reported", "estimate", "synthetic", "what-if"] | None
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
    schedule: dict[str, Any] = Field(
        description="capacity score, the items that made it, the first year's limit and the "
        "measures starting in each program year"
    )
    postponed: list[str]
    not_made: list[dict[str, Any]]
    restricted: dict[str, list[str]] = Field(
        description="measures rules made but the experts' restrictions leave out -> the findings "
        "(restricted.*) that close a direction they serve"
    )
    target_markets: list[TargetMarketOut]
    not_applicable: list[dict[str, Any]] = Field(
        default_factory=list,
        description="measures the rules asked for that do not apply to the cluster's kind "
        "(recommendations.yaml `applies_to:`), each with the kind checks that failed",
    )
    partners: dict[str, Any]
    data_gaps: list[str]
    data_requests: list[DataRequestOut]
    kpis: list[KPIOut]
    budget: BudgetOut
    rules_fired: list[str]
    trace: list[dict[str, Any]]


def result_schema() -> dict[str, Any]:
    """The JSON Schema of the JSON result (`result.schema.json` of `kb schema`), for its consumers."""
    schema = ResultOut.model_json_schema(by_alias=True)
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    return schema
