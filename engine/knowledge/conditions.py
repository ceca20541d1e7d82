"""The meaning of a rule condition, in one place, with no experta import.

`engine/inference/rules.py` wraps these predicates into experta patterns; `engine/explain/` and
`engine/knowledge/verify/` use the same functions and the operator table (`OPERATORS`) to show and
check conditions, and `engine/authoring/clips.py` exports them. A blank value (None, "no information") satisfies only
`is_missing`: missing data is never read as zero.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any, Literal

from engine.errors import ClusterIntlError, Problem
from engine.knowledge.models import All_, Any_, Atom, Cond, Not_, RuleSite

Pred = Callable[[Any], bool]
ValueKind = Literal["none", "scalar", "list", "item", "count"]
Bound = tuple[float, float, bool, bool]  # lo, hi, lo_open, hi_open

INF = math.inf
EVERY: tuple[Bound, ...] = ((-INF, INF, False, False),)
ANY_COUNT: Bound = (0, INF, False, False)

# the subject types an operator may fit: indicator types, and the kinds of derived measures
NUMBERS = frozenset({"int", "float", "score", "number"})
CHOICES = frozenset({"enum", "str", "text"})
LISTS = frozenset({"list"})
EVERY_TYPE = NUMBERS | CHOICES | LISTS | {"bool"}


def _num(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def _seq(v: Any) -> bool:
    # the values a rule tests are tuples (a fact's frozen list), lists or blanks: answered by
    # their exact type first, as `isinstance` against the abc (a cache lookup in Python's abc
    # machinery on every call) would answer them
    t = type(v)
    if t is tuple or t is list:
        return True
    if v is None:
        return False
    return isinstance(v, Sequence) and not isinstance(v, str)


def _hashable(value: Any) -> Any:
    if isinstance(value, list):
        return tuple(_hashable(v) for v in value)
    return value


@dataclass(frozen=True)
class Admits:
    """The known values `subject op x` admits, in the terms of the value algebra of the logic
    checks (engine/knowledge/verify/values.py `admitted`): numbers as bounds, choices as a set of
    items (or every item but them), lists as the items they hold and the counts they have."""

    blank: bool = False  # admits a blank and nothing else (`is_missing`)
    numbers: tuple[Bound, ...] = ()
    numbers_but: bool = False  # every number but `numbers`
    items: frozenset[Any] = frozenset()
    items_but: bool = False  # every item but `items`
    required: frozenset[Any] = frozenset()
    excluded: frozenset[Any] = frozenset()
    count: Bound = ANY_COUNT


def _values(x: Any) -> list[Any]:
    return x if isinstance(x, list) else [x]


def _points(x: Any) -> tuple[Bound, ...]:
    return tuple((v, v, False, False) for v in _values(x) if _num(v))


def _admits(x: Any, **kw: Any) -> Admits:
    """What an operator with value `x` admits: by default the items named by `x`, no number."""
    items = frozenset(_hashable(v) for v in _values(x))
    return Admits(**{"items": items, **kw})


@dataclass(frozen=True)
class Operator:
    """One operator of the rule language, everything about it in one place.

    `value`: what the rule gives it (none, one value, a list of values, one list item, a count);
    `fits`: the subject types it applies to; `predicate`: a factory of the test on one value (a
    blank satisfies only `is_missing`); `admits`: the values it admits, for the logic checks;
    `clips` / `clips_list`: its CLIPS test on a single-field slot / on a multislot (list
    indicator), a pattern over {var}, {known}, {eq}, {any_of}, {member}, {number} that
    engine/authoring/clips.py fills in (None: it does not apply there); `words`: the key of its
    words in templates/strings.yaml."""

    name: str
    value: ValueKind
    fits: frozenset[str]
    predicate: Callable[[Any], Pred]
    admits: Callable[[Any], Admits]
    clips: str
    clips_list: str | None
    words: str

    @property
    def arity(self) -> int:
        """Operands of the test: the subject, and the rule's value unless the operator is unary."""
        return 1 if self.value == "none" else 2


def _op(name: str, value: ValueKind, fits: frozenset[str], **kw: Any) -> Operator:
    return Operator(name=name, value=value, fits=fits, words=f"op_{name}", **kw)


_FALSE = "FALSE"  # a scalar is never a list (the predicate's `_seq(v)` fails)

_TABLE = [
    _op(
        "eq",
        "scalar",
        EVERY_TYPE - LISTS,
        predicate=lambda x: lambda v: v is not None and v == x,
        admits=lambda x: _admits(x, numbers=_points(x)[:1]),
        clips="(and {known} {eq})",
        clips_list=None,
    ),
    _op(
        "ne",
        "scalar",
        EVERY_TYPE - LISTS,
        predicate=lambda x: lambda v: v is not None and v != x,
        admits=lambda x: _admits(x, numbers=_points(x), numbers_but=True, items_but=True),
        clips="(and {known} (not {eq}))",
        clips_list=None,
    ),
    _op(
        "lt",
        "scalar",
        NUMBERS,
        predicate=lambda x: lambda v: _num(v) and v < x,
        admits=lambda x: _admits(x, numbers=((-INF, x, False, True),) if _points(x) else ()),
        clips="(and (numberp {var}) (< {var} {number}))",
        clips_list=None,
    ),
    _op(
        "le",
        "scalar",
        NUMBERS,
        predicate=lambda x: lambda v: _num(v) and v <= x,
        admits=lambda x: _admits(x, numbers=((-INF, x, False, False),) if _points(x) else ()),
        clips="(and (numberp {var}) (<= {var} {number}))",
        clips_list=None,
    ),
    _op(
        "gt",
        "scalar",
        NUMBERS,
        predicate=lambda x: lambda v: _num(v) and v > x,
        admits=lambda x: _admits(x, numbers=((x, INF, True, False),) if _points(x) else ()),
        clips="(and (numberp {var}) (> {var} {number}))",
        clips_list=None,
    ),
    _op(
        "ge",
        "scalar",
        NUMBERS,
        predicate=lambda x: lambda v: _num(v) and v >= x,
        admits=lambda x: _admits(x, numbers=((x, INF, False, False),) if _points(x) else ()),
        clips="(and (numberp {var}) (>= {var} {number}))",
        clips_list=None,
    ),
    _op(
        "in",
        "list",
        (NUMBERS - {"number"}) | CHOICES,
        predicate=lambda x: lambda v: v is not None and v in x,
        admits=lambda x: _admits(x, numbers=_points(x)),
        clips="(and {known} {any_of})",
        clips_list=None,
    ),
    _op(
        "not_in",
        "list",
        (NUMBERS - {"number"}) | CHOICES,
        predicate=lambda x: lambda v: v is not None and v not in x,
        admits=lambda x: _admits(x, numbers=_points(x), numbers_but=True, items_but=True),
        clips="(and {known} (not {any_of}))",
        clips_list=None,
    ),
    _op(
        "is_true",
        "none",
        frozenset({"bool"}),
        predicate=lambda _: lambda v: v is True,
        admits=lambda _: Admits(items=frozenset({True})),
        clips="(eq {var} TRUE)",
        clips_list=None,
    ),
    _op(
        "is_false",
        "none",
        frozenset({"bool"}),
        predicate=lambda _: lambda v: v is False,
        admits=lambda _: Admits(items=frozenset({False})),
        clips="(eq {var} FALSE)",
        clips_list=None,
    ),
    _op(
        "is_missing",
        "none",
        EVERY_TYPE,
        predicate=lambda _: lambda v: v is None,
        admits=lambda _: Admits(blank=True),
        clips="(eq {var} nil)",
        clips_list="(member$ nil {var})",
    ),
    _op(
        "is_known",
        "none",
        EVERY_TYPE,
        predicate=lambda _: lambda v: v is not None,
        admits=lambda _: Admits(numbers=EVERY, items_but=True),
        clips="{known}",
        clips_list="{known}",
    ),
    _op(
        "contains",
        "item",
        LISTS,
        predicate=lambda x: lambda v: _seq(v) and x in v,
        admits=lambda x: Admits(required=frozenset({_hashable(x)})),
        clips=_FALSE,
        clips_list="(and {known} {member})",
    ),
    _op(
        "not_contains",
        "item",
        LISTS,
        predicate=lambda x: lambda v: _seq(v) and x not in v,
        admits=lambda x: Admits(excluded=frozenset({_hashable(x)})),
        clips=_FALSE,
        clips_list="(and {known} (not {member}))",
    ),
    _op(
        "is_empty",
        "none",
        LISTS,
        predicate=lambda _: lambda v: _seq(v) and len(v) == 0,
        admits=lambda _: Admits(count=(0, 0, False, False)),
        clips=_FALSE,
        clips_list="(= (length$ {var}) 0)",
    ),
    _op(
        "not_empty",
        "none",
        LISTS,
        predicate=lambda _: lambda v: _seq(v) and len(v) > 0,
        admits=lambda _: Admits(count=(1, INF, False, False)),
        clips=_FALSE,
        clips_list="(and {known} (> (length$ {var}) 0))",
    ),
    _op(
        "count_ge",
        "count",
        LISTS,
        predicate=lambda x: lambda v: _seq(v) and len(v) >= x,
        admits=lambda x: Admits(count=(x if isinstance(x, int) else 0, INF, False, False)),
        clips=_FALSE,
        clips_list="(and {known} (>= (length$ {var}) {number}))",
    ),
    _op(
        "count_lt",
        "count",
        LISTS,
        predicate=lambda x: lambda v: _seq(v) and len(v) < x,
        admits=lambda x: Admits(count=(0, x, False, True) if isinstance(x, int) else ANY_COUNT),
        clips=_FALSE,
        clips_list="(and {known} (< (length$ {var}) {number}))",
    ),
]

# Every operator of the rule language by name: verification, the logic checks, labels, the
# why-not search, the CLIPS export and the catalogue read this table (and nothing else).
OPERATORS: dict[str, Operator] = {op.name: op for op in _TABLE}
UNARY = frozenset(name for name, op in OPERATORS.items() if op.value == "none")


def operators_fitting(subject_type: str) -> list[str]:
    """The names of the operators that apply to a subject of this type, sorted."""
    return sorted(name for name, op in OPERATORS.items() if subject_type in op.fits)


def _make(op: str, x: Any) -> Pred:
    try:
        return OPERATORS[op].predicate(x)
    except KeyError:
        raise ValueError(f"unknown operator {op!r}") from None


@cache
def _predicate(op: str, x: Any) -> Pred:
    # memoised by (op, value): experta keeps every check in global caches, so building engines
    # repeatedly must reuse the same callables instead of growing those caches
    return _make(op, x)


def predicate(op: str, value: Any) -> Pred:
    """The test `op value` as a callable on a subject's value, shared between calls."""
    return _predicate(op, _hashable(value))


def holds(atom: Atom, value: Any) -> bool:
    """Whether the condition `atom` is true of the value of its subject."""
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
            problem = site.located.problem(site.path + ("when",), message, code="too-many-branches")
            out.append((site.rule.id, problem))
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
