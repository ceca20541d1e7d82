"""What the measures read as they are, and what a raw amount feeds: the reuse `compute(given=...)`
allows for assessments that differ from a known one in one indicator (the sensitivity map's
candidate values, engine/explain/sensitivity.py).

The measures read a raw amount only through the rounded partial indicators it feeds and whether it
is blank; `read_as_given` names the indicators they read as they are (the AS_GIVEN stages).
"""

from __future__ import annotations

from typing import Any

from engine.assessment.validate import Assessment
from engine.knowledge.models import Knowledge
from engine.measures import AS_GIVEN, _partial, _round, _Sink


def read_as_given(k: Knowledge) -> set[str]:
    """The indicators `engine.measures.compute` reads as they are (benchmarks, helix inputs, the
    self-assessment, the anchors' and SMEs' activity); any other one moves the measures only
    through the rounded partial indicators it feeds (`fed_shares`) and its blankness."""
    s = k.scoring
    out = set(s.benchmarks) | {s.self_assessment.indicator}
    for comps in s.helix.helices.values():
        for c in comps:
            out |= {c.indicator} if c.indicator else set()
            out |= set(c.indicators)
    if s.helix.anchor_sme_gap:
        out |= {s.helix.anchor_sme_gap.anchors, s.helix.anchor_sme_gap.smes}
    return out


def as_given(a: Assessment, k: Knowledge) -> dict[str, dict[str, Any]]:
    """The values of the measures' stages that read indicators as they are (AS_GIVEN), by
    stage: `compute`'s `given` for assessments that differ from this one in other indicators."""
    out: dict[str, dict[str, Any]] = {}
    for stage in AS_GIVEN:
        sink = _Sink(k, a, derivations=False)
        stage(sink, a)
        out[stage.__name__] = sink.values
    return out


def fed_shares(a: Assessment, k: Knowledge, iid: str) -> dict[str, Any]:
    """The partial indicators one indicator not in `read_as_given` feeds, rounded as `compute`
    keeps them: two assessments that differ in this indicator alone and give the same shares (and
    blankness) have the same measures."""
    s = k.scoring
    return {
        p.id: _round(_partial(p, a)[0])
        for p in s.partial_indicators + s.region_indicators
        if iid in (p.numerator, p.denominator, p.count, p.list_, *(p.alternative or ()))
    }
