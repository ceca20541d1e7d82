"""`Runner.run(..., trace=False)` (the sensitivity map's reruns) reaches the same conclusions as
a traced run on every example, corpus and unseen cluster, and the next traced run on the same
runner records its conditions again."""

from __future__ import annotations

from dataclasses import replace

import pytest

from engine import api
from tests.conftest import EXAMPLES, ROOT

CLUSTERS = sorted(EXAMPLES.glob("*.yaml")) + sorted((ROOT / "tests/fixtures/unseen").glob("*.yaml"))
CLUSTERS += sorted((EXAMPLES / "corpus").glob("*.yaml"))


def _advice(r: api.Result) -> tuple:
    return (r.findings, r.recommendations, r.postponed, r.status, r.priority, r.lowered)


@pytest.mark.parametrize("path", CLUSTERS, ids=lambda p: p.stem)
def test_a_lean_run_reaches_the_traced_run_s_conclusions(session, path):
    a = api.load(path, session.knowledge)
    lean = session.runner.run(a, trace=False)
    full = session.runner.run(a)
    assert _advice(lean) == _advice(full)
    assert [f.rule for f in lean.firings] == [f.rule for f in full.firings]
    assert all(f.conditions == () for f in lean.firings)
    assert any(f.conditions for f in full.firings)  # the lean switch does not stick


@pytest.mark.parametrize(
    "path", [EXAMPLES / "nizhny-novgorod.yaml", ROOT / "tests/fixtures/unseen/chilean-mining.yaml"]
)
def test_a_run_without_matched_facts_drafts_the_same_client_document(session, path):
    """The batch's Markdown and HTML runs keep each condition but not the facts a firing matched
    (only the JSON result's trace shows them): the same record otherwise, the same document."""
    from engine.deliverables.batch import Work

    k = session.knowledge
    a = api.load(path, k)
    slim = session.runner.run(a, facts=False)
    full = session.runner.run(a)
    assert all(f.matched == () for f in slim.firings)
    assert any(f.matched for f in full.firings)  # the switch does not stick
    assert [replace(f, matched=()) for f in full.firings] == slim.firings
    for lang in ("ru", "en"):
        for fmt in ("md", "html"):
            assert api.draft(slim, k, fmt, lang) == api.draft(full, k, fmt, lang)
    assert not Work(k, "md", "en").trace_facts and Work(k, "json", "en").trace_facts
