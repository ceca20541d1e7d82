"""The measures excluded by a cluster's kind, read through the per-knowledge table of conditions
and their places, equal the plain reading of the catalogue entry by entry."""

from __future__ import annotations

import random

from bench.synthetic import random_assessment
from engine.inference.applicability import (
    applicability,
    cluster_kind,
    excluded_measures,
    read_kind,
    read_of_kind,
)
from engine.inference.trace import Applicability, ClusterKind
from engine.knowledge.sector_model import AppliesTo


def _plain(rid, kind, k) -> Applicability:
    """`applicability` as it read the catalogue before the table: the entry searched from the
    top, its place read from recommendations.yaml's positions."""
    cond = k.recommendation[rid].applies_to
    located = k.located.get("recommendations.yaml")
    where = "recommendations.yaml"
    if located is not None:
        i = next(j for j, r in enumerate(k.recommendations.recommendations) if r.id == rid)
        where = f"{located.file}:{located.pos(('recommendations', i, 'applies_to'))[0]}"
    if not isinstance(cond, AppliesTo):
        return Applicability(rid, True, (), where)
    checks = read_kind(cond, kind, k)
    return Applicability(rid, all(c.holds is not False for c in checks), checks, where)


def test_excluded_measures_equal_the_plain_reading(knowledge):
    rng = random.Random(7)
    excluded_seen = 0
    kinds = set()
    for _ in range(300):
        kind = cluster_kind(random_assessment(knowledge, rng), knowledge)
        kinds.add(kind)
        plain = {
            rec.id: check
            for rec in knowledge.recommendations.recommendations
            if isinstance(rec.applies_to, AppliesTo)
            and not (check := _plain(rec.id, kind, knowledge)).applies
        }
        assert excluded_measures(kind, knowledge) == plain
        assert list(excluded_measures(kind, knowledge)) == list(plain)  # catalogue order
        excluded_seen += len(plain)
    for rec in knowledge.recommendations.recommendations:
        for kind in list(kinds)[:5]:
            assert applicability(rec.id, kind, knowledge) == _plain(rec.id, kind, knowledge)
    assert excluded_seen > 0 and len(kinds) > 20  # the test reads real exclusions


def test_kinds_read_alike_exclude_alike(knowledge):
    """Two kinds with the same `read_of_kind` (the key of the runner's memo) exclude the same
    measures for the same reasons: sectors in any order and number, of the same outputs and
    markets."""
    rng = random.Random(8)
    codes = sorted(knowledge.sectors.code)
    seen: dict[object, dict[str, Applicability]] = {}
    for _ in range(200):
        picked = tuple(rng.sample(codes, rng.randint(0, 4)))
        kind = ClusterKind(
            picked,
            tuple(dict.fromkeys(knowledge.sectors.code[c].output for c in picked)),
            tuple(dict.fromkeys(knowledge.sectors.code[c].market for c in picked)),
            rng.choice([None, "analytical", "synthetic", "symbolic"]),
        )
        excluded = excluded_measures(kind, knowledge)
        assert seen.setdefault(read_of_kind(kind, knowledge), excluded) == excluded
    assert len(seen) < 200  # kinds did share a key
