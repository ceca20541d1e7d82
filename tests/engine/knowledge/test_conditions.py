"""engine/knowledge/conditions.py: what each operator of the rule language means, blanks included,
and how `any`/`all`/`not` unfold into branches."""

from __future__ import annotations

import dataclasses
from typing import get_args

import pytest

from engine.knowledge.conditions import (
    EVERY_TYPE,
    OPERATORS,
    UNARY,
    Admits,
    Operator,
    branches,
    iter_atoms,
    operators_fitting,
    predicate,
)
from engine.knowledge.models import UNARY_OPS, All_, Any_, Atom, Not_, Op
from engine.knowledge.verify.values import INF, Span, Values, admitted
from engine.text.strings import strings

CASES = [
    # op, rule value, value that satisfies, value that does not
    ("eq", 2, 2, 3),
    ("ne", 2, 3, 2),
    ("lt", 2, 1.5, 2),
    ("le", 2, 2, 2.5),
    ("gt", 2, 3, 2),
    ("ge", 2, 2, 1),
    ("in", ("public", "mixed"), "mixed", "private"),
    ("not_in", ("public", "mixed"), "private", "public"),
    ("is_true", None, True, False),
    ("is_false", None, False, True),
    ("is_known", None, 0, None),
    ("contains", "eccp", ("eccp", "icn"), ("icn",)),
    ("not_contains", "eccp", ("icn",), ("eccp",)),
    ("is_empty", None, (), ("x",)),
    ("not_empty", None, ("x",), ()),
    ("count_ge", 2, ("a", "b"), ("a",)),
    ("count_lt", 2, ("a",), ("a", "b")),
]


def test_every_operator_of_the_language_has_a_meaning():
    assert set(get_args(Op)) == set(OPERATORS)
    assert {c[0] for c in CASES} | {"is_missing"} == set(OPERATORS)
    assert set(OPERATORS) >= UNARY


@pytest.mark.parametrize("name", sorted(OPERATORS))
def test_every_operator_has_every_part(name):
    op = OPERATORS[name]
    assert op.name == name
    for f in dataclasses.fields(Operator):
        if f.name != "clips_list":
            assert getattr(op, f.name) not in (None, "", frozenset()), f.name
    assert op.value in ("none", "scalar", "list", "item", "count")
    assert op.arity == (1 if name in UNARY else 2)
    assert op.fits <= EVERY_TYPE
    # the CLIPS export has a test on a multislot exactly for the operators that fit a list
    assert (op.clips_list is not None) == ("list" in op.fits)
    value = next((c[1] for c in CASES if c[0] == name), None)
    value = list(value) if isinstance(value, tuple) else value
    assert callable(op.predicate(value))
    assert isinstance(op.admits(value), Admits)


def test_the_schema_and_the_table_agree_on_unary_operators():
    # engine/knowledge/models.py validates `value` before the table is importable there
    assert UNARY == UNARY_OPS


@pytest.mark.parametrize("lang", ["ru", "en"])
def test_every_operator_has_words_in_both_languages(lang):
    texts = strings()[lang]
    for name, op in OPERATORS.items():
        assert op.words == f"op_{name}"
        assert texts[op.words].strip(), (lang, op.words)


def test_every_subject_type_has_operators_and_blank_tests():
    for subject_type in EVERY_TYPE:
        fitting = operators_fitting(subject_type)
        assert {"is_missing", "is_known"} <= set(fitting)
    assert operators_fitting("bool") == [
        "eq",
        "is_false",
        "is_known",
        "is_missing",
        "is_true",
        "ne",
    ]
    assert "in" not in operators_fitting("number")  # a derived number is compared, not listed


@pytest.mark.parametrize(("op", "value", "yes", "no"), CASES, ids=[c[0] for c in CASES])
def test_operator_holds_and_fails(op, value, yes, no):
    p = predicate(op, value)
    assert p(yes) is True
    assert p(no) is False


@pytest.mark.parametrize("op", sorted(set(OPERATORS) - {"is_missing"}))
def test_a_blank_satisfies_no_operator_but_is_missing(op):
    value = next((c[1] for c in CASES if c[0] == op), None)
    assert predicate(op, value)(None) is False
    assert predicate("is_missing", None)(None) is True


def test_false_and_zero_are_values_not_blanks():
    assert predicate("is_missing", None)(False) is False
    assert predicate("is_missing", None)(0) is False
    assert predicate("le", 1)(0) is True


def test_booleans_are_not_numbers_for_comparisons():
    assert predicate("ge", 1)(True) is False
    assert predicate("lt", 1)(False) is False


def test_a_list_value_is_matched_like_its_tuple():
    assert predicate("in", ["public", "mixed"])("public") is True
    assert predicate("in", ["a"]) is predicate("in", ("a",))  # memoised by (op, value)


def test_unknown_operator_is_refused():
    with pytest.raises(ValueError, match="unknown operator 'approx'"):
        predicate("approx", 1)


def atom(**kw):
    return Atom.model_validate(kw)


def test_any_and_all_unfold_into_branches():
    a = atom(indicator="activity_smes", op="le", value=1)
    b = atom(indicator="direction_export", op="le", value=1)
    c = atom(finding="weakness.export")
    tree = [c, _any(a, _all(b, a))]
    assert [[x.subject for x in br] for br in branches(tree)] == [
        ["weakness.export", "activity_smes"],
        ["weakness.export", "direction_export", "activity_smes"],
    ]


def test_iter_atoms_marks_what_sits_under_not():
    a = atom(indicator="activity_smes", op="le", value=1)
    n = Not_.model_validate({"not": {"finding": "gate.not_ready"}})
    assert [(x.subject, neg) for x, neg in iter_atoms([a, n])] == [
        ("activity_smes", False),
        ("gate.not_ready", True),
    ]


def _any(*alts):
    return Any_.model_validate({"any": list(alts)})


def _all(*parts):
    return All_.model_validate({"all": list(parts)})


# --- the values an operator admits agree with its predicate -------------------------------------

NUMBERS = [-1, 0, 1, 1.5, 2, 3]
ITEMS = ["a", "b", "c"]
LIST_ITEMS = ["a", "b", "c", "z"]
LIST_VALUES = [(), ("a",), ("a", "b"), ("b", "c", "z")]


def _admitted(universe, op, x):
    return admitted(universe, OPERATORS[op].admits(x))


def _blank(kind):
    return Values(kind, none=True, spans=(), items=frozenset(), cofinite=False, known=False)


@pytest.mark.parametrize("op", operators_fitting("int"))
def test_admitted_numbers_are_the_numbers_the_predicate_accepts(op):
    for x in [None] if op in UNARY else ([[1, 2], [1.5]] if op in ("in", "not_in") else [1, 1.5]):
        allowed = _admitted(Values("num"), op, x)
        for v in NUMBERS:
            one = Values("num", none=False, spans=(Span(v, v),))
            assert one.within(allowed) == predicate(op, x)(v), (op, x, v)
        assert _blank("num").within(allowed) == predicate(op, x)(None), (op, x)


@pytest.mark.parametrize("op", operators_fitting("enum"))
def test_admitted_items_are_the_items_the_predicate_accepts(op):
    universe = Values("items", items=frozenset(ITEMS), cofinite=False)
    for x in [None] if op in UNARY else ([["a", "b"], ["c"]] if op in ("in", "not_in") else ["a"]):
        allowed = _admitted(universe, op, x)
        for v in ITEMS:
            one = Values("items", none=False, items=frozenset({v}), cofinite=False)
            assert one.within(allowed) == predicate(op, x)(v), (op, x, v)
        assert _blank("items").within(allowed) == predicate(op, x)(None), (op, x)


@pytest.mark.parametrize("op", operators_fitting("list"))
def test_admitted_lists_are_the_lists_the_predicate_accepts(op):
    universe = Values("list", spans=(Span(0, INF),))
    operands = {"item": ["a", "z"], "count": [0, 1, 2, 3]}.get(OPERATORS[op].value, [None])
    for x in operands:
        allowed = _admitted(universe, op, x)
        for v in LIST_VALUES:
            one = Values(
                "list",
                none=False,
                required=frozenset(v),
                excluded=frozenset(LIST_ITEMS) - set(v),
                spans=(Span(len(v), len(v)),),
            )
            assert one.within(allowed) == predicate(op, x)(v), (op, x, v)
        assert _blank("list").within(allowed) == predicate(op, x)(None), (op, x)


def test_the_sequence_test_agrees_with_the_abc():
    """`_seq`'s exact-type fast path answers as `isinstance(v, Sequence)` less strings does."""
    from collections.abc import Sequence

    from experta.utils import frozenlist

    from engine.knowledge.conditions import _seq

    class Tup(tuple):  # type: ignore[type-arg]
        pass

    values = [(), (1,), [], [1], None, "ab", "", b"x", 0, 1.5, True, {1}, {"a": 1}, range(2)]
    values += [frozenlist([1]), Tup((1,)), frozenset({1})]
    for v in values:
        assert _seq(v) == (isinstance(v, Sequence) and not isinstance(v, str)), v
