"""The model of `knowledge/resources.yaml`: each measure's cost model and deliverable, the size
bands that scale the costs, and the currencies the amounts are printed in (issue 20)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator, model_validator

from engine.knowledge.base import Basis, Strict, Text

Range = tuple[float, float]  # what a measure costs in one year, low and high, base currency


def middle(r: Range) -> float:
    """The amount the program plans from a range: its middle."""
    return (r[0] + r[1]) / 2


class CostRange(Strict):
    """A measure's yearly cost for the reference size band: its first year, each later year."""

    first_year: Range
    following_years: Range

    @model_validator(mode="after")
    def _ordered(self) -> CostRange:
        for r in (self.first_year, self.following_years):
            if r[0] < 0 or r[1] < r[0]:
                raise ValueError(f"a range is [low, high] with 0 <= low <= high, got {list(r)}")
        return self


class MeasureResource(Strict):
    """What a measure costs (`within_current_activity` or ranges) and what it delivers."""

    cost: Literal["within_current_activity"] | CostRange
    basis: Basis | None = None
    sources: list[str] = Field(default_factory=list)
    result: Text  # the deliverable, never a KPI value
    split: dict[str, float] = Field(default_factory=dict)  # instrument id -> weight
    # the measure creates a post, a unit or a service that costs every year once it exists: its
    # following years' amount runs to the end of the program, whenever the action itself ends
    recurs: bool = False

    @property
    def within(self) -> bool:
        """Whether the measure is done within current activity, at no extra cost."""
        # the cost's one string (a range is a model: `==` would go through pydantic's equality)
        return isinstance(self.cost, str)


class SizeBand(Strict):
    """A band of cluster size by members; `factor` scales the reference amounts."""

    id: str
    max_members: int | None = None  # None: no upper bound (the last band)
    factor: float = Field(gt=0)
    label: Text


class Currency(Strict):
    """A currency (ISO 4217 code as its key): names, the countries using it and its rate."""

    name: Text
    short: Text  # after "thousand": «тыс. руб.», "thousand RUB"
    countries: list[str] = Field(default_factory=list)
    per_base: float = Field(gt=0)  # units of this currency per unit of the base currency
    source: str | None = None
    date: str | None = None  # the date of the rate (YYYY-MM-DD)


class ResourcesFile(Strict):
    """Cost models, deliverables, size bands and currencies."""

    base_currency: str
    size_indicators: list[str]
    size_bands: list[SizeBand] = Field(min_length=1)
    unknown_band: str
    size_basis: Basis
    size_sources: list[str]
    fallback_source: str
    money_kpis: list[str] = Field(default_factory=list)
    currencies: dict[str, Currency]
    measures: dict[str, MeasureResource]

    @field_validator("size_bands")
    @classmethod
    def _ascending(cls, v: list[SizeBand]) -> list[SizeBand]:
        """Bands go up by members and only the last one is open."""
        bounds = [b.max_members for b in v]
        if any(x is None for x in bounds[:-1]) or bounds[-1] is not None:
            raise ValueError("only the last size band has no max_members")
        closed = [x for x in bounds if x is not None]
        if closed != sorted(set(closed)):
            raise ValueError("size bands must go up by max_members")
        return v
