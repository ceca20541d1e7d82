"""What-if variants: an assessment that records where it came from and what was changed.

A variant file is an assessment with one more key, `variant: {derived_from, date, changes}`;
`changes` lists `{indicator, from, to}`. Changed values carry `basis: what-if`, every other value
keeps its own basis and source. A variant made from a variant keeps the first file it came from
and the changes counted from that file's values, so its documents list every change.
"""

from __future__ import annotations

import dataclasses
from typing import Any

# an `Assessment` (engine/assessment/validate.py, which reads the record with `read_variant`)
Assessment = Any

WHAT_IF = "what-if"  # the basis of a value a what-if changed
_KEYS = {"derived_from", "date", "changes"}
_CHANGE_KEYS = {"indicator", "from", "to"}
_SHAPE = "variant is {derived_from: FILE, date: TEXT, changes: [{indicator: ID, from: V, to: V}]}"


def read_variant(raw: Any) -> tuple[dict[str, Any] | None, str | None]:
    """The `variant:` entry of an assessment file as (record, error or None)."""
    if not isinstance(raw, dict) or set(map(str, raw)) - _KEYS:
        return None, _SHAPE
    derived = raw.get("derived_from")
    date = raw.get("date")
    changes = raw.get("changes") or []
    if not isinstance(derived, str) or not derived.strip():
        return None, "variant: derived_from must name the file the variant came from"
    if date is not None and not isinstance(date, str):
        return None, "variant: date must be text (YYYY-MM-DD)"
    if not isinstance(changes, list) or not all(
        isinstance(c, dict)
        and set(map(str, c)) <= _CHANGE_KEYS
        and isinstance(c.get("indicator"), str)
        for c in changes
    ):
        return None, _SHAPE
    return {
        "derived_from": derived,
        "date": date,
        "changes": [
            {"indicator": c["indicator"], "from": c.get("from"), "to": c.get("to")} for c in changes
        ],
    }, None


def as_variant(original: Assessment, changed: Assessment, derived_from: str) -> Assessment:
    """`changed` (the original with some values replaced) as a variant of `original`: changed
    values with basis what-if, the rest with their own provenance, the changes recorded."""
    before = original.variant or {}
    first: dict[str, Any] = {c["indicator"]: c["from"] for c in before.get("changes", [])}
    changes = []
    for key, value in changed.values.items():
        old = original.values.get(key)
        if key in first or not _same(old, value):
            start = first.get(key, old)
            if not _same(start, value):
                changes.append({"indicator": key, "from": start, "to": value})
    moved = {c["indicator"] for c in changes}
    provenance = {i: p for i, p in original.provenance.items() if i not in moved}
    provenance.update({i: {"basis": WHAT_IF, "source": None} for i in moved})
    record = {
        "derived_from": before.get("derived_from") or derived_from,
        "date": before.get("date"),
        "changes": changes,
    }
    return dataclasses.replace(changed, provenance=provenance, variant=record)


def dated(a: Assessment, date: str) -> Assessment:
    """The variant with the date it was saved on."""
    return dataclasses.replace(a, variant={**(a.variant or {}), "date": date})


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, (list, tuple, set, frozenset)) and isinstance(
        b, (list, tuple, set, frozenset)
    ):
        return sorted(map(str, a)) == sorted(map(str, b))
    return (type(a) is type(b) and bool(a == b)) or (_num(a) and _num(b) and a == b)


def _num(x: Any) -> bool:
    return isinstance(x, (int, float)) and not isinstance(x, bool)
