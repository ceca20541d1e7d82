"""The batch's forked workers (engine/deliverables/batch_pool.py), on plain jobs."""

from __future__ import annotations

import os
from typing import Any

from engine.deliverables.batch_pool import Draft, Pool


def _start() -> Draft:
    def draft(chunk: list[Any], parent: int) -> list[Any] | None:
        if 13 in chunk:
            os._exit(3)  # a worker that dies on its own (killed, out of memory)
        return [("done", n, os.getpid() != parent) for n in chunk]

    return draft


def _run(chunks: list[list[int]]) -> list[tuple[str, int, bool]]:
    pool = Pool(2, _start, lambda job: ("died", job, True))
    try:
        return list(pool.run(chunks))
    finally:
        pool.close()


def test_outcomes_come_in_input_order_from_forked_workers():
    chunks = [[1, 2], [3], [4, 5], [6], [7], [8]]
    got = _run(chunks)
    assert [n for _, n, _ in got] == [1, 2, 3, 4, 5, 6, 7, 8]
    assert all(kind == "done" and forked for kind, _, forked in got)


def test_a_dead_worker_fails_the_chunk_it_drafted_and_hands_on_the_ones_it_held():
    """Worker 0 holds chunks [1] and [13] (two at a time) and dies on the second: [13] fails,
    the chunk it was sent after it ([4]) is drafted by the other worker."""
    got = _run([[1], [13], [2], [3], [4]])
    assert [(kind, n) for kind, n, _ in got] == [
        ("done", 1),
        ("died", 13),
        ("done", 2),
        ("done", 3),
        ("done", 4),
    ]


def test_when_every_worker_dies_the_rest_fail_and_the_batch_ends():
    """Each worker dies on the first [13] it drafts: what neither drafted fails, and the parent
    does not wait for workers that are gone. ([5] is drafted when the first worker died before
    it could be sent there, and went to the other ahead of that one's [13].)"""
    got = _run([[13], [5], [13], [6], [7]])
    assert [n for _, n, _ in got] == [13, 5, 13, 6, 7]
    assert [kind for kind, n, _ in got if n != 5] == ["died"] * 4
