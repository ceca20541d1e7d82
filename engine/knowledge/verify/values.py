"""The value algebra of the logic checks: which values a set of conditions allows (spans of
numbers, sets of enum values, list counts), met, complemented and compared."""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Any

from engine.knowledge.conditions import Admits
from engine.knowledge.verify.references import num_text

INF = math.inf


MAX_GROUNDS = 256  # unfolding stops (the finding stays opaque) beyond this many ground branches


@dataclass(frozen=True)
class Span:
    """An interval of numbers; `lo_open`/`hi_open` exclude the end point."""

    lo: float
    hi: float
    lo_open: bool = False
    hi_open: bool = False

    def is_empty(self) -> bool:
        """Whether the interval holds no number."""
        return self.lo > self.hi or (self.lo == self.hi and (self.lo_open or self.hi_open))


def int_span(s: Span) -> Span:
    """The span narrowed to the whole numbers inside it, with closed bounds."""
    if s.is_empty():
        return s
    lo = s.lo if math.isinf(s.lo) else (math.floor(s.lo) + 1 if s.lo_open else math.ceil(s.lo))
    hi = s.hi if math.isinf(s.hi) else (math.ceil(s.hi) - 1 if s.hi_open else math.floor(s.hi))
    return Span(lo, hi)


def spans_of(items: Iterable[Span], integral: bool) -> tuple[Span, ...]:
    """Normal form: non-empty, sorted, merged (integers: closed bounds, neighbours joined)."""
    spans = [(int_span(s) if integral else s) for s in items]
    spans = sorted((s for s in spans if not s.is_empty()), key=lambda s: (s.lo, s.lo_open))
    out: list[Span] = []
    for s in spans:
        if out:
            last = out[-1]
            touches = s.lo < last.hi or (s.lo == last.hi and not (last.hi_open and s.lo_open))
            if touches or (integral and s.lo == last.hi + 1):
                if s.hi > last.hi or (s.hi == last.hi and not s.hi_open):
                    out[-1] = Span(last.lo, s.hi, last.lo_open, s.hi_open)
                continue
        out.append(s)
    return tuple(out)


def meet_spans(a: tuple[Span, ...], b: tuple[Span, ...], integral: bool) -> tuple[Span, ...]:
    """The numbers in both sets of spans, in normal form."""
    out = []
    for x in a:
        for y in b:
            lo, lo_open = max((x.lo, x.lo_open), (y.lo, y.lo_open))
            hi, hi_open = min((x.hi, not x.hi_open), (y.hi, not y.hi_open))
            out.append(Span(lo, hi, lo_open, not hi_open))
    return spans_of(out, integral)


def complement(a: tuple[Span, ...], integral: bool) -> tuple[Span, ...]:
    """The numbers outside the spans, in normal form."""
    out, lo, lo_open = [], -INF, False
    for s in a:
        out.append(Span(lo, s.lo, lo_open, not s.lo_open))
        lo, lo_open = s.hi, not s.hi_open
    out.append(Span(lo, INF, lo_open, False))
    return spans_of(out, integral)


def spans_text(spans: tuple[Span, ...]) -> str:
    """`≥ 0 and < 2; = 4`: how a rule author reads a set of values."""
    parts = []
    for s in spans:
        if s.lo == s.hi:
            parts.append(f"= {num_text(s.lo)}")
            continue
        bounds = []
        if s.lo != -INF:
            bounds.append(f"{'>' if s.lo_open else '≥'} {num_text(s.lo)}")
        if s.hi != INF:
            bounds.append(f"{'<' if s.hi_open else '≤'} {num_text(s.hi)}")
        parts.append(" and ".join(bounds) or "any number")
    return "; ".join(parts)


ALL = (Span(-INF, INF),)


@dataclass(frozen=True)
class Values:
    """The values one subject may take: blank (`none`) or not, and which known values.

    kind `num`: known numbers are `spans`. kind `items` (bool, enum, text): `items`, or every value
    but `items` when `cofinite`. kind `list`: lists holding every `required` item, no `excluded`
    item, with a length in `spans`; `known` false means no list at all.
    """

    kind: str
    none: bool = True
    spans: tuple[Span, ...] = ALL
    integral: bool = False
    items: frozenset[Any] = frozenset()
    cofinite: bool = True
    required: frozenset[Any] = frozenset()
    excluded: frozenset[Any] = frozenset()
    known: bool = True

    def known_empty(self) -> bool:
        """Whether no known (non-blank) value is allowed."""
        if self.kind == "num":
            return not self.spans
        if self.kind == "items":
            return not self.cofinite and not self.items
        return not self.known or bool(self.required & self.excluded) or not self._counts()

    def is_empty(self) -> bool:
        """Whether no value at all is allowed, blank included."""
        return not self.none and self.known_empty()

    def _counts(self) -> tuple[Span, ...]:
        return meet_spans(self.spans, (Span(len(self.required), INF),), True)

    def meet(self, other: Values) -> Values:
        """The values allowed by both this and `other` (the conditions taken together)."""
        none = self.none and other.none
        if self.kind == "num":
            return replace(
                self,
                none=none,
                spans=meet_spans(self.spans, other.spans, self.integral or other.integral),
            )
        if self.kind == "items":
            if self.cofinite and other.cofinite:
                return replace(self, none=none, items=self.items | other.items)
            if self.cofinite or other.cofinite:
                fin, co = (other, self) if self.cofinite else (self, other)
                return replace(self, none=none, items=fin.items - co.items, cofinite=False)
            return replace(self, none=none, items=self.items & other.items, cofinite=False)
        return replace(
            self,
            none=none,
            known=self.known and other.known,
            required=self.required | other.required,
            excluded=self.excluded | other.excluded,
            spans=meet_spans(self.spans, other.spans, True),
        )

    def within(self, other: Values) -> bool:
        """Every value allowed here is allowed by `other` (sufficient test for lists)."""
        if self.none and not other.none:
            return False
        if self.known_empty():
            return True
        if other.known_empty():
            return False
        if self.kind == "num":
            integral = self.integral or other.integral
            return not meet_spans(self.spans, complement(other.spans, integral), integral)
        if self.kind == "items":
            if self.cofinite:
                return other.cofinite and other.items <= self.items
            return (
                self.items.isdisjoint(other.items) if other.cofinite else self.items <= other.items
            )
        return (
            other.required <= self.required
            and other.excluded <= self.excluded
            and not meet_spans(self._counts(), complement(other.spans, True), True)
        )


def admitted(u: Values, a: Admits) -> Values:
    """The values of the universe `u` that an operator admits (its `admits` in the table of
    engine/knowledge/conditions.py), blank excluded unless it admits only a blank."""
    if a.blank:
        return replace(u, none=True, spans=(), items=frozenset(), cofinite=False, known=False)
    u = replace(u, none=False)
    if u.kind == "num":
        spans = spans_of((Span(*b) for b in a.numbers), u.integral)
        if a.numbers_but:
            spans = complement(spans, u.integral)
        return replace(u, spans=meet_spans(u.spans, spans_of(spans, u.integral), u.integral))
    if u.kind == "items":
        return u.meet(Values("items", none=False, items=a.items, cofinite=a.items_but))
    return replace(
        u,
        required=u.required | a.required,
        excluded=u.excluded | a.excluded,
        spans=meet_spans(u.spans, (Span(*a.count),), True),
    )


Key = tuple[str, str]  # (kind, subject): ("indicator", "direction_export"), ("finding", "x")


@dataclass(frozen=True)
class Ground:
    """One way a rule branch can hold, with the findings it needs unfolded where possible."""

    values: tuple[tuple[Key, Values], ...] = ()
    negated: frozenset[Key] = frozenset()  # findings / recommendations that must be absent
    opaque: frozenset[Key] = frozenset()  # needed findings left folded (cycles, size cap)
    via: frozenset[str] = frozenset()  # rules whose conditions were unfolded into this one

    def value(self, key: Key) -> Values | None:
        """The values required of the subject `key`, or None if the ground says nothing of it."""
        for k, v in self.values:
            if k == key:
                return v
        return None

    def merge(self, other: Ground) -> Ground:
        """Both grounds at once: values met per subject, the other constraints joined."""
        vals = dict(self.values)
        for k, v in other.values:
            vals[k] = vals[k].meet(v) if k in vals else v
        return Ground(
            tuple(sorted(vals.items())),
            self.negated | other.negated,
            self.opaque | other.opaque,
            self.via | other.via,
        )
