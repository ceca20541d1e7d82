"""Assessments of an earlier format (issue 24 item 1): the previous release's examples draft with
one notice per mapped field, `migrate` rewrites them so that they draft identically with no notice
and lose no comment, basis or source, and what cannot be mapped is refused, located, with nothing
written. knowledge/formats.yaml is the table; tests/fixtures/previous-release/ holds the four
examples as the release before 94d7788 shipped them."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
import yaml

from tests.conftest import EXAMPLES, ROOT

OLD = ROOT / "tests" / "fixtures" / "previous-release"
UNSEEN = ROOT / "tests" / "fixtures" / "unseen"
OLD_FILES = sorted(OLD.glob("*.yaml"))
NOTICE = re.compile(r"^(?P<file>\S+):(?P<line>\d+):(?P<col>\d+): warning: (?P<field>\w+): ", re.M)


def notices(err: str) -> list[tuple[str, int, str]]:
    """(file name, line, field) of every earlier-format warning on stderr."""
    return [(Path(m["file"]).name, int(m["line"]), m["field"]) for m in NOTICE.finditer(err)]


def line_of(path: Path, key: str) -> int:
    """The line of the top-level key `key` in a YAML file."""
    for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if line.startswith((f"{key}:", f'"{key}":')):
            return i
    raise AssertionError(f"{key} not in {path}")


def comments(text: str) -> set[str]:
    """The comment texts of a YAML file (what follows ' #' or a leading '#'), stripped."""
    out = set()
    for line in text.splitlines():
        m = re.search(r"(?:^|\s)#\s?(.*)$", line)
        if m and m.group(1).strip():
            out.add(m.group(1).strip())
    return out


def provenance(text: str) -> set[tuple[str, str]]:
    """Every (basis, source) pair declared in a YAML assessment text, commented or not."""
    return set(re.findall(r"basis: (\w[\w-]*)(?:, source: \"([^\"]*)\")?", text))


def old_with_field(tmp_path: Path, name: str, entry: str, drop: str | None = None) -> Path:
    """An unseen cluster's file with an earlier format's entry added (and a key taken out)."""
    src = UNSEEN / name
    lines = src.read_text(encoding="utf-8").splitlines(keepends=True)
    if drop:
        lines = [x for x in lines if not x.startswith(f"{drop}:")]
    lines.append(entry + "\n")
    out = tmp_path / f"old-{name}"
    out.write_text("".join(lines), encoding="utf-8")
    return out


# --- reading an earlier format -----------------------------------------------------------------


def test_previous_release_examples_are_four_and_each_has_smes_total():
    assert {p.stem for p in OLD_FILES} == {
        "mature-cluster",
        "nascent-cluster",
        "nizhny-novgorod",
        "nizhny-novgorod-2014",
    }
    for p in OLD_FILES:
        assert "smes_total" in yaml.safe_load(p.read_text(encoding="utf-8"))


@pytest.mark.parametrize("path", OLD_FILES, ids=lambda p: p.stem)
def test_previous_release_example_reads_with_one_notice_per_mapped_field(session, path):
    from engine import api

    a = api.load(path, session.knowledge)
    assert [(n.field, n.kind, n.format) for n in a.notices] == [("smes_total", "duplicate", 1)]
    p = a.notices[0].problem
    assert (p.line, p.col, p.path, p.severity) == (
        line_of(path, "smes_total"),
        1,
        "smes_total",
        "warning",
    )
    assert "num_members_sme" in p.message and "94d7788" in p.message
    # the SME share divides by num_members_sme, the value the old file gave it
    assert a.get("num_members_sme") == yaml.safe_load(path.read_text())["num_members_sme"]


def test_previous_release_example_drafts_with_its_notice_on_stderr(cli, tmp_path):
    path = OLD / "nascent-cluster.yaml"
    out = tmp_path / "p.md"
    code, _stdout, err = cli("draft", path, "-o", out, "--lang", "en")
    assert code == 0, err
    assert notices(err) == [("nascent-cluster.yaml", line_of(path, "smes_total"), "smes_total")]
    assert "Traceback" not in err and out.exists()


def test_smes_total_given_alone_moves_to_num_members_sme_with_its_basis(session, tmp_path):
    from engine import api

    path = old_with_field(
        tmp_path,
        "chilean-mining.yaml",
        'smes_total: {value: 80, basis: reported, source: "Cluster register 2024"}  # register',
        drop="num_members_sme",
    )
    a = api.load(path, session.knowledge)
    assert a.get("num_members_sme") == 80
    assert a.provenance["num_members_sme"] == {
        "basis": "reported",
        "source": "Cluster register 2024",
    }
    assert [(n.kind, n.problem.line) for n in a.notices] == [("moved", line_of(path, "smes_total"))]
    # a wrong value is reported at the old line, under the name it is read as
    bad = old_with_field(tmp_path, "belarus-pharma.yaml", "smes_total: -3", drop="num_members_sme")
    with pytest.raises(api.InputError) as exc:
        api.load(bad, session.knowledge)
    assert f":{line_of(bad, 'smes_total')}:13: num_members_sme: -3 is out of scale" in str(
        exc.value
    )


def test_smes_total_differing_from_num_members_sme_is_not_used(session, tmp_path):
    """Before 94d7788 the SME share divided by smes_total, 'usually the same as' num_members_sme;
    now it divides by num_members_sme, so that one wins and the notice names the unused value."""
    from engine import api

    path = old_with_field(tmp_path, "uzbek-textiles.yaml", "smes_total: 55")
    a = api.load(path, session.knowledge)
    assert a.get("num_members_sme") == 40
    (n,) = a.notices
    assert n.kind == "conflict"
    assert "its value 55 was not used: num_members_sme = 40 applies" in n.problem.message


def test_declared_current_format_refuses_an_old_field_saying_what_replaced_it(cli, tmp_path):
    src = OLD / "mature-cluster.yaml"
    path = tmp_path / "declared.yaml"
    path.write_text("format: cluster-intl/assessment/2\n" + src.read_text(), encoding="utf-8")
    out = tmp_path / "out.md"
    code, _stdout, err = cli("draft", path, "-o", out)
    assert code == 2 and not out.exists() and "Traceback" not in err
    line = line_of(path, "smes_total")
    assert f"declared.yaml:{line}:1: smes_total: not in the declared format 2" in err
    assert "replaced by num_members_sme" in err
    # the same file declaring format 1 reads with its notice
    path.write_text("format: cluster-intl/assessment/1\n" + src.read_text(), encoding="utf-8")
    code, _, err = cli("assess", path)
    assert code == 0 and [f for *_, f in notices(err)] == ["smes_total"]


@pytest.mark.parametrize(
    ("value", "says"),
    [
        ("cluster-intl/assessment/9", "the file is format 9, written by a later cluster-intl"),
        ("cluster-intl/assessment/0", "expected cluster-intl/assessment/N"),
        ("3", "expected cluster-intl/assessment/N"),
    ],
)
def test_format_line_of_a_later_or_unknown_format_is_refused_located(cli, tmp_path, value, says):
    path = tmp_path / "a.yaml"
    path.write_text(f"format: {value}\n" + (EXAMPLES / "nascent-cluster.yaml").read_text())
    code, _, err = cli("assess", path)
    assert code == 2 and f"a.yaml:1:9: format: {says}" in err and "Traceback" not in err


def test_unknown_indicator_hint_for_smes_total_no_longer_points_to_students_total(cli):
    code, _, err = cli("what-if", EXAMPLES / "nascent-cluster.yaml", "--set", "smes_total=3")
    assert code == 2
    assert "students_total" not in err and "replaced by num_members_sme" in err


@pytest.mark.slow
def test_a_refused_field_of_the_table_stops_the_file_located(cli, tmp_path):
    """A change the table marks `refused` (no such field in our history yet: a copy of the
    knowledge base adds one) is an error at its line that says what to do; nothing is written."""
    kb = tmp_path / "knowledge"
    shutil.copytree(ROOT / "knowledge", kb, ignore=shutil.ignore_patterns("scenarios"))
    text = (kb / "formats.yaml").read_text(encoding="utf-8")
    text = text.replace(
        "changes:\n",
        "changes:\n"
        "  - field: export_share_estimate\n"
        "    last_format: 1\n"
        "    action: refused\n"
        '    what_to_do: {ru: "укажите экспорт числом", en: "give the export as a number"}\n'
        '    commit: "0000000"\n'
        '    date: "2026-12-07"\n'
        '    reason: {ru: "оценка на глаз", en: "a rough guess"}\n',
        1,
    )
    (kb / "formats.yaml").write_text(text, encoding="utf-8")
    path = old_with_field(tmp_path, "kazakh-agrifood.yaml", "export_share_estimate: high")
    out = tmp_path / "new.yaml"
    code, _, err = cli("migrate", path, "-o", out, "--knowledge", kb)
    assert code == 2 and not out.exists() and "Traceback" not in err
    line = line_of(path, "export_share_estimate")
    assert f":{line}:1: export_share_estimate: a field of format 1" in err
    assert "give the export as a number" in err


# --- migrate ---------------------------------------------------------------------------------


def test_migrate_text_keeps_every_line_but_the_one_no_longer_used(session):
    """The rewrite is a text edit: every line of the old file is still there (the unused entry
    as a comment), the format line is added after the opening comments, and the result reads
    with the same answers and no notice (engine/assessment/migrate.py; drafting identically is
    the slow test below)."""
    from engine.assessment.migrate import migrate_text
    from engine.assessment.validate import validate_mapping
    from engine.files.strict_yaml import load_yaml_text

    path = OLD / "nizhny-novgorod-2014.yaml"
    old = path.read_text(encoding="utf-8")
    m = migrate_text(old, "old.yaml", session.knowledge, "en")
    assert [n.field for n in m.notices] == ["smes_total"] and not m.already_current
    new_lines = m.text.splitlines()
    first_key = next(i for i, x in enumerate(old.splitlines()) if x and not x.startswith("#"))
    assert new_lines[first_key] == "format: cluster-intl/assessment/2"
    for line in old.splitlines():
        assert line in new_lines or f"# {line}" in new_lines
    assert "# cluster-intl migrate: smes_total: the same value 40 as num_members_sme" in m.text
    assert comments(old) <= {c.split("# ", 1)[-1] for c in comments(m.text)} | comments(m.text)
    located = load_yaml_text(m.text, "new.yaml")
    a = validate_mapping(located.data, located, session.knowledge)
    assert a.notices == () and a.get("num_members_sme") == 40


def test_migrated_file_satisfies_the_assessment_schema_which_an_old_one_does_not(session):
    from engine.assessment.migrate import migrate_text
    from tests.engine.authoring.test_schema import Validator

    schema = Validator("assessment.schema.json")
    old = (OLD / "mature-cluster.yaml").read_text(encoding="utf-8")
    assert any("smes_total" in e for e in schema.errors(yaml.safe_load(old)))
    new = migrate_text(old, "m.yaml", session.knowledge, "en").text
    assert schema.errors(yaml.safe_load(new)) == []
    assert schema.errors({**yaml.safe_load(new), "format": "cluster-intl/assessment/3"})


def test_migrate_text_renames_a_moved_key_in_place_with_its_basis_and_comment(session, tmp_path):
    from engine.assessment.migrate import migrate_text

    path = old_with_field(
        tmp_path,
        "armenian-it.yaml",
        '"smes_total": {value: 120, basis: estimate, source: "Ministry survey"}  # 2023 count',
        drop="num_members_sme",
    )
    m = migrate_text(path.read_text(encoding="utf-8"), "x.yaml", session.knowledge, "ru")
    assert [(n.field, n.kind) for n in m.notices] == [("smes_total", "moved")]
    line = (
        '"num_members_sme": {value: 120, basis: estimate, source: "Ministry survey"}  # 2023 count'
    )
    assert line in m.text.splitlines() and "smes_total" not in m.text
    assert provenance(path.read_text(encoding="utf-8")) == provenance(m.text)


def drafts(cli, path: Path, tmp_path: Path, tag: str) -> dict[str, str]:
    """The JSON result (its source path left out) and the Markdown documents of one file."""
    out: dict[str, str] = {}
    for name, args in {
        "json": ("-f", "json"),
        "md": ("-f", "md", "--lang", "en"),
        "consultant": ("-f", "md", "--audience", "consultant"),
    }.items():
        target = tmp_path / f"{path.stem}-{tag}-{name}.out"
        code, _, err = cli("draft", path, "-o", target, *args)
        assert code == 0, err
        out[name] = target.read_text(encoding="utf-8")
    data = json.loads(out["json"])
    data["cluster"].pop("source")
    out["json"] = json.dumps(data, ensure_ascii=False, sort_keys=True)
    return out


def without_earlier_format_annex(md: str) -> str:
    """The consultant's document without the annex of fields from an earlier format."""
    return re.sub(r"\n## Приложение Е\..*?(?=\n---\n)", "", md, flags=re.S)


def check_migration(cli, path: Path, tmp_path: Path) -> Path:
    """Migrate `path`, then: one notice per mapped field, the new file drafts identically with no
    notice, and keeps every comment, basis and source."""
    new = tmp_path / "migrated" / path.name
    new.parent.mkdir(exist_ok=True)
    code, _, err = cli("migrate", path, "-o", new)
    assert code == 0, err
    fields = [f for *_, f in notices(err)]
    assert fields and len(fields) == len(set(fields))
    old_text, new_text = path.read_text(encoding="utf-8"), new.read_text(encoding="utf-8")
    assert "format: cluster-intl/assessment/2\n" in new_text
    assert comments(old_text) <= set(comments(new_text)) | {
        c.split("# ", 1)[-1] for c in comments(new_text)
    }
    assert provenance(old_text) <= provenance(new_text)
    code, _, err = cli("assess", new)
    assert code == 0 and notices(err) == []
    before, after = drafts(cli, path, tmp_path, "old"), drafts(cli, new, tmp_path, "new")
    assert after["json"] == before["json"]
    assert after["md"] == before["md"]
    assert "## Приложение Е." in before["consultant"] and "Приложение Е." not in after["consultant"]
    assert after["consultant"] == without_earlier_format_annex(before["consultant"])
    return new


@pytest.mark.slow
def test_migrated_nizhny_novgorod_drafts_identically_keeping_its_comments(cli, tmp_path):
    new = check_migration(cli, OLD / "nizhny-novgorod.yaml", tmp_path)
    text = new.read_text(encoding="utf-8")
    # the entry no longer used stays, as a comment under the reason
    assert "# smes_total: 40\n" in text
    assert "# cluster-intl migrate: smes_total — то же значение 40" in text


@pytest.mark.slow
@pytest.mark.parametrize("name", ["mature-cluster", "nascent-cluster", "nizhny-novgorod-2014"])
def test_migrated_previous_release_example_drafts_identically(cli, tmp_path, name):
    check_migration(cli, OLD / f"{name}.yaml", tmp_path)


@pytest.mark.slow
def test_migrated_unseen_cluster_drafts_identically_keeping_the_renamed_basis(cli, tmp_path):
    path = old_with_field(
        tmp_path,
        "armenian-it.yaml",
        '"smes_total": {value: 120, basis: estimate, source: "Ministry survey"}  # 2023 count',
        drop="num_members_sme",
    )
    new = check_migration(cli, path, tmp_path)
    text = new.read_text(encoding="utf-8")
    assert (
        '"num_members_sme": {value: 120, basis: estimate, source: "Ministry survey"}  # 2023 count'
        in text
    )
    assert "smes_total" not in text


def test_migrate_of_a_current_file_says_so_and_adds_only_the_format_line(cli, tmp_path):
    src = UNSEEN / "caspian-shipbuilding.yaml"
    first, second = tmp_path / "a.yaml", tmp_path / "b.yaml"
    code, _, err = cli("migrate", src, "-o", first)
    assert code == 0 and "already the current format" in err and notices(err) == []
    old, new = src.read_text(encoding="utf-8"), first.read_text(encoding="utf-8")
    added = [x for x in new.splitlines() if x not in old.splitlines()]
    assert added == ["format: cluster-intl/assessment/2"]
    code, _, err = cli("migrate", first, "-o", second)
    assert code == 0 and second.read_bytes() == first.read_bytes()


def test_migrate_never_writes_over_its_input(cli, tmp_path):
    path = tmp_path / "old.yaml"
    shutil.copy(OLD / "nascent-cluster.yaml", path)
    before = path.read_bytes()
    code, _, err = cli("migrate", path, "-o", path, "--force")
    assert code == 2 and "Traceback" not in err
    assert path.read_bytes() == before


def test_migrate_refuses_a_workbook_located_and_writes_nothing(cli, tmp_path):
    book = tmp_path / "filled.xlsx"
    book.write_bytes(b"PK\x03\x04 a workbook is refused by its kind, before it is opened")
    out = tmp_path / "out.yaml"
    code, _, err = cli("migrate", book, "-o", out)
    assert code == 2 and not out.exists() and "Traceback" not in err
    assert "filled.xlsx: migrate rewrites YAML assessments" in err


# --- many files of an earlier format -----------------------------------------------------------


def test_draft_with_peers_of_an_earlier_format_tells_each_file(cli, tmp_path):
    out = tmp_path / "p.md"
    code, _, err = cli("draft", EXAMPLES / "nascent-cluster.yaml", "-o", out, "--peers", OLD)
    assert code == 0, err
    assert sorted(notices(err)) == sorted(
        (p.name, line_of(p, "smes_total"), "smes_total") for p in OLD_FILES
    )


@pytest.mark.slow
def test_batch_over_a_folder_of_an_earlier_format_drafts_all_with_notices(cli, tmp_path):
    code, _, err = cli("batch", OLD, "-o", tmp_path / "out", "-j", "1")
    assert code == 0, err
    assert "4 of 4 clusters drafted" in err
    assert sorted(notices(err)) == sorted(
        (p.name, line_of(p, "smes_total"), "smes_total") for p in OLD_FILES
    )


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("format:\ncluster_name: X\n", "format: cluster-intl/assessment/2\ncluster_name: X\n"),
        (
            'format: "cluster-intl/assessment/1"  # kept\ncluster_name: X\n',
            "format: cluster-intl/assessment/2  # kept\ncluster_name: X\n",
        ),
        (
            "---\n# opening\ncluster_name: X  # n\n",
            "---\n# opening\nformat: cluster-intl/assessment/2\ncluster_name: X  # n\n",
        ),
        (
            "cluster_name: X\r\nsmes_total: 4\r\n",
            "format: cluster-intl/assessment/2\r\ncluster_name: X\r\nnum_members_sme: 4\r\n",
        ),
    ],
    ids=["blank-format", "quoted-format-with-comment", "document-marker", "crlf"],
)
def test_migrate_text_sets_the_format_line_in_any_layout(session, old, new):
    from engine.assessment.migrate import migrate_text

    assert migrate_text(old, "x.yaml", session.knowledge, "en").text == new


# --- a workbook of the previous release --------------------------------------------------------

OLD_BOOK = OLD / "workbook" / "mature-cluster.xlsx"


def test_previous_release_workbook_reads_like_its_yaml_with_one_notice_at_the_cell(session):
    """The previous release's questionnaire (made by 94d7788^ `questionnaire --lang en`, filled
    with mature-cluster.yaml's answers) has a smes_total row; it reads as the YAML does."""
    from engine import api

    book = api.load(OLD_BOOK, session.knowledge)
    assert book.values == api.load(OLD / "mature-cluster.yaml", session.knowledge).values
    (n,) = book.notices
    assert (n.field, n.kind, n.problem.path, n.problem.severity) == (
        "smes_total",
        "duplicate",
        "Assessment!A70",
        "warning",
    )


def test_previous_release_workbook_without_num_members_sme_moves_smes_total(session, tmp_path):
    from openpyxl import load_workbook

    from engine import api

    wb = load_workbook(OLD_BOOK)
    ws = wb.active
    row = next(r[0].row for r in ws.iter_rows(min_row=2) if r[0].value == "num_members_sme")
    ws.cell(row=row, column=7).value = None
    path = tmp_path / "moved.xlsx"
    wb.save(path)
    a = api.load(path, session.knowledge)
    assert a.get("num_members_sme") == 35 and [n.kind for n in a.notices] == ["moved"]
    assert a.where("num_members_sme").endswith("moved.xlsx:70")


@pytest.mark.slow
def test_compare_of_two_files_of_an_earlier_format_tells_each_once(cli, tmp_path):
    old, new = OLD / "nizhny-novgorod.yaml", OLD / "nizhny-novgorod-2014.yaml"
    code, _, err = cli("compare", old, new, "-o", tmp_path / "c.md")
    assert code == 0, err
    assert notices(err) == [
        (old.name, line_of(old, "smes_total"), "smes_total"),
        (new.name, line_of(new, "smes_total"), "smes_total"),
    ]


@pytest.mark.slow
def test_consultant_word_document_lists_the_fields_read_from_an_earlier_format(cli, tmp_path):
    from docx import Document

    out = tmp_path / "p.docx"
    path = OLD / "nascent-cluster.yaml"
    code, _, err = cli("draft", path, "-o", out, "--audience", "consultant", "--lang", "en")
    assert code == 0, err
    texts = [p.text for p in Document(str(out)).paragraphs]
    at = texts.index("Annex F. Fields from an earlier format of the assessment file")
    line = line_of(path, "smes_total")
    assert texts[at + 2].startswith(
        f"smes_total (line {line}): the same value 14 as num_members_sme"
    )
    code, _, err = cli("draft", path, "-o", tmp_path / "client.docx", "--lang", "en")
    assert "Annex F." not in [p.text for p in Document(str(tmp_path / "client.docx")).paragraphs]


def test_a_blank_smes_total_beside_num_members_sme_is_left_out_not_called_a_conflict(session):
    """The previous release's blank questionnaire had a `smes_total:` line; left blank beside an
    answered num_members_sme it is no conflict, and migrate keeps it as a comment."""
    from engine.assessment.migrate import migrate_text

    old = "cluster_name: X\nnum_members_sme: 12\nsmes_total:\n"
    m = migrate_text(old, "q.yaml", session.knowledge, "en")
    assert [(n.kind, n.problem.severity) for n in m.notices] == [("blank", "warning")]
    assert "blank; num_members_sme applies" in m.notices[0].problem.message
    assert m.text.endswith(
        "num_members_sme: 12\n# cluster-intl migrate: smes_total: blank; "
        "num_members_sme applies (format 1; removed in format 2, 94d7788: the "
        "number of SMEs was asked twice; the share of SMEs with foreign activity"
        " now divides by num_members_sme)\n# smes_total:\n"
    )
