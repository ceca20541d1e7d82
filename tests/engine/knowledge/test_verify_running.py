"""engine/knowledge/verify/running.py: `running:` conditions are checked like rule conditions
(the broken case `running_bad_condition` holds the located messages), an rg_*/co_* measure without
one is a warning, and the KPI setting `above_baseline` must raise a target."""

from __future__ import annotations

from engine import api
from engine.knowledge.verify.checks import verify
from tests.engine.knowledge.test_verify import copy_knowledge


def test_a_regional_measure_without_running_is_a_located_warning(tmp_path):
    root = copy_knowledge(tmp_path)
    path = root / "recommendations.yaml"
    text = path.read_text(encoding="utf-8")
    line = "    running: {indicator: measures_already_run, op: contains, value: rg_market_entry_support}\n"
    assert text.count(line) == 1
    path.write_text(text.replace(line, ""), encoding="utf-8")
    problems = verify(api.Session(root).knowledge)
    [p] = [x for x in problems if "'rg_market_entry_support' declares no `running:`" in x.message]
    assert p.severity == "warning" and p.file.endswith("recommendations.yaml") and p.line > 0
    assert not any("'rg_foreign_fairs' declares no" in x.message for x in problems)
    assert not any(
        "'org_intl_manager' declares no" in x.message for x in problems
    )  # org_*: not asked


def test_above_baseline_must_be_positive(tmp_path):
    root = copy_knowledge(tmp_path)
    path = root / "kpis.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(
        text.replace("above_baseline: {count: 1,", "above_baseline: {count: 0,"), "utf-8"
    )
    problems = api.check_knowledge(root)
    assert any(
        p.severity == "error" and "above_baseline.count" in p.message and p.line > 0
        for p in problems
    ), problems
