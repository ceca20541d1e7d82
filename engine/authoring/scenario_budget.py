"""What a scenario may expect of the program's budget (issue 20): the currency, the size band and
which made measures cost money, cost nothing extra or carry the consultant's figure."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from engine.errors import Problem, suggest
from engine.files.strict_yaml import Located
from engine.inference.trace import Result
from engine.knowledge.models import Knowledge
from engine.program.budget import build_budget


class BudgetExpect(BaseModel):
    """The budget a scenario expects; a field left out is not checked."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    currency: str | None = Field(default=None, description="ISO 4217 code of the amounts")
    size_band: str | None = Field(default=None, description="a size band of resources.yaml")
    cost: list[str] = Field(default_factory=list, description="made, with an amount above zero")
    within: list[str] = Field(default_factory=list, description="made, at no extra cost")
    consultant: list[str] = Field(
        default_factory=list, description="made, with the consultant's figure (budget_overrides)"
    )
    because: str = Field(default="", description="why the method implies this budget")


LISTS = ("cost", "within", "consultant")


def check_budget_ids(
    located: Located, prefix: tuple[Any, ...], expect: BudgetExpect | None, k: Knowledge
) -> list[Problem]:
    """Unknown measures, size bands and currencies a budget expectation names."""
    if expect is None:
        return []
    where = (*prefix, "expect", "budget")
    problems = []
    for which in LISTS:
        for i, rid in enumerate(getattr(expect, which)):
            if rid not in k.recommendation:
                problems.append(
                    located.problem(
                        (*where, which, i),
                        f"unknown recommendation {rid!r}",
                        hint=suggest(rid, list(k.recommendation)),
                    )
                )
    bands = [b.id for b in k.resources.size_bands]
    if expect.size_band is not None and expect.size_band not in bands:
        problems.append(
            located.problem(
                (*where, "size_band"),
                f"unknown size band {expect.size_band!r}",
                hint=suggest(expect.size_band, bands),
            )
        )
    codes = list(k.resources.currencies)
    if expect.currency is not None and expect.currency not in codes:
        problems.append(
            located.problem(
                (*where, "currency"),
                f"unknown currency {expect.currency!r}",
                hint=suggest(expect.currency, codes),
            )
        )
    return problems


def budget_mismatches(
    result: Result, k: Knowledge, expect: BudgetExpect | None
) -> list[tuple[str, str, str]]:
    """(what, expected, found) for each expectation the program's budget does not meet."""
    if expect is None:
        return []
    b = build_budget(result, k)
    out: list[tuple[str, str, str]] = []
    if expect.currency is not None and b.money.code != expect.currency:
        out.append(("currency", expect.currency, b.money.code))
    if expect.size_band is not None and b.band.id != expect.size_band:
        out.append(("size_band", expect.size_band, b.band.id))
    found = {
        rid: "consultant" if c.basis == "consultant" else ("cost" if c.total else "within")
        for rid, c in b.measures.items()
    }
    for which in LISTS:
        for rid in getattr(expect, which):
            if found.get(rid) != which and not (which == "cost" and found.get(rid) == "consultant"):
                out.append((rid, which, found.get(rid, "not made")))
    return out
