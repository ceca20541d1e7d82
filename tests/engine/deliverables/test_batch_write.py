"""engine/deliverables/batch_write.py: the batch's writer thread writes in input order, turns a
program it cannot write into that input's failure, and stops on a file another run wrote or an
interrupt, which the parent then raises; what was drafted before an interrupt is still written."""

from __future__ import annotations

import threading

import pytest

from engine.deliverables.batch import Outcome
from engine.deliverables.batch_write import OrderedWriter
from engine.errors import OutputError, OutputExistsError


def outcomes(n: int) -> list[Outcome]:
    return [Outcome(i, f"in-{i}.yaml", f"out-{i}.md", f"text {i}", {"row": i}) for i in range(n)]


class Recorder:
    def __init__(self, fail: dict[str, BaseException] | None = None) -> None:
        self.fail = fail or {}
        self.files: list[str] = []
        self.threads: set[str] = set()
        self.reported: list[str] = []
        self.advanced = 0

    def write(self, name: str, data: str | bytes) -> None:
        self.threads.add(threading.current_thread().name)
        if name in self.fail:
            raise self.fail[name]
        self.files.append(name)

    def report(self, line: str) -> None:
        self.reported.append(line)

    def advance(self, n: int) -> None:
        self.advanced += n


def test_writes_in_order_on_a_thread_and_reports_failures():
    rec = Recorder({"out-3.md": OutputError("out-3.md: cannot write: No space left on device")})
    items = outcomes(40)
    items[5] = Outcome(5, "in-5.yaml", None, problems=["in-5.yaml: broken"])
    with OrderedWriter(rec.write, rec.report, rec.advance) as w:
        for o in items:
            w.put(o)
    expected = [o.output for o in items if o.output and o.index != 3]
    assert rec.files == expected == w.written
    assert rec.threads == {"batch-writer"}  # not the parent's own thread
    assert rec.reported == [
        "in-3.yaml: out-3.md: cannot write: No space left on device",
        "in-5.yaml: broken",
    ]
    assert items[3].row is None and not items[3].ok
    assert rec.advanced == 40


@pytest.mark.parametrize(
    "error", [OutputExistsError("out-2.md: already exists"), KeyboardInterrupt]
)
def test_a_file_written_meanwhile_or_an_interrupt_stops_the_writing(error):
    rec = Recorder({"out-2.md": error})
    expected = error if isinstance(error, type) else type(error)
    with pytest.raises(expected), OrderedWriter(rec.write, rec.report, rec.advance) as w:
        for o in outcomes(30):
            w.put(o)
    assert rec.files == ["out-0.md", "out-1.md"]  # nothing after it, nothing replaced


def test_what_was_drafted_before_an_interrupt_is_written():
    rec = Recorder()
    with pytest.raises(KeyboardInterrupt), OrderedWriter(rec.write, rec.report, rec.advance) as w:
        for o in outcomes(10):
            w.put(o)
        raise KeyboardInterrupt  # Ctrl-C in the parent, while the workers draft on
    assert rec.files == [f"out-{i}.md" for i in range(10)]


def test_nothing_to_write_starts_no_thread():
    rec = Recorder()
    with OrderedWriter(rec.write, rec.report, rec.advance) as w:
        pass
    assert w.thread is None and rec.files == []


class _Stderr:
    def __init__(self, tty: bool) -> None:
        self.tty = tty

    def isatty(self) -> bool:
        return self.tty

    def write(self, text: str) -> int:
        return len(text)

    def flush(self) -> None:
        pass


def test_no_progress_bar_and_no_rich_when_stderr_is_no_terminal(monkeypatch):
    """Writing to a file or a pipe, the batch shows no bar and does not even import rich (~30 ms
    before the first cluster); rich is asked only when stderr is a terminal or the environment
    (FORCE_COLOR, TTY_COMPATIBLE) may make it one."""
    import sys

    from engine.deliverables.batch_write import progress_bar

    monkeypatch.delenv("FORCE_COLOR", raising=False)
    monkeypatch.delenv("TTY_COMPATIBLE", raising=False)
    monkeypatch.setattr(sys, "stderr", _Stderr(tty=False))
    monkeypatch.setitem(sys.modules, "rich.console", None)  # importing it would now fail
    with progress_bar(3, True) as advance:
        advance(1)
    monkeypatch.setattr(sys, "stderr", _Stderr(tty=True))
    with pytest.raises(ImportError), progress_bar(3, True):
        pass  # a terminal: rich is asked (and here cannot be imported)
    monkeypatch.setattr(sys, "stderr", _Stderr(tty=False))
    monkeypatch.setenv("TTY_COMPATIBLE", "0")
    with pytest.raises(ImportError), progress_bar(3, True):
        pass  # the environment may say "terminal": rich decides
