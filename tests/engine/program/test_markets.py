"""engine/program/markets.py, engine/assessment/places.py and knowledge/countries.yaml: the
country and target markets of a cluster resolved from names, the market measures that follow
them, and the directions the experts close (issue 19 items 2, 4, 5).

The clusters here are unlike the examples: a Caspian shipbuilding cluster, a Kazakh food cluster,
an aerospace cluster whose law forbids foreign control, an Uzbek textile cluster."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from openpyxl import load_workbook

from engine import api
from engine.assessment.workbook import read_workbook
from engine.deliverables.questionnaire import place_names, questionnaire_xlsx
from engine.knowledge.country_model import continent_of, region_of
from engine.text.strings import strings
from tests.conftest import EXAMPLES

BASE = EXAMPLES / "corpus" / "export-metals-weak-science.yaml"


def cluster(tmp_path: Path, name: str, **changes: Any) -> Path:
    """The corpus cluster turned into another one: these values replaced (None: removed)."""
    data = yaml.safe_load(BASE.read_text(encoding="utf-8"))
    for key, value in changes.items():
        if value is None:
            data.pop(key, None)
        else:
            data[key] = value
    path = tmp_path / f"{name}.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def drafted(path: Path, session: Any, fmt: str = "json", lang: str = "en") -> Any:
    text = api.draft(api.evaluate(path, session), session.knowledge, fmt, lang)
    return json.loads(text) if fmt == "json" else text


SHIPBUILDING = {
    "cluster_name": "Судостроительный кластер «Каспий»",
    "cluster_name_en": "Caspian shipbuilding cluster",
    "region_name": "Астраханская область",
    "region_name_en": "Astrakhan Oblast",
    "specialization": ["shipbuilding"],
    "country": "Российская Федерация",
    "target_markets": ["Iran", "IN", "ОАЭ", "Прикаспийские государства"],
}


# --- the catalogue ------------------------------------------------------------------------------


def test_the_catalogue_has_every_un_member_and_the_usual_extra_codes(knowledge):
    cat = knowledge.countries
    assert sum(c.un_member for c in cat.countries.values()) == 193
    assert {"XK", "TW", "PS", "HK", "MO", "ZZ"} <= set(cat.countries)
    assert all(c.area in cat.regions for c in cat.countries.values() if not c.reserved)


@pytest.mark.parametrize(
    "word", ["Россия", "Российская Федерация", "РФ", "Russia", "Russian Federation", "RUS", "ru"]
)
def test_every_form_of_russia_means_ru(knowledge, word):
    assert knowledge.countries.code_of(word) == "RU"


def test_region_of_a_country_is_its_m49_sub_region(knowledge):
    cat = knowledge.countries
    assert [region_of(cat, c) for c in ("IR", "AE", "KZ", "NG", "BR", "de")] == [
        "southern_asia",
        "western_asia",
        "central_asia",
        "sub_saharan_africa",
        "latin_america_caribbean",
        "western_europe",
    ]
    assert continent_of(cat, "IN") == "asia" and region_of(cat, "QQ") is None


def test_groupings_expand_to_their_members(knowledge):
    cat = knowledge.countries
    assert cat.members_of(cat.area_of("ЕАЭС") or "") == ["AM", "BY", "KG", "KZ", "RU"]
    assert "TM" in cat.members_of("cis")  # the associate member counts as a market
    assert set(cat.members_of(cat.area_of("Western Asia") or "")) >= {"AE", "TR", "SA"}
    # the blocs consultants write most: "EU", "Евросоюз", "Gulf states" (the Kenyan horticulture
    # cluster's assessment was refused for naming them)
    for name in ("EU", "Евросоюз", "European Union", "страны ЕС"):
        eu = cat.members_of(cat.area_of(name) or "")
        assert len(eu) == 27 and {"DE", "FI", "HR"} <= set(eu) and "GB" not in eu, name
    for name in ("GCC", "Gulf states", "страны Персидского залива"):
        assert sorted(cat.members_of(cat.area_of(name) or "")) == [
            "AE",
            "BH",
            "KW",
            "OM",
            "QA",
            "SA",
        ]


# --- the country of the assessment -------------------------------------------------------------


def test_a_russian_cluster_typed_in_words_keeps_its_russian_institutions(tmp_path, session):
    path = cluster(tmp_path, "ru", country="Россия")
    assert api.evaluate(path, session).assessment.get("country") == "RU"
    text = drafted(path, session, "md", "ru")
    assert "Российский экспортный центр" in text
    assert "национальное агентство поддержки экспорта" not in text


def test_a_kazakh_cluster_gets_kazakh_institutions_and_foreign_benchmarks(tmp_path, session):
    path = cluster(
        tmp_path,
        "kz",
        cluster_name="Пищевой кластер Северного Казахстана",
        region_name="Северо-Казахстанская область",
        country="Казахстан",
        specialization=["food"],
        target_markets=["Китай", "Узбекистан", "Afghanistan"],
    )
    result = api.evaluate(path, session)
    assert result.assessment.get("country") == "KZ"
    text = drafted(path, session, "md", "ru")
    assert "Министерство торговли и интеграции Республики Казахстан" in text
    assert "Российский экспортный центр" not in text
    data = drafted(path, session)
    assert [m["code"] for m in data["target_markets"]] == ["CN", "UZ", "AF"]


def test_a_country_without_a_profile_gets_the_neutral_wording(tmp_path, session):
    path = cluster(tmp_path, "uz", country="Uzbekistan", specialization=["textiles"])
    for lang, agency in (
        ("ru", "национальное агентство поддержки экспорта"),
        ("en", "the national export promotion agency"),
    ):
        text = drafted(path, session, "md", lang)
        assert agency in text
        assert "Российский экспортный центр" not in text and "Russian Export Center" not in text
        # the dissertation describes Russian clusters, never "clusters of the same country"
        assert not re.search(r"той же страны|of its own country|clusters of the same country", text)


@pytest.mark.parametrize(
    ("field", "value", "nearest"),
    [
        ("country", "Руссия", "Russia (RU)"),
        ("country", "Kazakstan", "Kazakhstan (KZ)"),
        ("target_markets", ["Iran", "Indiya"], "India (IN)"),
    ],
)
def test_an_unknown_country_or_market_is_located_with_the_nearest_names(
    tmp_path, cli, field, value, nearest
):
    path = cluster(tmp_path, "bad", **{field: value})
    out = tmp_path / "out.json"
    code, _, stderr = cli("draft", path, "--format", "json", "-o", out)
    assert code == 2
    assert re.search(rf"bad\.yaml:\d+:\d+: {field}: unknown ", stderr), stderr
    assert nearest in stderr and "Traceback" not in stderr
    assert not out.exists()


def test_an_unknown_restricted_direction_is_located(tmp_path, cli):
    path = cluster(tmp_path, "bad", restricted_directions=["finance"])
    code, _, stderr = cli("draft", path, "--format", "json", "-o", tmp_path / "out.json")
    assert code == 2
    assert re.search(r"bad\.yaml:\d+:\d+: restricted_directions: 'finance' is not allowed", stderr)
    assert "finance_fdi" in stderr  # the nearest id


# --- target markets -----------------------------------------------------------------------------


def test_a_cluster_naming_its_markets_gets_measures_for_them_not_an_apec_second_region(
    tmp_path, session
):
    path = cluster(tmp_path, "ship", **SHIPBUILDING)
    data = drafted(path, session)
    markets = {m["code"]: m for m in data["target_markets"]}
    # the Caspian states less the cluster's own country
    assert list(markets) == ["IR", "IN", "AE", "AZ", "KZ", "TM"]
    assert markets["IR"]["region"] == "southern_asia" and markets["IR"]["via"] is None
    assert markets["AE"]["region_name"]["en"] == "Western Asia"
    assert markets["AZ"]["via"] == "caspian"
    made = {r["id"] for r in data["recommendations"]}
    assert "co_target_markets" in made and "co_apec_diversification" not in made
    text = drafted(path, session, "md", "en")
    assert "Iran, India, United Arab Emirates, Caspian states" in text
    assert "Asia-Pacific as a second partner region" not in text


def test_without_named_markets_the_survey_regions_still_decide(tmp_path, session):
    """The regression guard: no markets named, the APEC second region rule is unchanged."""
    path = cluster(tmp_path, "none", target_markets=None)
    data = drafted(path, session)
    assert data["target_markets"] == []
    assert "co_target_markets" not in {r["id"] for r in data["recommendations"]}


# --- restrictions -------------------------------------------------------------------------------

NOTE = "The sector's law forbids foreign control of its enterprises."


@pytest.fixture
def no_fdi(tmp_path):
    return cluster(
        tmp_path,
        "aero",
        cluster_name="Aerospace cluster of the Volga",
        specialization=["aerospace"],
        restricted_directions=["finance_fdi"],
        restrictions_note=NOTE,
    )


def test_a_restricted_direction_drops_its_measures_and_their_kpis(no_fdi, tmp_path, session):
    open_ = drafted(cluster(tmp_path, "open", specialization=["aerospace"]), session)
    data = drafted(no_fdi, session)
    fdi = {"rg_fdi_special_ventures", "rg_brand_promotion"}
    assert fdi <= {r["id"] for r in open_["recommendations"]}  # made when the direction is open
    assert not fdi & {r["id"] for r in data["recommendations"]}
    k = session.knowledge
    for r in data["recommendations"]:
        assert "finance_fdi" not in k.recommendation[r["id"]].serves
    assert "kpi_foreign_investment" in {x["id"] for x in open_["kpis"]}
    assert "kpi_foreign_investment" not in {x["id"] for x in data["kpis"]}
    assert set(data["restricted"]) == fdi
    assert {n["id"] for n in data["not_made"] if n["restricted_by"]} == fdi


@pytest.mark.parametrize("lang", ["ru", "en"])
def test_the_prospects_do_not_promise_a_restricted_direction(no_fdi, session, lang):
    text = drafted(no_fdi, session, "md", lang)
    heading = "## " + strings()[lang]["s_prospects"] + "\n"
    assert heading in text
    prospects = text.split(heading)[1].split("\n## ")[0]
    assert "Cluster" in prospects or "кластер" in prospects  # the section, not an empty string
    assert not re.search(r"инвестиц|invest|ПИИ|FDI", prospects)


@pytest.mark.slow  # heavy; .ci/run runs it (-m slow)
def test_why_not_quotes_the_experts_note(no_fdi, session):
    result = api.evaluate(no_fdi, session)
    data = api.why_not(result, "rg_fdi_special_ventures", session, "en")
    assert data["subject"]["status"] == "restricted"
    assert data["restricted_by"][0]["rule"] == "restricted_finance_fdi"
    assert data["restriction_note"] == NOTE
    text = api.why_not_text(data)
    assert NOTE in text and "left out by rule restricted_finance_fdi" in text
    policy = api.why_not_text(
        api.why_not(result, "rg_fdi_special_ventures", session, "ru", "policy"), "policy"
    )
    assert NOTE in policy and "restricted_finance_fdi" not in policy


# --- the questionnaire's dropdowns ---------------------------------------------------------------


@pytest.mark.parametrize("lang", ["ru", "en"])
def test_country_and_market_dropdowns_round_trip_through_the_workbook(tmp_path, knowledge, lang):
    wb = load_workbook(io.BytesIO(questionnaire_xlsx(knowledge, lang)))
    ws = wb.worksheets[0]
    rows = {r[0].value: r[0].row for r in ws.iter_rows(min_row=2)}
    offered = {}
    for dv in ws.data_validations.dataValidation:
        cells = str(dv.sqref).split()
        for key in ("country", "target_markets"):
            ranged = re.fullmatch(r"_lists!\$([A-Z]+)\$1:.*", dv.formula1 or "")
            if f"G{rows[key]}" in cells and ranged:
                offered[key] = [c.value for c in wb["_lists"][ranged.group(1)] if c.value]
    assert offered["country"] == place_names(knowledge.indicator["country"], knowledge, lang)
    assert len(offered["country"]) == 250
    kazakhstan = knowledge.countries.countries["KZ"].name.get(lang)
    eaeu = knowledge.countries.groupings["eaeu"].name.get(lang)
    iran = knowledge.countries.countries["IR"].name.get(lang)
    assert {kazakhstan, eaeu, iran} <= set(offered["target_markets"])
    ws.cell(row=rows["cluster_name"], column=7, value="C")
    ws.cell(row=rows["country"], column=7, value=kazakhstan)
    ws.cell(row=rows["target_markets"], column=7, value=f"{iran}; {eaeu}")
    path = tmp_path / "filled.xlsx"
    wb.save(str(path))
    a = read_workbook(path, knowledge)
    assert a.get("country") == "KZ"
    assert a.get("target_markets") == ["IR", "eaeu"]


def test_a_restricted_measure_a_rule_raised_in_priority_does_not_crash_the_run(tmp_path, session):
    """What broke: a rule raising the priority of a measure the restriction had left out looked
    its priority up and failed (KeyError) on marketing-closed clusters."""
    path = cluster(tmp_path, "closed", restricted_directions=["marketing", "export"])
    result = api.evaluate(path, session)
    assert "rg_collective_trademarks" in result.restricted
    assert "rg_collective_trademarks" not in result.priority
