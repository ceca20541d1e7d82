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


def test_outcomes_come_in_input_order_and_a_dead_workers_chunk_fails_alone():
    """Every chunk's outcomes in input order, drafted in forked workers; the chunk of a worker
    that died gets `died`'s outcomes, and the other chunks (sent to the surviving worker) are
    drafted all the same."""
    chunks = [[1, 2], [3], [13, 14], [4, 5], [6]]
    pool = Pool(2, _start, lambda job: ("died", job, True))
    try:
        got = list(pool.run(chunks))
    finally:
        pool.close()
    assert [n for _, n, _ in got] == [1, 2, 3, 13, 14, 4, 5, 6]
    assert [kind for kind, n, _ in got if n in (13, 14)] == ["died", "died"]
    assert all(kind == "done" and forked for kind, n, forked in got if n not in (13, 14))
