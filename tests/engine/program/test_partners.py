"""engine/program/partners.py and the geography rules it works with (issue 11, "Europe
unavailable" and "Platforms"), checked on clusters unlike the worked example: the mature
aerospace cluster and small inline assessments."""

from __future__ import annotations

from typing import Any

import pytest
import yaml

from engine import api
from engine.assessment.validate import with_changes
from engine.program.partners import choose_partners, platforms_to_join
from tests.conftest import EXAMPLES

CLOSED = ["apec", "customs_union", "cis", "transnational"]  # every region but Europe


def mature(knowledge, **changes: Any):
    a = api.load(EXAMPLES / "mature-cluster.yaml", knowledge)
    return with_changes(a, changes, knowledge) if changes else a


def inline(knowledge, **values: Any):
    data = {"cluster_name": "Inline test cluster", **values}
    text = yaml.safe_dump(data, allow_unicode=True).encode("utf-8")
    return api.load_bytes(text, "inline.yaml", knowledge)


def view(a, session, lang: str = "en") -> dict[str, Any]:
    return api.program_view(api.run(a, session), session.knowledge, lang)


def rec(v: dict[str, Any], rid: str) -> dict[str, Any] | None:
    return next((r for r in v["recommendations"] if r["id"] == rid), None)


def test_only_active_platforms_are_ever_offered(knowledge):
    # nothing joined, every region open, aerospace: every platform that fits but is not active
    # (the policy forum, the merged observatory, the unverified ones) stays out
    a = mature(knowledge, platform_memberships=[])
    offered = platforms_to_join(a, knowledge)
    status = {p.id: p.status for p in knowledge.partners.platforms}
    assert offered, "an aerospace cluster with every region open has active platforms to use"
    assert {p.status for p in offered} == {"active"}
    for pid in (
        "european_cluster_alliance",
        "european_cluster_observatory",
        "cluster_managers_club",
    ):
        assert status[pid] != "active"
        assert pid not in {p.id for p in offered}


def test_platforms_follow_the_open_geographies(knowledge):
    a = mature(knowledge, platform_memberships=[], partner_geographies_available=CLOSED)
    offered = platforms_to_join(a, knowledge)
    assert offered
    assert all(p.geography != "europe" for p in offered)


def test_europe_closed_community_measure_names_no_european_platform(knowledge, session):
    # the defect: the community measure kept its rationale about the European platform
    a = mature(knowledge, platform_memberships=[], partner_geographies_available=CLOSED)
    for lang in ("en", "ru"):
        r = rec(view(a, session, lang), "co_cluster_community")
        assert r is not None
        words = " ".join([r["title"], r["text"], r["rationale"], *r["kpis"]])
        assert "Europe" not in words and "Европ" not in words and "ECCP" not in words


def test_europe_and_world_closed_keep_no_platform_kpi(knowledge, session):
    # the defect: the platform KPI stayed although no platform could be used
    a = mature(knowledge, platform_memberships=[], partner_geographies_available=["apec", "cis"])
    v = view(a, session)
    assert rec(v, "co_platform_promotion") is None
    assert all("kpi_platform_memberships" not in r["kpi_ids"] for r in v["recommendations"])


def test_partner_search_says_so_when_no_candidate_fits(knowledge, session):
    # the defect: "candidates from the catalogue below" with none below. A trade no catalogue
    # entry has (the catalogue grows: the test picks one from the knowledge base itself)
    used = {s for p in knowledge.partners.partners for s in p.sectors}
    missing = [s.id for s in knowledge.sectors.sectors if s.id not in used]
    assert missing, "every trade has a partner: pick another way to reach 'none fits'"
    a = inline(
        knowledge,
        specialization=[missing[0]],
        partner_geographies_available=CLOSED,
        num_foreign_partner_clusters=0,
        self_assessment_level=4,
        internationalization_in_plans=True,
        international_activity_planned=True,
    )
    assert choose_partners(a, knowledge).candidates == []
    for lang in ("en", "ru"):
        v = view(a, session, lang)
        r = rec(v, "co_partner_cluster")
        if r is None:
            pytest.fail("the partner search is expected for a cluster with no partner cluster")
        assert r["partners"] == []
        assert r["none_fits"] == knowledge.partners.no_candidates.get(lang)
        assert "below" not in r["text"] and "ниже" not in r["text"]
        md = api.draft(api.run(a, session), knowledge, "md", lang)
        assert r["none_fits"] in md.replace("\n", " ")


def test_no_second_region_when_apec_is_already_the_strongest_open_one(knowledge, session):
    # the defect: "APEC as a second region" when APEC is the strongest region
    a = mature(
        knowledge,
        partner_geographies_available=CLOSED,
        geo_apec=2,
        geo_customs_union=1,
        geo_cis=1,
        geo_transnational=1,
    )
    assert "co_apec_diversification" not in api.run(a, session).recommendations
    # APEC second only where the experts name no markets of their own (issue 19)
    b = with_changes(a, {"geo_cis": 3, "target_markets": None}, knowledge)
    assert "co_apec_diversification" in api.run(b, session).recommendations


@pytest.mark.parametrize(
    ("target", "country"), [("JP", "JP"), ("Турция", "TR"), ("brazil", "BR"), ("cn", "CN")]
)
def test_target_markets_raise_a_candidate_in_that_country(knowledge, target, country):
    # target_markets was collected and never used: an ISO code or a country name of the
    # knowledge base (either language) now lifts a candidate of that country to the top
    base = inline(knowledge, specialization=["aerospace"], partner_geographies_available=CLOSED)
    top = choose_partners(base, knowledge).candidates
    assert top and top[0].partner is not None and top[0].partner.country != country
    targeted = inline(
        knowledge,
        specialization=["aerospace"],
        partner_geographies_available=CLOSED,
        target_markets=[target],
    )
    first = choose_partners(targeted, knowledge).candidates[0]
    assert first.partner is not None and first.partner.country == country
    assert first.target_market


def test_a_named_candidate_in_a_closed_region_is_not_listed(knowledge):
    # the assessment names a European cluster but also says Europe is closed today
    a = inline(
        knowledge,
        specialization=["chemicals"],
        candidate_partner_clusters=["Chemie-Cluster Bayern"],
        partner_geographies_available=CLOSED,
    )
    choice = choose_partners(a, knowledge)
    assert "Chemie-Cluster Bayern" not in [c.name for c in choice.candidates]
    assert "Chemie-Cluster Bayern" in choice.excluded_by_geography
    assert choice.candidates, "chemicals has candidates outside Europe"
    assert all(c.partner and "europe" not in c.partner.geography for c in choice.candidates)


def test_the_open_geographies_say_when_the_assessment_left_them_blank(knowledge, session):
    """A blank is unknown: the partner search then looks in every region, and the prospects say
    that all were taken as open instead of listing them as the assessment's answer."""
    for given, assumed in ((None, True), (["europe", "apec"], False)):
        values = {"self_assessment_level": 3}
        if given is not None:
            values["partner_geographies_available"] = given
        a = inline(knowledge, **values)
        for lang, said in (("en", "not given in the assessment"), ("ru", "в оценке не указаны")):
            prospects = view(a, session, lang)["prospects"]
            label = prospects["geographies_label"]
            assert (said in label) == assumed, (given, lang, label)
            assert len(prospects["geographies"]) == (5 if assumed else 2)
            md = api.draft(api.run(a, session), knowledge, "md", lang)
            assert f"{label}: {', '.join(prospects['geographies'])}." in md
