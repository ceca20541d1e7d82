"""engine/authoring/scenarios.py: the shipped scenarios pass and cover every rule; failures are
explained."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from engine import api
from engine.authoring import scenarios as sc
from engine.errors import InputError
from tests.conftest import ROOT


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.slow  # heavy; .ci/run runs it (-m slow)
def test_shipped_scenarios_pass_and_fire_every_rule(knowledge, session):
    files = sc.scenario_files(knowledge)
    assert files, "knowledge/scenarios/ holds no scenario"
    report = sc.run(sc.load_cases(files, knowledge), knowledge, session.runner)
    assert [o.case.name for o in report.failed] == []
    assert report.uncovered == [], "rules no scenario exercises"
    names = {o.case.name for o in report.outcomes}
    assert {"nascent-cluster", "mature-cluster"} <= names
    # the dissertation's case is pinned twice: what the source states, what our synthesis implies
    assert {
        "nizhny-novgorod, as the dissertation states it",
        "nizhny-novgorod, what our synthetic numbers imply",
    } <= names


def test_the_three_examples_have_a_scenario(knowledge):
    targets = set()
    for f in sc.scenario_files(knowledge):
        for case in sc.load_cases([f], knowledge):
            if isinstance(case.scenario.assessment, str):
                targets.add((f.parent / case.scenario.assessment).resolve())
    examples = ("nizhny-novgorod", "nascent-cluster", "mature-cluster")
    assert {(ROOT / "examples" / f"{name}.yaml").resolve() for name in examples} <= targets


def test_failures_are_explained_with_why_and_why_not(tmp_path, knowledge, session):
    path = _write(
        tmp_path / "fail.yaml",
        f"""
name: wrong on purpose
assessment: {ROOT / "examples" / "nizhny-novgorod.yaml"}
changes: {{activity_smes: 3}}
expect:
  recommendations:
    present: [co_sme_internationalization]
    absent: [rg_foreign_fairs]
  postponed:
    present: [co_partner_cluster]
""",
    )
    report = sc.run(sc.load_cases([path], knowledge), knowledge, session.runner)
    (outcome,) = report.outcomes
    assert not outcome.passed
    by_id = {f.ident: f for f in outcome.failures}
    missing = by_id["co_sme_internationalization"]
    assert missing.expected == "present"
    text = "\n".join(missing.reasons)
    # the why-not chain goes down to the indicator: actual value against the required one
    assert "co_sme_weak" in text and "= strong" in text and "required = weak" in text
    unexpected = by_id["rg_foreign_fairs"]
    assert unexpected.expected == "absent"
    assert any(r.startswith("made by rg_export_weak (") for r in unexpected.reasons)
    assert "gate_first_steps" in "\n".join(by_id["co_partner_cluster"].reasons)
    rendered = sc.render_report(report)
    assert "FAIL wrong on purpose" in rendered
    assert "expected recommendation 'co_sme_internationalization', not made" in rendered
    assert "recommendation 'rg_foreign_fairs' made continue, expected absent" in rendered
    assert "1 scenario: 0 passed, 1 failed" in rendered


def test_bad_scenarios_are_reported_together_and_located(tmp_path, knowledge):
    path = _write(
        tmp_path / "bad.yaml",
        """\
name: bad
assessment:
  cluster_name: X
  activity_smez: 3
  direction_export: 9
changes: {geo_europa: 1}
expect:
  recommendations:
    present: [co_sme_internationalisation]
    absent: [co_sme_internationalisation]
""",
    )
    with pytest.raises(InputError) as exc:
        sc.load_cases([path], knowledge)
    lines = [p.format() for p in exc.value.problems]
    where = str(path.relative_to(Path.cwd())) if path.is_relative_to(Path.cwd()) else None
    messages = [line.split(": ", 1)[1] for line in lines]
    assert (
        "assessment.activity_smez: unknown indicator 'activity_smez' "
        "(did you mean 'activity_smes'?)"
    ) in messages
    assert "assessment.direction_export: 9 is out of scale; allowed 0..4" in messages
    assert (
        "changes.geo_europa: unknown indicator 'geo_europa' (did you mean 'geo_europe'?)"
        in messages
    )
    assert (
        "expect.recommendations.present[0]: unknown recommendation "
        "'co_sme_internationalisation' (did you mean 'co_sme_internationalization'?)" in messages
    )
    assert any("expected both present and absent" in m for m in messages)
    positions = [line.split(": ", 1)[0].rsplit(":", 2)[1:] for line in lines]
    assert all(int(line) > 0 and int(col) > 0 for line, col in positions)
    assert where is None or all(line.startswith(where) for line in lines)


def test_structure_errors_and_missing_assessment_file(tmp_path, knowledge):
    path = _write(
        tmp_path / "s.yaml",
        """\
scenarios:
  - name: one
    assessment: nowhere.yaml
    expect: {}
  - name: two
    assesment: {cluster_name: X}
    expect: {}
""",
    )
    with pytest.raises(InputError) as exc:
        sc.load_cases([path], knowledge)
    text = str(exc.value)
    assert "scenarios[1].assesment: unknown field 'assesment'" in text
    assert "scenarios[1]: missing required field 'assessment'" in text


def test_a_path_and_changes_and_inline_assessment_agree(tmp_path, knowledge, session):
    nn = (ROOT / "examples" / "nizhny-novgorod.yaml").read_text(encoding="utf-8")
    _write(tmp_path / "data" / "nn.yaml", nn)
    path = _write(
        tmp_path / "s.yaml",
        """\
scenarios:
  - name: by path
    assessment: data/nn.yaml
    changes: {activity_smes: 4}
    expect:
      findings: {present: [strength.sme_internationalization]}
  - name: inline
    assessment: {cluster_name: Inline, activity_smes: 4}
    expect:
      findings: {present: [strength.sme_internationalization]}
""",
    )
    report = sc.run(sc.load_cases([path], knowledge), knowledge, session.runner)
    assert [o.passed for o in report.outcomes] == [True, True]
    assert report.outcomes[0].case.where.endswith("s.yaml:2:5")


@pytest.mark.slow  # the default suite stays under 90 s; CI runs the slow ones
def test_a_moved_threshold_fails_the_edge_scenario(tmp_path):
    """Editing a threshold in a copy of the knowledge base is caught by the shipped scenarios."""
    root = tmp_path / "knowledge"
    shutil.copytree(ROOT / "knowledge", root)
    # scenario files refer to the examples by a relative path: keep it valid in the copy
    shutil.copytree(ROOT / "examples", tmp_path / "examples")
    scoring = root / "scoring.yaml"
    text = scoring.read_text(encoding="utf-8")
    old = "  weak_distance: 0.5\n"
    assert text.count(old) == 1
    # back to the old cut-off "at or below the survey mean": the edge scenario catches it
    scoring.write_text(text.replace(old, "  weak_distance: 0\n"), encoding="utf-8")
    s = api.Session(root)
    k = s.knowledge
    report = sc.run(sc.load_cases(sc.scenario_files(k), k), k, s.runner)
    failed = [o.case.name for o in report.failed]
    assert "SME activity at the survey mean" in failed
    assert "SME activity below the survey mean" not in failed


def test_no_scenarios_is_a_failure_not_a_pass(tmp_path, cli):
    root = tmp_path / "knowledge"
    shutil.copytree(ROOT / "knowledge", root, ignore=shutil.ignore_patterns("scenarios"))
    code, _, err = cli("kb", "test", "--knowledge", str(root))
    assert code == 1
    assert "no scenario files" in err
