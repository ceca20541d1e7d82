"""The currency of the program's amounts and money KPIs (issue 20): the cluster's country's
currency from `knowledge/resources.yaml`, or the base currency when it has no rate."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from engine.knowledge.models import Knowledge, KPIDef
from engine.knowledge.resources_model import Currency
from engine.program.leaves import tx
from engine.text.message import Msg, Once


@dataclass(frozen=True, slots=True)
class Money:
    """The currency the program's amounts are in: the cluster's own, or the base currency when
    the knowledge base has no rate for the cluster's country (`converted` False)."""

    code: str
    currency: Currency
    converted: bool
    country: str
    base: str


def money_of(country: str, k: Knowledge) -> Money:
    """The currency of the cluster's country; the base currency, unconverted, when none is known."""
    r = k.resources
    for code, cur in r.currencies.items():
        if country and country in cur.countries:
            return Money(code, cur, True, country, r.base_currency)
    base = r.base_currency
    return Money(base, r.currencies[base], False, country, base)


def kpi_unit(kpi: KPIDef, country: str, k: Knowledge) -> Any:
    """A KPI's unit; a money KPI's names the cluster's currency (millions a year)."""
    if kpi.id not in k.resources.money_kpis:
        return tx(kpi.unit)
    return k.derived_each(_money_unit, country)


def _money_unit(k: Knowledge, country: str) -> Once:
    """A money KPI's unit in a country's currency: the knowledge's alone, one leaf per country
    (put into words once per language)."""
    return Once(Msg("unit_money_year", cur=tx(money_of(country, k).currency.short)))
