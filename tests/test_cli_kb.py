"""`cluster-intl kb ...`: the rule author's commands, and knowledge as data (no code change)."""

from __future__ import annotations

import json
import shutil

import pytest

from tests.conftest import ROOT

NN = ROOT / "examples" / "nizhny-novgorod.yaml"


def _recommendations(cli, *extra: str) -> list[str]:
    code, out, err = cli("draft", str(NN), "--format", "json", *extra)
    assert code == 0, err
    return [r if isinstance(r, str) else r["id"] for r in json.loads(out)["recommendations"]]


def test_editing_a_threshold_changes_the_program_without_code(tmp_path, cli):
    root = tmp_path / "knowledge"
    shutil.copytree(ROOT / "knowledge", root)
    rules = root / "rules" / "diagnosis.yaml"
    text = rules.read_text(encoding="utf-8")
    old = "{measure: bench_status_activity_smes, op: eq, value: weak}"
    assert text.count(old) == 1
    # the NN cluster's SME activity is 1: a threshold of 0 no longer calls it weak
    rules.write_text(
        text.replace(old, "{indicator: activity_smes, op: le, value: 0}"), encoding="utf-8"
    )
    assert "co_sme_internationalization" not in _recommendations(cli, "--knowledge", str(root))
    assert "co_sme_internationalization" in _recommendations(cli)  # the bundled base is untouched


@pytest.mark.slow  # heavy; .ci/run runs it (-m slow)
def test_kb_test_passes_on_the_shipped_knowledge_with_full_coverage(cli, monkeypatch):
    monkeypatch.chdir(ROOT)
    code, out, err = cli("kb", "test")
    assert code == 0, out + err
    assert " 0 failed" in out
    assert "(100 %)" in out and "rules no scenario exercised" not in out


def test_kb_test_exits_1_on_a_failing_scenario_and_2_on_a_bad_one(tmp_path, cli):
    failing = tmp_path / "failing.yaml"
    failing.write_text(
        f"assessment: {NN}\nexpect:\n  recommendations:\n    absent: [co_benchmarking]\n",
        encoding="utf-8",
    )
    code, out, _ = cli("kb", "test", str(failing))
    assert code == 1
    assert "FAIL failing" in out and "made by org_benchmarking_always" in out
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "assessment: {cluster_name: X}\nexpect:\n  findings:\n    present: [weakness.exprot]\n",
        encoding="utf-8",
    )
    code, out, err = cli("kb", "test", str(bad))
    assert code == 2
    assert "unknown finding 'weakness.exprot' (did you mean 'weakness.export'?)" in err
    assert "Traceback" not in out + err


def test_kb_check_output_format(cli, tmp_path, monkeypatch):
    root = tmp_path / "knowledge"
    shutil.copytree(ROOT / "knowledge", root, ignore=shutil.ignore_patterns("scenarios"))
    (root / "rules" / "zz.yaml").write_text(
        "rules:\n  - id: dead\n    title: {en: Dead, ru: Мертвое}\n    when:\n"
        "      - {indicator: direction_export, op: ge, value: 3}\n"
        "      - {indicator: direction_export, op: le, value: 1}\n"
        "    then: {recommend: rg_collective_trademarks}\n    proposal: true\n",
        encoding="utf-8",
    )
    monkeypatch.chdir(tmp_path)
    code, out, err = cli("kb", "check", "--knowledge", "knowledge")
    assert code == 1
    assert (
        "knowledge/rules/zz.yaml:6:9: error: rules[0].when[1]: rule 'dead' can never fire: "
        "`direction_export ge 3` and `direction_export le 1` contradict each other"
    ) in out
    assert "1 errors" in err
    # a base with an error does not run
    code, _, err = cli("draft", str(NN), "--knowledge", "knowledge", "--format", "json")
    assert code == 2 and "can never fire" in err
