"""The batch's writing, in the parent: each program written in input order by a thread while the
workers draft the next ones, and a progress bar."""

from __future__ import annotations

import os
import queue
import sys
import threading
from collections.abc import Callable
from typing import Any, Protocol

from engine.errors import OutputError, OutputExistsError, UsageError

Writer = Callable[[str, "str | bytes"], None]


class Written(Protocol):
    """What the writer reads and sets of a batch outcome (`batch.Outcome`)."""

    source: str
    output: str | None
    data: str | bytes | None
    row: dict[str, Any] | None
    problems: list[str]
    extra: list[tuple[str, str | bytes]]  # more files of the input (its sensitivity map)

    @property
    def ok(self) -> bool:
        """No problems."""
        ...


class OrderedWriter:
    """Writes the programs in order on a thread of the parent, reporting each failed input and
    advancing the progress bar, while the parent hands out work: flushing a file to disk takes
    4-8 ms, during which a worker that has finished its chunk would wait for the next.

    A program that cannot be written is its input's failure; a file another run wrote meanwhile
    (`OutputExistsError`), or an interrupt inside `write`, stops the writing, and `put` (or the
    end of the `with`) raises it in the parent. The thread starts with the first program, after
    the pool has forked (a worker must not inherit a thread's half-held lock), and is not a
    daemon: a file being written is finished or removed before the interpreter exits."""

    def __init__(
        self, write: Writer, report: Callable[[str], None], advance: Callable[[int], None]
    ) -> None:
        self.write, self.report, self.advance = write, report, advance
        self.written: list[str] = []
        self.error: BaseException | None = None
        self.queue: queue.Queue[Written | None] = queue.Queue(maxsize=64)
        self.thread: threading.Thread | None = None

    def __enter__(self) -> OrderedWriter:
        return self

    def put(self, o: Written) -> None:
        """Queue one outcome for writing; raises what stopped the writing, if anything did."""
        if self.error is not None:
            raise self.error
        if self.thread is None:
            self.thread = threading.Thread(target=self._run, name="batch-writer")
            self.thread.start()
        self.queue.put(o)

    def __exit__(self, kind: type[BaseException] | None, *exc: Any) -> None:
        """Write everything queued (after an interrupt too: those programs were finished)."""
        if self.thread is not None:
            self.queue.put(None)
            self.thread.join()
        if kind is None and self.error is not None:
            raise self.error

    def _run(self) -> None:
        while (o := self.queue.get()) is not None:
            if self.error is None:
                try:
                    self._one(o)
                except BaseException as exc:  # the parent raises it
                    self.error = exc

    def _one(self, o: Written) -> None:
        if o.ok and o.output and o.data is not None:
            try:
                self.write(o.output, o.data)
                self.written.append(o.output)
                for name, data in o.extra:
                    self.write(name, data)
                    self.written.append(name)
            except OutputExistsError:
                raise  # another run is writing here: stop, replace nothing
            except (OutputError, UsageError) as exc:
                o.problems = [f"{o.source}: {exc}"]
                o.row = None
        if not o.ok:
            for line in o.problems:
                self.report(line)
        self.advance(1)


class progress_bar:
    """A rich progress bar on stderr, silent when stderr is not a terminal."""

    def __init__(self, total: int, enabled: bool) -> None:
        self.total, self.enabled = total, enabled
        self._progress: Any = None

    def __enter__(self) -> Callable[[int], None]:
        if not (self.enabled and _may_be_terminal()):
            return lambda n: None  # rich not even imported (~30 ms before the first cluster)
        from rich.console import Console

        console = Console(stderr=True)
        if not (self.enabled and console.is_terminal):
            return lambda n: None
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeRemainingColumn,
        )

        self._progress = Progress(
            TextColumn("clusters"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeRemainingColumn(),
            console=console,
            transient=False,
        )
        self._progress.start()
        task = self._progress.add_task("batch", total=self.total)
        return lambda n: self._progress.advance(task, n)

    def __exit__(self, *exc: Any) -> None:
        if self._progress is not None:
            self._progress.stop()


def _may_be_terminal() -> bool:
    """Whether rich could take stderr for a terminal: it is one, or the environment may say so
    (rich reads FORCE_COLOR and TTY_COMPATIBLE, and then decides itself)."""
    if "FORCE_COLOR" in os.environ or "TTY_COMPATIBLE" in os.environ:
        return True
    try:
        return sys.stderr.isatty()
    except (AttributeError, ValueError):  # no stderr, or a closed one
        return False


def map_name(output: str, used: set[str]) -> str:
    """The file of a cluster's sensitivity map beside its program (`NAME.sensitivity.json`),
    unique among the names `used` (lower case), which it joins."""
    stem = output.rsplit(".", 1)[0]
    name, n = f"{stem}.sensitivity.json", 2
    while name.lower() in used:
        name, n = f"{stem}-{n}.sensitivity.json", n + 1
    used.add(name.lower())
    return name
