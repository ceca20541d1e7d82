"""The models of the program's sizing and schedule (`knowledge/program.yaml` `schedule:`) and of
the KPI target rules, data sources and owners (`knowledge/kpis.yaml`): capacity items and bands,
preconditions between measures, the cap on high priorities, share bounds and rounding."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from engine.knowledge.base import Provenance, Strict, Text


class CapacityItem(Strict):
    """One point source of the capacity score: an indicator that is true (`op: true`), reaches a
    value (`at_least`), or a list with at least `value` items (`items_at_least`). A blank counts
    nothing: a capacity the assessment does not show is not assumed."""

    indicator: str
    op: Literal["true", "at_least", "items_at_least"] = "true"
    value: float | None = None
    points: int = 1


class CapacityBand(Strict):
    """The measures the first program year can carry at a capacity score up to `max_score`;
    `first_year: null` sets no limit."""

    max_score: int
    first_year: int | None


class AskInstead(Strict):
    """A body the assessment says does not exist is not asked for data: `ask` is, when every
    finding of `if` is made."""

    if_: list[str] = Field(alias="if", min_length=1)
    body: str
    ask: str


class Schedule(Provenance):
    """How the program is sized to the cluster and its measures placed on the calendar."""

    sources: list[str] = Field(default_factory=list)
    capacity: list[CapacityItem]
    bands: list[CapacityBand]
    # every later year carries this many more measures than the year before (the last year of
    # the horizon takes whatever is left: nothing is put beyond the horizon)
    growth_per_year: int = 4
    # a measure starts at least this many quarters after each measure it needs
    lag_quarters: int = 1
    # at most this many "high" priorities; the rest are lowered to medium, the least ready first
    max_high: int = 5
    # measure -> the measures it needs, when the program makes them too
    preconditions: dict[str, list[str]] = Field(default_factory=dict)
    # partial data: when at least this share of the measures made whose `running:` is read are
    # left blank, the document asks first and shows each such measure once, "to be confirmed"
    to_confirm_share: float = 0.5
    # who is asked for a blank of each indicator group (a document.yaml body)
    ask_by_group: dict[str, str] = Field(default_factory=dict)
    ask_instead: list[AskInstead] = Field(default_factory=list)


class Portfolio(Provenance):
    """The batch summary as a portfolio (issue 24 item 3): which of a cluster's measures set it
    apart from the other clusters of the batch."""

    # a measure sets a cluster apart when made for at most this share of the batch's clusters
    # (never one every cluster gets); rarest first, then by priority
    distinguishing_share: float = Field(default=0.5, gt=0, le=1)
    # how many are named per cluster (a batch of one names its first measures instead)
    distinguishing_count: int = Field(default=3, ge=1)


class Rounding(Strict):
    """Values below `below` (or any, without it) are rounded to a multiple of `step`."""

    below: float | None = None
    step: float


class TargetRules(Provenance):
    """Bounds and rounding every KPI target keeps, whatever its rule."""

    sources: list[str] = Field(default_factory=list)
    share_max: float = 100.0
    # a share moves at most this many percentage points a year
    share_step_per_year: float
    share_rounding: list[Rounding]
    # counts are whole; large counts coarser (empty: every count to a whole number)
    count_rounding: list[Rounding] = Field(default_factory=list)
    amount_rounding: list[Rounding]
    ratio_rounding: list[Rounding]
    # the assessment input whose mapping `kpi_id: value` overrides a KPI's final target
    override_indicator: str = "kpi_targets"
    # a short name of each rule kind, shown beside the target (keys: Target.kind, plus override)
    rule_names: dict[str, Text] = Field(default_factory=dict)


class DataSource(Strict):
    """Where a KPI's figure comes from (the statistics office, the member survey, ...)."""

    id: str
    name: Text


KpiQuantity = Literal["count", "share", "amount", "ratio"]


class Sensitivity(Provenance):
    """How far the sensitivity map tries an answer (`cluster-intl sensitivity`): a number with
    no upper bound on its scale only between its value divided and multiplied by `count_factor`."""

    sources: list[str] = Field(default_factory=list)
    count_factor: float = Field(gt=1)
