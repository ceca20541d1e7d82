"""engine/deliverables/batch_summary.py: the summary files after the pool, the workbook built in
a forked child (the parent's own when the child fails), the same files as in one process."""

from __future__ import annotations

import os
import time
from typing import Any

import pytest

from engine.deliverables import batch_summary
from engine.deliverables.batch_summary import Forked, write_summaries
from engine.deliverables.portfolio import dashboard, failed_row, rank_rows
from engine.deliverables.summary import summaries
from tests.engine.deliverables.test_portfolio import CORPUS, rows_of

needs_fork = pytest.mark.skipif(not hasattr(os, "fork"), reason="no fork on this platform")


@pytest.fixture(scope="module")
def rows(knowledge) -> list[dict[str, Any]]:
    """The corpus's rows and two failed inputs, ranked as the batch ranks them."""
    drafted = rows_of(CORPUS[:6], knowledge)
    plain = [
        {k: v for k, v in r.items() if k not in ("distinguishing", "movement")} for r in drafted
    ]
    failed = [failed_row("a.yaml", ["a.yaml: bad"]), failed_row("b.yaml", [])]
    return dashboard(rank_rows(plain[:3] + failed[:1] + plain[3:] + failed[1:]), knowledge)


def given(child: Forked, arg: Any = None) -> Forked:
    child.give(arg)
    return child


@needs_fork
def test_a_forked_child_builds_the_bytes_and_the_parent_falls_back_when_it_fails():
    parent = os.getpid()
    big = given(Forked(lambda n: b"x" * n), 300_000)  # more than a pipe holds, either way
    assert big.result() == b"x" * 300_000

    def only_here(arg: str) -> bytes:
        if os.getpid() != parent:
            raise RuntimeError("the child fails")
        return arg.encode()

    assert given(Forked(only_here), "built by the parent").result() == b"built by the parent"


@needs_fork
def test_a_child_forked_early_prepares_then_builds_from_what_it_is_given_later(tmp_path):
    """The batch forks the workbook's child before its pool: the child prepares (imports its
    modules) at once, then builds from the rows it is given at the end; given nothing because
    the batch stopped, it is killed and reaped."""
    ready = tmp_path / "prepared"
    child = Forked(lambda rows: repr(rows).encode(), prepare=ready.touch)
    deadline = time.monotonic() + 10
    while not ready.exists() and time.monotonic() < deadline:
        time.sleep(0.01)
    assert ready.exists()  # prepared before it was given anything
    rows = [{"cluster": "Кластер", "n": i} for i in range(5_000)]  # more than a pipe holds
    child.give(rows)
    assert child.result() == repr(rows).encode()
    idle = Forked(lambda rows: b"never")
    pid = idle.pid
    assert pid is not None
    idle.close()
    with pytest.raises(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)


def test_the_workbook_modules_leave_numpy_out():
    """The workbook's child imports openpyxl without numpy (half openpyxl's import time: it takes
    numpy only to accept numpy numbers as cell values, which a summary never has)."""
    import subprocess
    import sys

    probe = (
        "import sys; from engine.deliverables.batch_summary import _workbook_modules; "
        "_workbook_modules(); print(sys.modules.get('numpy') is None, 'openpyxl' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["True", "True"]


@needs_fork
def test_the_workbook_child_builds_the_workbook_the_parent_would(rows, monkeypatch):
    """Forked before the pool with the batch's language, given the rows at the end: the same
    workbook as the parent's own; no child for one core or too few rows."""
    from engine.deliverables.summary import summary_xlsx

    monkeypatch.setattr(batch_summary, "FORK_ROWS", 4)
    assert batch_summary.workbook_child("ru", 3, workers=2) is None
    assert batch_summary.workbook_child("ru", len(rows), workers=1) is None
    book = batch_summary.workbook_child("ru", len(rows), workers=2)
    assert book is not None and book.pid is not None
    assert given(book, rows).result() == summary_xlsx(rows, "ru")


@needs_fork
def test_a_child_that_hangs_is_stopped_and_the_parent_builds_the_bytes():
    parent = os.getpid()

    def hangs_in_the_child(_: Any) -> bytes:
        if os.getpid() != parent:
            time.sleep(60)
        return b"built by the parent"

    child = given(Forked(hangs_in_the_child))
    pid = child.pid
    assert pid is not None
    started = time.perf_counter()
    assert child.result(timeout=0.5) == b"built by the parent"
    assert time.perf_counter() - started < 10
    with pytest.raises(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)  # stopped and reaped
    assert child.pid is None and child.fd is None


@needs_fork
def test_closing_kills_and_reaps_a_child_still_at_work():
    child = given(Forked(lambda _: time.sleep(30) or b""))
    pid = child.pid
    assert pid is not None
    started = time.perf_counter()
    child.close()
    assert time.perf_counter() - started < 5
    with pytest.raises(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)  # reaped: no zombie left
    assert child.pid is None and child.fd is None


@needs_fork
@pytest.mark.parametrize("workers", [1, 2])
def test_written_summaries_are_the_summaries_forked_or_not(rows, monkeypatch, workers):
    monkeypatch.setattr(batch_summary, "FORK_ROWS", 1)
    forks: list[int] = []
    real = batch_summary.Forked

    def counted(make, prepare=int):
        forks.append(1)
        return real(make, prepare)

    monkeypatch.setattr(batch_summary, "Forked", counted)
    files: dict[str, str | bytes] = {}
    written: list[str] = []
    write_summaries(rows, "ru", 0.5, files.__setitem__, written, workers=workers)
    assert files == summaries(rows, "ru", 0.5)
    assert written == ["summary.csv", "summary.xlsx", "summary.md", "summary.html"]
    assert len(forks) == (1 if workers > 1 else 0)


def test_summary_files_are_written_in_order_while_the_next_is_built():
    """`InOrder` writes on its own thread, in the order given, while the caller goes on (a file
    is written before the next is handed over); the first failure stops the writing and is
    raised at the end; after an interrupt nothing queued is written."""
    import threading

    from engine.deliverables.batch_summary import InOrder

    got: list[tuple[str, str]] = []
    first_written = threading.Event()

    def write(name: str, data: str | bytes) -> None:
        got.append((name, threading.current_thread().name))
        if name == "a":
            first_written.set()

    with InOrder(write) as writer:
        writer.put("a", "1")
        assert first_written.wait(5)  # written while the caller is still inside the `with`
        writer.put("b", b"2")
        writer.put("c", "3")
    assert [n for n, _ in got] == ["a", "b", "c"]
    assert all(t.startswith("summary-writer") for _, t in got)

    tried: list[str] = []

    def fails_on_b(name: str, data: str | bytes) -> None:
        tried.append(name)
        if name == "b":
            raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"), InOrder(fails_on_b) as writer:
        for name in "abc":
            writer.put(name, "")
    assert tried == ["a", "b"]  # nothing after the failure

    release = threading.Event()
    slow: list[str] = []

    def blocks(name: str, data: str | bytes) -> None:
        release.wait(5)
        slow.append(name)

    # "a" is being written (held until after the interrupt) and "b" waits when Ctrl-C comes
    threading.Timer(0.3, release.set).start()
    with pytest.raises(KeyboardInterrupt), InOrder(blocks) as writer:
        writer.put("a", "")
        writer.put("b", "")
        raise KeyboardInterrupt
    assert slow == ["a"]  # the file being written is finished, the one waiting is dropped
