"""Pipeline step 2a: the knowledge base as closed, typed models, loaded from `knowledge/`.

Structure is checked here (pydantic, `extra="forbid"`), with every error located at `file:line:col`.
Meaning (cross-references, operators against indicator types, unreachable rules...) is checked by
`engine.verify`, which `load_knowledge` runs for its errors so a broken knowledge base never runs.
"""

from __future__ import annotations

import difflib
import os
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    Tag,
    ValidationError,
    field_validator,
    model_validator,
)

from engine.errors import InputError, Problem
from engine.load import Located, load_yaml_file

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
Any_.model_rebuild()
All_.model_rebuild()


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
    checked: date | None = None  # when the address was last checked to state what is cited

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


def display_path(path: Path) -> str:
    """Paths in messages: relative to the working directory when inside it, else absolute."""
    try:
        return os.path.relpath(path)
    except ValueError:
        return str(path)


def bundled_root(kind: str) -> Path:
    """The knowledge/ or templates/ directory: the source tree's, else the installed copy's."""
    here = Path(__file__).resolve().parent
    for candidate in (here.parent / kind, here / "_bundled" / kind):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"bundled {kind}/ directory not found next to {here}")


def pydantic_problems(exc: ValidationError, located: Located) -> list[Problem]:
    problems = []
    for err in exc.errors():
        loc = tuple(_clean_loc(err["loc"]))
        msg = err["msg"]
        if err["type"] == "extra_forbidden":
            msg = f"unknown field {loc[-1]!r}"
            close = difflib.get_close_matches(
                str(loc[-1]), sorted(_field_names()), n=1, cutoff=0.75
            )
            hint = f"did you mean {close[0]!r}?" if close else ""
            problems.append(located.problem(loc, msg, key=True, hint=hint))
            continue
        if err["type"] == "missing":
            msg = f"missing required field {loc[-1]!r}"
            problems.append(located.problem(loc[:-1], msg))
            continue
        msg = msg.removeprefix("Value error, ")
        problems.append(located.problem(loc, msg))
    # union types report every branch: keep one message per location, the most specific
    seen: dict[tuple[str, int, int], Problem] = {}
    for p in problems:
        seen.setdefault((p.path, p.line, p.col), p)
    return sorted(seen.values(), key=lambda p: (p.line, p.col))


_UNION_TAGS = {
    "Atom",
    "Any_",
    "All_",
    "Not_",
    "atom",
    "any",
    "all",
    "function-after[_one_subject(), Atom]",
    "function-after[_not_empty(), Then]",
}


def _field_names() -> set[str]:
    names: set[str] = set()
    for obj in list(globals().values()):
        if isinstance(obj, type) and issubclass(obj, BaseModel) and obj is not BaseModel:
            for name, info in obj.model_fields.items():
                names.add(info.alias or name)
    return names


def _clean_loc(loc: tuple[Any, ...]) -> list[Any]:
    out = []
    for part in loc:
        if isinstance(part, str) and (part in _UNION_TAGS or part.startswith("function-")):
            continue
        out.append("not" if part == "not_" else part)
    return out


def _parse(model: type[BaseModel], located: Located) -> tuple[Any, list[Problem]]:
    if not isinstance(located.data, dict):
        return None, [located.problem((), "expected a mapping at the top of the file")]
    try:
        return model.model_validate(located.data), []
    except ValidationError as exc:
        return None, pydantic_problems(exc, located)


def read_knowledge(root: Path) -> tuple[Knowledge | None, list[Problem]]:
    """Parse every knowledge file; return the model and the structural problems (all of them)."""
    problems: list[Problem] = []
    parsed: dict[str, Any] = {}
    located_files: dict[str, Located] = {}
    if not root.is_dir():
        return None, [Problem(file=display_path(root), message="knowledge directory not found")]
    for key, (name, model) in FILES.items():
        path = root / name
        try:
            located = load_yaml_file(path, display_path(path))
        except InputError as exc:
            problems.extend(exc.problems)
            continue
        located_files[name] = located
        value, errs = _parse(model, located)
        problems.extend(errs)
        parsed[key] = value
    rules: list[RuleSite] = []
    rule_files = sorted((root / "rules").glob("*.yaml"))
    if not rule_files:
        problems.append(
            Problem(file=display_path(root / "rules"), message="no rule files (*.yaml)")
        )
    order = 0
    for path in rule_files:
        try:
            located = load_yaml_file(path, display_path(path))
        except InputError as exc:
            problems.extend(exc.problems)
            continue
        located_files[f"rules/{path.name}"] = located
        value, errs = _parse(RulesFile, located)
        problems.extend(errs)
        if value is None:
            continue
        for i, rule in enumerate(value.rules):
            rpath = ("rules", i)
            line, col = located.pos(rpath)
            rules.append(
                RuleSite(
                    rule=rule,
                    file=located.file,
                    line=line,
                    col=col,
                    located=located,
                    path=rpath,
                    order=order,
                )
            )
            order += 1
    if any(v is None for v in parsed.values()) or len(parsed) != len(FILES):
        return None, problems
    knowledge = Knowledge(root=root, rules=rules, located=located_files, **parsed)
    return knowledge, problems


def load_knowledge(root: Path | None = None) -> Knowledge:
    """Load and verify the knowledge base; any error (not warning) aborts with an InputError."""
    from engine.verify import verify  # verify imports this module

    root = root or bundled_root("knowledge")
    knowledge, problems = read_knowledge(root)
    if knowledge is not None:
        problems = problems + verify(knowledge)
    errors = [p for p in problems if p.severity == "error"]
    if errors or knowledge is None:
        raise InputError(errors or problems)
    return knowledge
