"""Opposite findings declared exclusive (`excludes:` in findings.yaml) must never be derived
together: every pair of rules deriving them is checked over the threshold settings, a score's
weak/typical/strong status (scoring.yaml benchmark_rule) read as the scores it stands for."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from engine.errors import suggest
from engine.knowledge.models import Knowledge, RuleSite
from engine.knowledge.verify.logic import Logic
from engine.knowledge.verify.values import (
    INF,
    Ground,
    Key,
    Span,
    Values,
    complement,
    meet_spans,
    spans_of,
    spans_text,
)

if TYPE_CHECKING:
    from engine.knowledge.verify.references import Checker

STATUS = "bench_status_"  # the measure engine/measures/ gives a benchmarked score's status


def check_excludes(c: Checker) -> None:
    """Every finding an `excludes:` names exists."""
    for i, f in enumerate(c.k.findings.findings):
        for j, other in enumerate(f.excludes):
            if other not in c.k.finding or other == f.id:
                c.add(
                    "findings.yaml",
                    ("findings", i, "excludes", j),
                    f"unknown finding {other!r}" if other != f.id else "a finding excludes itself",
                    hint=suggest(other, c.k.finding) if other != f.id else "",
                    code="unknown-finding",
                )


def status_spans(k: Knowledge, indicator: str, statuses: set[str]) -> tuple[Span, ...] | None:
    """The scores whose benchmark status is one of `statuses` (weak is decided first)."""
    bench = k.scoring.benchmarks.get(indicator)
    if bench is None:
        return None
    rule = k.scoring.benchmark_rule
    weak = (Span(-INF, bench.value - rule.weak_distance),)
    not_weak = complement(weak, False)
    strong = meet_spans((Span(bench.value + rule.strong_distance, INF),), not_weak, False)
    typical = meet_spans(not_weak, complement(strong, False), False)
    by_status = {"weak": weak, "typical": typical, "strong": strong}
    return spans_of([s for st in sorted(statuses) for s in by_status[st]], False)


def lowered(g: Ground, lg: Logic) -> dict[Key, Values]:
    """The ground's values, each benchmark status replaced by the scores it stands for."""
    vals = dict(g.values)
    for key, v in g.values:
        kind, subject = key
        if kind != "measure" or not subject.startswith(STATUS) or v.kind != "items":
            continue
        ind = subject.removeprefix(STATUS)
        statuses = {s for s in ("weak", "typical", "strong") if (s in v.items) != v.cofinite}
        spans = status_spans(lg.k, ind, statuses) if ind in lg.k.indicator else None
        if spans is None:
            continue
        ikey: Key = ("indicator", ind)
        base = vals.get(ikey) or lg.universe(ikey)
        vals[ikey] = replace(
            base, none=base.none and v.none, spans=meet_spans(base.spans, spans, base.integral)
        )
        del vals[key]
    return vals


def overlap(ga: Ground, gb: Ground, lg: Logic) -> str | None:
    """The values for which both grounds hold, in words, or None when they never do."""
    merged = ga.merge(gb)
    if not lg.satisfiable(merged):
        return None
    va, vb, vm = lowered(ga, lg), lowered(gb, lg), lowered(merged, lg)
    if any(v.is_empty() for v in vm.values()):
        return None
    shared = [key for key in vm if key in va and key in vb] or list(vm)
    return " and ".join(_value_text(key, vm[key]) for key in shared) or "any assessment"


def _value_text(key: Key, v: Values) -> str:
    if v.kind == "num":
        return f"{key[1]} {spans_text(v.spans)}"
    if v.kind == "items":
        items = ", ".join(sorted(str(x) for x in v.items))
        return f"{key[1]} {'not in' if v.cofinite else 'in'} [{items}]"
    return key[1]


def exclusive_pairs(k: Knowledge) -> list[tuple[str, str, int]]:
    """(finding, finding it excludes, index of the declaring finding), each pair once."""
    seen: set[frozenset[str]] = set()
    out = []
    for i, f in enumerate(k.findings.findings):
        for other in f.excludes:
            pair = frozenset({f.id, other})
            if other in k.finding and other != f.id and pair not in seen:
                seen.add(pair)
                out.append((f.id, other, i))
    return out


def first_overlap(a: RuleSite, b: RuleSite, lg: Logic) -> str | None:
    """The first values for which rules `a` and `b` both hold, or None."""
    for ga in [g for gs in lg.rule_grounds(a.rule.id) for g in gs]:
        for gb in [g for gs in lg.rule_grounds(b.rule.id) for g in gs]:
            found = overlap(ga, gb, lg)
            if found is not None:
                return found
    return None


def check_exclusive(c: Checker, lg: Logic, dead: set[str]) -> None:
    """Report each pair of rules that can derive two findings declared exclusive together."""
    loc = c.loc("findings.yaml")
    for f1, f2, i in exclusive_pairs(c.k):
        line = loc.pos(("findings", i, "excludes"))[0] if loc else 0
        declared = f"{loc.file}:{line}" if loc else "findings.yaml"
        for a in lg.producers.get(("finding", f1), []):
            for b in lg.producers.get(("finding", f2), []):
                if a.rule.id in dead or b.rule.id in dead:
                    continue
                values = first_overlap(a, b, lg)
                if values is None:
                    continue
                later = a if a.order >= b.order else b
                c.problems.append(
                    later.located.problem(
                        later.path + ("id",),
                        f"findings {f1!r} and {f2!r} are declared exclusive ({declared}), but "
                        f"rules {a.rule.id!r} ({a.where}) and {b.rule.id!r} ({b.where}) both "
                        f"hold when {values}",
                        hint="make the thresholds meet without overlapping, or add `not: "
                        "{finding: ...}` to one rule",
                        code="exclusive-overlap",
                    )
                )
