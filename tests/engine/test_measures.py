"""engine/measures/__init__.py: the index measures shares, K compares like with like, the helix model
measures actors, and "weak"/"strong" is one distance from the survey mean (issue 10, defects 2-8).
Each test is named after what broke."""

from __future__ import annotations

import random

import yaml

from engine import api
from engine.assessment.validate import with_changes
from engine.measures import compute
from tests.conftest import EXAMPLES

NN = EXAMPLES / "nizhny-novgorod.yaml"


def _assessment(values: dict, knowledge):
    return api.load_bytes(yaml.safe_dump(values, allow_unicode=True).encode(), "t.yaml", knowledge)


def _nn(knowledge):
    return api.load(NN, knowledge)


def _shares(knowledge):
    s = knowledge.scoring
    return [p for p in s.partial_indicators if p.formula == "ratio" and p.weight > 0]


# --- defect 2: an index from 3 of 12 indicators was "high" ----------------------------------------


def test_index_from_three_shares_is_not_determined(knowledge):
    a = _assessment(
        {
            "cluster_name": "Partial questionnaire",
            "cluster_sales_total": 100,
            "cluster_exports": 30,
            "publications_total": 100,
            "publications_international": 40,
            "num_members_sme": 10,
            "smes_with_foreign_activity": 3,
        },
        knowledge,
    )
    m = compute(a, knowledge).values
    assert m["coverage"] == 3
    assert m["index"] is None
    assert m["index_band"] == "not_determined"
    missing = set(m["index_missing"])
    assert "q_foreign_capital_share" in missing and "q_export_share" not in missing
    # the blank raw figures are listed so that they can become data requests
    assert "cluster_investment_total" in m["index_missing_inputs"]
    assert "cluster_exports" not in m["index_missing_inputs"]


def test_index_needs_one_share_per_direction_group(knowledge):
    groups = knowledge.scoring.index.groups
    # drop a whole group while keeping the count of shares at the minimum
    gid, single = min(groups.items(), key=lambda kv: len(kv[1].indicators))
    a = _nn(knowledge)
    blanks = {}
    for pid in single.indicators:
        p = next(x for x in knowledge.scoring.partial_indicators if x.id == pid)
        blanks[p.numerator] = None
        if p.alternative:
            blanks[p.alternative[0]] = None
    m = compute(with_changes(a, blanks, knowledge), knowledge).values
    assert m["coverage"] >= knowledge.scoring.index.min_coverage
    assert m["index"] is None and m["index_band"] == "not_determined"
    assert gid in m["index_groups_missing"]


def test_assess_reports_not_determined_below_coverage(knowledge, session):
    a = _assessment({"cluster_name": "Blank"}, knowledge)
    d = api.diagnosis(api.run(a, session), knowledge, "en")
    assert d["index"]["value"] is None and d["index"]["band"] == "not_determined"
    text = api.assess_text(d, "en")
    assert "not determined" in text.lower()


def test_json_scores_index_null_and_not_determined_below_coverage(knowledge, session):
    import json

    a = _assessment({"cluster_name": "Blank"}, knowledge)
    data = json.loads(api.draft(api.run(a, session), knowledge, "json", "en"))
    assert data["scores"]["index"] is None
    assert data["scores"]["index_band"] == "not_determined"


# --- defect 3: counts capped at 100 gamed the index ------------------------------------------------


def test_counts_never_move_the_index(knowledge):
    base = _nn(knowledge)
    before = compute(base, knowledge).values
    rng = random.Random(10)
    platforms = knowledge.indicator["platform_memberships"].values or []
    for _ in range(25):
        changed = with_changes(
            base,
            {
                "num_foreign_partner_clusters": rng.randint(0, 40),
                "platform_memberships": rng.sample(platforms, rng.randint(0, len(platforms))),
            },
            knowledge,
        )
        after = compute(changed, knowledge).values
        assert after["index"] == before["index"]
        assert after["index_band"] == before["index_band"]
        # the counts are still reported, beside the index
        assert after["q_intercluster_cooperation"] is not None


def test_index_averages_only_shares(knowledge):
    m = compute(_nn(knowledge), knowledge).values
    shares = [m[p.id] for p in _shares(knowledge) if m[p.id] is not None]
    assert m["index"] == round(sum(shares) / len(shares), 2)


# --- defect 5: K compared exports/sales with exports/GRP --------------------------------------------


def test_k_pairs_only_indicators_of_one_definition(knowledge):
    s = knowledge.scoring
    region = {r.id: r for r in s.region_indicators}
    for p in s.partial_indicators:
        if p.region:
            assert p.definition == region[p.region].definition, p.id
    m = compute(_nn(knowledge), knowledge).values
    assert "q_export_share" in m["ratio_left_out"]  # exports/sales has no regional counterpart
    assert "gap_q_export_share" not in m


def test_k_is_the_ratio_of_the_two_levels_printed_beside_it(knowledge):
    # issue 21: "K 1,33 — driver" printed above "cluster 13,3 %, region 23,2 %"; the median of
    # per-pair ratios let one pair decide the label against the two levels shown
    a = with_changes(
        _nn(knowledge),
        {
            "cluster_foreign_investment": 10000,  # 100 % against 15 %
            "publications_international": 40,  # 10 % against 20 %
            "foreign_students": 1000,  # 2 % against 4 %
        },
        knowledge,
    )
    m = compute(a, knowledge).values
    assert m["ratio_pairs"] == 3 and m["ratio_leads"] == 1
    assert m["ratio"] == round(m["cluster_matched_index"] / m["region_index"], 2)
    assert (m["ratio_band"] == "driver") == (m["cluster_matched_index"] > m["region_index"] * 1.2)


def test_k_with_fewer_than_three_pairs_is_not_determined(knowledge):
    a = with_changes(_nn(knowledge), {"region_foreign_students": None}, knowledge)
    m = compute(a, knowledge).values
    assert m["ratio_pairs"] == 2
    assert m["ratio"] is None and m["ratio_band"] == "unknown"


def test_k_of_the_example_is_its_two_levels_divided(knowledge):
    # issue 21: the reader saw K 1,75 next to 27,1 / 13 = 2,08
    m = compute(_nn(knowledge), knowledge).values
    assert m["ratio"] == round(m["cluster_matched_index"] / m["region_index"], 2) == 2.09


# --- issue 21 item 3: the state read from several indicators, business led by the anchors ----------
# (This replaces test_regional_support_measures_never_change_the_model: issue 21 asks that the
# regional measures already running count toward the state helix, beside the region's own activity.)

RG_RUNNING = [
    "rg_brand_promotion_active",
    "rg_uses_trade_representations",
    "rg_collective_trademarks",
    "rg_joint_advertising",
]


def _state_inputs(knowledge) -> set[str]:
    out: set[str] = set()
    for c in knowledge.scoring.helix.helices["state"]:
        out |= {c.indicator} if c.indicator else set(c.indicators)
    return out


def test_regional_measures_running_raise_the_state_helix_never_lower_it(knowledge):
    base = with_changes(_nn(knowledge), dict.fromkeys(RG_RUNNING, False), knowledge)
    before = compute(base, knowledge).values["helix_state"]
    rng = random.Random(6)
    for _ in range(25):
        on = [i for i in RG_RUNNING if rng.random() < 0.5]
        m = compute(with_changes(base, dict.fromkeys(on, True), knowledge), knowledge).values
        assert m["helix_state"] >= before
        assert (m["helix_state"] > before) == bool(on)
    all_on = with_changes(base, dict.fromkeys(RG_RUNNING, True), knowledge)
    assert compute(all_on, knowledge).values["model"] == "state_led"  # ministry, public funds


def test_regional_support_counts_and_lists_never_move_the_state_helix(knowledge):
    # only the running measures (yes/no items) are read; fair counts and the like are not
    base = _nn(knowledge)
    state = compute(base, knowledge).values["helix_state"]
    rg = [
        i
        for i in knowledge.indicators.indicators
        if i.group == "regional_support" and i.id not in _state_inputs(knowledge)
    ]
    assert rg, "the regional support group has items outside the state helix"
    rng = random.Random(7)
    for _ in range(15):
        changes = {}
        for ind in rg:
            if ind.type == "list":
                changes[ind.id] = [v for v in ind.values if rng.random() < 0.5]
            else:
                changes[ind.id] = rng.random() < 0.5 if ind.type == "bool" else rng.randint(0, 30)
        m = compute(with_changes(base, changes, knowledge), knowledge).values
        assert m["helix_state"] == state


def test_support_measures_never_stand_in_for_a_blank_state_item(knowledge):
    a = _assessment(
        {
            "cluster_name": "State item blank",
            "activity_anchor_enterprises": 3,
            "activity_smes": 3,
            "activity_universities": 3,
            "activity_research_institutes": 3,
            "coordinator_is_government": True,
            "funding_source": "public",
            **dict.fromkeys(RG_RUNNING, True),
        },
        knowledge,
    )
    m = compute(a, knowledge).values
    assert m["helix_state"] is None
    assert m["model"] == "dual_led" and m["helix_leads_state"] == "follows"


def test_business_association_with_joint_venture_anchors_is_not_state_led(knowledge):
    a = _assessment(
        {
            "cluster_name": "JV association",
            "activity_anchor_enterprises": 3,
            "activity_smes": 1,
            "activity_support_orgs": 1,
            "activity_universities": 2,
            "activity_research_institutes": 2,
            "activity_regional_government": 3,  # the region is active abroad on its own account
            "coordinator_type": "nonprofit_partnership",
            "coordinator_is_government": False,
            "funding_source": "private",
            "direction_finance_fdi": 3,
            **dict.fromkeys(RG_RUNNING, False),
        },
        knowledge,
    )
    m = compute(a, knowledge).values
    assert m["model"] != "state_led" and m["helix_leads_state"] == "follows"
    assert m["helix_leads_business"] == "leads"


def test_anchors_4_smes_0_is_business_led_not_science_led(knowledge):
    a = _assessment(
        {
            "cluster_name": "Anchor-led",
            "activity_anchor_enterprises": 4,
            "activity_smes": 0,
            "activity_universities": 3,
            "activity_research_institutes": 2,
            "activity_regional_government": 1,
        },
        knowledge,
    )
    m = compute(a, knowledge).values
    assert m["model"] == "business_led"
    assert m["anchor_sme_gap"] == 4


def test_anchors_weigh_more_than_smes_in_the_business_helix(knowledge):
    comps = {c.indicator: c.weight for c in knowledge.scoring.helix.helices["business"]}
    assert comps["activity_anchor_enterprises"] > comps["activity_smes"]
    hi = {"cluster_name": "x", "activity_anchor_enterprises": 4, "activity_smes": 0}
    lo = {"cluster_name": "x", "activity_anchor_enterprises": 0, "activity_smes": 4}
    b_hi = compute(_assessment(hi, knowledge), knowledge).values["helix_business"]
    b_lo = compute(_assessment(lo, knowledge), knowledge).values["helix_business"]
    assert b_hi > b_lo


def test_all_weak_cluster_is_nascent_even_with_one_helix_ahead(knowledge):
    a = _assessment(
        {
            "cluster_name": "All weak",
            "activity_anchor_enterprises": 1,
            "activity_smes": 1,
            "activity_universities": 0,
            "activity_research_institutes": 0,
            "activity_regional_government": 0,
        },
        knowledge,
    )
    m = compute(a, knowledge).values
    assert m["model"] == "nascent"


def test_dual_led_names_its_two_helices(knowledge):
    a = _assessment(
        {
            "cluster_name": "Dual",
            "activity_anchor_enterprises": 3,
            "activity_smes": 3,
            "activity_universities": 3,
            "activity_research_institutes": 3,
            "activity_regional_government": 1,
        },
        knowledge,
    )
    m = compute(a, knowledge).values
    assert m["model"] == "dual_led"
    assert m["helix_leads_business"] == "leads" and m["helix_leads_science"] == "leads"
    assert m["helix_leads_state"] == "follows"


# --- defect 7: self-assessment and index disagree, unreconciled ------------------------------------


def test_disagreeing_self_assessment_and_index_are_flagged(knowledge):
    m = compute(_nn(knowledge), knowledge).values  # level 4 (low) beside a high index
    assert m["self_band"] == "low" and m["index_band"] == "high"
    assert m["level_agreement"] == "disagree"
    a = with_changes(_nn(knowledge), {"self_assessment_level": 6}, knowledge)
    assert compute(a, knowledge).values["level_agreement"] == "agree"


# --- defect 8: "weak" meant different things per direction ----------------------------------------


def test_weak_and_strong_are_one_distance_from_the_survey_mean(knowledge):
    rule = knowledge.scoring.benchmark_rule
    for ind, bench in knowledge.scoring.benchmarks.items():
        scale = knowledge.indicators.scales[knowledge.indicator[ind].scale]
        for v in range(int(scale.min), int(scale.max) + 1):
            a = _assessment({"cluster_name": "x", ind: v}, knowledge)
            status = compute(a, knowledge).values[f"bench_status_{ind}"]
            gap = v - bench.value
            want = (
                "weak"
                if gap <= -rule.weak_distance + 1e-9
                else "strong"
                if gap >= rule.strong_distance - 1e-9
                else "typical"
            )
            assert status == want, (ind, v)


def test_human_capital_two_points_below_mean_is_weak_like_export(knowledge):
    # mean 3.0: 1.5 below it was not "weak" (the old cut-off was 1.6 for every direction)
    for ind in ("direction_human_capital", "direction_export"):
        bench = knowledge.scoring.benchmarks[ind].value
        v = int(bench - knowledge.scoring.benchmark_rule.weak_distance)
        a = _assessment({"cluster_name": "x", ind: v}, knowledge)
        assert compute(a, knowledge).values[f"bench_status_{ind}"] == "weak", ind


def test_constructed_benchmark_is_marked_constructed(knowledge, session):
    b = knowledge.scoring.benchmarks["activity_cluster_org"]
    assert b.kind == "constructed"
    view = api.draft(api.run(_nn(knowledge), session), knowledge, "md", "en")
    assert "constructed" in view.lower()


# --- issue 21: the helix model --------------------------------------------------------------------


def test_a_blank_state_item_gives_a_two_helix_reading_not_undetermined(knowledge):
    # issue 21: an assessment without the state item got no model, though business and science
    # were fully scored
    a = _assessment(
        {
            "cluster_name": "No state item",
            "activity_anchor_enterprises": 4,
            "activity_smes": 3,
            "activity_universities": 1,
            "activity_research_institutes": 1,
        },
        knowledge,
    )
    m = compute(a, knowledge).values
    assert m["helix_state"] is None
    assert m["model"] == "business_led"
    assert m["helix_leads_business"] == "leads" and m["helix_leads_state"] == "follows"


def test_without_science_there_is_still_no_model(knowledge):
    a = _assessment(
        {"cluster_name": "Business only", "activity_anchor_enterprises": 4, "activity_smes": 3},
        knowledge,
    )
    assert compute(a, knowledge).values["model"] == "unknown"


def test_the_anchor_sme_gap_is_measured_on_its_own(knowledge):
    a = _assessment(
        {"cluster_name": "Gap", "activity_anchor_enterprises": 4, "activity_smes": 0},
        knowledge,
    )
    assert compute(a, knowledge).values["anchor_sme_gap"] == 4


def test_measures_without_derivations_are_the_same_values(session):
    # the sensitivity map's candidates: the values alone, about half the time
    from tests.conftest import ROOT

    paths = sorted(EXAMPLES.glob("*.yaml")) + sorted(
        (ROOT / "tests/fixtures/unseen").glob("*.yaml")
    )
    for path in paths:
        a = api.load(path, session.knowledge)
        full = compute(a, session.knowledge)
        lean = compute(a, session.knowledge, derivations=False)
        assert lean.values == full.values, path.name
        assert lean.derivations == {} and full.derivations
        some = compute(a, session.knowledge, derivations={"cluster_matched_index", "index"})
        assert some.values == full.values, path.name
        assert some.derivations == {
            key: full.derivations[key] for key in ("cluster_matched_index", "index")
        }


def test_each_setting_is_where_scoring_yaml_writes_it(knowledge, monkeypatch):
    """The place of each derivation's setting, read once per knowledge base, is the line
    scoring.yaml's positions give for the setting's path, on many generated clusters."""
    from bench.synthetic import random_assessment
    from engine import measures

    located = knowledge.located["scoring.yaml"]
    paths: list[tuple] = []
    put = measures._Sink.put
    monkeypatch.setattr(
        measures._Sink, "put", lambda s, *a: (paths.append((a[0], a[4])), put(s, *a))[1]
    )
    rng = random.Random(3)
    lines = set()
    for _ in range(60):
        paths.clear()
        m = compute(random_assessment(knowledge, rng), knowledge)
        assert len(paths) == len(m.derivations) > 50
        for key, path in paths:
            assert m.derivations[key].setting == f"{located.file}:{located.pos(path)[0]}"
            lines.add(m.derivations[key].setting)
    assert len(lines) > 10
