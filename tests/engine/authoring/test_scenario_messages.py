"""engine/authoring/scenarios.py: `kb test` says each failed expectation the right way round.

Every kind of expectation (`present`, `absent`, `new`, `continue`, `conditional`; recommendations,
findings, postponements, KPIs) fails once against the Nizhny Novgorod example, whose run makes
co_joint_education `continue`, co_support_organizations `conditional`, co_partner_cluster `new`,
and never makes org_cluster_council."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.authoring import scenarios as sc
from engine.errors import InputError
from tests.conftest import ROOT, shared_session

NN = ROOT / "examples" / "nizhny-novgorod.yaml"


def _headlines(tmp_path: Path, knowledge, expect: str) -> list[str]:
    path = tmp_path / "s.yaml"
    path.write_text(f"name: s\nassessment: {NN}\nexpect:\n{expect}", encoding="utf-8")
    report = sc.run(sc.load_cases([path], knowledge), knowledge, shared_session().runner)
    (outcome,) = report.outcomes
    return [f.headline() for f in outcome.failures]


@pytest.mark.parametrize(
    ("expect", "message"),
    [
        # a continued measure expected new, and the reverse: the actual status is named
        (
            "  recommendations:\n    new: [co_joint_education]\n",
            "recommendation 'co_joint_education' made continue, expected new",
        ),
        (
            "  recommendations:\n    continue: [co_partner_cluster]\n",
            "recommendation 'co_partner_cluster' made new, expected continue",
        ),
        (
            "  recommendations:\n    conditional: [co_joint_education]\n",
            "recommendation 'co_joint_education' made continue, expected conditional",
        ),
        (
            "  recommendations:\n    new: [co_support_organizations]\n",
            "recommendation 'co_support_organizations' made conditional, expected new",
        ),
        # a measure not made at all: never "made, expected absent" (issue 23, item 3)
        (
            "  recommendations:\n    continue: [org_cluster_council]\n",
            "expected recommendation 'org_cluster_council' (continue), not made",
        ),
        (
            "  recommendations:\n    new: [org_cluster_council]\n",
            "expected recommendation 'org_cluster_council' (new), not made",
        ),
        (
            "  recommendations:\n    conditional: [org_cluster_council]\n",
            "expected recommendation 'org_cluster_council' (conditional), not made",
        ),
        (
            "  recommendations:\n    present: [org_cluster_council]\n",
            "expected recommendation 'org_cluster_council', not made",
        ),
        # made although expected absent: with the status it was made with
        (
            "  recommendations:\n    absent: [co_joint_education]\n",
            "recommendation 'co_joint_education' made continue, expected absent",
        ),
        (
            "  findings:\n    present: [gate.not_ready]\n",
            "expected finding 'gate.not_ready', not made",
        ),
        (
            "  findings:\n    absent: [level.high]\n",
            "finding 'level.high' made, expected absent",
        ),
        (
            "  postponed:\n    present: [co_partner_cluster]\n",
            "expected postponement of 'co_partner_cluster', not made",
        ),
        # KPIs: in the program exactly when a measure naming them is made
        (
            "  kpis:\n    present: [kpi_intl_publications]\n",
            "expected KPI 'kpi_intl_publications', not made",
        ),
        (
            "  kpis:\n    absent: [kpi_foreign_fairs_participations]\n",
            "KPI 'kpi_foreign_fairs_participations' made, expected absent",
        ),
    ],
)
def test_kb_test_reports_each_expectation_the_right_way_round(tmp_path, knowledge, expect, message):
    assert _headlines(tmp_path, knowledge, expect) == [message]


def test_failed_continue_of_a_measure_not_made_is_not_reported_as_made(tmp_path, knowledge):
    (line,) = _headlines(
        tmp_path, knowledge, "  recommendations:\n    continue: [org_cluster_council]\n"
    )
    assert "expected absent" not in line and " made " not in f"{line} "[: line.index(",")]


def test_a_failed_kpi_expectation_names_the_measures_that_carry_it(tmp_path, knowledge):
    path = tmp_path / "s.yaml"
    path.write_text(
        f"name: s\nassessment: {NN}\nexpect:\n  kpis:\n    present: [kpi_intl_publications]\n"
        "    absent: [kpi_foreign_fairs_participations]\n",
        encoding="utf-8",
    )
    (outcome,) = sc.run(
        sc.load_cases([path], knowledge), knowledge, shared_session().runner
    ).outcomes
    reasons = {f.ident: f.reasons for f in outcome.failures}
    # `in`, not `==`: a measure an author adds may name the same KPI
    assert "named by co_joint_rd_projects (not made)" in reasons["kpi_intl_publications"]
    fairs = reasons["kpi_foreign_fairs_participations"]
    assert "named by rg_foreign_fairs (made continue)" in fairs


def test_an_unknown_kpi_in_a_scenario_is_located_with_a_suggestion(tmp_path, knowledge):
    path = tmp_path / "s.yaml"
    path.write_text(
        f"name: s\nassessment: {NN}\nexpect:\n  kpis:\n    present: [kpi_intl_publication]\n",
        encoding="utf-8",
    )
    with pytest.raises(InputError) as exc:
        sc.load_cases([path], knowledge)
    (problem,) = exc.value.problems
    assert problem.line == 5 and "unknown KPI 'kpi_intl_publication'" in problem.message
    assert "kpi_intl_publications" in (problem.hint or "")


# --- issue 24: `kb test /etc/shadow` echoed the file's lines ---------------------------------

SHADOW = "root:$6$SECRET-HASH:19000:0:99999:7:::\ndaemon:*:19000:0:99999:7:::\n"


def test_kb_test_of_a_non_scenario_file_no_longer_echoes_its_lines(cli, tmp_path):
    secret = tmp_path / "shadow"
    secret.write_text(SHADOW, "utf-8")
    code, stdout, stderr = cli("kb", "test", secret)
    assert code == 2 and stdout == "" and "Traceback" not in stderr
    (line,) = stderr.splitlines()
    assert line.endswith(
        "shadow:1:1: not a scenario file: none of its 2 top-level keys is a key of a scenario "
        "file (`scenarios:` with a list, or one scenario's `assessment:` and `expect:`); its "
        "content is not shown"
    )
    assert "SECRET" not in stderr and "19000" not in stderr and "daemon" not in stderr


@pytest.mark.parametrize(
    ("command", "exit_code"),
    [(["draft"], 2), (["assess"], 2), (["batch", "-o", "OUT"], 1)],  # batch: 1, an input failed
)
def test_an_assessment_command_on_a_non_assessment_no_longer_echoes_its_lines(
    cli, tmp_path, command, exit_code
):
    secret = tmp_path / "shadow.yaml"
    secret.write_text(SHADOW, "utf-8")
    args = [str(tmp_path / "out") if a == "OUT" else a for a in command[1:]]
    code, stdout, stderr = cli(command[0], secret, *args)
    assert code == exit_code and "Traceback" not in stderr
    assert "not an assessment: none of its 2 top-level keys is a key of an assessment" in stderr
    assert "SECRET" not in stdout + stderr and "daemon" not in stdout + stderr
    for written in tmp_path.rglob("*"):  # a batch's register names the file, not its lines
        if written.is_file() and written != secret:
            assert b"SECRET" not in written.read_bytes() and b"daemon" not in written.read_bytes()


def test_a_knowledge_file_of_another_kind_is_not_quoted(tmp_path):
    import shutil

    from engine.knowledge.read import read_knowledge

    kb = tmp_path / "kb"
    shutil.copytree(ROOT / "knowledge", kb)
    (kb / "scoring.yaml").write_text(SHADOW, "utf-8")
    _, problems = read_knowledge(kb)
    (problem,) = [p for p in problems if p.file.endswith("scoring.yaml")]
    assert problem.format().endswith("its content is not shown")
    assert problem.message.startswith("not this knowledge file: none of its 2 top-level keys")
    assert "SECRET" not in problem.format()


def test_a_file_with_one_known_key_still_names_its_unknown_ones(tmp_path, knowledge):
    # the guard is for files of another kind: a scenario with a misspelt key keeps its hint
    path = tmp_path / "s.yaml"
    path.write_text(f"name: s\nassessment: {NN}\nexpectt: {{}}\n", encoding="utf-8")
    with pytest.raises(InputError) as exc:
        sc.load_cases([path], knowledge)
    assert "unknown field 'expectt'" in str(exc.value)
