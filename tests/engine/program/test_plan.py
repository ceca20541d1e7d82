"""engine/program/plan.py: the support instruments a measure of the action plan is funded from
follow the cluster's country, the program's years and the cluster's status."""

from __future__ import annotations

from engine.program.plan import instruments_for


def test_funding_follows_the_country_and_the_years(knowledge):
    ids = ["ru_rec", "ru_my_export", "by_eximgarant", "kz_damu", "regional_budget"]
    ru = [i.id for i in instruments_for(ids, knowledge, "RU", (2014, 2016), set())]
    assert ru == ["ru_rec", "regional_budget"]  # «Мой экспорт» starts in 2020
    by = [i.id for i in instruments_for(ids, knowledge, "BY", (2014, 2016), set())]
    assert by == ["by_eximgarant", "regional_budget"]


def test_funding_follows_the_clusters_status_and_instruments_that_ended(knowledge):
    ids = ["ru_pilot_cluster_subsidy", "regional_budget"]
    # the federal subsidy is for pilot innovative territorial clusters only
    assert [i.id for i in instruments_for(ids, knowledge, "RU", (2027, 2029), set())] == [
        "regional_budget"
    ]
    pilot = instruments_for(ids, knowledge, "RU", (2027, 2029), {"governance.pilot"})
    assert [i.id for i in pilot] == ids
    # an institution dissolved before the program starts is not offered
    by = ["by_ncmc", "by_eximgarant"]
    assert [i.id for i in instruments_for(by, knowledge, "BY", (2024, 2026), set())] == by
    assert [i.id for i in instruments_for(by, knowledge, "BY", (2027, 2029), set())] == [
        "by_eximgarant"
    ]
