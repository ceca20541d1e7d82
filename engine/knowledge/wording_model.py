"""Wording a measure takes for the cluster at hand: continued measures and variants."""

from __future__ import annotations

from typing import Any

from pydantic import Field, field_validator, model_validator

from engine.knowledge.base import Strict, Text
from engine.knowledge.sector_model import AppliesTo


class Continued(Strict):
    """Title and text of a measure the region or the cluster already runs (ru/en)."""

    title: Text | None = None
    text: Text | None = None


class Variant(Strict):
    """Wording of a measure that follows the inputs: used when every finding of `if` is made and
    the cluster's kind fits `for` (sector codes or kinds of sectors.yaml)."""

    if_: list[str] = Field(alias="if", default_factory=list)
    for_: AppliesTo | None = Field(alias="for", default=None)
    title: Text | None = None
    text: Text | None = None
    rationale: Text | None = None
    condition: Text | None = None

    @field_validator("if_", mode="before")
    @classmethod
    def _listify(cls, v: Any) -> Any:
        return [v] if isinstance(v, str) else v

    @model_validator(mode="after")
    def _keyed(self) -> Variant:
        if not self.if_ and self.for_ is None:
            raise ValueError("a variant needs `if:` (findings) or `for:` (sectors or kinds)")
        return self
