"""The batch's forked workers: one pipe each, driven by the parent alone, knowing nothing of what
they draft (the batch gives them a function from a chunk of jobs to its outcomes)."""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import signal
from collections import deque
from collections.abc import Callable, Iterator
from typing import Any

AHEAD = 2  # chunks a worker holds at once: the one it drafts and the next

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
        """The outcomes of every chunk, in input order, as the workers finish them.

        Each worker holds up to `AHEAD` chunks: it starts on the next as soon as it has sent
        one back, instead of waiting for the parent to read that one and send another (a round
        trip of about a millisecond, through a parent busy writing, at every chunk). A worker
        that dies fails the chunk it was drafting; the ones it held but had not started go to
        the others (or fail, when no worker is left)."""
        from multiprocessing.connection import wait

        results: dict[int, list[Any]] = {}
        held: dict[int, deque[int]] = {w: deque() for w in range(len(self.procs))}
        unsent = deque(range(len(chunks)))
        done = 0

        def send(w: int) -> None:
            while unsent and len(held[w]) < AHEAD:
                try:
                    self.conns[w].send(chunks[unsent[0]])
                except OSError:  # the worker is gone (its sentinel tells): the chunk stays
                    return
                held[w].append(unsent.popleft())

        for w in held:
            send(w)
        while done < len(chunks):
            while done in results:
                yield from results.pop(done)
                done += 1
            busy = [w for w in held if held[w]]
            if not busy:  # no worker left: what was never drafted fails
                while unsent:
                    chunk = unsent.popleft()
                    results[chunk] = [self.died(job) for job in chunks[chunk]]
                continue
            waiting = {self.conns[w]: w for w in busy} | {self.procs[w].sentinel: w for w in busy}
            for ready in wait(list(waiting)):
                w = waiting[ready]
                if w not in held or not held[w]:
                    continue  # its pipe and its sentinel were both ready
                try:
                    results[held[w][0]] = self.conns[w].recv()
                except (EOFError, OSError):  # the worker died (killed, out of memory)
                    lost = held.pop(w)
                    first = lost.popleft()
                    results[first] = [self.died(job) for job in chunks[first]]
                    unsent.extendleft(reversed(lost))
                    for other in held:
                        send(other)
                    continue
                held[w].popleft()
                send(w)

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
