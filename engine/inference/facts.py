"""Pipeline step 4: the working memory. One fact per indicator group, one for the derived measures.

Rules match indicators by field inside their group's fact: far cheaper for experta than one small
fact per indicator. Findings, recommendations and postponements that rules derive are facts too.
Only this module, `rules.py`, `matcher.py` and `nodes.py` (all in engine/inference/) import
experta.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from experta import Fact

from engine.assessment.validate import Assessment
from engine.knowledge.models import Knowledge
from engine.measures import Measures


class IndexedFact(Fact):
    """A fact of ours, hashed by its index once in working memory.

    experta hashes a fact by all its fields (a group's fact has ~30) on its first use, and the
    network hashes each of a cluster's ~55 facts into its tokens. In working memory the index
    (`__factid__`) tells facts apart alone: equal facts (same class and fields, index included)
    have the same index, so the same hash. A fact without an index (a rule's pattern) is hashed
    by experta's `Fact.__hash__`."""

    def __hash__(self) -> int:
        try:  # the index, read without a method call (~170 hashes a cluster)
            return hash(self["__factid__"])
        except KeyError:  # not in working memory: experta's `Fact.__missing__` raised
            return Fact.__hash__(self)


class Measure(IndexedFact):
    """The derived measures of one cluster (index, bands, model, partial indicators...)."""


class Finding(IndexedFact):
    """A conclusion a rule derived, e.g. `weakness.export` or `gate.not_ready`."""


class Recommended(IndexedFact):
    """A recommendation a rule made."""


class Postponed(IndexedFact):
    """A recommendation the program postpones (the readiness gate)."""


@cache
def group_class(group: str) -> type[IndexedFact]:
    """The fact class of an indicator group; one class object per group for the whole process,
    because experta's patterns check the exact class (a pure memo keyed by the group: no test
    or session resets it)."""
    return type(f"Indicators_{group}", (IndexedFact,), {"__doc__": f"Indicators of group {group}."})


# values experta's `freeze` returns unchanged (hashable, and no container it rebuilds)
_AS_IS = frozenset({str, int, float, bool, type(None), tuple})


def _fact(cls: type[Fact], fields: dict[str, Any]) -> Fact:
    """`cls(**fields)`: the fields put in as they are when experta's `freeze` would return each
    unchanged (a singledispatch call per field, ~250 a cluster, was a tenth of building them)."""
    if not _AS_IS.issuperset(map(type, fields.values())):
        return cls(**fields)
    fact: Any = dict.__new__(cls)
    dict.update(fact, fields)
    fact._Fact__defaults = {}  # what Fact.__init__ sets besides the fields
    return fact


def _frozen(fields: dict[str, Any], lists: tuple[str, ...] = ()) -> dict[str, Any]:
    """The row with each list value made a tuple, in place (experta would freeze a list to its
    `frozenlist`): first the fields named in `lists` (a group's list indicators), then any
    other list, the types read in C and the row walked in Python only when one is left (most
    of a cluster's ~250 fields are scalars)."""
    for key in lists:
        if type(fields[key]) is list:
            fields[key] = tuple(fields[key])
    if list in set(map(type, fields.values())):
        for key, value in fields.items():
            if type(value) is list:
                fields[key] = tuple(value)  # a value replaced: the dict's size never changes
    return fields


def _groups(
    knowledge: Knowledge,
) -> tuple[tuple[type[Fact], tuple[str, ...], tuple[str, ...]], ...]:
    """Each indicator group's fact class with its indicators' ids sorted and those of its list
    indicators, groups as in indicators.yaml: the shape of the working memory, once per
    knowledge base."""
    ids: dict[str, set[str]] = {g.id: set() for g in knowledge.indicators.groups}
    for ind in knowledge.indicators.indicators:
        ids[ind.group].add(ind.id)
    lists = {ind.id for ind in knowledge.indicators.indicators if ind.type == "list"}
    return tuple(
        (group_class(g), tuple(sorted(members)), tuple(sorted(members & lists)))
        for g, members in ids.items()
    )


def build_facts(assessment: Assessment, measures: Measures, knowledge: Knowledge) -> list[Fact]:
    """Facts in a fixed order (groups as in indicators.yaml, fields sorted) for determinism."""
    get = assessment.values.get
    facts: list[Fact] = [
        _fact(cls, _frozen(dict(zip(ids, map(get, ids), strict=True)), lists))
        for cls, ids, lists in knowledge.derived(_groups)
    ]
    facts.append(_fact(Measure, _frozen(dict(sorted(measures.values.items())))))
    return facts
