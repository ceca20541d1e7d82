"""The `Filled` leaf: its fast replacement agrees with the general, one match at a time."""

from engine.explain.leaves import Filled
from engine.knowledge.base import Text
from engine.text.message import Locale, Num


def test_filled_fast_path_agrees_with_the_general_way():
    loc = Locale("ru", typography=False)
    cases = [
        Filled("{a} и {a}, {benchmark:b}; {unknown}", (("{a}", "x"), ("{benchmark:b}", Num(2.5)))),
        Filled(Text(ru="доля {share}", en="share {share} of {other}"), (("{share}", Num(0.25)),)),
        Filled("{a} {b}", (("{a}", "{b}"), ("{b}", "y"))),  # a brace in the words: general way
    ]
    for f in cases:
        text = loc.param(f.text)
        assert f.words(loc) == f.filled(text, loc), f
    assert cases[2].words(loc) == "{b} y"
