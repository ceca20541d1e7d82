"""Issue 11, the defects of wording, gate and country, each on a cluster unlike the worked example:
every test here failed on the knowledge base before the fix.

- the readiness gate told a cluster already active abroad to stop ("missions start only after
  this decision") while its fairs ran from year 1;
- fixed rationales contradicted the data ("universities are among the most active participants"
  for universities scored 1) and named the Nizhny Novgorod cluster;
- the manager was placed "within the expert working group" when the assessment says there is none,
  and a non-pilot cluster was offered the pilot clusters' federal subsidy;
- a Kazakh cluster was sent to "Russia's trade representations", compared with Russian means
  without a word, and offered a Kazakh cluster as its foreign partner.
"""

from __future__ import annotations

import re
from typing import Any

import yaml

from engine import api
from tests.conftest import EXAMPLES, shared_session

SESSION = shared_session()
K = SESSION.knowledge


def program(data: dict[str, Any], lang: str = "en", audience: str = "client") -> tuple[Any, str]:
    text = yaml.safe_dump(data, allow_unicode=True).encode("utf-8")
    result = api.run(api.load_bytes(text, "cluster.yaml", K), SESSION)
    return result, api.draft(result, K, "md", lang, audience=audience)


def corpus(name: str) -> dict[str, Any]:
    return yaml.safe_load((EXAMPLES / "corpus" / name).read_text(encoding="utf-8"))


def measure(result: Any, rid: str, lang: str = "en") -> dict[str, Any]:
    view = api.program_view(result, K, lang)
    return next(r for r in view["recommendations"] if r["id"] == rid)


EXPORTER_WITHOUT_MANDATE = {
    "cluster_name": "Exporters without a mandate",
    "country": "RU",
    "internationalization_in_plans": False,
    "intl_responsible_body": "none",
    "international_activity_planned": False,
    "direction_export": 3,
    "activity_smes": 1,
    "foreign_fairs_participations_last_year": 2,
    "num_foreign_partner_clusters": 0,
}


def test_a_cluster_active_abroad_obtains_the_mandate_first_and_keeps_its_outward_measures():
    result, text = program(EXPORTER_WITHOUT_MANDATE)
    assert "gate.mandate_first" in result.findings and "gate.not_ready" not in result.findings
    m = measure(result, "org_readiness_mandate")
    assert "already active abroad" in m["text"]
    assert "start only after this decision" not in text
    assert "rg_foreign_fairs" in result.recommendations  # the fairs it attends go on
    assert result.postponed == []
    prospects = api.program_view(result, K, "en")["prospects"]["gate"]
    assert prospects.startswith("The cluster's activity abroad continues")


def test_a_cluster_not_yet_abroad_waits_with_every_outward_measure():
    data = {**EXPORTER_WITHOUT_MANDATE, "direction_export": 0}
    data["foreign_fairs_participations_last_year"] = 0
    result, _ = program(data)
    assert "gate.not_ready" in result.findings
    outward = {"rg_foreign_fairs", "rg_export_trade_missions", "co_partner_cluster"}
    assert not outward & set(result.recommendations)
    assert outward & set(result.postponed)
    assert api.program_view(result, K, "en")["prospects"]["gate"].startswith(
        "The prospects below open once"
    )


def test_the_universities_rationale_follows_their_score():
    data = {
        "cluster_name": "Weak universities",
        "activity_universities": 1,
        "direction_human_capital": 0,
        "measures_already_run": [],
    }
    result, _ = program(data)
    assert "co_joint_education" in result.recommendations
    rationale = measure(result, "co_joint_education")["rationale"]
    # before: "Universities are among the most internationally active cluster participants"
    assert not rationale.startswith("Universities are among")
    assert "rates its international human-capital cooperation 0 of 4" in rationale
    assert "In the survey of Russian clusters universities" in rationale


def test_the_manager_is_not_placed_in_an_expert_group_the_cluster_does_not_have():
    data = {
        "cluster_name": "Nord timber",
        "has_intl_manager": False,
        "has_expert_working_group": False,
    }
    data["self_assessment_level"] = 3
    for lang, phrase in (("en", "expert working group"), ("ru", "экспертной рабочей группы")):
        result, _ = program(data, lang)
        m = measure(result, "org_intl_manager", lang)
        assert phrase not in m["text"]
    _, whole = program(data, "en")
    assert "expert group" not in whole.lower() and "expert working group" not in whole.lower()
    matrix = api.program_view(result, K, "en")["matrix"]["bodies"]
    assert (
        "International manager" in matrix and "Expert group and international manager" not in matrix
    )
    with_group = {**data, "has_expert_working_group": True}
    result, _ = program(with_group)
    assert "Within the expert working group" in measure(result, "org_intl_manager")["text"]


def test_a_kazakh_cluster_gets_kazakh_institutions_labelled_benchmarks_and_no_domestic_partner():
    data = corpus("kazakh-petrochemicals.yaml")
    result, text = program(data, "en")
    assert "Russia's trade representations" not in text
    assert "Russian Export Center" not in text
    assert "Mean of the Russian clusters' survey (2013)" in text
    assert "The cluster is in Kazakhstan: the survey means are data of Russian clusters" in text
    view = api.program_view(result, K, "en")
    partners = [c["name"] for c in view["prospects"]["partners"]]
    own = [p.name for p in K.partners.partners if p.country == "KZ"]
    assert own and not set(own) & set(partners)
    if "rg_export_trade_missions" in result.recommendations:
        assert "Kazakhstan's trading houses" in measure(result, "rg_export_trade_missions")["text"]
    _, ru = program(data, "ru")
    assert "торговые представительства Российской Федерации" not in ru
    assert "по опросу российских кластеров (2013)" in ru


def test_a_russian_cluster_keeps_the_plain_survey_labels():
    result = api.evaluate(EXAMPLES / "mature-cluster.yaml", SESSION)
    text = api.draft(result, K, "md", "en")
    assert "Survey mean" in text and "Russian clusters' survey (2013)" not in text


def test_the_pilot_subsidy_is_offered_to_pilot_clusters_only():
    base = {"cluster_name": "Private", "country": "RU", "assessment_year": 2025}
    _, private = program({**base, "is_pilot_innovative_cluster": False}, "en")
    _, pilot = program({**base, "is_pilot_innovative_cluster": True}, "en")
    subsidy = (
        "federal subsidy for the development programs of pilot innovative territorial clusters"
    )
    assert subsidy not in private
    assert subsidy in pilot


def test_the_international_manager_has_one_name_in_the_whole_document():
    """The plan, the matrix and the risks call the post 'менеджер по международной работе'; the
    monitoring paragraph and the stages called it 'по международной деятельности' (the working
    group's word), so a reader saw two posts."""
    for name in ("kazakh-petrochemicals.yaml", "agro-food.yaml"):
        _, text = program(corpus(name), "ru")
        low = text.lower()
        assert "менеджер по международной работе" in low
        assert not re.search(r"менеджер\w* по международной деятельности", low), name
