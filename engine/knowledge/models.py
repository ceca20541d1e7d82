"""The knowledge base as closed, typed models (pydantic, `extra="forbid"`), one per file kind.

Reading them from `knowledge/` with located errors is `engine.knowledge.read`; checking their meaning
is `engine.knowledge.verify`; `engine.knowledge.load` does both.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    Tag,
    field_validator,
    model_validator,
)

from engine.files.strict_yaml import Located
from engine.resources import display_path

Lang = Literal["ru", "en"]
LANGS: tuple[Lang, ...] = ("ru", "en")


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)


class Text(Strict):
    """A text a user reads, in Russian and English."""

    ru: str | None = None
    en: str | None = None

    def get(self, lang: str) -> str:
        value = getattr(self, lang, None)
        if value:
            return value
        return self.en or self.ru or ""


def localized(value: Text | str | None, lang: str) -> str:
    """A field that is either one string for both languages or a ru/en text, in `lang`."""
    return value.get(lang) if isinstance(value, Text) else value or ""


# --- indicators -----------------------------------------------------------------------------

IndicatorType = Literal["str", "int", "float", "bool", "enum", "list", "score"]


class Scale(Strict):
    min: float
    max: float
    no_information: bool = True
    anchors: dict[int, Text] = Field(default_factory=dict)


class Group(Strict):
    id: str
    label: Text


class Indicator(Strict):
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
    required: bool = False
    sources: list[str] = Field(default_factory=list)
    proposal: bool = False


class IndicatorsFile(Strict):
    scales: dict[str, Scale]
    groups: list[Group]
    indicators: list[Indicator]


# --- scoring settings -------------------------------------------------------------------------

Band = str


class Level(Strict):
    label: Text
    description: Text
    band: str
    sources: list[str] = Field(default_factory=list)
    proposal: bool = False


class SelfAssessment(Strict):
    indicator: str
    levels: dict[int, Level]
    bands: dict[str, Text]
    note: Text | None = None


class Benchmark(Strict):
    value: float
    sources: list[str] = Field(default_factory=list)
    proposal: bool = False
    note: Text | None = None


class PartialIndicator(Strict):
    """One share-type partial indicator (in %) computed from raw quantitative inputs."""

    model_config = ConfigDict(populate_by_name=True)  # merged with Strict's

    id: str
    label: Text
    area: str
    formula: Literal["ratio", "capped_count", "list_share"]
    numerator: str | None = None
    denominator: str | None = None
    alternative: tuple[str, str] | None = (
        None  # (numerator, denominator) used when the main pair is blank
    )
    count: str | None = None
    target: float | None = None
    list_: str | None = Field(default=None, alias="list")  # `list` would shadow the builtin
    of: float | None = None
    weight: float = 1.0
    region: str | None = None  # id of the matching regional indicator
    sources: list[str] = Field(default_factory=list)
    proposal: bool = True


class BandLimit(Strict):
    id: str
    below: float | None = None  # upper bound (exclusive); the last band has none
    label: Text


class IndexSettings(Strict):
    bands: list[BandLimit]
    min_coverage: int = 1
    sources: list[str] = Field(default_factory=list)
    proposal: bool = True
    note: Text | None = None


class RatioSettings(Strict):
    bands: list[BandLimit]
    sources: list[str] = Field(default_factory=list)
    proposal: bool = True
    note: Text | None = None


class HelixComponent(Strict):
    """One input of a helix score, mapped onto 0-4."""

    indicator: str | None = None
    indicators: list[str] = Field(default_factory=list)  # for map=bool_share
    # score: the 0-4 value as is; bool4: true -> 4, false -> 0; enum: `values` table;
    # bool_share: share of true among the known `indicators`, times 4
    map: Literal["score", "bool4", "enum", "bool_share"] = "score"
    values: dict[str, float] = Field(default_factory=dict)


class HelixSettings(Strict):
    helices: dict[str, list[HelixComponent]]
    leader_margin: float
    balanced_min: float
    labels: dict[str, Text] = Field(default_factory=dict)  # names of the helices
    models: dict[str, Text]
    sources: list[str] = Field(default_factory=list)
    proposal: bool = True
    note: Text | None = None


class ScoringFile(Strict):
    self_assessment: SelfAssessment
    benchmarks: dict[str, Benchmark]
    partial_indicators: list[PartialIndicator]
    region_indicators: list[PartialIndicator]
    index: IndexSettings
    ratio: RatioSettings
    helix: HelixSettings
    areas: dict[str, Text]
    data_confidence: dict[str, float] = Field(default_factory=dict)


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
    label: Text
    description: Text | None = None
    area: str | None = None


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

    @property
    def subject_kind(self) -> str:
        for k in ("indicator", "measure", "finding", "recommendation"):
            if getattr(self, k) is not None:
                return k
        raise AssertionError

    @property
    def subject(self) -> str:
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


class Then(Strict):
    finding: list[str] = Field(default_factory=list)
    recommend: list[str] = Field(default_factory=list)
    postpone: list[str] = Field(default_factory=list)
    priority: Literal["high", "medium", "low"] | None = None

    @field_validator("finding", "recommend", "postpone", mode="before")
    @classmethod
    def _listify(cls, v: Any) -> Any:
        return [v] if isinstance(v, str) else v

    @model_validator(mode="after")
    def _not_empty(self) -> Then:
        if not (self.finding or self.recommend or self.postpone):
            raise ValueError("`then` must derive a finding, recommend or postpone something")
        return self


class Rule(Strict):
    id: str
    title: Text
    when: list[Cond]
    then: Then
    sources: list[str] = Field(default_factory=list)
    proposal: bool = False
    note: Text | None = None

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


class RecommendationDef(Strict):
    id: str
    kind: Literal["organizational_change", "measure"] = "measure"
    actor: Actor
    direction: Direction
    priority: Priority
    timeframe: Text
    title: Text
    text: Text
    rationale: Text
    kpis: list[str] = Field(default_factory=list)
    sources: list[str] = Field(default_factory=list)
    proposal: bool = False
    conflicts_with: list[str] = Field(default_factory=list)
    lists: Literal["partners", "platforms"] | None = None


class RecommendationsFile(Strict):
    actors: dict[str, Text]
    directions: dict[str, Text]
    priorities: dict[str, Text]
    recommendations: list[RecommendationDef]


class Target(Strict):
    kind: Literal["increase_pct", "add", "at_least", "benchmark", "fixed", "reach"]
    value: float | None = None


class KPIDef(Strict):
    id: str
    direction: Direction
    label: Text
    unit: Text
    baseline: dict[Literal["indicator", "measure"], str] | None = None
    target: Target
    note: Text | None = None


class KPIsFile(Strict):
    kpis: list[KPIDef]


class Source(Strict):
    id: str
    kind: Literal["dissertation", "survey", "practice", "publication", "web", "proposal"]
    citation: Text
    section: Text | str | None = None  # where in the source: a string reads the same in ru and en
    figures: Text | None = None
    url: str | None = None

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


class Partner(Strict):
    id: str
    name: str
    country: str
    region: Text | str | None = None  # a string reads the same in ru and en
    geography: list[str]
    sectors: list[str]
    facts: Text
    platforms: list[str] = Field(default_factory=list)
    prior_links: list[str] = Field(default_factory=list)
    sources: list[str] = Field(default_factory=list)


class Platform(Strict):
    id: str
    name: Text
    description: Text
    geography: str
    sectors: list[str] = Field(default_factory=list)  # empty: open to every sector
    sources: list[str] = Field(default_factory=list)


class PartnersFile(Strict):
    geographies: dict[str, Text]
    default_available_geographies: list[str]
    availability_indicator: str
    specialization_indicator: str
    candidates_indicator: str
    sector_aliases: dict[str, list[str]]
    sectors: dict[str, Text] = Field(default_factory=dict)  # labels of the sector tags
    max_candidates: int = 3
    weights: dict[Literal["sector", "prior_link", "platform"], float]
    partners: list[Partner]
    platforms: list[Platform]
    platforms_indicator: str


class ProgramFile(Strict):
    """Document-level texts and settings: section intros, monitoring, prospects, data gaps."""

    horizon_indicator: str
    default_horizon_years: int
    monitoring: Text
    stages: list[Text]
    prospects_by_model: dict[str, Text]
    prospects_by_band: dict[str, Text]
    ratio_texts: dict[str, Text]
    method_notes: list[Text]
    data_gap_levels: dict[str, Text]


# --- the whole base ---------------------------------------------------------------------------

FILES = {
    "indicators": ("indicators.yaml", IndicatorsFile),
    "scoring": ("scoring.yaml", ScoringFile),
    "findings": ("findings.yaml", FindingsFile),
    "recommendations": ("recommendations.yaml", RecommendationsFile),
    "kpis": ("kpis.yaml", KPIsFile),
    "sources": ("sources.yaml", SourcesFile),
    "partners": ("partners.yaml", PartnersFile),
    "program": ("program.yaml", ProgramFile),
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

    @property
    def where(self) -> str:
        return f"{self.file}:{self.line}"


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

    def display(self, path: Path) -> str:
        return display_path(path)
