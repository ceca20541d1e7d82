"""Issue 11, the missing measures: regression tests named after what broke.

- An export-heavy cluster on weak science got no warning, no upgrading measure and no export KPI.
- A cluster with a non-government coordinator got no liaison with the regional authorities.
- Self-assessment inputs, `direction_import` and `knowledge_base` were collected and decided nothing.
- A symbolic (tacit-knowledge) cluster was sent to joint R&D like a science-based one.
"""

from __future__ import annotations

import yaml

from engine import api
from engine.knowledge.conditions import iter_atoms
from engine.program.result_json import result_json
from tests.conftest import shared_session

SESSION = shared_session()
K = SESSION.knowledge

NEW_MEASURES = [
    "co_value_added_upgrading",
    "org_regional_liaison",
    "co_welcome_services",
    "co_intercultural_training",
    "rg_international_infrastructure",
    "co_support_organizations",
    "rg_fdi_special_ventures",
    "org_dedicated_agency",
    "co_diaspora_channel",
    "rg_interstate_agreements",
    "co_forum_sessions",
    "co_export_launch_pad",
    "rg_smart_specialisation",
]


def result_of(data: dict):
    text = yaml.safe_dump(data, allow_unicode=True).encode("utf-8")
    return api.run(api.load_bytes(text, "case.yaml", K), SESSION)


def made(out: dict) -> dict[str, str]:
    return {r["id"]: r["status"] for r in out["recommendations"]}


EXPORT_ON_WEAK_SCIENCE = {
    "cluster_name": "Timber exporters",
    "country": "KZ",
    "knowledge_base": "synthetic",
    "direction_export": 4,
    "direction_science": 1,
    "cluster_sales_total": 1000.0,
    "cluster_exports": 700.0,
    "measures_already_run": [],  # known: none runs yet, so the measures are new, not conditional
}


def test_an_export_heavy_cluster_on_weak_science_is_warned_and_gets_an_export_kpi():
    result = result_of(EXPORT_ON_WEAK_SCIENCE)
    out = result_json(result, K)
    assert "strength.export" in out["findings"]
    assert "threat.low_value_added_exports" in out["findings"]
    assert made(out).get("co_value_added_upgrading") == "new"
    kpis = {row["id"]: row for row in out["kpis"]}
    assert "kpi_export_share" in kpis
    assert "co_value_added_upgrading" in kpis["kpi_export_share"]["recommendations"]
    assert kpis["kpi_export_share"]["baseline"] == 70.0
    view = api.program_view(result, K, "en")
    threats = [x["text"] for x in view["swot"]["threats"]]
    assert K.finding["threat.low_value_added_exports"].label.en in threats


def test_the_upgrading_rationale_starts_from_the_cluster_and_names_no_other_cluster():
    md = api.draft(result_of(EXPORT_ON_WEAK_SCIENCE), K, "md", "en")
    assert isinstance(md, str)
    assert "Move the cluster's exports towards higher value added" in md
    assert "science is among its weaknesses" in md
    for rid in NEW_MEASURES:
        r = K.recommendation[rid]
        for text in (r.rationale.en, r.rationale.ru, r.text.en, r.text.ru):
            assert "Nizhny" not in text and "Нижегород" not in text, rid


def test_export_on_strong_science_is_no_low_value_added_threat():
    out = result_json(result_of({**EXPORT_ON_WEAK_SCIENCE, "direction_science": 4}), K)
    assert "threat.low_value_added_exports" not in out["findings"]
    assert "co_value_added_upgrading" not in made(out)


def test_a_non_government_coordinator_gets_the_regional_liaison_not_the_ministry_contact():
    data = {
        "cluster_name": "Private coordinator",
        "country": "KZ",
        "coordinator_is_government": False,
        "coordinator_type": "nonprofit_partnership",
        "has_ministry_contact": False,
    }
    result = result_of(data)
    out = result_json(result, K)
    assert made(out).get("org_regional_liaison") == "new"
    assert "org_ministry_contact" not in made(out)
    md = api.draft(result, K, "md", "en")
    assert isinstance(md, str)
    assert "Agree a liaison between the cluster and the regional authorities" in md
    # the country's own institutions, never Russia's, for a Kazakh cluster
    view = api.program_view(result, K, "en")
    liaison = next(r for r in view["recommendations"] if r["id"] == "org_regional_liaison")
    section = liaison["text"] + " " + liaison["rationale"]
    assert "Russia" not in section and "Kazakhstan" in section
    assert "{country:" not in section


def test_a_government_coordinator_keeps_the_ministry_contact_and_gets_no_liaison():
    data = {
        "cluster_name": "Ministry",
        "coordinator_is_government": True,
        "has_ministry_contact": False,
    }
    out = result_json(result_of(data), K)
    assert made(out).get("org_ministry_contact") == "new"
    assert "org_regional_liaison" not in made(out)


def test_the_dedicated_agency_and_the_coordination_unit_exclude_each_other():
    assert "org_coordination_unit" in K.recommendation["org_dedicated_agency"].conflicts_with
    ministry_runs = {
        "cluster_name": "Ministry runs it",
        "coordinator_is_government": True,
        "intl_responsible_body": "ministry",
        "has_intl_working_group": True,
    }
    assert "org_dedicated_agency" in made(result_json(result_of(ministry_runs), K))
    nobody = {**ministry_runs, "intl_responsible_body": "none", "has_intl_working_group": False}
    both = made(result_json(result_of(nobody), K))
    assert "org_coordination_unit" in both and "org_dedicated_agency" not in both


def test_the_collected_inputs_of_this_part_each_decide_something():
    decisive = {
        atom.indicator
        for site in K.rules
        for atom, _ in iter_atoms(site.rule.when)
        if atom.indicator is not None
    }
    for ind in (
        "has_internationalization_strategy",
        "has_joint_projects_abroad",
        "has_international_recognition",
        "activity_is_selective",
        "direction_import",
        "knowledge_base",
    ):
        assert ind in decisive, ind


def test_a_symbolic_cluster_gets_socio_cultural_measures_rather_than_joint_rd():
    base = {
        "cluster_name": "Tourism",
        "direction_science": 1,
        "direction_export": 4,
        "direction_information_events": 1,
        "measures_already_run": [],
        "intercultural_trainees_last_year": 0,
    }
    symbolic = made(result_json(result_of({**base, "knowledge_base": "symbolic"}), K))
    assert "co_joint_rd_projects" not in symbolic
    assert "co_value_added_upgrading" not in symbolic
    assert symbolic.get("co_intercultural_training") == "new"
    synthetic = made(result_json(result_of({**base, "knowledge_base": "synthetic"}), K))
    assert "co_joint_rd_projects" in synthetic
    assert "co_intercultural_training" not in synthetic


def test_a_blank_never_makes_a_new_measure_of_this_part():
    out = made(result_json(result_of({"cluster_name": "Blank", "num_members_support": 2}), K))
    assert out.get("co_support_organizations") == "conditional"
    for rid in NEW_MEASURES:
        assert out.get(rid) != "new", rid
