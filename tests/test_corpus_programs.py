"""The client programs of the corpus clusters (issue 11): wording that must follow the inputs.

Each test drafts a cluster of examples/corpus/ (unlike the worked example) and reads the client's
document in both languages: what the program says, not which rules fired (that is kb test's job,
knowledge/scenarios/corpus.yaml). The expectations come from docs/corpus-pending.md.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import pytest

from engine import api
from engine.knowledge.base import localized
from tests.conftest import shared_session

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "examples" / "corpus"
LANGS = ("en", "ru")


SESSION = shared_session()


def _k() -> Any:
    return SESSION.knowledge


@cache
def _result(name: str) -> Any:
    return api.evaluate(CORPUS / f"{name}.yaml", SESSION)


@cache
def client_text(name: str, lang: str) -> str:
    text = api.draft(_result(name), _k(), "md", lang, audience="client")
    assert isinstance(text, str)
    return text


@cache
def _view(name: str, lang: str) -> dict[str, Any]:
    return api.program_view(_result(name), _k(), lang, "client", None)


def measure(name: str, ident: str, lang: str) -> dict[str, Any]:
    """The measure as the client's document shows it; fails if the program does not make it."""
    for r in _view(name, lang)["recommendations"]:
        if r["id"] == ident:
            return r
    raise AssertionError(f"{name}: {ident} is not in the program")


def prose(name: str, ident: str, lang: str) -> str:
    """Title, text and rationale of a measure, checked to be the words the client reads."""
    r = measure(name, ident, lang)
    doc = client_text(name, lang)
    for part in (r["title"], r["text"]):
        assert part[:60] in doc, f"{ident}: not the client's text"
    return " ".join([r["title"], r["text"], r["rationale"]])


def institutions(country: str, lang: str) -> dict[str, str]:
    """The names of a country's institutions (knowledge/document.yaml `country_profiles`)."""
    profile = _k().document.country_profiles[country].institutions
    return {key: localized(v.name, lang) for key, v in profile.items()}


# --- readiness gate: a cluster already active abroad is asked for the mandate, not stopped ----


@pytest.mark.parametrize("lang", LANGS)
def test_gate_asks_for_the_mandate_without_stopping_the_exporters(lang: str) -> None:
    text = prose("nascent-exporting-no-mandate", "org_readiness_mandate", lang)
    stop = {
        "en": ("Before any outward activity", "only after this decision"),
        "ru": ("До любой внешней активности", "только после этого решения"),
    }[lang]
    for phrase in stop:
        assert phrase.lower() not in text.lower()
    goes_on = {"en": "already active abroad", "ru": "уже ведёт"}[lang]
    assert goes_on in text


# --- governance: no text names a body the assessment says does not exist ----------------------


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize(
    "name", ["private-non-pilot", "kazakh-petrochemicals", "tourism-creative-symbolic"]
)
def test_manager_is_not_placed_in_a_missing_expert_group(name: str, lang: str) -> None:
    text = prose(name, "org_intl_manager", lang)
    group = {"en": "expert working group", "ru": "экспертной рабочей группы"}[lang]
    assert group not in text


@pytest.mark.parametrize("lang", LANGS)
def test_no_pilot_cluster_or_public_funding_argument_for_a_private_non_pilot_cluster(
    lang: str,
) -> None:
    words = {"en": ("pilot", "public funding"), "ru": ("пилотн", "бюджетного финансирования")}[lang]
    for r in _view("private-non-pilot", lang)["recommendations"]:
        for w in words:
            assert w not in r["rationale"].lower(), f"{r['id']}: {w!r} in its rationale"


@pytest.mark.parametrize("lang", LANGS)
def test_a_pilot_cluster_keeps_the_pilot_evidence(lang: str) -> None:
    # the same measures for a pilot cluster still say where the evidence comes from
    k = _k()
    pilot = api.variant(_result("private-non-pilot"), ["is_pilot_innovative_cluster=true"], SESSION)
    view = api.program_view(pilot, k, lang, "client", None)
    word = {"en": "pilot", "ru": "пилотн"}[lang]
    assert any(word in r["rationale"].lower() for r in view["recommendations"])


@pytest.mark.parametrize("lang", LANGS)
def test_no_working_group_within_a_missing_cluster_council(lang: str) -> None:
    name = "nascent-exporting-no-mandate"
    titles = [r["title"] for r in _view(name, lang)["recommendations"]]
    within = {"en": "within the Cluster Council", "ru": "в рамках Совета кластера"}[lang]
    assert titles and not any(within in t for t in titles)
    unit = prose(name, "org_coordination_unit", lang)
    report = {"en": "report to the working group", "ru": "подотчётный рабочей группе"}[lang]
    assert report not in unit
    manager = prose(name, "org_intl_manager", lang)
    group = {"en": "working group", "ru": "рабочей группы"}[lang]
    assert group not in manager


# --- country: the cluster's own institutions, never Russia's ---------------------------------


@pytest.mark.parametrize("lang", LANGS)
def test_belarusian_export_measure_names_belarus_institutions(lang: str) -> None:
    text = prose("belarus-machinery", "rg_export_trade_missions", lang)
    assert institutions("BY", lang)["trade_representations"] in text
    assert institutions("RU", lang)["trade_representations"] not in text


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("name", ["kazakh-petrochemicals", "belarus-machinery"])
def test_no_russian_institution_in_a_foreign_cluster_program(name: str, lang: str) -> None:
    doc = client_text(name, lang)
    russian = {"en": "Russia", "ru": "Росси"}[lang]
    for key, inst in institutions("RU", lang).items():
        if russian in inst or "REC" in inst or "РЭЦ" in inst:
            assert inst not in doc, f"{name}: Russian {key} named"


# --- running measures: continued with a target above what already runs ------------------------


@pytest.mark.parametrize("kpi", ["kpi_trade_missions", "kpi_foreign_fairs_participations"])
def test_continued_region_measures_aim_above_the_baseline(kpi: str) -> None:
    rows = {x["id"]: x for x in _view("region-runs-measures", "en")["kpis"]}
    row = rows[kpi]
    assert row["baseline_raw"] is not None
    assert row["target_raw"] is not None and row["target_raw"] > row["baseline_raw"]


# --- geography and platforms ------------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGS)
def test_cluster_community_without_european_platforms_when_europe_is_closed(lang: str) -> None:
    text = prose("apec-strongest", "co_cluster_community", lang)
    for w in ("ECCP", "EACP", {"en": "Europe", "ru": "Европ"}[lang]):
        assert w not in text


@pytest.mark.parametrize("name", ["pharma-analytical", "ict-university-led", "apec-strongest"])
def test_platform_promotion_lists_only_active_hubs(name: str) -> None:
    status = {p.id: p.status for p in _k().partners.platforms}
    listed = [p["id"] for p in measure(name, "co_platform_promotion", "en")["platforms"]]
    assert listed
    assert all(status[p] == "active" for p in listed), listed


# --- profiles: export on weak science, a dedicated agency in the coordination unit ------------


def test_value_added_upgrading_carries_an_export_target() -> None:
    name = "export-metals-weak-science"
    assert "kpi_export_share" in measure(name, "co_value_added_upgrading", "en")["kpi_ids"]
    row = {x["id"]: x for x in _view(name, "en")["kpis"]}["kpi_export_share"]
    assert row["target_raw"] is not None and row["target_raw"] > row["baseline_raw"]


@pytest.mark.parametrize("lang", LANGS)
def test_belarus_coordination_unit_carries_the_korean_agency_lesson(lang: str) -> None:
    text = prose("belarus-machinery", "org_coordination_unit", lang)
    assert {"en": "Korea", "ru": "Корея"}[lang] in text


@pytest.mark.parametrize("lang", LANGS)
def test_mutual_offices_do_not_presume_partners_in_a_closed_region(lang: str) -> None:
    text = prose("mature-chemicals-europe-closed", "co_mutual_offices", lang)
    assert {"en": "closed to the cluster", "ru": "закрытых для кластера"}[lang] in text
