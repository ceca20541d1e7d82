"""The meaning of a rule condition, in one place, with no experta import.

`rules.py` wraps these predicates into experta patterns; `explain.py` and `verify.py` use the same
functions to show and check conditions. A blank value (None, "no information") satisfies only
`is_missing`: missing data is never read as zero.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import cache
from typing import Any

from engine.knowledge.models import All_, Any_, Atom, Cond, Not_

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


def branches(conds: list[Cond]) -> list[list[Cond]]:
    """Disjunctive normal form: the list of AND-branches (each a list of Atom / Not_)."""
    result: list[list[Cond]] = [[]]
    for c in conds:
        if isinstance(c, Any_):
            alts: list[list[Cond]] = []
            for alt in c.any:
                alts.extend(branches([alt]))
            result = [r + a for r in result for a in alts]
        elif isinstance(c, All_):
            result = [r + a for r in result for a in branches(c.all)]
        else:
            result = [r + [c] for r in result]
    return result
