"""The batch's four summary files, once every cluster is drafted. They need the whole batch (the
peer ranks, the distinguishing measures), so they come after the pool, when one core is idle: the
workbook, most of their time (openpyxl's cells), is built there by a forked child while the parent
builds the CSV and the two pages."""

from __future__ import annotations

import contextlib
import gc
import importlib
import multiprocessing
import os
import pickle
import select
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from functools import partial
from typing import Any, NoReturn

from engine.deliverables.summary import summaries, summary_xlsx

Writer = Callable[[str, "str | bytes"], None]

FORK_ROWS = 64  # below this a workbook takes a few milliseconds: no second process for it


def heap_frozen() -> bool:
    """Whether anything is frozen (`gc.freeze`) now. Python counts the frozen objects one by one
    (the knowledge base read back from the cache is ~58 000 of them, 5-30 ms): a batch asks
    once and passes the answer to each `frozen_heap` of its own."""
    return gc.get_freeze_count() > 0


@contextlib.contextmanager
def frozen_heap(held: bool | None = None) -> Iterator[None]:
    """Everything alive now left alone by the cyclic collector meanwhile (`gc.freeze`). After, the
    heap is unfrozen only if nothing was frozen before (`held`, asked of `heap_frozen` when not
    given): the knowledge base read back from the cache is frozen for the life of the process
    (engine/files/cache.py), and a batch must not undo that (the next full collection walked
    the whole knowledge base again). What was frozen here then stays frozen: the batch's runner
    and memos, which live as long."""
    if held is None:
        held = heap_frozen()
    gc.freeze()
    try:
        yield
    finally:
        if not held:
            gc.unfreeze()


def write_summaries(
    rows: list[dict[str, Any]],
    lang: str,
    share: float | None,
    write: Writer,
    written: list[str],
    workers: int = 2,
    held: bool | None = None,
    book: Forked | None = None,
) -> None:
    """Build the summary files of the ranked rows and write each (`written` names them), with
    the workbook on a second core when the batch may use one (`workers`) and it is worth it:
    in `book` (`workbook_child`, forked before the pool) or a child forked now; `held`: whether
    the heap was frozen before the batch (see `frozen_heap`)."""
    # frozen: a full collection in the summaries walked all the batch kept (knowledge, runner),
    # and a forked child's collections leave the parent's pages alone (no copy of its heap)
    with frozen_heap(held):
        if book is None:
            book = workbook_child(lang, len(rows), workers)
        if book is not None:
            book.give(rows)
        try:
            # each file written on a thread as soon as it is built: flushing one to disk (a few
            # milliseconds) overlaps the building of the next and the workbook's child
            with InOrder(write) as writer:
                files = summaries(
                    rows, lang, share, workbook=book.result if book else None, made=writer.put
                )
        finally:
            if book is not None:
                book.close()
        written.extend(files)


class InOrder:
    """Writes files one after another on a thread while the caller builds the next. The first
    failure stops the writing (nothing after it is written) and is raised at the end of the
    `with`; after an interrupt the file being written is finished and the rest are dropped.
    Start it only once the forks are done (a child must not inherit a thread's held lock)."""

    def __init__(self, write: Writer) -> None:
        self.write = write
        self.pool = ThreadPoolExecutor(1, thread_name_prefix="summary-writer")
        self.pending: list[Future[None]] = []
        self.failed = threading.Event()

    def __enter__(self) -> InOrder:
        return self

    def put(self, name: str, data: str | bytes) -> None:
        """Queue one file for writing."""
        self.pending.append(self.pool.submit(self._one, name, data))

    def _one(self, name: str, data: str | bytes) -> None:
        if self.failed.is_set():
            return
        try:
            self.write(name, data)
        except BaseException:
            self.failed.set()
            raise

    def __exit__(self, kind: type[BaseException] | None, *exc: Any) -> None:
        self.pool.shutdown(wait=True, cancel_futures=kind is not None)
        if kind is None:
            for done in self.pending:
                done.result()  # the first failure, if any


def _can_fork() -> bool:
    return "fork" in multiprocessing.get_all_start_methods()


class Forked:
    """Bytes built by `make(arg)` in a forked child while the parent works on, read back through
    a pipe; built by the parent itself when the child fails (or cannot be forked). The child can
    be forked before `arg` is known: it runs `prepare` (imports its modules) meanwhile, then
    waits for `give(arg)`.

    The child is forked with SIGINT and SIGTERM blocked, then ignores SIGINT (Ctrl-C goes to the
    whole process group: the parent acts on it, by killing the child) and takes SIGTERM's default
    action. It leaves by `os._exit` whatever happens: none of the parent's exit handlers, buffered
    output or `finally` blocks run twice. Fork only while no other thread of the parent runs (the
    batch forks it before its pool, writer and progress bar): the child must not inherit a
    half-held lock."""

    def __init__(self, make: Callable[[Any], bytes], prepare: Callable[[], object] = int) -> None:
        self.make = make
        self.arg: Any = None
        self.pid: int | None = None
        self.fd: int | None = None  # the child's bytes come through it
        self.to_child: int | None = None  # `give` sends the argument through it
        arg_read, arg_write = os.pipe()
        read, write = os.pipe()
        old_mask = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM})
        try:
            pid = os.fork()
            if pid == 0:
                os.close(arg_write)
                os.close(read)
                _child(make, prepare, arg_read, write)
        except OSError:  # no fork (out of memory, process limit): the parent builds it
            for fd in (arg_read, arg_write, read, write):
                os.close(fd)
            return
        finally:
            signal.pthread_sigmask(signal.SIG_SETMASK, old_mask)
        os.close(arg_read)
        os.close(write)
        self.pid, self.fd, self.to_child = pid, read, arg_write

    def give(self, arg: Any) -> None:
        """The argument of `make`: sent to the child (or kept for the parent's own build)."""
        self.arg = arg
        if self.to_child is None:
            return
        try:
            with open(self.to_child, "wb", closefd=True) as pipe:
                pickle.dump(arg, pipe, protocol=pickle.HIGHEST_PROTOCOL)
        except OSError:  # the child is gone: `result` builds the bytes here
            self.close()
        finally:
            self.to_child = None

    def result(self, timeout: float = 300.0) -> bytes:
        """The child's bytes (waiting for them), or the parent's own if the child failed or
        has not finished within `timeout` seconds (it is stopped then: a batch never hangs on
        a child stuck on a lock some thread of the parent held at the fork)."""
        if self.pid is None or self.fd is None:
            return self.make(self.arg)
        chunks, deadline = [], time.monotonic() + timeout
        while True:
            left = max(0.0, deadline - time.monotonic())
            if not select.select([self.fd], [], [], left)[0]:
                self.close()
                return self.make(self.arg)
            chunk = os.read(self.fd, 1 << 16)
            if not chunk:
                break
            chunks.append(chunk)
        os.close(self.fd)
        self.fd = None
        _, status = os.waitpid(self.pid, 0)
        self.pid = None
        return b"".join(chunks) if os.waitstatus_to_exitcode(status) == 0 else self.make(self.arg)

    def close(self) -> None:
        """Stop and reap the child if it still runs (an interrupt, an error), close the pipes."""
        if self.pid is not None:
            with contextlib.suppress(OSError):
                os.kill(self.pid, signal.SIGKILL)
            with contextlib.suppress(OSError):
                os.waitpid(self.pid, 0)
            self.pid = None
        for fd in (self.fd, self.to_child):
            if fd is not None:
                with contextlib.suppress(OSError):
                    os.close(fd)
        self.fd = self.to_child = None


def _child(
    make: Callable[[Any], bytes], prepare: Callable[[], object], given: int, out: int
) -> NoReturn:
    """The forked child: prepare, read the argument, build the bytes, send them down the pipe,
    exit (status 0 if sent). Everything inherited is frozen first: the child's collections leave
    the parent's objects (and so their pages) alone."""
    status = 1
    try:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT, signal.SIGTERM})
        gc.freeze()
        prepare()
        with open(given, "rb", closefd=True) as pipe:
            arg = pickle.load(pipe)
        data = make(arg)
        with open(out, "wb", closefd=True) as pipe:
            pipe.write(data)
        status = 0
    except BaseException:  # the parent builds it instead; no traceback here
        pass
    finally:
        os._exit(status)


def workbook_child(lang: str, rows: int, workers: int) -> Forked | None:
    """The child that will build a batch's workbook (`summary_xlsx`), forked before the pool so
    that it imports openpyxl while the workers draft, not the parent (see `_workbook_modules`);
    None when the batch has one core, too few rows to be worth a process, or no fork."""
    if workers > 1 and rows >= FORK_ROWS and _can_fork():
        return Forked(partial(summary_xlsx, lang=lang), prepare=_workbook_modules)
    return None


def _workbook_modules() -> None:
    """openpyxl, in the workbook's child, without numpy: openpyxl imports numpy when it is
    installed (matplotlib brings it) only to take numpy numbers as cell values, which a summary
    never has, and numpy is half of openpyxl's import time. The child is single-threaded and
    exits when the workbook is sent, so no other code of the process sees numpy missing."""
    sys.modules.setdefault("numpy", None)  # type: ignore[arg-type]  # None: "cannot be imported"
    importlib.import_module("openpyxl")
