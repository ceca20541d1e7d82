"""Issue 10, the blanks-and-provenance half: one regression test per defect, named after what broke.

Defect 1: blanks were read as "no" (a blank website or memberships made new measures; blank
governance made every organizational change vanish; KPIs got targets against "no data").
Defect 9: synthetic data were presented as facts (confidence "high", a circular cross-check line).
Defect 10: our proposals sat under the dissertation's name (no basis; locators, terms, rationales).
"""

from __future__ import annotations

import json
import re

import jsonschema
import yaml

from engine import api
from engine.program.result_json import result_json
from tests.conftest import EXAMPLES, ROOT, shared_session

SESSION = shared_session()
K = SESSION.knowledge
ORG_BLOCK = [
    "org_intl_working_group",
    "org_intl_manager",
    "org_ministry_contact",
    "org_coordination_unit",
]
DISSERTATION_NN = [
    *ORG_BLOCK,
    "org_council_monitoring",
    "co_sme_internationalization",
    "co_partner_cluster",
    "co_multilingual_website",
    "co_cluster_community",
    "co_platform_promotion",
    "co_benchmarking",
    "co_commercialization",
    "co_mutual_offices",
    "co_joint_education",
    "rg_brand_promotion",
    "rg_export_trade_missions",
    "rg_market_entry_support",
    "rg_joint_advertising",
    "rg_collective_trademarks",
    "rg_foreign_fairs",
]


def run(data: dict) -> dict:
    text = yaml.safe_dump(data, allow_unicode=True).encode("utf-8")
    result = api.run(api.load_bytes(text, "case.yaml", K), SESSION)
    return result_json(result, K)


def status(out: dict) -> dict[str, str]:
    return {r["id"]: r["status"] for r in out["recommendations"]}


# --- defect 1 -----------------------------------------------------------------------------------


def test_blank_website_and_memberships_no_longer_make_new_measures():
    made = status(run({"cluster_name": "Blank presence", "internationalization_in_plans": True}))
    for rid in ("co_multilingual_website", "co_cluster_community", "co_platform_promotion"):
        assert made.get(rid) == "conditional", (rid, made.get(rid))


def test_explicit_no_still_makes_new_measures():
    made = status(
        run(
            {
                "cluster_name": "Explicit no",
                "has_multilingual_website": False,
                "platform_memberships": [],
            }
        )
    )
    assert made["co_multilingual_website"] == "new"
    assert made["co_cluster_community"] == "new"


def test_blank_governance_gives_the_organizational_block_as_conditional():
    out = run({"cluster_name": "Blank governance"})
    made = status(out)
    assert all(made.get(rid) == "conditional" for rid in ORG_BLOCK), made
    requested = {r["indicator"] for r in out["data_requests"]}
    assert {"has_intl_working_group", "has_intl_manager", "has_ministry_contact"} <= requested
    assert {"intl_responsible_body", "coordinator_is_government"} <= requested


def test_mostly_blank_assessment_asks_for_what_it_lacks():
    out = run({"cluster_name": "Mostly blank", "assessment_year": 2020, "direction_export": 1})
    requested = {r["indicator"] for r in out["data_requests"]}
    # the export weakness is known; what decides the regional measures is not
    assert "rg_joint_advertising" in requested
    for group in ("actors", "governance"):
        ids = {i.id for i in K.indicators.indicators if i.group == group}
        assert ids & requested, group
    assert not any(r["status"] == "new" and r["id"] in ORG_BLOCK for r in out["recommendations"])


def test_kpi_with_blank_baseline_gets_no_target():
    out = run({"cluster_name": "No memberships known", "has_multilingual_website": False})
    kpis = {k["id"]: k for k in out["kpis"]}
    assert kpis, "the website measure names KPIs"
    for kpi in kpis.values():
        if kpi["baseline"] is None:
            assert set(kpi["targets"].values()) == {None}, kpi


def test_kpi_targets_scale_with_the_horizon():
    base = {
        "cluster_name": "Horizon",
        "assessment_year": 2020,
        "platform_memberships": [],
        "has_multilingual_website": False,
    }
    short = {k["id"]: k for k in run(base | {"planning_horizon_years": 2})["kpis"]}
    long = {k["id"]: k for k in run(base | {"planning_horizon_years": 6})["kpis"]}
    kid = "kpi_platform_memberships"
    assert list(short[kid]["targets"]) == ["2021", "2022"]
    assert list(long[kid]["targets"]) == [str(y) for y in range(2021, 2027)]
    assert long[kid]["targets"]["2026"] > short[kid]["targets"]["2022"]


def test_the_example_still_gets_every_measure_the_dissertation_lists_as_new(nn_result):
    made = status(result_json(nn_result, K))
    # every measure is made; the two our synthetic counts show running (one joint program, one
    # fair stand last year) are continued, the rest new (issue 11, `running:`)
    expected = dict.fromkeys(DISSERTATION_NN, "new")
    expected.update(co_joint_education="continue", rg_foreign_fairs="continue")
    assert {rid: made.get(rid) for rid in DISSERTATION_NN} == expected


# --- defect 9 -----------------------------------------------------------------------------------


def test_synthetic_example_is_not_presented_as_reliable(nn_result):
    p = api.program_view(nn_result, K, "en")
    assert p["data_gaps"]["level"] != "high"
    assert {u["basis"] for u in p["data_gaps"]["unverified"]} >= {"synthetic"}
    out = result_json(nn_result, K)
    assert out["provenance"]["direction_export"]["basis"] == "synthetic"


def test_circular_cross_check_line_is_gone(nn_result):
    for lang in ("en", "ru"):
        text = api.draft(nn_result, K, "md", lang, audience="consultant")  # the method annex
        # the worked example's 11.7 % is not quoted in every cluster's method notes (issue 11);
        # it stands once, beside the system's figure, because this assessment gives it with its
        # source (issue 21; other clusters: test_program_properties, the worked example cited once)
        found = re.findall(r"[^\n]*11[,.]7\s%[^\n]*", text)
        assert len(found) == 1 and re.search(
            r"(?:14\s%|system computes|по расчёту системы)", found[0]
        )
        assert "cross-check" not in text and "для сверки" not in text


def test_plain_and_provenance_values_mean_the_same():
    plain = run({"cluster_name": "Plain", "direction_export": 1})
    marked = run(
        {
            "cluster_name": "Plain",
            "direction_export": {"value": 1, "basis": "estimate", "source": "x"},
        }
    )
    assert status(plain) == status(marked)
    assert marked["provenance"] == {"direction_export": {"basis": "estimate", "source": "x"}}


# --- defect 10 and the contract -------------------------------------------------------------------


def test_every_recommendation_in_the_result_carries_status_and_basis(nn_result):
    out = result_json(nn_result, K)
    assert out["schema"] == "cluster-intl/result/2"
    jsonschema.Draft202012Validator(
        json.loads((ROOT / "schemas" / "result.schema.json").read_text(encoding="utf-8"))
    ).validate(out)
    assert {r["basis"] for r in out["recommendations"]} <= {"source", "derived", "proposal"}
    assert any(r["basis"] == "proposal" for r in out["recommendations"])


def test_method_annex_lists_the_proposals_relied_on(nn_result):
    p = api.program_view(nn_result, K, "en")
    labels = [x for g in p["proposals"] for x in g["entries"]]
    assert any("KPI" in x for x in labels)
    assert any("Position the cluster" in x or "flagship" in x.lower() for x in labels)


def test_a_small_count_to_raise_ends_above_its_baseline():
    """Regression: +10 % a year on a baseline of 1 rounded back to 1 ("from 1 to 1 by 2027")."""
    result = api.evaluate(EXAMPLES / "nascent-cluster.yaml", SESSION)
    rows = {r["id"]: r for r in result_json(result, K)["kpis"]}
    grown = [
        r
        for r in rows.values()
        if isinstance(r["baseline"], int) and r["kind"] in ("increase_pct", "add")
    ]
    assert grown
    for r in grown:
        assert list(r["targets"].values())[-1] > r["baseline"], r
