"""engine/program/data_requests.py: the rule branches indexed by what they test (a blank
indicator, a measure not determined, a finding not made) give the requests that reading every
branch gives, over generated clusters with random blanks."""

from __future__ import annotations

import random
from typing import Any

import pytest

from bench.synthetic import random_assessment
from engine.inference.run import Runner
from engine.program import data_requests as dr


def _every_branch(
    reader: Any, index: Any, pending: Any = None
) -> list[tuple[int, list[list[Any]]]]:
    """The brute force: every rule, every branch read."""
    return [(i, list(branches)) for i, branches in enumerate(index.branches)]


@pytest.mark.parametrize("blank", [0.05, 0.2, 0.5, 0.9])
def test_the_indexed_branches_give_what_reading_every_branch_gives(knowledge, monkeypatch, blank):
    runner = Runner(knowledge)
    rng = random.Random(f"data requests {blank}")
    results = [
        runner.run(random_assessment(knowledge, rng, blank, f"c{n}"), facts=False)
        for n in range(30)
    ]
    indexed = [dr.data_requests(r, knowledge) for r in results]
    with monkeypatch.context() as m:
        m.setattr(dr, "_visit", _every_branch)
        brute = [dr.data_requests(r, knowledge) for r in results]
    assert indexed == brute
    assert any(brute), "some generated cluster has data requests"


def test_a_branch_testing_nothing_that_waits_is_not_read(knowledge):
    """With every indicator answered, no branch waits on an indicator or a measure: only the
    branches reading a finding not made are read (and of the concluding rules, only those reading
    a pending one, once the fixpoint has found them)."""
    rng = random.Random(5)
    result = Runner(knowledge).run(random_assessment(knowledge, rng, 0.0), facts=False)
    reader = dr._Reader(result, knowledge)
    index = knowledge.derived(dr._concluding_index)
    visited = dr._visit(reader, index)
    for _, branches in visited:
        for branch in branches:
            assert any(
                a.subject_kind == "finding" and a.subject not in result.findings
                for a in branch
                if not isinstance(a, dr.Not_)
            )
    assert sum(len(b) for _, b in visited) < sum(len(b) for b in index.branches)
    assert dr._visit(reader, index, set()) == []
