"""engine/authoring/skeleton.py (`kb new`): skeletons go into the right files, keep what is there,
refuse before writing, and leave only TODOs for `kb check` to point at."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.conftest import ROOT


@pytest.fixture
def kb(tmp_path, monkeypatch) -> Path:
    shutil.copytree(ROOT / "knowledge", tmp_path / "knowledge")
    monkeypatch.chdir(tmp_path)
    return tmp_path / "knowledge"


def _snapshot(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def _kept(before: bytes, after: bytes) -> bool:
    """Every line of the old text is still there, in order (the skeleton only adds lines)."""
    old = iter(after.decode().splitlines())
    return all(any(line == x for x in old) for line in before.decode().splitlines())


@pytest.mark.parametrize(
    ("kind", "ident", "files"),
    [
        (
            "measure",
            "co_export_day",
            {
                "recommendations.yaml",
                "rules/co_export_day.yaml",
                "document.yaml",
                "resources.yaml",
                "scenarios/co_export_day.yaml",
            },
        ),
        ("partner", "zz_partner", {"partners.yaml"}),
        # QM: ISO 3166 user-assigned, so no profile an author adds can take the code first
        ("country", "QM", {"countries.yaml", "document.yaml"}),
        ("scenario", "my_case", {"scenarios/my_case.yaml"}),
    ],
)
def test_kb_new_adds_the_skeleton_to_the_right_files_and_keeps_the_rest(
    cli, kb, kind, ident, files
):
    before = _snapshot(kb)
    code, out, err = cli("kb", "new", kind, ident, "--knowledge", "knowledge")
    assert code == 0, err
    after = _snapshot(kb)
    changed = {name for name in after if before.get(name) != after[name]}
    assert changed == files
    for name in changed & set(before):
        assert _kept(before[name], after[name]), name
    for name in files:
        assert f"knowledge/{name}" in out
        assert ident in after[name].decode()
    assert "to touch:" in out and "kb check" in out


@pytest.mark.slow  # ~1 s: run by CI's slow pass, kept out of the default suite's budget
def test_a_new_measure_leaves_only_its_todos_for_kb_check(cli, kb):
    cli("kb", "new", "measure", "co_export_day", "--knowledge", "knowledge")
    code, out, _ = cli("kb", "check", "--knowledge", "knowledge")
    errors = [line for line in out.splitlines() if ": error: " in line]
    assert code == 1
    assert len(errors) == 2, errors
    assert "unknown KPI 'TODO_kpi'" in errors[0] and "recommendations.yaml" in errors[0]
    assert "unknown finding 'TODO_finding'" in errors[1] and "co_export_day.yaml" in errors[1]
    # the plan entry went under `plan:` of document.yaml: no complaint about a measure without one
    assert "plan" not in "\n".join(errors)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("country", "ZZ"), "'ZZ' is reserved for a country without a profile"),
        (("country", "KZ"), "'KZ' already exists"),
        (("country", "kz"), "not an ISO 3166 alpha-2 code"),
        (("measure", "rg_foreign_fairs"), "'rg_foreign_fairs' already exists"),
        (("partner", "axelera"), "'axelera' already exists"),
        (("measure", "Bad-Id"), "is not an id"),
        (("rule", "x"), "unknown kind 'rule'"),
    ],
)
@pytest.mark.slow
def test_kb_new_refuses_before_writing_anything(cli, kb, args, message):
    before = _snapshot(kb)
    code, out, err = cli("kb", "new", *args, "--knowledge", "knowledge")
    assert code == 2
    assert message in err and "Traceback" not in out + err
    assert _snapshot(kb) == before


def test_kb_new_never_replaces_a_file(cli, kb):
    (kb / "scenarios" / "co_export_day.yaml").write_text("name: mine\n", encoding="utf-8")
    before = _snapshot(kb)
    code, _, err = cli("kb", "new", "measure", "co_export_day", "--knowledge", "knowledge")
    assert code == 2 and "already exists; kb new never replaces a file" in err
    # the measure's other files were not touched either: checked first, written after
    assert _snapshot(kb) == before
