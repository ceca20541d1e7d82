"""At most `schedule.max_high` "high" priorities (knowledge/program.yaml, issue 20 item 4): the
most ready measures keep "high" (the readiness gate's, the organizational changes, those that need
no other measure of the program), then those more rules ask for; the rest become "medium"."""

from __future__ import annotations

from engine.inference.trace import Result
from engine.knowledge.models import Knowledge


def cap_high(result: Result, k: Knowledge) -> dict[str, str]:
    """Lower the high priorities past the cap to medium; the measures lowered, with the
    priority the rules asked for."""
    s = k.program.schedule
    high = [r for r in result.recommendations if result.priority.get(r) == "high"]
    if s is None or len(high) <= s.max_high:
        return {}
    made = set(result.recommendations)
    catalogue = k.derived(_catalogue_order)
    gate = {
        d.id
        for f in result.firings
        for d in f.declared
        if d.kind == "recommendation" and any(x.kind == "postponed" for x in f.declared)
    }

    def rank(rid: str) -> tuple[int, int, int, int, int]:
        needs = [n for n in s.preconditions.get(rid, []) if n in made]
        rules = {f.rule for f in result.producers("recommendation", rid)}
        return (
            0 if rid in gate else 1,
            0 if k.recommendation[rid].kind == "organizational_change" else 1,
            len(needs),
            -len(rules),
            catalogue.get(rid, 0),
        )

    lowered = {}
    for rid in sorted(high, key=rank)[s.max_high :]:
        result.priority[rid] = "medium"
        lowered[rid] = "high"
    return lowered


def _catalogue_order(k: Knowledge) -> dict[str, int]:
    """Each measure's place in recommendations.yaml, once per knowledge base."""
    return {r.id: n for n, r in enumerate(k.recommendations.recommendations)}
