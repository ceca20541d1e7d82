"""The smallest verified change: candidate values of one input indicator, grouped by the truth
values they give to the conditions the target depends on, each outcome rerun on the real engine."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from engine.assessment.validate import Assessment, with_changes
from engine.errors import InputError
from engine.inference.run import Runner
from engine.inference.trace import Result
from engine.knowledge.conditions import OPERATORS, holds, iter_atoms
from engine.knowledge.graph import cone
from engine.knowledge.measure_ids import measure_inputs
from engine.knowledge.models import Atom, Indicator, Knowledge
from engine.measures import Measures, compute

_SHARES = (
    0.0,
    0.5,
    1.0,
    2.0,
    3.0,
    5.0,
    7.5,
    10.0,
    15.0,
    20.0,
    25.0,
    30.0,
    40.0,
    50.0,
    60.0,
    75.0,
    90.0,
    100.0,
)


_FACTORS = (0.0, 0.5, 0.9, 1.1, 1.5, 2.0, 5.0, 10.0)


MAX_RUNS = 150  # reruns of the engine per search (about 10 ms each)


MAX_FOUND = 5  # single changes reported, smallest first


@dataclass(frozen=True)
class _Option:
    indicator: str
    value: Any
    distance: float
    signature: tuple[bool, ...]


class _Search:
    """Candidate values of the indicators that the conditions `atoms` read (directly, or through
    the measures they feed), grouped by the truth values they give to those conditions."""

    derivations = True  # the measures of a candidate keep their derivations

    def __init__(self, result: Result, k: Knowledge, rules: list[Any], atoms: list[Atom]) -> None:
        self.result, self.k = result, k
        self.a: Assessment = result.assessment
        self.m: Measures = result.measures
        self.rules = rules
        self.atoms = atoms
        deps = measure_inputs(k)
        self.feeds = set().union(*deps.values()) if deps else set()
        wanted: list[str] = []
        for atom in atoms:
            ids = (
                [atom.subject]
                if atom.subject_kind == "indicator"
                else sorted(deps.get(atom.subject, set()))
            )
            for i in ids:
                if i not in wanted and i in k.indicator:
                    wanted.append(i)
        order = {i.id: n for n, i in enumerate(k.indicators.indicators)}
        self.indicators = sorted(wanted, key=order.__getitem__)
        self.order = order
        self.base = self.signature_of(self.a, self.m)
        self.candidates = 0

    def signature_of(self, a: Assessment, m: Measures) -> tuple[bool, ...]:
        """The truth value of every condition the target depends on, for these inputs."""
        return tuple(
            holds(
                atom,
                a.get(atom.subject) if atom.subject_kind == "indicator" else m.get(atom.subject),
            )
            for atom in self.atoms
        )

    def changed(self, iid: str, value: Any) -> tuple[Assessment, Measures] | None:
        """The assessment and measures with `iid` set to `value`, or None if it is refused."""
        try:
            a2 = with_changes(self.a, {iid: value}, self.k)
        except InputError:
            return None
        m2 = compute(a2, self.k, derivations=self.derivations) if iid in self.feeds else self.m
        return a2, m2

    def sig(self, iid: str, value: Any) -> tuple[bool, ...] | None:
        """The signature with `iid` set to `value` (None if refused); counts the candidate."""
        self.candidates += 1
        got = self.changed(iid, value)
        return None if got is None else self.signature_of(*got)

    # candidate values per indicator type
    def options(self, iid: str) -> list[_Option]:
        """Changes of one indicator that alter the signature, the smallest one per outcome."""
        ind = self.k.indicator[iid]
        cur = self.a.get(iid)
        if ind.type in ("int", "float") or (ind.type == "score" and not ind.scale):
            return self._numeric(ind, cur)
        out: dict[tuple[bool, ...], _Option] = {}
        for value in self._discrete(ind, cur):
            if value == cur:
                continue
            sig = self.sig(iid, value)
            if sig is None or sig == self.base:
                continue
            opt = _Option(iid, value, self._distance(ind, cur, value), sig)
            if sig not in out or opt.distance < out[sig].distance:
                out[sig] = opt
        return list(out.values())

    def _atoms_on(self, iid: str) -> list[Atom]:
        return [a for a in self.atoms if a.subject_kind == "indicator" and a.subject == iid]

    def _discrete(self, ind: Indicator, cur: Any) -> list[Any]:
        if ind.type == "bool":
            return [True, False]
        if ind.type == "enum":
            return list(ind.values or [])
        if ind.type == "score":
            scale = self.k.indicators.scales[ind.scale or ""]
            return [
                float(x) if isinstance(cur, float) else x
                for x in range(math.ceil(scale.min), math.floor(scale.max) + 1)
            ]
        if ind.type == "str":
            vals: list[Any] = []
            for a in self._atoms_on(ind.id):
                for v in a.value if isinstance(a.value, list) else [a.value]:
                    if isinstance(v, str) and v not in vals:
                        vals.append(v)
            return vals
        return self._lists(ind, cur)

    def _operands(self, iid: str, kind: str) -> list[Any]:
        """The values the rules give to `iid` through operators taking this kind of value
        (`item`: one list item, `count`: a number of items; see conditions.OPERATORS)."""
        return [a.value for a in self._atoms_on(iid) if OPERATORS[a.op or ""].value == kind]

    def _lists(self, ind: Indicator, cur: Any) -> list[Any]:
        """Lists near the current one: toggle one item, empty it, or reach the counts the rules
        ask for."""
        current = list(cur or [])
        items = list(ind.values or [])
        for item in self._operands(ind.id, "item"):
            if item not in items:
                items.append(str(item))
        lists: list[list[str]] = [[]]
        for v in items:
            lists.append([x for x in current if x != v] if v in current else current + [v])
        missing = [v for v in items if v not in current]
        for count in self._operands(ind.id, "count"):
            if not isinstance(count, int):
                continue
            for n in (count - 1, count):
                if n >= 0:
                    lists.append(
                        current[:n] if n <= len(current) else current + missing[: n - len(current)]
                    )
        unique: list[Any] = []
        for x in lists:
            if x not in unique:
                unique.append(x)
        return unique

    def _distance(self, ind: Indicator, cur: Any, value: Any) -> float:
        """A heuristic size of a change, to list the smallest first (each one is verified)."""
        if cur is None:
            return 1.0
        if ind.type == "list":
            return 0.25 * len(set(cur) ^ set(value))
        if ind.type in ("bool", "enum", "str"):
            return 0.5
        lo, hi = ind.min, ind.max
        if ind.type == "score" and ind.scale:
            sc = self.k.indicators.scales[ind.scale]
            lo, hi = sc.min, sc.max
        if lo is not None and hi is not None and hi > lo:
            return abs(value - cur) / (hi - lo)
        return min(1.0, abs(value - cur) / max(abs(cur), 1.0))

    def _numeric(self, ind: Indicator, cur: Any) -> list[_Option]:
        iid = ind.id
        is_int = ind.type == "int"
        points = set(self._numeric_points(ind, cur))
        lo, hi = self.bounds(ind, cur)
        clean = set()
        for p in points:
            if not math.isfinite(p):
                continue
            for q in (math.floor(p), math.ceil(p)) if is_int else (p,):
                if lo <= q <= hi:
                    clean.add(int(q) if is_int else float(q))
        sigs = {p: self.sig(iid, p) for p in sorted(clean)}
        found: dict[tuple[bool, ...], _Option] = {}

        def keep(value: Any, sig: tuple[bool, ...] | None) -> None:
            if sig is None or sig == self.base or value == cur:
                return
            opt = _Option(iid, value, self._distance(ind, cur, value), sig)
            if sig not in found or opt.distance < found[sig].distance:
                found[sig] = opt

        if cur is None:
            for p, sig in sorted(sigs.items(), key=lambda t: (abs(t[0]), t[0])):
                keep(p, sig)
            return list(found.values())
        for side in (1, -1):
            near, near_sig = cur, self.base
            ordered = sorted((p for p in sigs if (p - cur) * side > 0), key=lambda p: abs(p - cur))
            for p in ordered:
                sig = sigs[p]
                if sig is None:
                    continue
                if sig != near_sig:
                    b = self._boundary(iid, near, p, near_sig, is_int)
                    keep(b, self.sig(iid, b))
                    keep(p, sig)
                near, near_sig = p, sig
        return list(found.values())

    def bounds(self, ind: Indicator, cur: Any) -> tuple[float, float]:
        """The values a number may take: its scale's bounds (none where it has none)."""
        del cur  # the sensitivity map narrows this around the answer
        lo = ind.min if ind.min is not None else -math.inf
        hi = ind.max if ind.max is not None else math.inf
        return lo, hi

    def _numeric_points(self, ind: Indicator, cur: Any) -> list[float]:
        iid = ind.id
        step = 1.0
        pts: list[float] = [0.0]
        if cur is not None:
            pts += [cur * f for f in _FACTORS] + [cur + step, cur - step]
        for a in self._atoms_on(iid):
            vals = a.value if isinstance(a.value, list) else [a.value]
            for t in vals:
                if isinstance(t, (int, float)) and not isinstance(t, bool):
                    nudge = 0.01 * max(abs(t), 1)
                    pts += [t, t + step, t - step, t + nudge, t - nudge]
        # raw inputs of partial indicators: the values that give the usual shares and the shares
        # of the cluster's other indicators and of the region (ranks and gaps turn there)
        m = self.m.values
        s = self.k.scoring
        shares = set(_SHARES)
        for p in s.partial_indicators + s.region_indicators:
            v = m.get(p.id)
            if isinstance(v, (int, float)):
                shares |= {v * 0.999, v * 1.001}
        for p in s.partial_indicators + s.region_indicators:
            pairs: list[tuple[str | None, str | None]] = [(p.numerator, p.denominator)]
            if p.alternative:
                pairs.append((p.alternative[0], p.alternative[1]))
            for num, den in pairs:
                if num is None or den is None:
                    continue
                if iid == num and isinstance(self.a.get(den), (int, float)):
                    d = self.a.get(den)
                    pts += [sh * d / 100.0 for sh in shares]
                elif iid == den and isinstance(self.a.get(num), (int, float)):
                    n = self.a.get(num)
                    pts += [n * 100.0 / sh for sh in shares if sh > 0]
            if p.formula == "capped_count" and p.count == iid and p.target:
                pts += [sh * p.target / 100.0 for sh in shares]
        return pts

    def _boundary(
        self, iid: str, near: float, far: float, near_sig: tuple[bool, ...], is_int: bool
    ) -> Any:
        """The value closest to `near` whose conditions differ from `near`'s (bisection)."""
        a, b = near, far
        for _ in range(60):
            if is_int and abs(b - a) <= 1:
                break
            if not is_int and abs(b - a) <= max(1e-9, abs(b) * 1e-7):
                break
            mid = (a + b) // 2 if is_int else (a + b) / 2.0
            if is_int and mid in (a, b):
                mid = a + (1 if b > a else -1)
            if self.sig(iid, mid) == near_sig:
                a = mid
            else:
                b = mid
        if is_int:
            return int(b)
        # prefer a round number on the far side that keeps the same outcome
        target = self.sig(iid, b)
        for digits in range(7):
            f = 10**digits
            r = (math.ceil(b * f) if far > near else math.floor(b * f)) / f
            if min(b, far) <= r <= max(b, far) and self.sig(iid, r) == target:
                return float(r)
        return float(b)


def condition_atoms(rules: list[Any]) -> list[Atom]:
    """The conditions on indicators and measures of these rules, each once, in order."""
    atoms: list[Atom] = []
    for site in rules:
        for atom, _ in iter_atoms(site.rule.when):
            if atom.subject_kind in ("indicator", "measure") and atom not in atoms:
                atoms.append(atom)
    return atoms


def minimal_changes(
    result: Result,
    kind: str,
    ident: str,
    k: Knowledge,
    runner: Runner,
    *,
    max_runs: int = MAX_RUNS,
    max_found: int = MAX_FOUND,
) -> dict[str, Any]:
    """The smallest single changes of input indicators that make (kind, ident) appear, each
    verified by rerunning the engine, smallest first; with the search's statistics."""
    rules = cone(kind, ident, k)
    search = _Search(result, k, rules, condition_atoms(rules))
    options: list[_Option] = []
    for iid in search.indicators:
        options.extend(search.options(iid))
    options.sort(key=lambda o: (o.distance, search.order[o.indicator], repr(o.value)))
    outcome: dict[tuple[bool, ...], bool] = {}
    found: list[dict[str, Any]] = []
    runs, truncated = 0, False
    for opt in options:
        if len(found) >= max_found:
            break
        if any(f["indicator"] == opt.indicator for f in found):
            continue
        if outcome.get(opt.signature) is False:
            continue
        if runs >= max_runs:
            truncated = True
            break
        got = search.changed(opt.indicator, opt.value)
        assert got is not None
        new = runner.run(*got)
        runs += 1
        made = ident in (new.recommendations if kind == "recommendation" else new.findings)
        outcome[opt.signature] = made
        if not made:
            continue
        found.append(
            {
                "indicator": opt.indicator,
                "from": result.assessment.get(opt.indicator),
                "to": opt.value,
                "distance": round(opt.distance, 4),
                "rules": sorted({f.rule for f in new.producers(kind, ident)}),
                "also_added": [
                    r for r in new.recommendations if r not in result.recommendations and r != ident
                ],
                "also_removed": [r for r in result.recommendations if r not in new.recommendations],
            }
        )
    return {
        "changes": found,
        "stats": {
            "indicators": len(search.indicators),
            "candidates": search.candidates,
            "outcomes": len(options),
            "runs": runs,
            "truncated": truncated,
            "rules": [s.rule.id for s in search.rules],
        },
    }
