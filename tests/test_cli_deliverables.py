"""The consultant's commands end to end: draft --format docx, questionnaire, filled XLSX as input,
batch and compare (exit codes, stdout and stderr apart, no output on bad input)."""

from __future__ import annotations

import csv
import html
import io
import json
import re

import pytest
from docx import Document
from openpyxl import load_workbook

from tests.conftest import EXAMPLES

NN = EXAMPLES / "nizhny-novgorod.yaml"
NN2014 = EXAMPLES / "nizhny-novgorod-2014.yaml"


@pytest.mark.slow
def test_draft_docx_to_a_file(cli, tmp_path):
    out = tmp_path / "program.docx"
    code, _stdout, err = cli("draft", NN, "-o", out, "--lang", "en")
    assert code == 0, err
    doc = Document(str(out))
    assert doc.paragraphs[0].text.startswith("APPROVED by decision of the Cluster Council")
    assert any(p.style.name == "Title" for p in doc.paragraphs[:8])
    assert len(doc.inline_shapes) == 1


def test_draft_docx_needs_an_output_file(cli):
    code, stdout, err = cli("draft", NN, "--format", "docx")
    assert code == 2 and stdout == ""
    assert "binary" in err and "Traceback" not in err


@pytest.mark.slow
def test_draft_with_own_template(cli, tmp_path):
    from engine.resources import default_template

    template = tmp_path / "letterhead.docx"
    template.write_bytes(default_template().read_bytes())
    out = tmp_path / "p.docx"
    code, _, err = cli("draft", NN, "-o", out, "--template", template)
    assert code == 0, err and out.exists()
    code, _, err = cli("draft", NN, "-o", tmp_path / "p.md", "--template", template)
    assert code == 2 and "--template applies to --format docx only" in err
    bad = tmp_path / "bad.docx"
    bad.write_text("nope")
    code, _, err = cli("draft", NN, "-o", tmp_path / "q.docx", "--template", bad)
    assert code == 2 and "not a Word .docx template" in err
    assert not (tmp_path / "q.docx").exists()


def test_questionnaire_yaml_to_stdout_and_xlsx_to_a_file(cli, tmp_path, knowledge):
    code, out, err = cli("questionnaire", "--format", "yaml", "--lang", "en")
    assert code == 0, err
    assert "\ncluster_name:\n" in out and out.startswith("# Cluster internationalization")
    xlsx = tmp_path / "q.xlsx"
    code, _, err = cli("questionnaire", "-o", xlsx, "--lang", "ru")
    assert code == 0, err
    ws = load_workbook(xlsx).worksheets[0]
    ids = [r[0].value for r in ws.iter_rows(min_row=2)]  # option rows of list answers: a.b
    assert [i for i in ids if "." not in i] == [i.id for i in knowledge.indicators.indicators]
    code, _, err = cli("questionnaire", "--format", "xlsx")
    assert code == 2 and "give an output file with -o" in err
    code, _, err = cli("questionnaire", "-o", xlsx)
    assert code == 2 and "already exists" in err


def _filled(tmp_path, knowledge, change=None):
    from tests.engine.deliverables.test_questionnaire import filled_workbook, nn_values

    wb = filled_workbook(knowledge, nn_values())
    if change:
        ws = wb.worksheets[0]
        for row in ws.iter_rows(min_row=2):
            if row[0].value in change:
                row[6].value = change[row[0].value]
    path = tmp_path / "filled.xlsx"
    wb.save(str(path))
    return path


def test_filled_workbook_is_accepted_by_draft_assess_and_why(cli, tmp_path, knowledge):
    path = _filled(tmp_path, knowledge)
    code, out, err = cli("draft", path, "--format", "json")
    assert code == 0, err
    _yaml_code, yaml_out, _ = cli("draft", NN, "--format", "json")
    a, b = json.loads(out), json.loads(yaml_out)
    a["cluster"].pop("source"), b["cluster"].pop("source")
    # the workbook carries values only; the YAML also says which of them are synthetic
    assert a.pop("provenance") == {} and b.pop("provenance")
    assert a == b
    code, out, err = cli("assess", path, "--lang", "en")
    assert code == 0 and "14.04 %" in out
    code, out, err = cli("why", path, "co_multilingual_website", "--lang", "en")
    assert code == 0, err
    assert "filled.xlsx" in out  # the indicator's place is the workbook row


def test_bad_workbook_exits_2_with_sheet_and_cell_and_writes_nothing(cli, tmp_path, knowledge):
    path = _filled(tmp_path, knowledge, {"activity_smes": 9, "geo_cis": "=A1"})
    out = tmp_path / "p.md"
    code, stdout, err = cli("draft", path, "-o", out)
    assert code == 2 and stdout == "" and not out.exists()
    lines = err.strip().splitlines()
    assert len(lines) == 2
    assert lines[0].endswith("9 is out of scale; allowed 0..4") and "Оценка!G" not in lines[0]
    assert "Assessment!G" in lines[0]
    assert "formulas are not evaluated" in lines[1]
    assert "Traceback" not in err


@pytest.mark.slow  # end to end; .ci/run runs it (-m slow)
@pytest.mark.parametrize("fmt", ["docx", "html"])
def test_batch_summary_tells_two_years_of_one_cluster_apart(cli, tmp_path, fmt):
    out = tmp_path / "out"
    code, _, err = cli("batch", NN, NN2014, "-o", out, "--lang", "en", "--format", fmt)
    assert code == 0, err
    names = {"nizhny-novgorod." + fmt, "nizhny-novgorod-2014." + fmt}
    assert names <= {p.name for p in out.iterdir()}
    rows = list(csv.DictReader(io.StringIO((out / "summary.csv").read_text("utf-8"))))
    assert sorted((r["year"], r["output"]) for r in rows) == [
        ("2013", f"nizhny-novgorod.{fmt}"),
        ("2014", f"nizhny-novgorod-2014.{fmt}"),
    ]
    ws = load_workbook(out / "summary.xlsx").worksheets[0]
    header = [c.value for c in ws[1]]
    year_col = header.index("Assessment year")
    years = sorted(row[year_col].value for row in ws.iter_rows(min_row=2))
    assert years == [2013, 2014]
    md = (out / "summary.md").read_text("utf-8")
    assert "| Assessment year |" in md
    lines = [line for line in md.splitlines() if "nizhny" in line.replace("\\", "")]
    assert len(lines) == 2 and len(set(lines)) == 2  # two distinguishable rows
    for name in names:  # links to the files in the format asked
        shown = name.replace("_", "\\_")
        assert f"[{shown}](<{name}>)" in md
    page = (out / "summary.html").read_text("utf-8")
    assert '<button type="button">Assessment year<' in page  # a sortable heading
    for name in names:
        assert f'<a href="{name}">' in page
    assert '<td class="num" data-v="2013">2013</td>' in page
    assert '<td class="num" data-v="2014">2014</td>' in page
    assert ".md" not in page.replace("summary.md", "")


@pytest.mark.slow  # end to end; .ci/run runs it (-m slow)
def test_batch_end_to_end(cli, tmp_path):
    inputs = tmp_path / "in"
    inputs.mkdir()
    for name in ("nizhny-novgorod.yaml", "nascent-cluster.yaml", "mature-cluster.yaml"):
        (inputs / name).write_bytes((EXAMPLES / name).read_bytes())
    (inputs / "broken.yaml").write_text("cluster_name: [oops\n", encoding="utf-8")
    out = tmp_path / "out"
    code, _stdout, err = cli("batch", inputs, "-o", out, "--lang", "en", "--format", "html")
    assert code == 1  # one input failed; the others were processed
    assert "broken.yaml:2:1: YAML syntax error" in err
    assert "3 of 4 clusters drafted" in err
    assert sorted(p.name for p in out.iterdir()) == [
        "mature-cluster.html",
        "nascent-cluster.html",
        "nizhny-novgorod.html",
        "summary.csv",
        "summary.html",
        "summary.md",
        "summary.xlsx",
    ]
    code, _, err = cli("batch", inputs, "-o", out)
    assert code == 2 and "already exists" in err
    code, _, err = cli(
        "batch",
        inputs / "nizhny-novgorod.yaml",
        "-o",
        out,
        "--force",
        "--format",
        "docx",
        "--jobs",
        "1",
    )
    assert code == 0, err
    assert (out / "nizhny-novgorod.docx").exists()


def test_batch_without_inputs_is_a_usage_error(cli, tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    code, _, err = cli("batch", empty, "-o", tmp_path / "out")
    assert code == 2 and "no assessment files" in err


def test_compare_prints_a_markdown_section(cli, tmp_path):
    code, out, err = cli("compare", NN, NN2014, "--lang", "en")
    assert code == 0, err
    assert out.startswith("## Progress since the previous assessment (2013 → 2014)")
    assert (
        "### Recommendations dropped" in out
        and "**Appoint a manager for international work**" in out
    )
    assert "org_intl_manager" not in out.replace("\\", "")  # ids stay in the JSON
    target = tmp_path / "progress.json"
    code, _, err = cli("compare", NN, NN2014, "--format", "json", "-o", target)
    assert code == 0, err
    data = json.loads(target.read_text("utf-8"))
    assert {r["id"] for r in data["added"]} == {"co_eaeu_cis_markets"}


def _kb_ids(knowledge) -> set[str]:
    """The snake_case ids a client must never read: indicators, recommendations, rules (and the
    findings, KPIs and groups the engine names them by)."""
    ids = set(knowledge.indicator) | set(knowledge.recommendation) | set(knowledge.rule)
    return ids | set(knowledge.finding) | set(knowledge.kpi) | set(knowledge.group)


def _ids_in(text: str, knowledge) -> set[str]:
    words = set(re.findall(r"\b[a-z]+_[a-z_]+\b", text.replace("\\_", "_")))
    return words & _kb_ids(knowledge)


def _docx_text(path) -> str:
    doc = Document(str(path))
    cells = [c.text for t in doc.tables for row in t.rows for c in row.cells]
    return "\n".join([p.text for p in doc.paragraphs] + cells)


def _older_first() -> tuple:
    """The two Nizhny Novgorod assessments, the earlier (by assessment_year) first."""
    from engine import api

    s = api.Session()
    pair = sorted([NN, NN2014], key=lambda p: api.evaluate(p, s).assessment.get("assessment_year"))
    return pair[0], pair[1]


@pytest.mark.slow
@pytest.mark.parametrize("lang", ["ru", "en"])
@pytest.mark.parametrize("ext", ["md", "html", "docx", "json"])
def test_compare_in_every_format_by_extension(cli, tmp_path, knowledge, ext, lang):
    old, new = _older_first()
    target = tmp_path / f"x.{ext}"
    code, out, err = cli("compare", old, new, "-o", target, "--lang", lang)
    assert code == 0, err
    assert out == ""
    if ext == "json":
        data = json.loads(target.read_text("utf-8"))
        assert [r["id"] for r in data["added"]] == ["co_eaeu_cis_markets"]  # ids kept in JSON
        assert "org_intl_manager" in {r["id"] for r in data["dropped"]}
        assert data["targets"]["key"] == "2014"
        rows = {r["id"]: r for r in data["kpis"]}
        assert rows["kpi_intl_rd_projects"]["raw"]["year_target"] == 7  # the final one is 9
        assert all(r["source"] and r["source_id"] for r in data["kpis"])
        assert all(r["raw"]["done"] is None or r["raw"]["done"] <= 100 for r in data["kpis"])
        assert all(r["plain"] for r in data["dropped"])
        return
    if ext == "docx":
        text = _docx_text(target)
    elif ext == "html":
        text = html.unescape(re.sub(r"<[^>]+>", " ", target.read_text("utf-8")))
    else:
        text = target.read_text("utf-8").replace("\\", "")
    ru = lang == "ru"
    # the KPIs of the earlier program against what the new assessment reports
    assert (
        "Торговые и бизнес-миссии за рубеж" if ru else "Trade and business missions abroad"
    ) in text
    # each against its target for the new year, the final target beside it, done at most 100 %
    # and the KPI's data source (issue 24 item 2)
    assert ("Цель на 2014" if ru else "Target 2014") in text
    assert ("Итоговая цель (2016)" if ru else "Final target (2016)") in text
    assert ("превышено" if ru else "exceeded") in text
    assert ("не начато" if ru else "not started") in text
    assert ("ежегодный опрос участников кластера" if ru else "annual survey of its members") in text
    # the measures added and dropped, each with its reason in words
    added = (
        "Рассмотреть рынки ЕАЭС и СНГ как ближайшие экспортные направления"
        if ru
        else "Target the EAEU and CIS markets as near-term export destinations"
    )
    dropped = (
        "Назначить менеджера по международной работе"
        if ru
        else "Appoint a manager for international work"
    )
    assert added in text and dropped in text
    moved = (
        "Менеджер по международной работе: было нет, стало да"
        if ru
        else "International manager: was no, now yes"
    )
    assert moved in text
    # client text: no id of the knowledge base, no path, no rule number, no engine condition
    assert _ids_in(text, knowledge) == set()
    assert "examples/" not in text and ".yaml" not in text
    assert not re.search(r"\(R\d+\)", text)
    assert "(требуется" not in text and "(required" not in text and "←" not in text
    if ext == "docx":  # appended to the new assessment's client program
        heading = (
            "Изменения с предыдущей оценки" if ru else "Progress since the previous assessment"
        )
        doc = Document(str(target))
        headings = [p.text for p in doc.paragraphs if p.style.name == "Heading 1"]
        assert headings[-1].startswith(heading)
        assert len(headings) > 5  # the program's own sections come first


@pytest.mark.slow  # end to end; .ci/run runs it (-m slow)
def test_compare_docx_starts_with_the_new_program(cli, tmp_path):
    old, new = _older_first()
    a, b = tmp_path / "c.docx", tmp_path / "p.docx"
    assert cli("compare", old, new, "-o", a, "--lang", "en")[0] == 0
    assert cli("draft", new, "-o", b, "--lang", "en")[0] == 0
    program = [p.text for p in Document(str(b)).paragraphs]
    combined = [p.text for p in Document(str(a)).paragraphs]
    assert combined[: len(program)] == program
    assert "Progress since the previous assessment (2013 → 2014)" in combined[len(program) :]


@pytest.mark.slow  # end to end; .ci/run runs it (-m slow)
def test_compare_format_option_overrides_the_extension(cli, tmp_path):
    old, new = _older_first()
    target = tmp_path / "out.txt"
    code, _, err = cli("compare", old, new, "--format", "html", "-o", target, "--lang", "en")
    assert code == 0, err
    assert target.read_text("utf-8").startswith("<!DOCTYPE html>")
    code, out, err = cli("compare", old, new, "--format", "docx")
    assert code == 2 and out == "" and "binary" in err


def test_compare_warns_about_different_clusters(cli):
    code, out, err = cli("compare", NN, EXAMPLES / "mature-cluster.yaml", "--lang", "en")
    assert code == 0
    assert "name different clusters" in err
    assert "**Warning: the assessments name different clusters.**" in out


def _year_line(path) -> int:
    lines = path.read_text("utf-8").splitlines()
    return 1 + next(i for i, text in enumerate(lines) if text.startswith("assessment_year:"))


@pytest.mark.parametrize("fmt", ["md", "docx"])
def test_compare_with_the_years_swapped_is_refused_and_writes_nothing(cli, tmp_path, fmt):
    """Regression: 2014 then 2013 printed "progress 2014 → 2013" with exit 0, and with
    `-o x.docx` appended the comparison to the wrong program."""
    target = tmp_path / f"x.{fmt}"
    code, out, err = cli("compare", NN2014, NN, "-o", target, "--lang", "en")
    assert code == 2 and out == ""
    located = f"{NN2014.name}:{_year_line(NN2014)}:1: assessment_year: 2014 is later than 2013"
    assert located in err
    assert "--allow-reverse" in err and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1
    assert list(tmp_path.iterdir()) == []


def test_compare_allow_reverse_compares_in_the_given_order(cli):
    code, out, err = cli("compare", NN2014, NN, "--allow-reverse", "--lang", "en")
    assert code == 0, err
    assert "warning: comparing in reverse order (2014 → 2013)" in err
    assert out.startswith("## Progress since the previous assessment (2014 → 2013)")
    assert "no target for that year" in out


def test_compare_of_one_year_twice_warns(cli):
    code, out, err = cli("compare", NN, NN, "--lang", "en")
    assert code == 0 and "warning: both assessments are of 2013" in err
    assert "no target for that year" in out


def test_compare_with_a_bad_input_exits_2(cli, tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("cluster_name: X\ngeo_cis: 12\n", encoding="utf-8")
    code, out, err = cli("compare", NN, bad)
    assert code == 2 and out == "" and "bad.yaml:2:10: geo_cis: 12 is out of scale" in err


@pytest.mark.slow  # end to end; .ci/run runs it (-m slow)
def test_docx_output_is_the_same_through_the_cli_twice(cli, tmp_path):
    a, b = tmp_path / "a.docx", tmp_path / "b.docx"
    assert cli("draft", NN, "-o", a)[0] == 0
    assert cli("draft", NN, "-o", b)[0] == 0
    assert a.read_bytes() == b.read_bytes()
    assert io.BytesIO(a.read_bytes()).getvalue()[:2] == b"PK"


def test_batch_drafts_json_results(cli, tmp_path):
    """Regression: after the program package split, a JSON batch called result_json on the wrong
    module; every program came out as an error row."""
    code, _, err = cli(
        "batch",
        EXAMPLES / "nizhny-novgorod.yaml",
        "-o",
        tmp_path / "out",
        "--format",
        "json",
        "-j",
        "1",
    )
    assert code == 0, err
    data = json.loads((tmp_path / "out" / "nizhny-novgorod.json").read_text(encoding="utf-8"))
    assert data["schema"].startswith("cluster-intl/result/")
    assert "co_sme_internationalization" in {r["id"] for r in data["recommendations"]}


def test_an_escape_sequence_in_a_batch_output_path_is_printed_escaped(cli, tmp_path):
    # issue 24 (a sibling of the --peers messages): an OutputError printed the path raw
    blocker = tmp_path / "f\x1b[2J"
    blocker.write_text("a file, not a folder")
    code, stdout, stderr = cli("batch", EXAMPLES / "nizhny-novgorod.yaml", "-o", blocker / "out")
    assert code == 2 and stdout == ""
    assert "\x1b" not in stderr
    assert stderr.strip() == f"{tmp_path}/f\\x1b[2J/out: cannot create the folder: Not a directory"
