"""`cluster-intl sensitivity`: the JSON validates against schemas/sensitivity.schema.json, the
text and Markdown name labels (never ids), the output file is written whole, and bad input is
one located message with exit 2, nothing written."""

from __future__ import annotations

import json

import jsonschema
import pytest

from tests.conftest import EXAMPLES, ROOT

UNSEEN = ROOT / "tests" / "fixtures" / "unseen"
SCHEMA = json.loads((ROOT / "schemas" / "sensitivity.schema.json").read_text(encoding="utf-8"))


@pytest.mark.slow
def test_json_validates_against_the_committed_schema(cli):
    code, out, err = cli("sensitivity", UNSEEN / "uzbek-textiles.yaml", "--format", "json")
    assert code == 0, err
    data = json.loads(out)
    jsonschema.validate(data, SCHEMA)
    assert data["schema"] == "cluster-intl/sensitivity/1"
    assert data["lang"] == "ru"
    assert data["search"]["runs"] > 0


@pytest.mark.slow
def test_text_and_markdown_say_labels_not_ids(cli, tmp_path):
    code, out, err = cli("sensitivity", EXAMPLES / "nizhny-novgorod.yaml", "--lang", "en")
    assert code == 0, err
    assert "How firm is the advice" in out
    assert "holds under any single plausible change" in out
    assert "co_partner_cluster" not in out and "activity_universities" not in out
    target = tmp_path / "map.md"
    code, _, err = cli("sensitivity", EXAMPLES / "nizhny-novgorod.yaml", "-o", target)
    assert code == 0, err
    md = target.read_text(encoding="utf-8")
    assert md.startswith("# Насколько устойчивы рекомендации")
    assert "\n## " in md


def test_a_missing_file_is_one_message_exit_2_nothing_written(cli, tmp_path):
    target = tmp_path / "map.json"
    code, out, err = cli("sensitivity", tmp_path / "nope.yaml", "-o", target)
    assert code == 2
    assert "nope.yaml" in err and "Traceback" not in err
    assert not target.exists() and out == ""


def test_a_bad_assessment_names_its_line(cli, tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("cluster_name: X\nactivity_smes: 9\n", encoding="utf-8")
    code, _, err = cli("sensitivity", bad, "--format", "json")
    assert code == 2
    assert "bad.yaml:2" in err and "activity_smes" in err and "Traceback" not in err


def test_an_unknown_format_is_a_usage_error(cli):
    code, _, err = cli("sensitivity", EXAMPLES / "nizhny-novgorod.yaml", "--format", "docx")
    assert code == 2
    assert "docx" in err


@pytest.mark.slow
def test_batch_writes_each_cluster_s_map_beside_its_program_on_two_workers(cli, tmp_path):
    corpus = sorted((EXAMPLES / "corpus").glob("*.yaml"))[:3]
    out = tmp_path / "programs"
    code, _, err = cli("batch", *corpus, "-o", out, "--lang", "en", "--sensitivity", "-j", "2")
    assert code == 0, err
    for path in corpus:
        data = json.loads((out / f"{path.stem}.sensitivity.json").read_text(encoding="utf-8"))
        jsonschema.validate(data, SCHEMA)
        assert data["assessment"].endswith(path.name) and data["lang"] == "en"
        assert (out / f"{path.stem}.md").is_file()
    code, _, err = cli("batch", *corpus, "-o", out, "--sensitivity")
    assert code == 2 and "already exists" in err  # never over a map written before
