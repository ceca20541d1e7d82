"""engine/knowledge/graph.py: which rules produce a conclusion, read from the knowledge's index."""

from __future__ import annotations

import pytest

from engine.knowledge.graph import producers_of


def test_producers_are_every_rule_declaring_the_conclusion_in_knowledge_order(knowledge):
    kinds = {"finding": "finding", "recommendation": "recommend", "postponed": "postpone"}
    ids = [*knowledge.finding, *knowledge.recommendation, "no.such_id"]
    found = 0
    for kind, field in kinds.items():
        for ident in ids:
            expected = [s for s in knowledge.rules if ident in getattr(s.rule.then, field)]
            assert producers_of(kind, ident, knowledge) == expected
            found += len(expected)
    assert found > 100
    with pytest.raises(KeyError):
        producers_of("indicator", "x", knowledge)
