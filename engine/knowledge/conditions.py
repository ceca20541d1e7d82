"""The meaning of a rule condition, in one place, with no experta import.

`rules.py` wraps these predicates into experta patterns; `explain.py` and `verify.py` use the same
functions to show and check conditions. A blank value (None, "no information") satisfies only
`is_missing`: missing data is never read as zero.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import cache
from typing import Any

from engine.errors import ClusterIntlError, Problem
from engine.knowledge.models import All_, Any_, Atom, Cond, Not_, RuleSite

Pred = Callable[[Any], bool]

UNARY = {"is_true", "is_false", "is_missing", "is_known", "is_empty", "not_empty"}


def _num(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def _seq(v: Any) -> bool:
    return isinstance(v, Sequence) and not isinstance(v, str)


def _hashable(value: Any) -> Any:
    if isinstance(value, list):
        return tuple(_hashable(v) for v in value)
    return value


# What each operator means, as a factory of predicates over one value. A blank (None) satisfies
# only `is_missing`: every other operator is false on it, so missing data is never read as a value.
_OPERATORS: dict[str, Callable[[Any], Pred]] = {
    "eq": lambda x: lambda v: v is not None and v == x,
    "ne": lambda x: lambda v: v is not None and v != x,
    "lt": lambda x: lambda v: _num(v) and v < x,
    "le": lambda x: lambda v: _num(v) and v <= x,
    "gt": lambda x: lambda v: _num(v) and v > x,
    "ge": lambda x: lambda v: _num(v) and v >= x,
    "in": lambda x: lambda v: v is not None and v in x,
    "not_in": lambda x: lambda v: v is not None and v not in x,
    "is_true": lambda _: lambda v: v is True,
    "is_false": lambda _: lambda v: v is False,
    "is_missing": lambda _: lambda v: v is None,
    "is_known": lambda _: lambda v: v is not None,
    "contains": lambda x: lambda v: _seq(v) and x in v,
    "not_contains": lambda x: lambda v: _seq(v) and x not in v,
    "is_empty": lambda _: lambda v: _seq(v) and len(v) == 0,
    "not_empty": lambda _: lambda v: _seq(v) and len(v) > 0,
    "count_ge": lambda x: lambda v: _seq(v) and len(v) >= x,
    "count_lt": lambda x: lambda v: _seq(v) and len(v) < x,
}
OPERATORS = frozenset(_OPERATORS)


def _make(op: str, x: Any) -> Pred:
    try:
        return _OPERATORS[op](x)
    except KeyError:
        raise ValueError(f"unknown operator {op!r}") from None


@cache
def _predicate(op: str, x: Any) -> Pred:
    # memoised by (op, value): experta keeps every check in global caches, so building engines
    # repeatedly must reuse the same callables instead of growing those caches
    return _make(op, x)


def predicate(op: str, value: Any) -> Pred:
    return _predicate(op, _hashable(value))


def holds(atom: Atom, value: Any) -> bool:
    assert atom.op is not None
    return predicate(atom.op, atom.value)(value)


def iter_atoms(conds: list[Cond]) -> list[tuple[Atom, bool]]:
    """Every atom of a condition list with a flag telling whether it sits under `not`."""
    out: list[tuple[Atom, bool]] = []
    for c in conds:
        if isinstance(c, Atom):
            out.append((c, False))
        elif isinstance(c, Not_):
            out.append((c.not_, True))
        elif isinstance(c, Any_):
            out.extend(iter_atoms(c.any))
        elif isinstance(c, All_):
            out.extend(iter_atoms(c.all))
    return out


# How many AND-branches one rule may expand to. The DNF doubles with every nested two-way `any`
# (an `all` of 12 of them is 4096 branches and took 75 s to draft); the shipped rules need at most
# a handful. A constant rather than a knowledge setting: it bounds the engine's work, which is
# not advice, and a knowledge file that could raise it could also switch the bound off.
MAX_BRANCHES = 256


class TooManyBranches(ClusterIntlError):
    """A rule whose `when:` expands to more than MAX_BRANCHES branches."""

    def __init__(self, count: int) -> None:
        self.count = count
        super().__init__(
            f"the condition expands to {count} alternatives (the limit is {MAX_BRANCHES}); "
            "split the rule, or factor the shared conditions out of the `any:` lists"
        )


def branch_count(conds: list[Cond]) -> int:
    """The number of AND-branches `branches()` would give, without building them."""
    n = 1
    for c in conds:
        if isinstance(c, Any_):
            n *= sum(branch_count([alt]) for alt in c.any)
        elif isinstance(c, All_):
            n *= branch_count(c.all)
    return n  # exact even when huge: a product of small integers, not a list of branches


def branch_problems(sites: Sequence[RuleSite]) -> list[tuple[str, Problem]]:
    """(rule id, located problem) for every rule past the branch cap."""
    out = []
    for site in sites:
        n = branch_count(site.rule.when)
        if n > MAX_BRANCHES:
            message = str(TooManyBranches(n))
            out.append((site.rule.id, site.located.problem(site.path + ("when",), message)))
    return out


def branches(conds: list[Cond]) -> list[list[Cond]]:
    """Disjunctive normal form: the list of AND-branches (each a list of Atom / Not_).

    Raises TooManyBranches past MAX_BRANCHES, before expanding anything."""
    n = branch_count(conds)
    if n > MAX_BRANCHES:
        raise TooManyBranches(n)
    return _expand(conds)


def _expand(conds: list[Cond]) -> list[list[Cond]]:
    result: list[list[Cond]] = [[]]
    for c in conds:
        if isinstance(c, Any_):
            alts: list[list[Cond]] = []
            for alt in c.any:
                alts.extend(_expand([alt]))
            result = [r + a for r in result for a in alts]
        elif isinstance(c, All_):
            result = [r + a for r in result for a in _expand(c.all)]
        else:
            result = [r + [c] for r in result]
    return result


# --- three-valued reading of one condition against known values ---------------------------------
# A rule's `when` is two-valued (a blank fails every test but `is_missing`), which is what firing
# needs. A catalogue condition such as a recommendation's `running:` asks a different question:
# does the assessment show it, deny it, or leave it open? There a blank is "unknown" (None).

Truth = bool | None


def truth(
    cond: Cond, value_of: Callable[[Atom], Any], checks: list[tuple[Atom, bool, Any, Truth]]
) -> Truth:
    """True, False or None (unknown) for `cond`; `value_of(atom)` gives an indicator's or a
    measure's value (None when blank) or whether a finding / recommendation was derived. Every atom
    read is appended to `checks` as (atom, negated, actual value, its truth)."""
    if isinstance(cond, Atom):
        actual = value_of(cond)
        t = _atom_truth(cond, actual)
        checks.append((cond, False, actual, t))
        return t
    if isinstance(cond, Not_):
        actual = value_of(cond.not_)
        t = _atom_truth(cond.not_, actual)
        t = None if t is None else not t
        checks.append((cond.not_, True, actual, t))
        return t
    parts = [truth(c, value_of, checks) for c in (cond.any if isinstance(cond, Any_) else cond.all)]
    decisive = isinstance(cond, Any_)  # `any` is settled by one true part, `all` by one false
    if decisive in parts:
        return decisive
    return None if None in parts else not decisive


def _atom_truth(a: Atom, actual: Any) -> Truth:
    if a.subject_kind in ("finding", "recommendation"):
        return bool(actual)
    if a.op in ("is_missing", "is_known"):
        return holds(a, actual)
    return None if actual is None else holds(a, actual)
