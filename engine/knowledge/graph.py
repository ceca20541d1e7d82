"""The rule graph, read from the knowledge alone (no experta): which rules produce what, the
strata of negation, and the cone of rules a conclusion depends on."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from engine.knowledge.conditions import iter_atoms
from engine.knowledge.models import Knowledge


def strata(knowledge: Knowledge) -> dict[str, int]:
    """Stratum of each rule: 1 + the highest stratum of a rule deriving something it negates.

    Raises ValueError on a cycle through negation (verify reports it with positions first).
    """
    producers: dict[str, list[str]] = defaultdict(list)
    for site in knowledge.rules:
        t = site.rule.then
        for f in t.finding:
            producers[f"finding:{f}"].append(site.rule.id)
        for r in t.recommend:
            producers[f"recommendation:{r}"].append(site.rule.id)
    deps: dict[str, list[tuple[str, bool]]] = {}
    for site in knowledge.rules:
        d = []
        for atom, negated in iter_atoms(site.rule.when):
            if atom.subject_kind in ("finding", "recommendation"):
                for p in producers.get(f"{atom.subject_kind}:{atom.subject}", []):
                    d.append((p, negated))
        deps[site.rule.id] = d
    memo: dict[str, int] = {}
    visiting: set[str] = set()

    def level(rid: str) -> int:
        if rid in memo:
            return memo[rid]
        if rid in visiting:
            return 0  # positive cycles are harmless for stratification; negative ones checked below
        visiting.add(rid)
        best = 0
        for dep, neg in deps[rid]:
            lv = level(dep)
            best = max(best, lv + 1 if neg else lv)
        visiting.discard(rid)
        memo[rid] = best
        return best

    result = {rid: level(rid) for rid in deps}
    for rid, d in deps.items():
        for dep, neg in d:
            if neg and result[dep] >= result[rid]:
                raise ValueError(f"rule {rid} negates a conclusion of {dep} in the same cycle")
    return result


def producers_of(kind: str, ident: str, k: Knowledge) -> list[Any]:
    """The rules whose `then` could declare (kind, ident), in knowledge order."""
    if kind not in ("finding", "recommendation", "postponed"):
        raise KeyError(kind)
    return list(k.producers.get((kind, ident), ()))  # an index: a program asks ~70 times


def cone(kind: str, ident: str, k: Knowledge) -> list[Any]:
    """Every rule the target can depend on: its producers, and recursively the producers of the
    findings and recommendations their conditions name (positively or under `not:`)."""
    todo, seen, rules = [(kind, ident)], set(), []
    while todo:
        item = todo.pop()
        if item in seen:
            continue
        seen.add(item)
        for site in producers_of(item[0], item[1], k):
            if site not in rules:
                rules.append(site)
            for atom, _ in iter_atoms(site.rule.when):
                if atom.subject_kind in ("finding", "recommendation"):
                    todo.append((atom.subject_kind, atom.subject))
    return sorted(rules, key=lambda s: s.order)
