"""Hostile and broken input, through the command line: a clear located error or literal text.

Each bad file gives exit 2, one located message per problem on stderr, no traceback and no output
file (nor a temporary one). User and knowledge texts that look like template code or HTML are
printed literally (escaped), never executed.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
import yaml

from tests.conftest import EXAMPLES, ROOT

NN = EXAMPLES / "nizhny-novgorod.yaml"
LOCATED = re.compile(r"^\S[^:]*(:\d+:\d+)?: ")


def refused(cli, tmp_path: Path, path: Path, *extra: str) -> list[str]:
    """Run `draft` on a bad file; check the contract and return the message lines."""
    out = tmp_path / "out" / "program.md"
    out.parent.mkdir(exist_ok=True)
    before = path.read_bytes() if path.is_file() else None
    code, stdout, stderr = cli("draft", path, "-o", out, *extra)
    assert code == 2, (code, stderr)
    assert "Traceback" not in stdout + stderr
    assert list(out.parent.iterdir()) == []  # no output, no temporary file
    if before is not None:
        assert path.read_bytes() == before  # the input is never touched
    lines = stderr.strip().splitlines()
    assert lines, "no message"
    for line in lines:
        assert path.name in line and LOCATED.match(line), line
    return lines


def write(tmp_path: Path, name: str, data: str | bytes) -> Path:
    path = tmp_path / name
    if isinstance(data, str):
        data = data.encode("utf-8")
    path.write_bytes(data)
    return path


# --- YAML ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "tag",
    [
        "!!python/object/apply:os.system ['touch pwned']",
        "!!python/name:os.system",
        "!!binary aGVsbG8=",
        "!custom x",
        "!!set {a, b}",
    ],
)
def test_yaml_tags_are_refused_never_constructed(cli, tmp_path, tag, monkeypatch):
    monkeypatch.chdir(tmp_path)
    bad = write(tmp_path, "tag.yaml", f"cluster_name: X\nregion_name: {tag}\n")
    lines = refused(cli, tmp_path, bad)
    assert len(lines) == 1 and ":2:14: " in lines[0] and "not allowed" in lines[0]
    assert not (tmp_path / "pwned").exists()


def test_alias_bomb_is_refused_quickly(cli, tmp_path):
    rows = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    rows += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]" for i in range(1, 9)]
    bad = write(tmp_path, "bomb.yaml", "cluster_name: X\n" + "\n".join(rows) + "\n")
    lines = refused(cli, tmp_path, bad)  # refused on the first alias, never expanded
    assert all("alias" in line for line in lines) and len(lines) <= 80


def test_merge_keys_are_refused(cli, tmp_path):
    bad = write(tmp_path, "merge.yaml", "cluster_name: X\n<<: {activity_smes: 2}\n")
    lines = refused(cli, tmp_path, bad)
    assert len(lines) == 1 and "merge keys" in lines[0]


def test_huge_file_is_refused_before_parsing(cli, tmp_path):
    notes = "x" * 6_000_000
    bad = write(tmp_path, "huge.yaml", f"cluster_name: X\nassessment_notes: '{notes}'\n")
    lines = refused(cli, tmp_path, bad)  # refused by its size, before any parsing
    assert len(lines) == 1 and "too large" in lines[0]


@pytest.mark.slow  # end to end; .ci/run runs it (-m slow)
def test_a_large_file_under_the_limit_is_read_and_every_problem_capped(cli, tmp_path):
    # regression: the pure-Python YAML parser took ~5 s on a 4.7 MB file under the size limit
    rows = "".join(
        f"unknown_key_{i}: some text value that fills the file up quickly enough\n"
        for i in range(60_000)
    )
    bad = write(tmp_path, "large.yaml", "cluster_name: X\n" + rows)
    assert bad.stat().st_size > 4_000_000
    lines = refused(cli, tmp_path, bad)  # its speed is the benchmark's (bench/), not a test's
    assert "unknown indicator 'unknown_key_0'" in lines[0]
    assert len(lines) <= 101 and "more problems" in lines[-1]  # not a flood of 60,000 lines


def test_deep_nesting_is_refused(cli, tmp_path):
    for depth in (60, 5000):
        bad = write(
            tmp_path,
            "deep.yaml",
            "cluster_name: X\nregion_name: " + "[" * depth + "]" * depth + "\n",
        )
        lines = refused(cli, tmp_path, bad)
        assert len(lines) == 1 and "nesting" in lines[0] and ":2:" in lines[0], lines


@pytest.mark.parametrize(
    "junk", [b"\x00\x01\x02\xff" * 100, bytes(range(256)) * 20, b"PK\x03\x04" + b"\x00" * 100]
)
def test_binary_junk_is_refused(cli, tmp_path, junk):
    lines = refused(cli, tmp_path, write(tmp_path, "junk.yaml", junk))
    assert len(lines) == 1 and ("binary" in lines[0] or "UTF-8" in lines[0])


def test_wrong_encodings_are_named(cli, tmp_path):
    text = "cluster_name: Кластер\nregion_name: Область\n"
    lines = refused(cli, tmp_path, write(tmp_path, "cp1251.yaml", text.encode("cp1251")))
    assert len(lines) == 1 and ":1:15: " in lines[0] and "UTF-8" in lines[0]
    for codec in ("utf-16", "utf-32"):
        lines = refused(cli, tmp_path, write(tmp_path, f"{codec}.yaml", text.encode(codec)))
        assert len(lines) == 1 and codec.upper() in lines[0] and "UTF-8" in lines[0], lines


def test_control_characters_are_located(cli, tmp_path):
    bad = write(tmp_path, "ctrl.yaml", "cluster_name: X\nregion_name: a\x07b\n")
    lines = refused(cli, tmp_path, bad)
    assert len(lines) == 1 and ":2:15: " in lines[0] and "character" in lines[0], lines


@pytest.mark.parametrize(
    "text, expected",
    [
        ("- a\n- b\n", "mapping"),
        ("just a string\n", "mapping"),
        ("cluster_name: X\n1: 2\n", "unknown indicator '1'"),
        ("cluster_name: X\n? [a, b]\n: 1\n", "plain scalars"),
        ("cluster_name: X\n---\nactivity_smes: 2\n", "YAML syntax error"),
        ("", "missing required indicator 'cluster_name'"),
        ("cluster_name: {a: 1}\n", "expected text"),
        ("cluster_name: X\nactivity_smes: .nan\n", "finite"),
        ("cluster_name: X\nnum_members_sme: 1e400\n", "number"),
    ],
)
def test_odd_but_parseable_yaml_is_refused_with_a_located_message(cli, tmp_path, text, expected):
    lines = refused(cli, tmp_path, write(tmp_path, "odd.yaml", text))
    assert any(expected in line for line in lines), lines


def test_missing_file_and_directory(cli, tmp_path):
    code, _, err = cli("draft", tmp_path / "nope.yaml")
    assert code == 2 and "not found" in err and "Traceback" not in err
    code, _, err = cli("draft", tmp_path)
    assert code == 2 and "Traceback" not in err


@pytest.mark.slow  # end to end; .ci/run runs it (-m slow)
def test_real_process_prints_no_traceback(tmp_path):
    bad = write(tmp_path, "bad.yaml", "cluster_name: !!python/object/apply:os.system ['id']\n")
    proc = subprocess.run(
        [
            sys.executable,
            "-c",
            "import cli; cli.main()",
            "draft",
            str(bad),
            "-o",
            str(tmp_path / "p.md"),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 2 and proc.stdout == ""
    assert "Traceback" not in proc.stderr and len(proc.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "p.md").exists()


# --- spreadsheets --------------------------------------------------------------------------------


@pytest.fixture
def workbook(cli, tmp_path) -> Path:
    path = tmp_path / "blank.xlsx"
    code, _, err = cli("questionnaire", "--format", "xlsx", "--lang", "en", "-o", path)
    assert code == 0, err
    return path


def _fill(path: Path, answers: dict[str, object], dest: Path) -> Path:
    from openpyxl import load_workbook

    wb = load_workbook(path)
    ws = wb.worksheets[0]
    header = [c.value for c in ws[1]]
    col = next(i for i, h in enumerate(header) if isinstance(h, str) and h.lower() == "answer") + 1
    for row in ws.iter_rows(min_row=2):
        if row[0].value in answers:
            ws.cell(row=row[0].row, column=col, value=answers[row[0].value])
    wb.save(dest)
    return dest


def test_spreadsheet_formulas_are_not_evaluated(cli, tmp_path, workbook):
    bad = _fill(
        workbook,
        {
            "cluster_name": "X",
            "activity_smes": "=7*7",
            "region_name": '=HYPERLINK("http://evil","x")',
        },
        tmp_path / "f.xlsx",
    )
    lines = refused(cli, tmp_path, bad)
    assert len(lines) == 2 and all("formulas are not evaluated" in line for line in lines)
    assert all(re.search(r": \S+![A-Z]+\d+: ", line) for line in lines)  # sheet!cell


def test_spreadsheet_with_macros_is_refused(cli, tmp_path, workbook):
    filled = _fill(workbook, {"cluster_name": "X"}, tmp_path / "ok.xlsx")
    bad = tmp_path / "macro.xlsm"
    shutil.copy(filled, bad)
    with zipfile.ZipFile(bad, "a") as z:
        z.writestr("xl/vbaProject.bin", b"\xd0\xcf\x11\xe0 fake VBA project")
    lines = refused(cli, tmp_path, bad)
    assert len(lines) == 1 and "macros" in lines[0]


def test_junk_named_xlsx_is_refused(cli, tmp_path):
    lines = refused(cli, tmp_path, write(tmp_path, "junk.xlsx", b"not a zip at all"))
    assert len(lines) == 1 and "xlsx" in lines[0]


@pytest.mark.slow  # end to end; .ci/run runs it (-m slow)
def test_spreadsheet_zip_bomb_is_refused(cli, tmp_path, workbook):
    bad = tmp_path / "bomb.xlsx"
    shutil.copy(workbook, bad)
    with zipfile.ZipFile(bad, "a", compression=zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/media/padding.bin", b"\x00" * 300_000_000)
    assert bad.stat().st_size < 2_000_000
    lines = refused(cli, tmp_path, bad)
    assert len(lines) == 1 and "unpacks" in lines[0]


# --- template-like text and HTML in user fields and knowledge texts ----------------------------

EVIL = "ZZA{{ 7*7 }}{% for x in range(3) %}L{% endfor %}<script>alert(1)</script>ZZB"


def _evil_assessment(tmp_path: Path) -> Path:
    data = yaml.safe_load(NN.read_text(encoding="utf-8"))
    data["cluster_name"] = EVIL
    data["region_name"] = EVIL
    data["swot_strengths"] = [EVIL, "<img src=x onerror=alert(1)>"]
    data["swot_threats"] = [EVIL]
    data["assessment_notes"] = EVIL
    path = tmp_path / "evil.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def _between_markers(text: str) -> list[str]:
    found = re.findall(r"ZZA(.*?)ZZB", text, flags=re.S)
    assert found, "the injected text is missing from the output"
    return found


def _check_literal(text: str, fmt: str) -> None:
    for inside in _between_markers(text):
        assert "49" not in inside and "LLL" not in inside  # never evaluated
        assert "7" in inside and "range(3)" in inside  # kept, literally
        if fmt == "html":
            assert "{{ 7*7 }}" in inside and "&lt;script&gt;" in inside
        else:
            assert "\\<script\\>" in inside
    if fmt == "html":
        assert "<script" not in text.lower() and "<img" not in text.lower()
    else:
        assert not re.search(r"(?<!\\)<(script|img)", text)


@pytest.mark.parametrize("fmt", ["md", "html"])
@pytest.mark.parametrize("lang", ["en", "ru"])
def test_template_and_html_in_user_fields_print_literally(cli, tmp_path, fmt, lang):
    out = tmp_path / f"p.{fmt}"
    code, _, err = cli("draft", _evil_assessment(tmp_path), "-o", out, "--lang", lang)
    assert code == 0, err
    _check_literal(out.read_text(encoding="utf-8"), fmt)


@pytest.fixture
def evil_knowledge(tmp_path, nn_result) -> Path:
    root = tmp_path / "knowledge"
    shutil.copytree(ROOT / "knowledge", root)
    rec_id = nn_result.recommendations[0]
    rec_file = root / "recommendations.yaml"
    data = yaml.safe_load(rec_file.read_text(encoding="utf-8"))
    rec = next(r for r in data["recommendations"] if r["id"] == rec_id)
    for key in ("text", "title", "rationale"):
        rec[key] = {"en": EVIL, "ru": EVIL}
    cited = rec.get("sources") or []
    rec_file.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    src_file = root / "sources.yaml"
    sources = yaml.safe_load(src_file.read_text(encoding="utf-8"))
    for s in sources["sources"]:
        if s["id"] in cited or not cited:
            s["citation"] = {"en": EVIL, "ru": EVIL}
    src_file.write_text(
        yaml.safe_dump(sources, allow_unicode=True, sort_keys=False), encoding="utf-8"
    )
    return root


@pytest.mark.slow  # the default suite stays under 90 s; CI runs the slow ones
@pytest.mark.parametrize("fmt", ["md", "html"])
def test_template_and_html_in_knowledge_texts_print_literally(cli, tmp_path, evil_knowledge, fmt):
    out = tmp_path / f"p.{fmt}"
    code, _, err = cli("draft", NN, "-o", out, "--lang", "en", "--knowledge", evil_knowledge)
    assert code == 0, err
    text = out.read_text(encoding="utf-8")
    assert len(_between_markers(text)) >= 4  # title, text, rationale, citation
    _check_literal(text, fmt)
