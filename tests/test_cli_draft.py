"""`draft` and `assess` from the command line: outputs, formats, and bad input (exit 2)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import EXAMPLES

NN = EXAMPLES / "nizhny-novgorod.yaml"


def test_draft_writes_markdown(cli, tmp_path):
    out = tmp_path / "program.md"
    code, _, err = cli("draft", NN, "-o", out)
    assert code == 0, err
    text = out.read_text(encoding="utf-8")
    assert text.startswith("# Программа интернационализации кластера")
    assert "Chemie-Cluster Bayern" in text


@pytest.mark.parametrize("fmt", ["md", "html", "json"])
@pytest.mark.parametrize("lang", ["ru", "en"])
def test_draft_formats_and_languages(cli, tmp_path, fmt, lang):
    out = tmp_path / f"p.{fmt}"
    code, _, err = cli("draft", NN, "-o", out, "--lang", lang)
    assert code == 0, err
    text = out.read_text(encoding="utf-8")
    if fmt == "json":
        assert json.loads(text)["schema"] == "cluster-intl/result/2"
    elif lang == "en":
        assert "Cluster internationalization program" in text
    else:
        assert "Программа интернационализации" in text


def test_assess_prints_the_diagnosis(cli):
    code, out, _ = cli("assess", NN, "--lang", "en")
    assert code == 0
    assert "14.04 % — high" in out  # shares only: the counts left the index
    assert "Weaknesses: Export" in out
    code, out, _ = cli("assess", NN, "--format", "json")
    data = json.loads(out)
    assert data["index"]["band"] == "high" and data["model"]["id"]


def _bad(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "bad.yaml"
    path.write_text(text, encoding="utf-8")
    return path


BAD_CASES = {
    "out_of_scale": (
        "cluster_name: X\nactivity_smes: 7\n",
        ":2:16: activity_smes: 7 is out of scale; allowed 0..4",
    ),
    "unknown_indicator": (
        "cluster_name: X\nactivity_smez: 2\n",
        ":2:1: activity_smez: unknown indicator 'activity_smez' (did you mean 'activity_smes'?)",
    ),
    "wrong_type": (
        "cluster_name: X\nhas_intl_manager: maybe\n",
        ":2:19: has_intl_manager: expected true or false, got text 'maybe'",
    ),
    "duplicate_key": (
        "cluster_name: X\nactivity_smes: 1\nactivity_smes: 2\n",
        ":3:1: activity_smes: duplicate key 'activity_smes' (first defined on line 2)",
    ),
    "syntax_error": ("cluster_name: X\nactivity_smes: [1, 2\n", ":3:1: YAML syntax error"),
}


@pytest.mark.parametrize("case", sorted(BAD_CASES))
def test_bad_assessment_gives_one_located_line_and_no_output(cli, tmp_path, case):
    text, expected = BAD_CASES[case]
    bad = _bad(tmp_path, text)
    out = tmp_path / "program.md"
    code, stdout, stderr = cli("draft", bad, "-o", out)
    assert code == 2
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, stderr
    assert (
        lines[0].startswith(str(bad)) or lines[0].startswith("bad.yaml") or "bad.yaml" in lines[0]
    )
    assert expected in lines[0]
    assert "Traceback" not in stderr + stdout
    assert not out.exists()
    assert list(tmp_path.iterdir()) == [bad]  # no temp file left either


def test_missing_file_is_exit_2(cli, tmp_path):
    code, _, err = cli("draft", tmp_path / "nope.yaml")
    assert code == 2 and "file not found" in err


def test_existing_output_needs_force(cli, tmp_path):
    out = tmp_path / "p.md"
    out.write_text("keep me", encoding="utf-8")
    code, _, err = cli("draft", NN, "-o", out)
    assert code == 2 and "--force" in err
    assert out.read_text(encoding="utf-8") == "keep me"
    code, _, _ = cli("draft", NN, "-o", out, "--force")
    assert code == 0 and out.read_text(encoding="utf-8") != "keep me"
