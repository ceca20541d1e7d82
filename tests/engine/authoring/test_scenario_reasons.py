"""Scenario `reasons:` (issue 11): each expectation says why the method implies it; a reason names
a listed id, a scenario that gives reasons gives one for every id, and a failure prints it."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.authoring import scenarios as sc
from engine.errors import InputError
from tests.conftest import ROOT

NN = ROOT / "examples" / "nizhny-novgorod.yaml"
CORPUS = ROOT / "knowledge" / "scenarios" / "corpus.yaml"


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def _problems(path: Path, knowledge) -> list[str]:
    with pytest.raises(InputError) as exc:
        sc.load_cases([path], knowledge)
    return [p.format() for p in exc.value.problems]


def test_a_reason_for_an_id_the_section_does_not_list_is_refused_where_it_is(tmp_path, knowledge):
    path = _write(
        tmp_path / "s.yaml",
        f"""\
name: stray reason
assessment: {NN}
expect:
  recommendations:
    present: [co_sme_internationalization]
    reasons:
      co_sme_internationalization: "SMEs lag (R4)."
      co_partner_clusters: "No partner (R5)."
""",
    )
    (line,) = _problems(path, knowledge)
    # located at the key of the stray reason (line 8, column 7), with the listed id suggested
    assert ":8:7:" in line
    assert "a reason for 'co_partner_clusters', which this section does not list" in line
    # a reason under findings does not explain a recommendation
    path = _write(
        tmp_path / "t.yaml",
        f"""\
name: reason in the wrong section
assessment: {NN}
expect:
  recommendations:
    present: [co_sme_internationalization]
  findings:
    present: [weakness.export]
    reasons:
      weakness.export: "Export 1 of 4."
      co_sme_internationalization: "SMEs lag."
""",
    )
    lines = _problems(path, knowledge)
    assert any("a reason for 'co_sme_internationalization', which this section" in x for x in lines)


def test_a_scenario_with_reasons_needs_one_for_every_expectation(tmp_path, knowledge):
    path = _write(
        tmp_path / "s.yaml",
        f"""\
name: half explained
assessment: {NN}
expect:
  findings:
    present: [weakness.export]
    absent: [strength.export]
    reasons:
      weakness.export: "Export 1 against the survey mean 1.6."
  postponed:
    absent: [co_partner_cluster]
""",
    )
    lines = _problems(path, knowledge)
    assert len(lines) == 2
    assert any(":6:14:" in x and "no reason for 'strength.export'" in x for x in lines)
    assert any(":10:14:" in x and "no reason for 'co_partner_cluster'" in x for x in lines)
    empty = _write(
        tmp_path / "e.yaml",
        f"""\
name: empty reason
assessment: {NN}
expect:
  findings:
    present: [weakness.export]
    reasons: {{weakness.export: "  "}}
""",
    )
    (line,) = _problems(empty, knowledge)
    assert "the reason for 'weakness.export' is empty" in line


def test_a_scenario_without_reasons_still_loads_and_is_counted(tmp_path, knowledge, session):
    path = _write(
        tmp_path / "s.yaml",
        f"""\
name: no reasons
assessment: {NN}
expect:
  findings: {{present: [weakness.export]}}
""",
    )
    report = sc.run(sc.load_cases([path], knowledge), knowledge, session.runner)
    assert report.outcomes[0].passed
    assert "1 scenario gives no reason for its expectations" in sc.render_report(report)


def test_kb_test_prints_the_reason_with_a_failure(tmp_path, cli):
    path = _write(
        tmp_path / "s.yaml",
        f"""\
name: wrong on purpose
assessment: {NN}
expect:
  recommendations:
    absent: [co_sme_internationalization]
    present: [org_council_monitoring]
    reasons:
      co_sme_internationalization: "Deliberately wrong: SMEs lag in this case (R4)."
      org_council_monitoring: "Every program is monitored (R1)."
""",
    )
    code, out, _ = cli("kb", "test", str(path))
    assert code == 1
    lines = out.splitlines()
    head = lines.index(
        "     recommendation 'co_sme_internationalization' made new, expected absent:"
    )
    assert lines[head + 1] == (
        "       expected because: Deliberately wrong: SMEs lag in this case (R4)."
    )
    assert lines[head + 2].startswith("       - made by co_sme_weak")
    # a passing expectation's reason is not printed
    assert "Every program is monitored (R1)." not in out


def test_every_corpus_file_has_a_fully_explained_scenario(knowledge):
    corpus = sorted((ROOT / "examples" / "corpus").glob("*.yaml"))
    assert len(corpus) >= 12
    cases = sc.load_cases([CORPUS], knowledge)
    targets = {(CORPUS.parent / str(c.scenario.assessment)).resolve() for c in cases}
    assert {p.resolve() for p in corpus} <= targets
    for case in cases:
        for section in sc.SECTIONS:
            expect = getattr(case.scenario.expect, section)
            assert set(expect.listed()) == set(expect.reasons), (case.name, section)
    # the corpus spans the countries the questionnaire invites
    countries = {c.assessment.values["country"] for c in cases}
    assert {"RU", "BY", "KZ"} <= countries
