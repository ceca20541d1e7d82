"""Issue 11, "measures the region already runs are recommended again": one regression test per
defect, on clusters unlike the worked example, and the property that no measure the inputs say
already runs is recommended as new.

Defects: brand promotion fired on weak FDI whatever `rg_brand_promotion_active` said; trade
missions and fairs had no activity check; fairs got target = baseline (`at_least` of a level the
cluster already reaches).
"""

from __future__ import annotations

from typing import Any

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from engine import api
from engine.explain.why_not import not_made, why_not_data
from engine.inference.trace import Result
from engine.knowledge.conditions import truth
from engine.program.result_json import result_json
from tests.conftest import EXAMPLES, shared_session
from tests.test_blanks_properties import assessments
from tests.test_properties import SETTINGS

SESSION = shared_session()
K = SESSION.knowledge


def mature(**changes: Any) -> Result:
    """The mature aerospace cluster of examples/ with some inputs changed (None: left blank)."""
    data = yaml.safe_load((EXAMPLES / "mature-cluster.yaml").read_text(encoding="utf-8"))
    for key, value in changes.items():
        if value is None:
            data.pop(key, None)
        else:
            data[key] = value
    text = yaml.safe_dump(data, allow_unicode=True).encode("utf-8")
    return api.run(api.load_bytes(text, "mature-variant.yaml", K), SESSION)


def test_brand_promotion_the_region_runs_is_not_new_on_weak_fdi():
    result = mature(direction_finance_fdi=0, rg_brand_promotion_active=True)
    assert "weakness.finance_fdi" in result.findings  # the trigger of the old defect
    assert result.status.get("rg_brand_promotion", "continue") == "continue"


def test_trade_missions_the_region_runs_are_continued():
    result = mature(direction_export=0, trade_missions_last_year=3)
    assert "weakness.export" in result.findings
    assert result.status["rg_export_trade_missions"] == "continue"


def test_fairs_the_cluster_attends_are_continued_with_a_target_above_the_baseline():
    result = mature(direction_export=0, foreign_fairs_participations_last_year=4)
    assert result.status["rg_foreign_fairs"] == "continue"
    rows = {r["id"]: r for r in result_json(result, K)["kpis"]}
    fairs = rows["kpi_foreign_fairs_participations"]
    assert fairs["baseline"] == 4
    assert list(fairs["targets"].values())[-1] > 4, fairs  # was 4: "from 4 to 4"


def test_fairs_with_no_stands_last_year_are_new():
    result = mature(direction_export=0, foreign_fairs_participations_last_year=0)
    assert result.status["rg_foreign_fairs"] == "new"


def test_blank_activity_makes_the_measure_conditional_and_asks_for_it():
    result = mature(direction_export=0, foreign_fairs_participations_last_year=None)
    assert result.status["rg_foreign_fairs"] == "conditional"
    requests = {r["indicator"]: r for r in result_json(result, K)["data_requests"]}
    assert "rg_foreign_fairs" in requests["foreign_fairs_participations_last_year"]["conditional"]


@pytest.mark.slow  # heavy; .ci/run runs it (-m slow)
def test_a_continued_measure_reads_continue_and_strengthen_without_ids():
    result = mature(direction_export=0, foreign_fairs_participations_last_year=4)
    for lang, phrase in (("en", "Continue and strengthen"), ("ru", "Продолжить и усилить")):
        recs = {r["id"]: r for r in api.program_view(result, K, lang)["recommendations"]}
        fairs = recs["rg_foreign_fairs"]
        assert fairs["title"].startswith(phrase)
        assert fairs["status"] == "continue" and fairs["status_label"]
        assert fairs["condition"] == ""
        for fmt in ("md", "html", "docx"):
            out = api.draft(result, K, fmt, lang, audience="client")
            text = docx_text(out) if isinstance(out, bytes) else out
            assert phrase in text, fmt
            assert "rg_foreign_fairs" not in text and ".running" not in text, fmt


def docx_text(data: bytes) -> str:
    import io

    import docx

    return "\n".join(p.text for p in docx.Document(io.BytesIO(data)).paragraphs)


def test_why_says_which_value_shows_the_measure_runs():
    result = mature(direction_export=0, foreign_fairs_participations_last_year=4)
    data = api.why(result, "rg_foreign_fairs", K, "en")
    run = data["recommendation"]["running"]
    assert run["holds"] is True and run["status"] == "continue"
    assert "already runs" in run["text"] and "= 4" in run["text"]
    assert run["values"][0]["subject"] == "foreign_fairs_participations_last_year"
    assert run["values"][0]["at"].startswith("mature-variant.yaml:")


@pytest.mark.slow  # a property sweep of 1.9-2.8 s in a fresh clone (CI's 50 examples): CI runs it
@SETTINGS
@given(assessments())
def test_no_new_measure_already_runs(data):
    text = yaml.safe_dump(data, allow_unicode=True).encode("utf-8")
    result = api.run(api.load_bytes(text, "generated.yaml", K), SESSION)
    for rid in result.recommendations:
        cond = K.recommendation[rid].running
        if cond is None:
            continue

        def value_of(a, result=result):
            if a.subject_kind == "indicator":
                return result.assessment.get(a.subject)
            if a.subject_kind == "measure":
                return result.measures.get(a.subject)
            return a.subject in result.findings

        verdict = truth(cond, value_of, [])
        if verdict is True:
            assert result.status[rid] == "continue", rid
        if verdict is None:
            assert result.status[rid] != "new", rid
        assert rid in result.running


@pytest.mark.slow  # a property sweep of 1.9-2.8 s in a fresh clone (CI's 50 examples): CI runs it
@SETTINGS
@given(assessments())
def test_already_run_only_on_positive_evidence_never_on_a_blank(data):
    """Issue 21: a measure reads "continue" through its `running:` check only when a value the
    assessment gives shows it runs; a blank (alone or beside a count) never does."""
    text = yaml.safe_dump(data, allow_unicode=True).encode("utf-8")
    result = api.run(api.load_bytes(text, "generated.yaml", K), SESSION)
    for rid, check in result.running.items():
        if check.status == "continue" and check.before != "continue":
            assert check.holds is True, rid
            shown = [c for c in check.decisive if c.holds and c.actual is not None]
            assert shown, (rid, check)
            assert all(c.subject not in check.unknown for c in shown), rid
        if check.holds is None:
            assert check.status != "continue" or check.before == "continue", rid
    # a rule that says "continue" itself (a group that exists but never met) reads given values
    for f in result.firings:
        if K.rule[f.rule].rule.then.status != "continue":
            continue
        read = [c for c in f.conditions if c.kind == "indicator" and not c.negated]
        assert read and all(c.actual is not None for c in read), f.rule


# --- issue 19 item 6: a measure already run is kept as "continue" and never disappears ----------

RUN_IDS = list(K.indicator["measures_already_run"].values or [])


def _kept_or_explained(result: Result, rid: str) -> None:
    """A measure listed as already run is made "continue", or postponed, or left out by a
    restriction or its applicability, or why-not names a reason other than the list itself;
    never silently gone."""
    if rid in result.recommendations:
        assert result.status[rid] == "continue", (rid, result.status[rid])
        return
    if rid in result.postponed:
        return
    if rid in result.restricted or rid in result.excluded:
        # the experts closed a direction it serves, or it does not fit the cluster's kind:
        # why-not says so (test_markets, test_sectors)
        assert why_not_data(result, rid, K, search=False)["made"] is False, rid
        return
    entry = next(e for e in not_made(result, K) if e["id"] == rid)
    assert entry["reason"], rid
    unmet = [
        c
        for site in why_not_data(result, rid, K, search=False)["rules"]
        for br in site["branches"]
        for c in br["conditions"]
        if not c["holds"]
    ]
    assert unmet and all(c.get("subject") != "measures_already_run" for c in unmet), rid


def test_every_measure_already_run_is_kept_on_every_example_and_corpus_cluster():
    files = sorted(EXAMPLES.glob("*.yaml")) + sorted((EXAMPLES / "corpus").glob("*.yaml"))
    assert len(RUN_IDS) >= 16 and len(files) >= 15
    for path in files:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        data["measures_already_run"] = RUN_IDS
        text = yaml.safe_dump(data, allow_unicode=True).encode("utf-8")
        result = api.run(api.load_bytes(text, path.name, K), SESSION)
        for rid in RUN_IDS:
            _kept_or_explained(result, rid)


@pytest.mark.slow  # a property sweep of 1.5-3.5 s (with CI's 50 examples): CI runs it
@SETTINGS
@given(assessments(), st.sets(st.sampled_from(RUN_IDS), min_size=1))
def test_a_measure_listed_as_run_is_never_silently_dropped(data, listed):
    data = {**data, "measures_already_run": sorted(listed)}
    text = yaml.safe_dump(data, allow_unicode=True).encode("utf-8")
    result = api.run(api.load_bytes(text, "generated.yaml", K), SESSION)
    for rid in listed:
        _kept_or_explained(result, rid)
