"""The logic of rules, over the value algebra: unfolding findings into ground branches,
satisfiability, implication and the strongly connected components of chaining.

A rule's `when` is read as a disjunction of branches (engine.knowledge.conditions.branches). Each
branch constrains some subjects (indicators, measures) to a set of values, needs some findings or
recommendations, and needs others to be absent. Following the rules that derive a needed finding
("unfolding") turns a branch into ground branches over indicators and measures only. Every check
below — rules that can never fire, redundant rules, conflicting pairs, gaps — compares such sets.
The analysis is sound in one direction: it never calls a rule dead, redundant or conflicting
unless the conditions prove it (measures are treated as independent of the indicators).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import replace
from typing import Any

from engine.knowledge.conditions import OPERATORS, UNARY, branches, iter_atoms
from engine.knowledge.models import Atom, Knowledge, Not_, RuleSite
from engine.knowledge.verify.references import _measures, num_text
from engine.knowledge.verify.values import (
    INF,
    MAX_GROUNDS,
    Ground,
    Key,
    Span,
    Values,
    admitted,
    spans_of,
)


def atom_text(a: Atom) -> str:
    """A condition as a rule author writes it (`subject op value`), for messages."""
    if a.subject_kind in ("finding", "recommendation"):
        return f"{a.subject_kind} {a.subject}"
    if a.op in UNARY:
        return f"{a.subject} {a.op}"
    value = a.value
    if isinstance(value, bool):
        value = "true" if value else "false"
    elif isinstance(value, float | int):
        value = num_text(value)
    return f"{a.subject} {a.op} {value}"


class Logic:
    """Unfolds rule branches into ground branches and answers questions about them."""

    def __init__(self, k: Knowledge, skip: set[str] | frozenset[str] = frozenset()) -> None:
        self.k = k
        first: dict[str, RuleSite] = {}
        for s in k.rules:
            first.setdefault(s.rule.id, s)  # a duplicate id is reported elsewhere; keep the first
        self.sites = [s for s in k.rules if s.rule.id not in skip and first[s.rule.id] is s]
        self.measures = _measures(k)
        self.producers: dict[Key, list[RuleSite]] = defaultdict(list)
        # conclusions of rules left out (they have reference errors): treated as unknown
        self.unknown: set[Key] = set()
        for s in k.rules:
            if s.rule.id in skip:
                self.unknown.update(("finding", f) for f in s.rule.then.finding)
                self.unknown.update(("recommendation", r) for r in s.rule.then.recommend)
        for s in self.sites:
            for f in s.rule.then.finding:
                self.producers[("finding", f)].append(s)
            for r in s.rule.then.recommend:
                self.producers[("recommendation", r)].append(s)
        self.branches = {s.rule.id: branches(s.rule.when) for s in self.sites}
        self.edges = self._edges()
        self.cyclic = {key for scc in self.sccs() if is_cycle(scc, self.edges) for key in scc}
        self._ground_memo: dict[Key, list[Ground] | None] = {}
        self._computing: set[Key] = set()
        self._rule_memo: dict[str, list[list[Ground]]] = {}

    # --- values of one atom -------------------------------------------------------------------
    def universe(self, key: Key) -> Values:
        """Every value an indicator or measure can take, from its type, scale or declared values."""
        kind, subject = key
        if kind == "measure":
            mkind, allowed = self.measures[subject]
            if mkind == "number":
                return Values("num")
            return Values("items", items=frozenset(allowed or ()), cofinite=allowed is None)
        ind = self.k.indicator[subject]
        if ind.type in ("int", "float", "score"):
            lo, hi = ind.min, ind.max
            if ind.type == "score" and ind.scale in self.k.indicators.scales:
                sc = self.k.indicators.scales[ind.scale]
                lo, hi = sc.min, sc.max
            span = Span(-INF if lo is None else lo, INF if hi is None else hi)
            return Values(
                "num", spans=spans_of([span], ind.type == "int"), integral=ind.type == "int"
            )
        if ind.type == "bool":
            return Values("items", items=frozenset({True, False}), cofinite=False)
        if ind.type == "enum":
            return Values("items", items=frozenset(ind.values or ()), cofinite=False)
        if ind.type == "list":
            return Values("list", spans=(Span(0, INF),))
        return Values("items")

    def atom_values(self, a: Atom) -> Values:
        """The values of its subject for which the condition holds."""
        u = self.universe((a.subject_kind, a.subject))
        return admitted(u, OPERATORS[a.op or "is_known"].admits(a.value))

    # --- unfolding ----------------------------------------------------------------------------
    def local(self, branch: list[Any]) -> tuple[Ground, list[Key]]:
        """The branch's own constraints, and the findings / recommendations it needs."""
        vals: dict[Key, Values] = {}
        negated: set[Key] = set()
        needed: list[Key] = []
        for c in branch:
            if isinstance(c, Not_):
                negated.add((c.not_.subject_kind, c.not_.subject))
                continue
            key = (c.subject_kind, c.subject)
            if c.subject_kind in ("finding", "recommendation"):
                if key not in needed:
                    needed.append(key)
                continue
            v = self.atom_values(c)
            vals[key] = vals[key].meet(v) if key in vals else v
        return Ground(tuple(sorted(vals.items())), frozenset(negated)), needed

    def expand(self, branch: list[Any], stack: frozenset[Key] = frozenset()) -> list[Ground]:
        """The ground ways a branch holds, the findings it needs replaced by their derivations."""
        base, needed = self.local(branch)
        grounds = [base]
        for key in needed:
            alternatives = self.derivations(key, stack)
            if alternatives is not None and not alternatives:
                return []  # nothing derives it (a derivation may not use its own conclusion)
            if alternatives is None or len(grounds) * len(alternatives) > MAX_GROUNDS:
                grounds = [replace(g, opaque=g.opaque | {key}) for g in grounds]
                continue
            grounds = [g.merge(a) for g in grounds for a in alternatives]
            grounds = [g for g in grounds if not any(v.is_empty() for _, v in g.values)]
            if not grounds:
                return []
        return grounds

    def derivations(self, key: Key, stack: frozenset[Key] = frozenset()) -> list[Ground] | None:
        """Every ground way `key` (a finding or recommendation) gets derived; None: too many."""
        if key in stack:
            return []
        if key in self.unknown:
            return None
        if key in self._ground_memo:
            return self._ground_memo[key]
        if key in self._computing:
            return None  # reached again through a negation: unknown, keep it folded
        self._computing.add(key)
        found: list[Ground] = []
        inner = stack | {key}
        for site in self.producers.get(key, []):
            for branch in self.branches[site.rule.id]:
                for g in self.expand(branch, inner):
                    found.append(replace(g, via=g.via | {site.rule.id}))
        found = [g for g in found if self.satisfiable(g)]
        out = found if len(found) <= MAX_GROUNDS else None
        self._computing.discard(key)
        if key not in self.cyclic:
            self._ground_memo[key] = out
        return out

    def rule_grounds(self, rule_id: str) -> list[list[Ground]]:
        """Satisfiable ground branches of each branch of a rule."""
        if rule_id not in self._rule_memo:
            self._rule_memo[rule_id] = [
                [replace(g, via=g.via | {rule_id}) for g in self.expand(b) if self.satisfiable(g)]
                for b in self.branches[rule_id]
            ]
        return self._rule_memo[rule_id]

    # --- questions ------------------------------------------------------------------------------
    def satisfiable(self, g: Ground) -> bool:
        """Whether some assessment meets the ground without deriving what it needs absent."""
        if any(v.is_empty() for _, v in g.values) or g.negated & g.opaque:
            return False
        return not any(self.derives(g, key) for key in g.negated)

    def derives(self, g: Ground, key: Key) -> bool:
        """Whenever `g` holds, some rule derives `key`."""
        return any(self.implies(g, h) for h in self.derivations(key) or ())

    def implies(self, g: Ground, h: Ground) -> bool:
        """Whether every assessment meeting `g` also meets `h`."""
        if not (h.negated <= g.negated and h.opaque <= g.opaque):
            return False
        for key, v in h.values:
            mine = g.value(key)
            if not (self.universe(key) if mine is None else mine).within(v):
                return False
        return True

    # --- chaining graph -----------------------------------------------------------------------
    def _edges(self) -> dict[Key, list[tuple[Key, bool, RuleSite]]]:
        """finding -> what a rule deriving it needs (negated or not), with that rule."""
        edges: dict[Key, list[tuple[Key, bool, RuleSite]]] = defaultdict(list)
        for key, sites in self.producers.items():
            for site in sites:
                for atom, negated in iter_atoms(site.rule.when):
                    if atom.subject_kind in ("finding", "recommendation"):
                        edges[key].append(((atom.subject_kind, atom.subject), negated, site))
        return edges

    def sccs(self) -> list[list[Key]]:
        """Strongly connected components of the chaining graph (Tarjan), in a stable order."""
        index: dict[Key, int] = {}
        low: dict[Key, int] = {}
        stack: list[Key] = []
        on_stack: set[Key] = set()
        out: list[list[Key]] = []

        def visit(v: Key) -> None:
            index[v] = low[v] = len(index)
            stack.append(v)
            on_stack.add(v)
            for w, _, _ in self.edges.get(v, []):
                if w not in index:
                    visit(w)
                    low[v] = min(low[v], low[w])
                elif w in on_stack:
                    low[v] = min(low[v], index[w])
            if low[v] == index[v]:
                comp = []
                while True:
                    w = stack.pop()
                    on_stack.discard(w)
                    comp.append(w)
                    if w == v:
                        break
                out.append(sorted(comp))

        for node in sorted(self.producers):
            if node not in index:
                visit(node)
        return out


def is_cycle(scc: list[Key], edges: dict[Key, list[tuple[Key, bool, RuleSite]]]) -> bool:
    """Whether a strongly connected component of the chaining graph is a cycle (or a self-loop)."""
    return len(scc) > 1 or any(w == scc[0] for w, _, _ in edges.get(scc[0], []))
