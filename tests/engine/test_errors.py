"""engine/errors.py: a problem's code names its kind for tests and tools, and changes nothing a
reader sees: not the message, not the order of problems."""

from __future__ import annotations

import pytest

from engine.errors import UNCLASSIFIED, Problem, capped


def test_the_code_is_kebab_case():
    assert Problem(file="a.yaml", message="m", code="unknown-indicator").code == "unknown-indicator"
    for bad in ("Unknown", "unknown_indicator", "-x", "x-", ""):
        with pytest.raises(ValueError, match="kebab-case"):
            Problem(file="a.yaml", message="m", code=bad)


def test_the_code_is_not_shown_and_not_compared():
    a = Problem(file="a.yaml", line=2, message="m", code="duplicate-key")
    b = Problem(file="a.yaml", line=2, message="m")
    assert b.code == UNCLASSIFIED
    assert a.format() == b.format() == "a.yaml:2:1: m"
    assert a == b and len({a, b}) == 1


def test_the_count_of_problems_not_shown_has_its_own_code():
    many = [Problem(file="a.yaml", line=i, message="m", code="bad-value") for i in range(5)]
    shown = capped(many, limit=2)
    assert [p.code for p in shown] == ["bad-value", "bad-value", "more-problems"]


def test_a_flaw_is_its_message_and_keeps_its_kind_through_pickle_and_problems():
    import pickle

    from engine.errors import Flaw, Problem, kind_of

    flaw = Flaw("9 is out of scale; allowed 0..4", "out-of-scale", got=9, allowed="0..4")
    assert flaw == "9 is out of scale; allowed 0..4" and isinstance(flaw, str)
    back = pickle.loads(pickle.dumps(flaw))
    assert (back, back.code, back.params) == (flaw, "out-of-scale", flaw.params)
    assert dict(flaw.params) == {"got": "9", "allowed": "0..4"}
    problem = Problem(file="f.yaml", line=2, col=3, path="x", message=flaw, **kind_of(flaw))
    assert problem.format() == "f.yaml:2:3: x: 9 is out of scale; allowed 0..4"
    assert problem.code == "out-of-scale" and problem == Problem(
        file="f.yaml", line=2, col=3, path="x", message="9 is out of scale; allowed 0..4"
    )  # the kind changes no comparison
    assert kind_of("plain text") == {}
