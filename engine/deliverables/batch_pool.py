"""The batch's forked workers: one pipe each, driven by the parent alone, knowing nothing of what
they draft (the batch gives them a function from a chunk of jobs to its outcomes)."""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import signal
from collections.abc import Callable, Iterator
from typing import Any

# in a worker: the chunk and the parent's pid to the chunk's outcomes, or None when orphaned
Draft = Callable[[list[Any], int], "list[Any] | None"]


class Pool:
    """Forked workers, one pipe each, driven by the parent alone.

    Neither multiprocessing.Pool nor ProcessPoolExecutor will do here: the first respawns the
    workers Ctrl-C killed and then waits on them forever; the second's manager thread can block
    for good on a result a killed worker had half-written, and the interpreter joins that thread
    at exit. Here no thread exists: the parent sends a chunk, waits on the pipes and the workers'
    sentinels, and on an interrupt kills the workers and returns. A worker that dies on its own
    fails its chunk's jobs (`died` gives each its outcome), not the batch.

    `start` runs first in each worker and returns the function that drafts a chunk there."""

    def __init__(self, n: int, start: Callable[[], Draft], died: Callable[[Any], Any]) -> None:
        ctx = multiprocessing.get_context("fork")
        self.died = died
        self.procs: list[Any] = []
        self.conns: list[Any] = []
        # workers are forked with SIGINT and SIGTERM blocked, so neither can reach one before it
        # has set its own handling; a signal the parent got meanwhile is delivered on unblocking
        old_mask = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM})
        try:
            for _ in range(n):
                mine, theirs = ctx.Pipe()
                # the worker closes the parent's ends it inherited: the end of the parent (even
                # a SIGKILL) is then the end of every pipe, and a waiting worker exits
                parents = [*self.conns, mine]
                proc = ctx.Process(target=_worker_loop, args=(theirs, parents, start), daemon=True)
                proc.start()
                theirs.close()
                self.procs.append(proc)
                self.conns.append(mine)
        finally:
            signal.pthread_sigmask(signal.SIG_SETMASK, old_mask)

    def run(self, chunks: list[list[Any]]) -> Iterator[Any]:
        """The outcomes of every chunk, in input order, as the workers finish them."""
        from multiprocessing.connection import wait

        results: dict[int, list[Any]] = {}
        busy: dict[int, int] = {}  # worker -> chunk it holds
        sent = done = 0
        for w in range(len(self.procs)):
            if sent < len(chunks):
                self.conns[w].send(chunks[sent])
                busy[w], sent = sent, sent + 1
        while done < len(chunks):
            while done in results:
                yield from results.pop(done)
                done += 1
            if done >= len(chunks):
                break
            waiting = {self.conns[w]: w for w in busy} | {self.procs[w].sentinel: w for w in busy}
            for ready in wait(list(waiting)):
                w = waiting[ready]
                if w not in busy:
                    continue  # its pipe and its sentinel were both ready
                chunk = busy.pop(w)
                try:
                    results[chunk] = self.conns[w].recv()
                except (EOFError, OSError):  # the worker died (killed, out of memory)
                    results[chunk] = [self.died(job) for job in chunks[chunk]]
                    continue
                if sent < len(chunks):
                    self.conns[w].send(chunks[sent])
                    busy[w], sent = sent, sent + 1

    def kill(self) -> None:
        """Stop the workers now (SIGKILL: they hold nothing but their current chunk)."""
        for proc in self.procs:
            with contextlib.suppress(Exception):
                proc.kill()

    def close(self) -> None:
        """Tell the workers there is no more work, and wait for them (killed if they hang)."""
        for conn in self.conns:
            with contextlib.suppress(Exception):
                conn.send(None)  # no more work
            with contextlib.suppress(Exception):
                conn.close()
        for proc in self.procs:
            with contextlib.suppress(Exception):
                proc.join(timeout=5)
                if proc.is_alive():
                    proc.kill()
                    proc.join(timeout=1)


def _worker_loop(conn: Any, parents: list[Any], start: Callable[[], Draft]) -> None:
    """A worker drafts the chunks it is sent until told to stop, or until its parent is gone
    (even SIGKILLed): then it exits quietly, without a BrokenPipeError traceback on the
    terminal, as soon as its current cluster is done (Linux and macOS alike: by getppid)."""
    for other in parents:
        other.close()
    parent = os.getppid()
    draft = start()
    while True:
        try:
            chunk = conn.recv()
        except (EOFError, OSError):
            return
        if chunk is None:
            return
        done = draft(chunk, parent)
        if done is None:  # orphaned: nobody will read what is drafted
            return
        try:
            conn.send(done)
        except OSError:  # the parent died while the chunk was drafted
            return
