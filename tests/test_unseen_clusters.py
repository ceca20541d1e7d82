"""Issues 19 and 20 on clusters the project was not built on: every example, every corpus cluster
and eight clusters of other trades and countries (tests/fixtures/unseen: Caspian shipbuilding that
may not take foreign control, Uzbek textiles, Armenian IT, a Kazakh agro-food cluster at the
start, Chilean mining suppliers in a country without a profile, Belarusian pharmaceuticals, a
Finnish photonics cluster funded in part by the EU, a small Kenyan horticulture cluster that names
its markets as blocs and leaves most indicators blank).

Each program must keep the round's promises: partners share the cluster's own sector code and sit
in an open geography abroad; target markets are resolved to countries with their region; a
restricted direction gets no measure and no KPI; the budget is in the country's currency and adds
up; a cluster at the start carries at most eight measures in its first year and five "high".
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from engine import api
from tests.conftest import EXAMPLES, ROOT

pytestmark = pytest.mark.slow  # drafts 24 clusters (about 10 s): CI runs it with -m slow

UNSEEN = ROOT / "tests" / "fixtures" / "unseen"
CLUSTERS = [
    *sorted(EXAMPLES.glob("*.yaml")),
    *sorted((EXAMPLES / "corpus").glob("*.yaml")),
    *sorted(UNSEEN.glob("*.yaml")),
]

# the currency each unseen cluster's money must be in (Chile has no rate: euros, said so)
CURRENCY = {
    "caspian-shipbuilding": ("RUB", True),
    "uzbek-textiles": ("UZS", True),
    "armenian-it": ("AMD", True),
    "kazakh-agrifood": ("KZT", True),
    "chilean-mining": ("EUR", False),
    "belarus-pharma": ("BYN", True),
    "finnish-photonics": ("EUR", True),
    "kenyan-horticulture": ("EUR", False),
}


@pytest.fixture(scope="module")
def programs(session) -> dict[str, tuple[Any, dict[str, Any]]]:
    """Every cluster's result and its JSON result, drafted once."""
    out = {}
    for path in CLUSTERS:
        result = api.evaluate(path, session)
        out[path.stem] = (result, api.result_json(result, session.knowledge))
    return out


def test_the_unseen_clusters_are_there():
    assert {p.stem for p in UNSEEN.glob("*.yaml")} == set(CURRENCY)


def test_partner_candidates_share_a_sector_code_and_sit_in_an_open_geography_abroad(
    programs, knowledge
):
    partner = {p.id: p for p in knowledge.partners.partners}
    checked = 0
    for name, (result, data) in programs.items():
        a = result.assessment
        own = str(a.get("country") or "")
        sectors = set(a.get("specialization") or [])
        choice = data["partners"]
        for c in choice["candidates"]:
            if c["named_in_assessment"]:
                continue  # the experts' own choice stands
            p = partner[c["id"]]
            assert set(c["matched_sectors"]) & sectors, (name, c["id"], sectors)
            assert set(c["matched_sectors"]) <= set(p.sectors), (name, c["id"])
            assert set(p.geography) & set(choice["available_geographies"]), (name, c["id"])
            assert p.country != own, (name, c["id"], own)
            checked += 1
    assert checked > 20  # the rule was exercised, not vacuously true


def test_target_markets_are_countries_with_their_region(programs, knowledge):
    named = 0
    for name, (_, data) in programs.items():
        for m in data["target_markets"]:
            assert m["code"] in knowledge.countries.countries, (name, m)
            assert m["name"]["ru"] and m["name"]["en"], (name, m)
            assert m["region"], (name, m)
            named += 1
    caspian = {m["code"] for m in programs["caspian-shipbuilding"][1]["target_markets"]}
    assert {"IR", "IN", "AE", "TR", "AZ", "KZ", "TM"} <= caspian
    assert named > 20


def test_a_restricted_direction_gets_no_measure_and_no_kpi(programs, knowledge):
    result, data = programs["caspian-shipbuilding"]
    assert result.assessment.get("restricted_directions") == ["finance_fdi"]
    made = {r["id"] for r in data["recommendations"]}
    assert made, "the cluster still gets a program"
    for rid in made:
        assert "finance_fdi" not in knowledge.recommendation[rid].serves, rid
    for kpi in data["kpis"]:
        assert set(kpi["recommendations"]) <= made, kpi["id"]
    assert data["restricted"], "the measures left out are on the record"


@pytest.mark.parametrize("name", sorted(CURRENCY))
def test_the_budget_is_in_the_countrys_currency_and_adds_up(programs, name):
    _, data = programs[name]
    b = data["budget"]
    code, converted = CURRENCY[name]
    assert (b["currency"]["code"], b["currency"]["converted"]) == (code, converted)
    assert b["total"] == sum(b["by_year"].values()) == sum(b["by_source"].values())
    assert b["total"] > 0


def test_every_budget_adds_up_and_every_measure_has_dates_cost_and_a_deliverable(programs):
    for name, (_, data) in programs.items():
        b = data["budget"]
        assert b["total"] == sum(b["by_year"].values()) == sum(b["by_source"].values()), name
        for r in data["recommendations"]:
            assert r["start"] <= r["end"], (name, r["id"])
            assert r["cost"] is not None and r["result"]["ru"] and r["result"]["en"], r["id"]


def test_a_cluster_at_the_start_carries_at_most_eight_measures_in_year_one(programs):
    for name in ("kazakh-agrifood", "nascent-cluster"):
        result, data = programs[name]
        first = str(result.assessment.get("assessment_year") + 1)
        # a measure the cluster already runs continues; it does not start, nor load the year
        starting = [
            r
            for r in data["recommendations"]
            if r["start"].startswith(first) and r["status"] != "continue"
        ]
        assert 0 < len(starting) <= 8, (name, len(starting))
        assert sum(r["priority"] == "high" for r in data["recommendations"]) <= 5, name


def test_no_share_target_beyond_100_percent(programs):
    for name, (_, data) in programs.items():
        for kpi in data["kpis"]:
            if kpi["quantity"] != "share":
                continue
            for value in kpi["targets"].values():
                assert value is None or value <= 100, (name, kpi["id"], value)


def test_the_unseen_fixtures_load_from_any_working_directory(session, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for path in sorted(UNSEEN.glob("*.yaml")):
        assert api.evaluate(Path(path), session).recommendations, path.stem


def _fits(wanted: list[str] | None, have: tuple[str, ...] | str | None) -> bool:
    """One dimension of `applies_to:` against the cluster's kind (an unknown kind excludes
    nothing; a mixed market serves consumer and industrial measures alike)."""
    if not wanted or not have:
        return True
    values = {have} if isinstance(have, str) else set(have)
    if "mixed" in values:
        values |= {"consumer", "industrial"}
    return bool(values & set(wanted))


def test_no_measure_whose_applicability_excludes_the_cluster(programs, knowledge):
    excluded = 0
    for name, (result, data) in programs.items():
        kind = result.kind
        assert kind is not None, name
        for r in data["recommendations"]:
            spec = knowledge.recommendation[r["id"]].applies_to
            if spec == "any":
                continue
            assert _fits(spec.output, kind.output), (name, r["id"], kind.output)
            assert _fits(spec.market, kind.market), (name, r["id"], kind.market)
            assert _fits(spec.knowledge_base, kind.knowledge_base), (name, r["id"])
            assert _fits(spec.sectors, kind.sectors), (name, r["id"], kind.sectors)
        excluded += len(result.excluded)
    assert excluded > 0  # some cluster's kind did exclude a measure its rules asked for


def test_a_rising_target_never_rounds_below_its_baseline(programs):
    # the Uzbek cluster's 0.12 % share of foreign specialists was rounded to whole percent: 0, 0, 0
    checked = 0
    for name, (_, data) in programs.items():
        for kpi in data["kpis"]:
            base = kpi["baseline"]
            if kpi["kind"] not in ("increase_pct", "add") or not isinstance(base, (int, float)):
                continue
            for value in kpi["targets"].values():
                if value is not None and kpi["rule"] != "override":
                    assert value >= base, (name, kpi["id"], base, value)
                    checked += 1
    assert checked > 50


def test_no_two_clusters_share_an_organization_or_a_name():
    """Each test cluster is a cluster of its own: a fixture copied from another kept its
    organization (the Chilean mining suppliers were run by the Baikal tourism association)."""
    import yaml

    seen: dict[tuple[str, str], str] = {}
    for path in CLUSTERS:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        if "nizhny-novgorod" in path.name:  # the worked example and its earlier assessment
            continue
        for key in ("cluster_name", "cluster_organization_name"):
            value = data.get(key)
            if value:
                assert (key, value) not in seen, (path.name, seen[(key, value)], key, value)
                seen[(key, value)] = path.name


def test_every_strength_and_weakness_says_what_makes_it_one(programs, knowledge):
    """A SWOT line is the finding with the answer behind it (a score against its benchmark, a
    value, or its rule's reason with this cluster's figures), never a bare label: the Chilean
    mining suppliers' "Export" strength, read from the share of exports in sales, said nothing."""
    from engine.program.model import build_program
    from engine.program.swot_plain import swot_sentence
    from engine.text.message import Locale, localize

    loc = Locale("en", typography=False)
    lines = 0
    for name, (result, _) in programs.items():
        swot = build_program(result, knowledge, reasons=False)["swot"]
        for kind in ("strengths", "weaknesses"):
            for item in swot[kind]:
                if item.origin != "engine":
                    continue  # the consultant's own words
                label = localize(item.text, loc)
                said = localize(swot_sentence(item, kind, result, knowledge), loc)
                assert said.startswith(label) and len(said) > len(label) + 10, (name, said)
                lines += 1
    assert lines > 100


@pytest.mark.parametrize("lang", ["ru", "en"])
def test_the_regional_bodies_are_named_as_the_clusters_country_has_them(programs, knowledge, lang):
    """The dissertation's "regional ministry" is a Russian region's body: a Chilean, Armenian or
    Kazakh program named it 14-22 times (as the executor, the KPI owner, the officer). Outside
    Russia the program names the regional authority; a Russian program keeps the ministry."""
    import re

    ministry = re.compile(r"regional ministry|регионально\w* министерств", re.IGNORECASE)
    authority = "regional authority" if lang == "en" else "орган власти региона"
    russian = other = 0
    for name, (result, _) in programs.items():
        text = api.draft(result, knowledge, "md", lang)
        assert isinstance(text, str)
        if result.assessment.get("country") == "RU":
            assert ministry.search(text), name
            russian += 1
        else:
            assert not ministry.search(text), (name, ministry.search(text))
            assert authority in text.replace("Орган", "орган").replace("Regional", "regional"), name
            other += 1
    assert russian >= 5 and other >= 6


def test_a_cluster_abroad_is_never_asked_whether_it_is_a_russian_pilot_cluster(programs, knowledge):
    """Russia's pilot innovative territorial clusters are a Russian programme: the Kenyan
    horticulture cluster's data requests asked whether it was one. Abroad the cluster is not one
    (its texts make no pilot-cluster argument), and no request names the question."""
    from engine.program.data_requests import data_requests

    abroad = 0
    for name, (result, _) in programs.items():
        if result.assessment.get("country") in ("RU", None):
            continue
        abroad += 1
        assert "governance.not_pilot" in result.findings, name
        assert "governance.pilot" not in result.findings, name
        asked = {r["indicator"] for r in data_requests(result, knowledge)}
        assert "is_pilot_innovative_cluster" not in asked, name
    assert abroad >= 8
