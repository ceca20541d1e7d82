"""engine/files/atomic.py: the registry of a command's inputs, which the writer never replaces."""

from __future__ import annotations

import os
from pathlib import Path

from engine.files.atomic import Inputs, payload, write_atomic


def test_an_input_is_known_by_name_by_another_spelling_and_by_a_hard_link(tmp_path: Path):
    a = tmp_path / "a.yaml"
    a.write_text("x: 1\n", encoding="utf-8")
    other = tmp_path / "b.yaml"
    other.write_text("x: 2\n", encoding="utf-8")
    inputs = Inputs()
    inputs.add(a)
    assert inputs.holds(a)
    assert inputs.holds(tmp_path / "sub" / ".." / "a.yaml") is False  # no such folder
    (tmp_path / "sub").mkdir()
    assert inputs.holds(tmp_path / "sub" / ".." / "a.yaml")
    os.link(a, tmp_path / "link.yaml")
    assert inputs.holds(tmp_path / "link.yaml")
    assert not inputs.holds(other)
    inputs.add(other)  # added after a check: known from then on
    assert inputs.holds(other)


def test_rerunning_a_batch_with_force_reads_the_inputs_once_not_per_output(tmp_path, monkeypatch):
    """A batch registers its hundreds of inputs and checks each existing output against them:
    every check read every input again (a realpath and a stat each), 480 000 system calls for 400
    clusters, as much time as the drafting."""
    inputs = Inputs()
    for i in range(200):
        f = tmp_path / f"in-{i}.yaml"
        f.write_text("x: 1\n", encoding="utf-8")
        inputs.add(f)
    outputs = []
    for i in range(200):
        f = tmp_path / f"out-{i}.md"
        f.write_text("old\n", encoding="utf-8")
        outputs.append(f)
    calls = {"stat": 0}
    real_stat = os.stat

    def counting_stat(*args, **kwargs):
        calls["stat"] += 1
        return real_stat(*args, **kwargs)

    monkeypatch.setattr(os, "stat", counting_stat)
    for _ in range(3):  # run_batch, write_atomic and the rename each check
        assert not any(inputs.holds(f) for f in outputs)
    assert calls["stat"] <= 200 + 3 * 200  # each input once, each output per check


def test_payload_is_exactly_what_the_writer_writes(tmp_path: Path):
    """A batch worker sends `payload(text)` to the parent, which writes those bytes: they must be
    the very bytes `write_atomic` writes for the text (UTF-8; a surrogate from a file name that
    is not UTF-8 as an escape), and bytes pass unchanged."""
    for text in ("plain", "кириллица «ёлочки» — 2 000 ₽", "name \udcff from a folder", ""):
        write_atomic(tmp_path / "t.md", text, inputs=Inputs(), force=True)
        assert (tmp_path / "t.md").read_bytes() == payload(text)
        write_atomic(tmp_path / "b.md", payload(text), inputs=Inputs(), force=True)
        assert (tmp_path / "b.md").read_bytes() == payload(text)
    assert payload("a\udcffb") == b"a\\udcffb"
    assert payload(b"\x00\xff") == b"\x00\xff"
