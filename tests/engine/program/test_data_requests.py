"""engine/program/data_requests.py: the rule branches indexed by what they test (a blank
indicator, a measure not determined, a finding not made) give the requests that reading every
branch gives, over generated clusters with random blanks."""

from __future__ import annotations

import random
from typing import Any

import pytest

from bench.synthetic import random_assessment
from engine.inference.run import Runner
from engine.knowledge.conditions import holds
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


def test_a_body_that_does_not_exist_is_never_asked_for_data(session, knowledge):
    """The Mexican aerospace suppliers have no Cluster Council (the program's first measure forms
    one), yet their data requests asked the Council for the self-assessment: a cluster without
    a Council is asked through its coordinating organization; one with a Council asks it."""
    from engine import api
    from engine.program.data_requests import data_requests_view

    base = "cluster_name: Asking test\ncountry: MX\nself_assessment_level: 3\n"
    council = next(b for b in knowledge.document.bodies if b.id == "council").name
    for has, asked in (("false", False), ("true", True)):
        result = api.evaluate_bytes(
            (base + f"has_cluster_council: {has}\n").encode(), "asking.yaml", session
        )
        asks = [r["ask"] for r in data_requests_view(result, knowledge)]
        assert asks and (council in asks) == asked, (has, set(map(str, asks)))


def _rerun_to_fixpoint(reader: Any, k: Any, made: set[str]) -> set[str]:
    """The plain fixpoint: every rule read again until nothing changes."""
    pending: set[str] = set()
    rules = [(findings, branches) for findings, branches in k.derived(dr._deriving)]
    changed = True
    while changed:
        changed = False
        for findings, branches in rules:
            new = [f for f in findings if f not in made and f not in pending]
            if new and any(reader.branch_needs(b, pending)[0] for b in branches):
                pending.update(new)
                changed = True
    return pending


@pytest.mark.parametrize("blank", [0.05, 0.2, 0.5, 0.9])
def test_the_worklist_of_pending_findings_is_the_plain_fixpoint(knowledge, blank):
    runner = Runner(knowledge)
    rng = random.Random(f"pending {blank}")
    some = 0
    for n in range(20):
        result = runner.run(random_assessment(knowledge, rng, blank, f"c{n}"), facts=False)
        made = set(result.findings) | set(result.recommendations)
        worklist = dr._pending(dr._Reader(result, knowledge), knowledge, made)
        assert worklist == _rerun_to_fixpoint(dr._Reader(result, knowledge), knowledge, made)
        some += bool(worklist)
    assert some, "some generated cluster has findings pending"


@pytest.mark.parametrize("blank", [0.2, 0.6])
def test_each_requests_titles_and_body_are_those_worked_out_for_it_alone(knowledge, blank):
    """The view works out each measure's title and each group's body once a cluster: every
    request reads what working them out for it alone gives."""
    from engine.program.leaves import tx
    from engine.program.provenance import measure_title

    runner = Runner(knowledge)
    rng = random.Random(f"request titles {blank}")
    order = {r.id: i for i, r in enumerate(knowledge.recommendations.recommendations)}
    shared = 0
    for n in range(15):
        result = runner.run(random_assessment(knowledge, rng, blank, f"c{n}"), facts=False)
        rows = dr.data_requests(result, knowledge)
        views = dr.data_requests_view(result, knowledge)
        assert len(rows) == len(views)
        for row, view in zip(rows, views, strict=True):
            group = knowledge.indicator[row["indicator"]].group
            assert view["ask"] == dr.ask_whom(group, knowledge, result.findings)
            for key, ids in (("recommendations", "recommendations"), ("confirms", "conditional")):
                ordered = sorted(row[ids], key=order.__getitem__)
                assert view[key] == [tx(measure_title(result, r, knowledge)) for r in ordered]
        shared += len([r for row in rows for r in row["recommendations"]]) > len(
            {r for row in rows for r in row["recommendations"]}
        )
    assert shared, "some cluster's requests cite a measure more than once"


def _plain_read(reader: Any, branch: list[Any]) -> Any:
    """A branch read condition by condition with `holds`, as before its steps were kept."""
    needs: list[str] = []
    wanted: list[str] = []
    r = reader.result
    for cond in branch:
        if isinstance(cond, dr.Not_):
            a = cond.not_
            made = r.findings if a.subject_kind == "finding" else r.recommendations
            if a.subject in made:
                return None
            continue
        kind = cond.subject_kind
        if kind in ("finding", "recommendation"):
            made = r.findings if kind == "finding" else r.recommendations
            if cond.subject in made:
                continue
            if kind == "finding":
                wanted.append(cond.subject)
                continue
            return None
        if holds(cond, reader.value(cond)):
            continue
        blank = None if cond.op in dr._ABOUT_BLANK else reader.blank_inputs(cond)
        if blank is None:
            return None
        needs.extend(blank)
    return needs, wanted


@pytest.mark.parametrize("blank", [0.1, 0.6])
def test_a_branch_read_by_its_steps_reads_as_condition_by_condition(knowledge, blank):
    runner = Runner(knowledge)
    rng = random.Random(f"steps {blank}")
    every = [b for site in knowledge.rules for b in dr._branches(site)]
    for n in range(12):
        result = runner.run(random_assessment(knowledge, rng, blank, f"c{n}"), facts=False)
        reader = dr._Reader(result, knowledge)
        assert [reader._read(b) for b in every] == [_plain_read(reader, b) for b in every]
        fresh = [list(b) for b in every]  # branches the knowledge base has no steps for
        assert [reader._read(b) for b in fresh] == [_plain_read(reader, b) for b in fresh]
