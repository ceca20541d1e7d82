"""A diagnosis that never contradicts itself (issue 21), over generated assessments and over
every example and corpus cluster: no direction is both a strength and a weakness, and the K label
agrees with the two levels printed beside it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import given

from engine import api
from engine.assessment.validate import with_changes
from engine.inference.trace import Result
from tests.test_blanks_properties import assessments, evaluate
from tests.test_properties import SETTINGS

K = api.knowledge()
ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted((ROOT / "examples").glob("*.yaml")) + sorted(
    (ROOT / "examples" / "corpus").glob("*.yaml")
)


def both_ways(result: Result) -> list[str]:
    """The areas stated both as a strength and as a weakness."""
    strong = {K.finding[f].area for f in result.findings if K.finding[f].kind == "strength"}
    weak = {K.finding[f].area for f in result.findings if K.finding[f].kind == "weakness"}
    return sorted(a for a in strong & weak if a)


def k_disagrees(m: dict[str, Any]) -> str | None:
    """Why the K label disagrees with the levels beside it, None when it agrees."""
    s = K.scoring.ratio
    cl, rg, k, band = m["cluster_matched_index"], m["region_index"], m["ratio"], m["ratio_band"]
    if (m["ratio_pairs"] or 0) < s.min_pairs:
        return None if k is None and band == "unknown" else f"K {k} from {m['ratio_pairs']} pairs"
    if k is None:
        return None if not rg else f"no K for levels {cl} / {rg}"
    if k != round(cl / rg, 2):
        return f"K {k} beside {cl} / {rg}"
    expected = next(b.id for b in s.bands if b.below is None or k < b.below)
    return None if band == expected else f"K {k} labelled {band}"


@SETTINGS
@given(assessments())
def test_no_direction_is_both_a_strength_and_a_weakness(data):
    result = evaluate(data)
    assert both_ways(result) == []


@SETTINGS
@given(assessments())
def test_the_k_label_agrees_with_the_levels_beside_it(data):
    assert k_disagrees(evaluate(data).measures.values) is None


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_examples_and_corpus_never_contradict_themselves(path):
    result = api.run(api.load(path, K), K)
    assert both_ways(result) == []
    assert k_disagrees(result.measures.values) is None


def test_export_strong_by_share_and_weak_by_score_is_one_mixed_verdict():
    # issue 21: foreign investment (here export) was printed as a strength by its share and a
    # weakness by its score
    a = api.load(ROOT / "examples" / "nizhny-novgorod.yaml", K)
    result = api.run(with_changes(a, {"cluster_exports": 250000}, K), K)
    assert result.measures.values["verdict_export"] == "mixed"
    assert "mixed.export" in result.findings
    assert not {"strength.export", "weakness.export"} & set(result.findings)
