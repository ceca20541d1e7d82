"""The sector classification (knowledge/sectors.yaml) and the applicability a measure declares.

A sector code groups NACE Rev. 2 / OKVED2 divisions and says what its clusters sell (`output`) and
to whom (`market`); with the assessment's knowledge base this is the cluster's kind, which a
measure's `applies_to:` and its sector `variants:` test.
"""

from __future__ import annotations

import difflib
from typing import Annotated, Any, Literal

from pydantic import Field, PrivateAttr, WithJsonSchema, field_validator, model_validator

from engine.knowledge.base import Provenance, Strict, Text

Output = Literal["goods", "services"]
Market = Literal["consumer", "industrial", "mixed"]
KIND_DIMENSIONS = ("output", "market", "knowledge_base")
MIXED_DEFAULT: tuple[Market, ...] = ("consumer", "industrial")


# one value or a list of them (any of the list): the schema offers both, the model keeps a list
OneOrMany = Annotated[
    list[str] | None,
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "string"},
                {"type": "array", "items": {"type": "string"}},
                {"type": "null"},
            ],
            "default": None,
        }
    ),
]


def _listify(v: Any) -> Any:
    return [v] if isinstance(v, str) else v


class Aliases(Strict):
    en: list[str] = Field(default_factory=list)
    ru: list[str] = Field(default_factory=list)


class Sector(Strict):
    id: str
    label: Text
    nace: list[str] = Field(min_length=1)  # NACE Rev. 2 / OKVED2 divisions or classes
    ecosystem: str
    output: Output
    market: Market
    aliases: Aliases = Field(default_factory=Aliases)


class Kinds(Strict):
    output: dict[Output, Text]
    market: dict[Market, Text]


class KindRule(Provenance):
    """How a cluster of several sectors gets its kind (sectors.yaml `kind_rule`)."""

    # any: a condition holds when one of the cluster's sectors fits it; all: when every one does
    combine: Literal["any", "all"] = "any"
    mixed_market: list[Market] = Field(default_factory=lambda: list(MIXED_DEFAULT))
    unknown: Literal["applies"] = "applies"
    sources: list[str] = Field(default_factory=list)


class SectorsFile(Provenance):
    indicator: str
    kinds: Kinds
    kind_rule: KindRule
    ecosystems: dict[str, Text]
    sources: list[str] = Field(default_factory=list)
    sectors: list[Sector]
    _by_code: dict[str, Sector] = PrivateAttr(default_factory=dict)
    _aliases: dict[str, list[str]] = PrivateAttr(default_factory=dict)

    def model_post_init(self, context: Any, /) -> None:
        """Index the codes and the aliases (lower case) once."""
        by_code = {s.id: s for s in self.sectors}
        aliases: dict[str, list[str]] = {}
        for s in self.sectors:
            for word in [s.id, *s.aliases.en, *s.aliases.ru]:
                codes = aliases.setdefault(word.strip().casefold(), [])
                if s.id not in codes:
                    codes.append(s.id)
        self._by_code = by_code
        self._aliases = aliases

    @property
    def code(self) -> dict[str, Sector]:
        """The sectors by code."""
        return self._by_code

    @property
    def alias(self) -> dict[str, list[str]]:
        """Every word a consultant may type (codes included, lower case) -> its sector codes."""
        return self._aliases

    def resolve(self, word: str) -> list[str] | None:
        """The sector codes a word of `specialization` means, or None for an unknown word."""
        return self.alias.get(" ".join(word.split()).casefold())

    def nearest(self, word: str, n: int = 3) -> list[str]:
        """The codes closest to an unknown word (by its spelling against codes and aliases)."""
        close = difflib.get_close_matches(
            word.strip().casefold(), list(self.alias), n=8, cutoff=0.5
        )
        out: list[str] = []
        for w in close:
            for c in self.alias[w]:
                if c not in out:
                    out.append(c)
        return out[:n]

    def label(self, code: str) -> Text | None:
        """The label of a code, None for an unknown one."""
        s = self.code.get(code)
        return s.label if s else None


class AppliesTo(Strict):
    """The kinds of cluster a measure applies to; every key given must hold (`any`: all kinds)."""

    # values are checked by `kb check` against sectors.yaml `kinds:` and the knowledge_base
    # indicator's values (a located `unknown-kind` problem), so that the vocabulary stays data
    output: OneOrMany = None
    market: OneOrMany = None
    knowledge_base: OneOrMany = None
    sectors: OneOrMany = None  # sector codes of sectors.yaml

    @field_validator("output", "market", "knowledge_base", "sectors", mode="before")
    @classmethod
    def _one(cls, v: Any) -> Any:
        return _listify(v)

    @model_validator(mode="after")
    def _not_empty(self) -> AppliesTo:
        if all(getattr(self, d) is None for d in (*KIND_DIMENSIONS, "sectors")):
            raise ValueError(
                "give `any` or at least one of output, market, knowledge_base, sectors"
            )
        return self
