"""Checks built on the logic: cycles, rules that can never fire, unreachable advice, redundant
rules, conflicting pairs and gaps (weak values no advice addresses)."""

from __future__ import annotations

from typing import Any

from engine.errors import Severity
from engine.knowledge.models import PRIORITY_RANK, Atom, Not_, RuleSite
from engine.knowledge.verify.exclusive import check_exclusive
from engine.knowledge.verify.logic import Logic, atom_text, is_cycle
from engine.knowledge.verify.references import Checker, atoms_with_paths, num_text
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

# why a rule's branch can never hold: (YAML path, reason, because of a chaining cycle)
Dead = tuple[tuple[Any, ...], str, bool]


class LogicChecks:
    """Rules that can never fire, redundant rules, conflicting pairs, chaining cycles, gaps."""

    def __init__(self, checker: Checker, skip: set[str]) -> None:
        self.c = checker
        self.k = checker.k
        self.logic = Logic(self.k, skip)
        self.dead: set[str] = set()

    def run(self) -> None:
        """Run every check built on the logic, in the order each needs the one before."""
        cyclic = self.cycles()
        self.never_fire(cyclic)
        self.unreachable()
        self.redundant(cyclic)
        self.conflicts()
        check_exclusive(self.c, self.logic, self.dead)
        self.gaps()

    def _site_problem(
        self,
        site: RuleSite,
        path: tuple[Any, ...],
        message: str,
        severity: Severity = "error",
        hint: str = "",
    ) -> None:
        self.c.problems.append(site.located.problem(path, message, severity=severity, hint=hint))

    # --- cycles -----------------------------------------------------------------------------
    def cycles(self) -> set[str]:
        """Report each cycle of the chaining graph once; return the rules inside cycles."""
        lg = self.logic
        in_cycles: set[str] = set()
        for scc in lg.sccs():
            if not is_cycle(scc, lg.edges):
                continue
            members = set(scc)
            inner = [
                (v, w, neg, site)
                for v in scc
                for w, neg, site in lg.edges.get(v, [])
                if w in members
            ]
            in_cycles.update(site.rule.id for _, _, _, site in inner)
            path = _cycle_path(scc[0], members, lg.edges)
            rules = list(dict.fromkeys(site.rule.id for _, site in path))
            text = (
                " ← ".join(key[1] for key, _ in path) + f" ← {scc[0][1]} "
                f"(rule{'s' if len(rules) > 1 else ''} {', '.join(rules)})"
            )
            site = min((s for _, _, _, s in inner), key=lambda s: s.order)
            closing = next(w for v, w, _, s in inner if s is site)
            atom_path = _atom_path(site, closing)
            if any(neg for _, _, neg, _ in inner):
                self._site_problem(
                    site,
                    atom_path,
                    f"cycle through negation: {text}; a rule may not need the "
                    "absence of something its own conclusion leads to",
                )
            else:
                self._site_problem(
                    site,
                    atom_path,
                    f"cycle in chaining: {scc[0][0]} {scc[0][1]!r} depends on itself: {text}",
                )
        return in_cycles

    # --- rules that can never fire ----------------------------------------------------------
    def never_fire(self, cyclic: set[str]) -> None:
        """Report rules that can never fire, and alternatives of a rule that can never hold."""
        lg = self.logic
        for site in lg.sites:
            rid = site.rule.id
            per_branch = lg.rule_grounds(rid)
            if all(per_branch):
                continue
            reasons = [
                self.why_dead(site, b)
                for b, grounds in zip(lg.branches[rid], per_branch, strict=False)
                if not grounds
            ]
            if not any(per_branch):
                self.dead.add(rid)
                if rid in cyclic:
                    continue  # the chaining cycle is reported once, above
                path, text, _ = reasons[0]
                if len(reasons) > 1 and len({r[1] for r in reasons}) > 1:
                    text = "none of its alternatives can hold; the first: " + text
                self._site_problem(site, path, f"rule {rid!r} can never fire: {text}")
            else:
                for path, text, _ in dict.fromkeys(reasons):
                    self._site_problem(
                        site,
                        path,
                        f"an alternative of rule {rid!r} can never hold: {text}",
                        severity="warning",
                    )

    def why_dead(self, site: RuleSite, branch: list[Any]) -> Dead:
        """(where, why, because of a cycle) for a branch with no satisfiable ground."""
        lg = self.logic
        paths = _condition_paths(site)
        atoms = [c for c in branch if isinstance(c, Atom)]
        negs = [c.not_ for c in branch if isinstance(c, Not_)]
        found = self._contradiction(site, atoms, paths)
        if found is not None:
            return found
        base, needed = lg.local(branch)
        if any(v.is_empty() for _, v in base.values):
            empty = next(k for k, v in base.values if v.is_empty())
            return (
                site.path + ("when",),
                f"the conditions on {empty[1]!r} contradict each other",
                False,
            )
        for n in negs:
            if (n.subject_kind, n.subject) in needed:
                return (
                    paths.get(id(n), site.path),
                    f"needs {n.subject_kind} {n.subject!r} and its absence",
                    False,
                )
        for a in atoms:
            key = (a.subject_kind, a.subject)
            if key in needed:
                found = self._unmet_need(site, key, base, paths.get(id(a), site.path))
                if found is not None:
                    return found
        for n in negs:
            key = (n.subject_kind, n.subject)
            if lg.derives(base, key):
                text = f"needs {key[0]} {key[1]!r} to be absent, but its other conditions derive it"
                return paths.get(id(n), site.path), text, False
        return (
            site.path + ("when",),
            (
                "its conditions cannot hold together once the findings "
                "they need are followed to their rules"
            ),
            False,
        )

    def _contradiction(
        self, site: RuleSite, atoms: list[Atom], paths: dict[int, tuple[Any, ...]]
    ) -> Dead | None:
        """A condition on an indicator or measure that never holds, or two that contradict."""
        seen: dict[Key, tuple[Atom, Values]] = {}
        for a in atoms:
            if a.subject_kind in ("finding", "recommendation"):
                continue
            key = (a.subject_kind, a.subject)
            v = self.logic.atom_values(a)
            if v.is_empty():
                return paths.get(id(a), site.path), f"`{atom_text(a)}` never holds", False
            if key in seen:
                prev, pv = seen[key]
                if pv.meet(v).is_empty():
                    return (
                        paths.get(id(a), site.path),
                        f"`{atom_text(prev)}` and `{atom_text(a)}` contradict each other",
                        False,
                    )
                seen[key] = (a, pv.meet(v))
            else:
                seen[key] = (a, v)
        return None

    def _unmet_need(
        self, site: RuleSite, key: Key, base: Ground, where: tuple[Any, ...]
    ) -> Dead | None:
        """Why a finding or recommendation the branch needs cannot be had, if it cannot."""
        lg = self.logic
        if not lg.producers.get(key) and key not in lg.unknown:
            verb = "derives" if key[0] == "finding" else "recommends"
            return where, f"needs {key[0]} {key[1]!r}, which no rule {verb}", False
        alts = lg.derivations(key)
        if alts is not None and not alts:
            live = [s for s in lg.producers[key] if s.rule.id != site.rule.id]
            if not live:
                return where, f"needs {key[0]} {key[1]!r}, which only this rule derives", True
            return (
                where,
                (
                    f"needs {key[0]} {key[1]!r}, but no rule deriving it can fire "
                    f"({', '.join(s.rule.id for s in live)})"
                ),
                False,
            )
        if alts is not None and not any(lg.satisfiable(base.merge(g)) for g in alts):
            return (
                where,
                (
                    f"needs {key[0]} {key[1]!r}, but every way of deriving it "
                    "contradicts the rule's other conditions"
                ),
                False,
            )
        return None

    # --- advice no live rule gives ------------------------------------------------------------
    def unreachable(self) -> None:
        """Report catalogue entries that only rules that can never fire recommend."""
        f = "recommendations.yaml"
        for i, rec in enumerate(self.k.recommendations.recommendations):
            sites = self.logic.producers.get(("recommendation", rec.id), [])
            if sites and all(s.rule.id in self.dead for s in sites):
                self.c.add(
                    f,
                    ("recommendations", i, "id"),
                    f"no rule that can fire recommends {rec.id!r} (unreachable advice; "
                    f"{', '.join(s.rule.id for s in sites)} can never fire)",
                )

    # --- redundant rules --------------------------------------------------------------------
    def redundant(self, cyclic: set[str]) -> None:
        """Rules another rule makes superfluous (rules inside a chaining cycle are left out)."""
        lg = self.logic
        live = [s for s in lg.sites if s.rule.id not in self.dead and s.rule.id not in cyclic]
        reported: set[frozenset[str]] = set()
        for a in live:
            grounds_a = [g for gs in lg.rule_grounds(a.rule.id) for g in gs]
            if not grounds_a:
                continue
            for b in live:
                if b is a or not self._concludes_at_least(b, a):
                    continue
                grounds_b = [
                    g for gs in lg.rule_grounds(b.rule.id) for g in gs if a.rule.id not in g.via
                ]
                if not all(any(lg.implies(g, h) for h in grounds_b) for g in grounds_a):
                    continue
                pair = frozenset({a.rule.id, b.rule.id})
                mutual = self._concludes_at_least(a, b) and all(
                    any(lg.implies(h, g) for g in grounds_a if b.rule.id not in g.via)
                    for h in grounds_b
                )
                if mutual:
                    if pair in reported or a.order < b.order:
                        continue
                    reported.add(pair)
                    self._site_problem(
                        a,
                        a.path + ("id",),
                        f"rule {a.rule.id!r} duplicates rule {b.rule.id!r} "
                        f"({b.file}:{b.line}): same conditions, same conclusion",
                        severity="warning",
                    )
                else:
                    self._site_problem(
                        a,
                        a.path + ("id",),
                        f"rule {a.rule.id!r} is redundant: whenever it fires, rule "
                        f"{b.rule.id!r} ({b.file}:{b.line}) fires too with the same "
                        "conclusion",
                        severity="warning",
                    )
                break

    def _concludes_at_least(self, b: RuleSite, a: RuleSite) -> bool:
        """Rule b derives, recommends and postpones all that rule a does, at a priority as high."""
        ta, tb = a.rule.then, b.rule.then
        if not (
            set(ta.finding) <= set(tb.finding)
            and set(ta.recommend) <= set(tb.recommend)
            and set(ta.postpone) <= set(tb.postpone)
        ):
            return False
        for rid in ta.recommend:
            default = self.k.recommendation[rid].priority if rid in self.k.recommendation else "low"
            pa = min(PRIORITY_RANK[default], PRIORITY_RANK[ta.priority or default])
            pb = min(PRIORITY_RANK[default], PRIORITY_RANK[tb.priority or default])
            if pb > pa:
                return False
        return True

    # --- conflicting advice -------------------------------------------------------------------
    def conflicts(self) -> None:
        """Report rules that can fire together and recommend two measures declared in conflict."""
        lg = self.logic
        pairs: dict[frozenset[str], int] = {}
        for i, rec in enumerate(self.k.recommendations.recommendations):
            for other in rec.conflicts_with:
                if other in self.k.recommendation and other != rec.id:
                    pairs.setdefault(frozenset({rec.id, other}), i)
        rec_loc = self.c.loc("recommendations.yaml")
        for pair, i in sorted(pairs.items(), key=lambda x: sorted(x[0])):
            r1, r2 = sorted(pair)
            declared = (
                f"{rec_loc.file}:{rec_loc.pos(('recommendations', i, 'conflicts_with'))[0]}"
                if rec_loc
                else "recommendations.yaml"
            )
            seen: set[frozenset[str]] = set()
            for a in lg.producers.get(("recommendation", r1), []):
                for b in lg.producers.get(("recommendation", r2), []):
                    ids = frozenset({a.rule.id, b.rule.id})
                    if ids in seen or a.rule.id in self.dead or b.rule.id in self.dead:
                        continue
                    seen.add(ids)
                    if not self._together(a, b):
                        continue
                    later, earlier = (a, b) if a.order >= b.order else (b, a)
                    if a is b:
                        text = (
                            f"rule {a.rule.id!r} recommends both {r1!r} and {r2!r}, declared "
                            f"as conflicting ({declared})"
                        )
                    else:
                        text = (
                            f"rules {later.rule.id!r} and {earlier.rule.id!r} "
                            f"({earlier.file}:{earlier.line}) can fire together and recommend "
                            f"{r1!r} and {r2!r}, declared as conflicting ({declared})"
                        )
                    self._site_problem(
                        later,
                        later.path + ("id",),
                        text,
                        hint="add `not: {recommendation: ...}` to one of them",
                    )

    def _together(self, a: RuleSite, b: RuleSite) -> bool:
        lg = self.logic
        ga = [g for gs in lg.rule_grounds(a.rule.id) for g in gs]
        gb = [g for gs in lg.rule_grounds(b.rule.id) for g in gs]
        return any(lg.satisfiable(x.merge(y)) for x in ga for y in gb)

    # --- gaps ---------------------------------------------------------------------------------
    def gaps(self) -> None:
        """Weak values (scoring.yaml benchmark_rule: at least weak_distance below the benchmark) of
        a direction or actor that no advice addresses."""
        lg = self.logic
        recommending = [s for s in lg.sites if s.rule.then.recommend and s.rule.id not in self.dead]
        benchmarks = self.k.scoring.benchmarks
        distance = self.k.scoring.benchmark_rule.weak_distance
        for i, ind in enumerate(self.k.indicators.indicators):
            if (
                ind.group not in self.k.program.advice_gap_groups
                or ind.type != "score"
                or ind.id not in benchmarks
            ):
                continue
            key: Key = ("indicator", ind.id)
            universe = lg.universe(key)
            cut = benchmarks[ind.id].value - distance
            weak = meet_spans(universe.spans, (Span(-INF, cut),), False)
            status: Key = ("measure", f"bench_status_{ind.id}")
            covered: list[Span] = []
            for site in recommending:
                for grounds in lg.rule_grounds(site.rule.id):
                    for g in grounds:
                        v = g.value(key)
                        if v is not None:
                            covered.extend(v.spans)
                        w = g.value(status)  # the measure of the one weak/strong rule
                        if (
                            w is not None
                            and w.kind == "items"
                            and ("weak" in w.items) != w.cofinite
                        ):
                            covered.extend(weak)
            gap = meet_spans(weak, complement(spans_of(covered, False), False), False)
            if gap:
                self.c.add(
                    "indicators.yaml",
                    ("indicators", i, "id"),
                    f"gap: {ind.id} {spans_text(gap)} is weak ({num_text(distance)} or more "
                    f"below the benchmark {num_text(benchmarks[ind.id].value)}), but no rule "
                    "that recommends "
                    "something tests these values, directly or through a finding",
                    severity="warning",
                )


def _cycle_path(
    start: Key, members: set[Key], edges: dict[Key, list[tuple[Key, bool, RuleSite]]]
) -> list[tuple[Key, RuleSite]]:
    """One cycle through `start` inside an SCC: [(node, rule deriving it), ...]."""
    parent: dict[Key, tuple[Key, RuleSite]] = {}
    queue = [start]
    while queue:
        v = queue.pop(0)
        for w, _, site in sorted(edges.get(v, []), key=lambda e: (e[0], e[2].order)):
            if w not in members:
                continue
            if w == start:
                path = [(v, site)]
                while v != start:
                    pv, psite = parent[v]
                    path.append((pv, psite))
                    v = pv
                return list(reversed(path))
            if w not in parent:
                parent[w] = (v, site)
                queue.append(w)
    return []


def _condition_paths(site: RuleSite) -> dict[int, tuple[Any, ...]]:
    """YAML path of every atom object of a rule (by identity), for located messages."""
    return {id(atom): path for atom, _, path in atoms_with_paths(site)}


def _atom_path(site: RuleSite, key: Key) -> tuple[Any, ...]:
    for atom, _, path in atoms_with_paths(site):
        if (atom.subject_kind, atom.subject) == key:
            return path
    return site.path + ("id",)
