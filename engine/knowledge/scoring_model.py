"""The models of `knowledge/scoring.yaml`: the 7-level scale, survey benchmarks, share indicators,
the index, ratio and helix settings, the weak/strong rule and the peer comparison."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Literal

from pydantic import ConfigDict, Field

from engine.knowledge.base import Provenance, Strict, Text

Band = str


class Level(Provenance):
    label: Text
    description: Text
    band: str
    sources: list[str] = Field(default_factory=list)
    # the source's own descriptor, word for word in Russian (the English is a translation)
    quote: Text | None = None
    # a point between the source's descriptors, described by this system
    intermediate: bool = False


class SelfAssessment(Strict):
    indicator: str
    levels: dict[int, Level]
    bands: dict[str, Text]
    # which index bands agree with each self-assessment band; others call for reconciliation
    agrees_with_index: dict[str, list[str]] = Field(default_factory=dict)
    note: Text | None = None


class Benchmark(Provenance):
    value: float
    # survey_mean: a mean the survey reports; constructed: a reference built by us from the
    # survey's figures (or the scale) where it reports no single mean; shown as such
    kind: Literal["survey_mean", "constructed"] = "survey_mean"
    sources: list[str] = Field(default_factory=list)
    note: Text | None = None


class PartialIndicator(Provenance):
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
    region: str | None = None  # id of the matching regional indicator (same definition)
    definition: str | None = None  # what the share divides by what; pairs must share it
    sources: list[str] = Field(default_factory=list)


class BandLimit(Strict):
    id: str
    below: float | None = None  # upper bound (exclusive); the last band has none
    label: Text


class IndexGroup(Strict):
    """A direction group of share indicators; the index needs at least one of each."""

    label: Text
    indicators: list[str]


class IndexSettings(Provenance):
    bands: list[BandLimit]
    min_coverage: int = 1
    groups: dict[str, IndexGroup] = Field(default_factory=dict)
    not_determined: Text | None = None  # the band label below coverage
    sources: list[str] = Field(default_factory=list)
    note: Text | None = None


class RatioSettings(Provenance):
    bands: list[BandLimit]
    min_pairs: int = 3  # K needs at least this many pairs with a regional share above 0
    sources: list[str] = Field(default_factory=list)
    note: Text | None = None


class HelixComponent(Strict):
    """One input of a helix score, mapped onto 0-4."""

    indicator: str | None = None
    indicators: list[str] = Field(default_factory=list)  # for map=bool_share
    # score: the 0-4 value as is; bool4: true -> 4, false -> 0; enum: `values` table;
    # bool_share: share of true among the known `indicators`, times 4
    map: Literal["score", "bool4", "enum", "bool_share"] = "score"
    values: dict[str, float] = Field(default_factory=dict)
    weight: float = Field(default=1.0, gt=0)  # share in the helix's weighted mean
    required: bool = False  # blank: the helix is not determined (its side inputs never stand in)
    actor: Text | None = None  # who the input rates, as the document names a leading actor

    def score(self, get: Callable[[str], Any], top: float) -> tuple[float | None, dict[str, Any]]:
        """This input on the helix scale 0..top (None when blank), and the values it read."""
        if self.map == "bool_share":
            known = {i: get(i) for i in self.indicators}
            vals = [v for v in known.values() if v is not None]
            return (sum(1 for v in vals if v) / len(vals) * top if vals else None), known
        assert self.indicator
        v = get(self.indicator)
        if v is None:
            return None, {self.indicator: None}
        if self.map == "bool4":
            return (top if v else 0.0), {self.indicator: v}
        if self.map == "enum":
            return self.values.get(str(v)), {self.indicator: v}
        return float(v), {self.indicator: v}


class ModelIds(Strict):
    """The model ids the classifier gives; `led` names the leading helix as `{lead}`."""

    led: str = "{lead}_led"
    balanced: str = "balanced"
    nascent: str = "nascent"
    dual: str = "dual_led"
    unknown: str = "unknown"


class AnchorSmeGap(Strict):
    """The two actors whose gap (anchors minus SMEs, 0-4) is measured; rule anchor_sme_gap
    makes it a finding of its own."""

    anchors: str
    smes: str


class HelixSettings(Provenance):
    helices: dict[str, list[HelixComponent]]
    anchor_sme_gap: AnchorSmeGap | None = None
    required: list[str] = Field(default_factory=list)  # helices every model reading needs
    scale_max: float = 4.0  # the helix scale is 0..scale_max, like the activity scores
    model_ids: ModelIds = Field(default_factory=ModelIds)
    leader_margin: float
    balanced_min: float
    labels: dict[str, Text] = Field(default_factory=dict)  # names of the helices
    models: dict[str, Text]
    sources: list[str] = Field(default_factory=list)
    note: Text | None = None


class BenchmarkRule(Strict):
    """One rule for every benchmarked item: weak at or below mean - weak_distance, strong at or
    above mean + strong_distance."""

    weak_distance: float
    strong_distance: float
    sources: list[str] = Field(default_factory=list)
    proposal: bool = True
    note: Text | None = None


Side = Literal["strong", "weak"]
SIDES: tuple[Side, ...] = ("strong", "weak")


class DirectionEvidence(Strict):
    """The two kinds of evidence on one direction: its experts' score against the benchmark and
    the cluster's own share (its tercile, and its gap to the region where the share has a pair)."""

    score: str  # a benchmarked indicator: bench_status_<score>
    share: str  # a partial indicator: tercile_<share>, gap_<share>
    share_sides: list[Side] = Field(default_factory=lambda: list(SIDES))


class Reconciliation(Strict):
    """One verdict per direction (measure verdict_<area>): evidence that points both ways is
    `mixed`, never both a strength and a weakness."""

    directions: dict[str, DirectionEvidence]
    sources: list[str] = Field(default_factory=list)
    proposal: bool = True
    note: Text | None = None


class PeerStatement(Strict):
    id: str
    at_least: float | None = None  # percentile (0-100); the last statement has none


class PeerSettings(Strict):
    """A comparative sentence is made only against a peer set of at least `min_n` clusters."""

    min_n: int = 5
    statements: list[PeerStatement]
    sources: list[str] = Field(default_factory=list)
    proposal: bool = True


class ScoringFile(Strict):
    self_assessment: SelfAssessment
    benchmarks: dict[str, Benchmark]
    benchmark_rule: BenchmarkRule
    reconciliation: Reconciliation | None = None
    peers: PeerSettings
    partial_indicators: list[PartialIndicator]
    region_indicators: list[PartialIndicator]
    index: IndexSettings
    ratio: RatioSettings
    helix: HelixSettings
    areas: dict[str, Text]
    data_confidence: dict[str, float] = Field(default_factory=dict)
