"""No lost or half-written files: outputs are atomic, never overwritten without --force, the
input is never modified, and a failure or an interruption leaves only complete files (and no
temporary files)."""

from __future__ import annotations

import hashlib
import os
import shutil
from pathlib import Path

import pytest

import engine.files.atomic as output
import engine.render.jinja as render
from engine.errors import OutputError, OutputExistsError
from engine.files.atomic import Inputs, write_atomic
from tests.conftest import EXAMPLES

NN = EXAMPLES / "nizhny-novgorod.yaml"


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def listing(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


@pytest.fixture
def assessment(tmp_path) -> Path:
    path = tmp_path / "in" / "cluster.yaml"
    path.parent.mkdir()
    shutil.copy(NN, path)
    return path


def test_existing_output_is_not_overwritten_without_force(cli, tmp_path, assessment):
    out = tmp_path / "program.md"
    out.write_text("my edited draft", encoding="utf-8")
    stamp = out.stat().st_mtime_ns
    code, _stdout, stderr = cli("draft", assessment, "-o", out)
    assert code == 2 and "--force" in stderr and "Traceback" not in stderr
    assert out.read_text(encoding="utf-8") == "my edited draft" and out.stat().st_mtime_ns == stamp
    assert listing(tmp_path) == ["in", "program.md"]
    code, _, _ = cli("draft", assessment, "-o", out, "--force")
    assert code == 0 and out.read_text(encoding="utf-8").startswith("# ")


@pytest.mark.parametrize(
    "args",
    [
        ["draft", "-f", "md"],
        ["draft", "-f", "json"],
        ["draft", "-f", "html", "--lang", "en"],
        ["assess"],
        ["assess", "-f", "json"],
        ["why", "org_intl_working_group"],
        ["why-not", "co_mutual_offices"],
        ["what-if", "--set", "activity_smes=4"],
    ],
)
def test_the_input_is_never_modified(cli, assessment, args):
    before, stamp = digest(assessment), assessment.stat().st_mtime_ns
    code, _, err = cli(args[0], assessment, *args[1:])
    assert code in (0, 1), err
    assert digest(assessment) == before and assessment.stat().st_mtime_ns == stamp
    assert listing(assessment.parent) == ["cluster.yaml"]


def test_output_that_names_the_input_is_refused_even_with_force(cli, assessment):
    before = digest(assessment)
    for extra in ([], ["--force"]):
        code, _, err = cli("draft", assessment, "-o", assessment, *extra)
        assert code == 2 and "input" in err
        assert digest(assessment) == before
    code, _, err = cli(
        "kb", "export-clips", "--assessment", assessment, "-o", assessment, "--force"
    )
    assert code == 2 and digest(assessment) == before


def test_draft_writes_through_write_atomic(cli, tmp_path, assessment, monkeypatch):
    calls = []
    original = output.write_atomic

    def spy(path, data, *, inputs, force=False):
        calls.append((Path(path).name, force))
        return original(path, data, inputs=inputs, force=force)

    monkeypatch.setattr(output, "write_atomic", spy)
    for fmt in ("md", "html", "json"):
        code, _, err = cli("draft", assessment, "-o", tmp_path / f"p.{fmt}")
        assert code == 0, err
    assert calls == [("p.md", False), ("p.html", False), ("p.json", False)]


@pytest.mark.parametrize("error", [RuntimeError("template exploded"), KeyboardInterrupt()])
def test_failure_mid_render_leaves_no_output_and_no_temp_file(
    cli, tmp_path, assessment, monkeypatch, error
):
    def broken(*args, **kwargs):
        raise error

    monkeypatch.setattr(render, "render", broken)  # the renderer of md (engine/render/formats.py)
    out = tmp_path / "out" / "program.md"
    out.parent.mkdir()
    if isinstance(error, KeyboardInterrupt):
        code, _, err = cli("draft", assessment, "-o", out)
        assert code == 130 and "interrupted" in err
    else:
        with pytest.raises(RuntimeError):
            cli("draft", assessment, "-o", out)
    assert listing(out.parent) == []


@pytest.mark.parametrize("where", ["write", "fsync", "replace"])
def test_failure_while_writing_keeps_the_old_file_and_removes_the_temp_file(
    tmp_path, monkeypatch, where
):
    target = tmp_path / "program.md"
    target.write_text("old complete version", encoding="utf-8")

    def boom(*args, **kwargs):
        raise KeyboardInterrupt

    if where == "write":
        real_fdopen = os.fdopen
        monkeypatch.setattr(
            output.os, "fdopen", lambda fd, mode: _FailingFile(real_fdopen(fd, mode))
        )
    else:
        monkeypatch.setattr(output.os, where, boom)
    # a full disk is reported as an OutputError (exit 2, a message), never a traceback
    with pytest.raises((KeyboardInterrupt, OutputError)):
        write_atomic(target, "new " * 100_000, force=True, inputs=Inputs())
    assert target.read_text(encoding="utf-8") == "old complete version"
    assert listing(tmp_path) == ["program.md"]


class _FailingFile:
    """A file object whose write dies half-way (disk full)."""

    def __init__(self, fh: object) -> None:
        self.fh = fh

    def __enter__(self) -> _FailingFile:
        return self

    def __exit__(self, *exc: object) -> None:
        self.fh.close()

    def write(self, data: bytes) -> int:
        self.fh.write(data[: len(data) // 2])
        raise OSError(28, "No space left on device")


def test_write_atomic_refuses_to_overwrite_without_force(tmp_path):
    target = tmp_path / "a.md"
    write_atomic(target, "one", inputs=Inputs())
    with pytest.raises(OutputExistsError):
        write_atomic(target, "two", inputs=Inputs())
    assert target.read_text(encoding="utf-8") == "one"
    write_atomic(target, "two", force=True, inputs=Inputs())
    assert target.read_text(encoding="utf-8") == "two" and listing(tmp_path) == ["a.md"]


def _batch_inputs(tmp_path: Path, n: int) -> Path:
    folder = tmp_path / "inputs"
    folder.mkdir()
    for i in range(n):
        text = NN.read_text(encoding="utf-8").replace(
            "activity_smes: 1 ", f"activity_smes: {i % 5} "
        )
        (folder / f"cluster-{i}.yaml").write_text(text, encoding="utf-8")
    return folder


@pytest.mark.parametrize("during", ["render", "write"])
def test_interrupted_batch_leaves_only_complete_files(
    cli, tmp_path, monkeypatch, knowledge, session, during
):
    from engine import api

    inputs = _batch_inputs(tmp_path, 5)
    before = {p.name: digest(p) for p in inputs.iterdir()}
    out = tmp_path / "out"
    calls = {"n": 0}
    if during == "render":
        real = render.render

        def flaky(*args, **kwargs):
            calls["n"] += 1
            if calls["n"] == 3:
                raise KeyboardInterrupt
            return real(*args, **kwargs)

        monkeypatch.setattr(render, "render", flaky)
    else:
        real_fsync = os.fsync

        def flaky_fsync(fd):
            calls["n"] += 1
            if calls["n"] == 3:
                raise KeyboardInterrupt
            return real_fsync(fd)

        monkeypatch.setattr(output.os, "fsync", flaky_fsync)
    code, _, err = cli("batch", inputs, "-o", out, "-j", "1", "--lang", "en")
    assert code == 130 and "interrupted" in err
    written = listing(out)
    assert written == ["cluster-0.md", "cluster-1.md"]  # complete ones only: no temp, no summary
    monkeypatch.undo()
    for name in written:
        expected = api.draft(
            api.evaluate(inputs / name.replace(".md", ".yaml"), session), knowledge, "md", "en"
        )
        assert (out / name).read_text(encoding="utf-8") == expected
    assert {p.name: digest(p) for p in inputs.iterdir()} == before
