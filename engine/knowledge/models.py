"""The knowledge base as closed, typed models (pydantic, `extra="forbid"`), one per file kind.

Reading them from `knowledge/` with located errors is `engine.knowledge.read`; checking their meaning
is `engine.knowledge.verify`; `engine.knowledge.load` does both.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from pathlib import Path
from typing import Annotated, Any, Literal, TypeVar

from pydantic import (
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    Tag,
    field_validator,
    model_validator,
)

from engine.files.cache import content_digest
from engine.files.strict_yaml import Located
from engine.knowledge.base import Basis, Lang, Provenance, Strict, SubjectKind, Text, localized
from engine.knowledge.claim_model import ClaimCheck
from engine.knowledge.country_model import CountriesFile
from engine.knowledge.document_model import DocumentFile
from engine.knowledge.format_model import FormatsFile
from engine.knowledge.partner_model import PartnersFile
from engine.knowledge.resources_model import ResourcesFile
from engine.knowledge.schedule_model import (
    DataSource,
    KpiQuantity,
    Portfolio,
    Schedule,
    Sensitivity,
    TargetRules,
)
from engine.knowledge.scoring_model import ScoringFile
from engine.knowledge.sector_model import AppliesTo, SectorsFile
from engine.knowledge.wording_model import Continued, Variant
from engine.resources import display_path

LANGS: tuple[Lang, ...] = ("ru", "en")


# Provenance of a knowledge item: stated by the dissertation or another source, derived from
# source statements, or this project's own proposal. `proposal: true` is the older spelling of
# `basis: proposal` and stays accepted; either sets the other.


# --- indicators -----------------------------------------------------------------------------

IndicatorType = Literal["str", "int", "float", "bool", "enum", "list", "score"]


class Scale(Provenance):
    min: float
    max: float
    no_information: bool = True
    anchors: dict[int, Text] = Field(default_factory=dict)


class Group(Strict):
    id: str
    label: Text


class Indicator(Provenance):
    id: str
    group: str
    type: IndicatorType
    label: Text
    question: Text | None = None
    help: Text | None = None
    unit: Text | None = None
    scale: str | None = None
    min: float | None = None
    max: float | None = None
    values: list[str] | None = None
    value_labels: dict[str, Text] = Field(default_factory=dict)
    lookup: Literal["country", "market"] | None = None  # resolved through countries.yaml
    required: bool = False
    sources: list[str] = Field(default_factory=list)


class IndicatorsFile(Strict):
    scales: dict[str, Scale]
    groups: list[Group]
    indicators: list[Indicator]


# --- findings, rules --------------------------------------------------------------------------

FindingKind = Literal[
    "strength",
    "weakness",
    "opportunity",
    "threat",
    "readiness",
    "capacity",
    "position",
    "model",
    "gate",
    "note",
]


class FindingDef(Strict):
    id: str
    kind: FindingKind
    restricts: str | None = None  # a direction it closes: measures serving it are not made
    label: Text
    description: Text | None = None
    area: str | None = None
    # findings that can never hold together with this one (kb check tests every pair of rules)
    excludes: list[str] = Field(default_factory=list)


class FindingsFile(Strict):
    findings: list[FindingDef]


Op = Literal[
    "eq",
    "ne",
    "lt",
    "le",
    "gt",
    "ge",
    "in",
    "not_in",
    "is_true",
    "is_false",
    "is_missing",
    "is_known",
    "contains",
    "not_contains",
    "is_empty",
    "not_empty",
    "count_ge",
    "count_lt",
]

UNARY_OPS = {"is_true", "is_false", "is_missing", "is_known", "is_empty", "not_empty"}


class Atom(Strict):
    indicator: str | None = None
    measure: str | None = None
    finding: str | None = None
    recommendation: str | None = None
    op: Op | None = None
    value: Any = None

    @model_validator(mode="after")
    def _one_subject(self) -> Atom:
        subjects = [
            k
            for k in ("indicator", "measure", "finding", "recommendation")
            if getattr(self, k) is not None
        ]
        if len(subjects) != 1:
            raise ValueError(
                "a condition names exactly one of indicator, measure, finding, recommendation"
            )
        if subjects[0] in ("indicator", "measure"):
            if self.op is None:
                raise ValueError(
                    f"a condition on {subjects[0]} {getattr(self, subjects[0])!r} needs an op"
                )
            if self.op not in UNARY_OPS and self.value is None:
                raise ValueError(f"op {self.op!r} needs a value")
        elif self.op is not None or self.value is not None:
            raise ValueError(
                "a condition on a finding or recommendation takes no op or value "
                "(it holds when the finding was derived); use `not:` for absence"
            )
        return self

    # read for every condition of every rule, several times a cluster: worked out once (a frozen
    # model never changes; pydantic compares and dumps its fields only)
    @cached_property
    def subject_kind(self) -> SubjectKind:
        """What the condition tests: an indicator, a measure, a finding or a recommendation."""
        kinds: tuple[SubjectKind, ...] = ("indicator", "measure", "finding", "recommendation")
        for k in kinds:
            if getattr(self, k) is not None:
                return k
        raise AssertionError

    @cached_property
    def subject(self) -> str:
        """The id of what the condition tests."""
        return str(getattr(self, self.subject_kind))


class Any_(Strict):
    """At least one of the conditions holds (each alternative may be an `all:` group)."""

    any: list[Cond]


class All_(Strict):
    """Every condition holds; used inside `any:`."""

    all: list[Cond]


class Not_(Strict):
    not_: Atom = Field(alias="not")
    model_config = ConfigDict(populate_by_name=True)  # merged with Strict's


def _cond_kind(value: Any) -> str:
    """Pick the condition shape from its keys, so errors speak of that shape only."""
    if isinstance(value, dict):
        for key in ("any", "all", "not"):
            if key in value:
                return key
    elif isinstance(value, (Any_, All_, Not_)):
        return {Any_: "any", All_: "all", Not_: "not"}[type(value)]
    return "atom"


Cond = Annotated[
    Annotated[Atom, Tag("atom")]
    | Annotated[Any_, Tag("any")]
    | Annotated[All_, Tag("all")]
    | Annotated[Not_, Tag("not")],
    Discriminator(_cond_kind),
]
# No Any_/All_.model_rebuild() here: with defer_build the forward reference to Cond is resolved
# when a rule is first validated, and a draft served from the knowledge cache never validates
# one; rebuilding at import cost ~55 ms of every cold start (it also loads pydantic's plugin
# machinery, which scans the installed packages' entry points).


Status = Literal["new", "continue", "conditional"]
STATUS_RANK = {"new": 0, "continue": 1, "conditional": 2}


class Then(Strict):
    finding: list[str] = Field(default_factory=list)
    recommend: list[str] = Field(default_factory=list)
    postpone: list[str] = Field(default_factory=list)
    priority: Literal["high", "medium", "low"] | None = None
    # what the recommendations of this rule are: a new measure, one already running to continue,
    # or a measure conditional on a fact the assessment leaves blank ("if not yet ..., ...")
    status: Status = "new"

    @field_validator("finding", "recommend", "postpone", mode="before")
    @classmethod
    def _listify(cls, v: Any) -> Any:
        return [v] if isinstance(v, str) else v

    @model_validator(mode="after")
    def _not_empty(self) -> Then:
        if not (self.finding or self.recommend or self.postpone):
            raise ValueError("`then` must derive a finding, recommend or postpone something")
        return self


class Rule(Provenance):
    id: str
    title: Text
    when: list[Cond]
    then: Then
    sources: list[str] = Field(default_factory=list)
    note: Text | None = None
    # one sentence on why this rule applies to the cluster at hand, worded from its data:
    # `{id}` is the value of an indicator or measure of `when`, `{country:key}` an institution of
    # the cluster's country (document.yaml `institutions`); the program's rationale of a measure
    # opens with the `because` of the rules that made it
    because: Text | None = None

    @field_validator("when", mode="before")
    @classmethod
    def _when_list(cls, v: Any) -> Any:
        if isinstance(v, dict):
            return [v]
        return v


class RulesFile(Strict):
    rules: list[Rule]


# --- recommendations, KPIs, sources, partners, program ------------------------------------------

Actor = Literal["cluster_org", "members", "regional_government", "cluster_council"]
Direction = Literal[
    "science_education", "production_markets", "sociocultural_infrastructure", "organizational"
]
Priority = Literal["high", "medium", "low"]
PRIORITY_RANK = {"high": 0, "medium": 1, "low": 2}


class RecommendationDef(Provenance):
    id: str
    kind: Literal["organizational_change", "measure"] = "measure"
    actor: Actor
    direction: Direction
    serves: list[str] = Field(default_factory=list)  # directions pursued (restrictions)
    priority: Priority
    timeframe: Text
    title: Text
    text: Text
    rationale: Text
    kpis: list[str] = Field(default_factory=list)
    sources: list[str] = Field(default_factory=list)
    # the text a conditional recommendation opens with ("if not yet created, ..."), ru/en;
    # without it the document uses the general wording of templates/strings.yaml
    condition: Text | None = None
    conflicts_with: list[str] = Field(default_factory=list)
    lists: Literal["partners", "platforms"] | None = None
    # a condition in the rule language saying the assessment shows the measure already runs: when
    # it holds the measure is made with status `continue` (never `new`), when it is unknown (a
    # blank) a `new` measure becomes `conditional`
    running: Cond | None = None
    # the wording of a measure with status `continue`; without it the document puts the general
    # "continue and strengthen" prefix of templates/strings.yaml before the title and the text
    continued: Continued | None = None
    # the first variant whose findings are all made replaces text, rationale or condition
    variants: list[Variant] = Field(default_factory=list)
    # the kinds of cluster the measure applies to (`any`, or conditions on sectors.yaml kinds);
    # None only before `kb check`, which refuses a measure without it
    applies_to: Literal["any"] | AppliesTo | None = None


class RecommendationsFile(Strict):
    actors: dict[str, Text]
    directions: dict[str, Text]
    priorities: dict[str, Text]
    recommendations: list[RecommendationDef]


class Target(Provenance):
    """How a KPI's target follows from its baseline. `increase_pct` and `add` are per year of
    the horizon, so a longer program gets a larger target; the level kinds (`at_least`, `fixed`,
    `reach`, `benchmark`) are reached in the final year, with a straight path from the baseline."""

    kind: Literal["increase_pct", "add", "at_least", "benchmark", "fixed", "reach"]
    value: float | None = None
    sources: list[str] = Field(default_factory=list)


class KPIDef(Strict):
    id: str
    direction: Direction
    label: Text
    unit: Text
    baseline: dict[Literal["indicator", "measure"], str] | None = None
    target: Target
    note: Text | None = None
    quantity: KpiQuantity | None = None  # None: a count for a whole baseline, else an amount
    source: str | None = None  # a data_sources id of kpis.yaml
    owner: str | None = None  # a document.yaml body that reports the figure


class AboveBaseline(Provenance):
    """How far at least a KPI the program raises ends above a known baseline, when its own target
    rule would leave it there (an `at_least` level already reached, a small percentage of a small
    count rounded back): a count by `count`, any other quantity by `percent` of the baseline."""

    count: float
    percent: float
    sources: list[str] = Field(default_factory=list)


class KPIsFile(Strict):
    above_baseline: AboveBaseline | None = None
    target_rules: TargetRules | None = None
    data_sources: list[DataSource] = Field(default_factory=list)
    kpis: list[KPIDef]


class Source(Strict):
    id: str
    kind: Literal["dissertation", "survey", "practice", "publication", "web", "proposal"]
    # a part of the dissertation (its survey, its foreign practices): `kind: dissertation` is one
    # by definition; `kb check` refuses such a citation as the only support of our own proposal
    dissertation: bool = False
    citation: Text
    section: Text | str | None = None  # where in the source: a string reads the same in ru and en
    figures: Text | None = None
    url: str | None = None
    checked: date | None = None  # when the address was last checked to state what is cited

    @property
    def of_dissertation(self) -> bool:
        """Whether the source is the dissertation (a proposal may not rest on it alone)."""
        return self.dissertation or self.kind == "dissertation"

    def reference(self, lang: str) -> tuple[str, str]:
        """The citation and its locator in `lang`, to be printed as "citation, locator".

        A citation ends with a full stop; followed by its locator it ends with the locator.
        """
        section = localized(self.section, lang)
        citation = self.citation.get(lang)
        if section:
            citation = citation.rstrip().removesuffix(".")
        return citation, section


class SourcesFile(Strict):
    sources: list[Source]


class Stage(Text):
    """A stage of program development (a text) with its provenance."""

    basis: Basis | None = None
    sources: list[str] = Field(default_factory=list)


class ReportedIndex(Provenance):
    """The level computed outside the system, shown beside the system's index: the indicator
    that holds it and the sentence, with and without a source of the knowledge base to cite."""

    indicator: str
    cited: Text  # {reported}, {value}, {cite}: the value's source is a source of the base
    plain: Text  # {reported}, {value}
    sources: list[str] = Field(default_factory=list)


class ProgramFile(Strict):
    """Document-level texts and settings: section intros, monitoring, prospects, data gaps."""

    knowledge_version: str | None = None  # the authors' version (outputs show it with the digest)
    horizon_indicator: str
    default_horizon_years: int
    year_indicator: str = "assessment_year"
    monitoring: Text
    stages: list[Stage]
    prospects_by_model: dict[str, Text]
    prospects_by_band: dict[str, Text]
    # said first under the prospects when the finding is made (the readiness gate), in this order;
    # `prospects_instead`: finding -> {"model.ID" | "ratio.ID": the text said instead when made}
    prospects_by_finding: dict[str, Text] = Field(default_factory=dict)
    prospects_instead: dict[str, dict[str, Text]] = Field(default_factory=dict)
    ratio_texts: dict[str, Text]
    method_notes: list[Text]
    data_gap_levels: dict[str, Text]
    direction_order: list[str]
    actor_order: list[str]
    data_gap_groups: list[str]
    advice_gap_groups: list[str]
    gate_finding: str
    swot_indicators: dict[Literal["strength", "weakness", "opportunity", "threat"], str]
    # comparison with a peer set (keys = scoring.yaml peers.statements ids); {n}, {position},
    # {percentile} are filled in
    peer_texts: dict[str, Text] = Field(default_factory=dict)
    # reconciliation of the self-assessment with the index (keys: self_lower, self_higher)
    reconciliation: dict[str, Text] = Field(default_factory=dict)
    # the level computed outside the system beside the system's figure, and why they differ
    reported_index: ReportedIndex | None = None
    # the wording kb check refuses: claims about this cluster in general texts, unsourced means
    claim_check: ClaimCheck | None = None
    schedule: Schedule | None = None  # the sizing and calendar of the measures
    # the batch summary's portfolio: which measures set a cluster apart from the others
    portfolio: Portfolio = Field(default_factory=Portfolio)
    sensitivity: Sensitivity | None = None  # the plausible values the sensitivity map tries


# --- the whole base ---------------------------------------------------------------------------

FILES: dict[str, tuple[str, type[BaseModel]]] = {
    "indicators": ("indicators.yaml", IndicatorsFile),
    "scoring": ("scoring.yaml", ScoringFile),
    "findings": ("findings.yaml", FindingsFile),
    "recommendations": ("recommendations.yaml", RecommendationsFile),
    "kpis": ("kpis.yaml", KPIsFile),
    "sources": ("sources.yaml", SourcesFile),
    "partners": ("partners.yaml", PartnersFile),
    "program": ("program.yaml", ProgramFile),
    "document": ("document.yaml", DocumentFile),
    "resources": ("resources.yaml", ResourcesFile),
    "countries": ("countries.yaml", CountriesFile),
    "sectors": ("sectors.yaml", SectorsFile),
    "formats": ("formats.yaml", FormatsFile),
}


@dataclass
class RuleSite:
    rule: Rule
    file: str
    line: int
    col: int
    located: Located
    path: tuple[Any, ...]
    order: int
    # `when` as AND-branches (conditions.branches), expanded once as the rules are read; None
    # past the branch cap (the verifier reports it) or for a site built without it
    branches: list[list[Cond]] | None = None

    @property
    def where(self) -> str:
        """`file:line` of the rule, for messages and explanations."""
        return f"{self.file}:{self.line}"


_T = TypeVar("_T")


@dataclass
class Knowledge:
    root: Path
    indicators: IndicatorsFile
    scoring: ScoringFile
    findings: FindingsFile
    recommendations: RecommendationsFile
    kpis: KPIsFile
    sources: SourcesFile
    partners: PartnersFile
    program: ProgramFile
    document: DocumentFile
    resources: ResourcesFile
    countries: CountriesFile
    sectors: SectorsFile
    formats: FormatsFile
    rules: list[RuleSite]
    located: dict[str, Located] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.indicator = {i.id: i for i in self.indicators.indicators}
        self.group = {g.id: g for g in self.indicators.groups}
        self.finding = {f.id: f for f in self.findings.findings}
        self.recommendation = {r.id: r for r in self.recommendations.recommendations}
        self.kpi = {k.id: k for k in self.kpis.kpis}
        self.source = {s.id: s for s in self.sources.sources}
        self.partial = {p.id: p for p in self.scoring.partial_indicators}
        self.regional = {p.id: p for p in self.scoring.region_indicators}
        self.rule = {r.rule.id: r for r in self.rules}
        # (kind, id) -> the rules whose `then` declares it, in knowledge order (graph.producers_of)
        self.producers: dict[tuple[str, str], list[RuleSite]] = {}
        for site in self.rules:
            t = site.rule.then
            for kind, ids in (
                ("finding", t.finding),
                ("recommendation", t.recommend),
                ("postponed", t.postpone),
            ):
                for ident in dict.fromkeys(ids):
                    self.producers.setdefault((kind, ident), []).append(site)
        # the scenarios test the knowledge base; they are no part of what drafts a program
        self.digest = content_digest(self.root, skip=("scenarios",))

    def derived(self, build: Callable[[Knowledge], _T]) -> _T:
        """What `build` computes from this knowledge alone, computed once: the knowledge never
        changes while it is in use (a batch worker drafts hundreds of clusters on one)."""
        memo: dict[Any, Any] = self.__dict__.setdefault("_derived", {})
        if build not in memo:
            memo[build] = build(self)
        return memo[build]  # type: ignore[no-any-return]

    def derived_each(self, build: Callable[[Knowledge, str], _T], key: str) -> _T:
        """What `build` computes from this knowledge alone for one id, computed once per id when
        first asked for: a batch worker shares every entry, a single draft builds only those it
        reads (all ~300 sources' citations cost a cold draft ~3 ms)."""
        memo: dict[Any, Any] = self.__dict__.setdefault("_derived", {}).setdefault(build, {})
        if key not in memo:
            memo[key] = build(self, key)
        return memo[key]  # type: ignore[no-any-return]

    def __getstate__(self) -> dict[str, Any]:
        # what was derived is derived again where the knowledge is unpickled (the on-disk cache)
        return {name: v for name, v in self.__dict__.items() if name != "_derived"}

    def identity(self) -> dict[str, str | None]:
        """What names this knowledge base in every output: its authors' version and its digest."""
        return {"version": self.program.knowledge_version, "digest": self.digest}

    def display(self, path: Path) -> str:
        """A knowledge file's path as messages show it."""
        return display_path(path)
