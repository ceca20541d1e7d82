"""The leaves the knowledge alone decides, made once per knowledge base (`Once`), read as the plain
leaves they replace, in each language and with its typography."""

from __future__ import annotations

import pytest

from engine.program.leaves import Or, fixed_text, num, shown_num, tx
from engine.program.scores import helix_labels, partial_weights
from engine.text.message import LANGS, Locale, Msg, Num, Once, localize


@pytest.mark.parametrize("lang", LANGS)
def test_a_shared_leaf_reads_as_the_leaf_it_replaces(knowledge, lang):
    k, loc = knowledge, Locale(lang)
    helix = k.scoring.helix
    pairs = [
        (k.derived_each(fixed_text, "level_medium"), Msg("level_medium")),
        (k.derived_each(fixed_text, "not_determined"), Msg("not_determined")),
        (num(None, k), Num(None)),
        (num(2.5, k), Num(2.5)),
    ]
    pairs += [(helix_labels(k)[h], Or(tx(helix.labels.get(h)), h)) for h in helix.helices]
    pairs += [
        (partial_weights(k)[p.id], Num(p.weight))
        for p in k.scoring.partial_indicators
        if p.formula == "ratio"
    ]
    assert pairs
    for shared, plain in pairs:
        assert localize([shared, shared], loc) == localize([plain, plain], Locale(lang))


def test_a_shared_leaf_is_one_per_knowledge_base(knowledge):
    assert knowledge.derived_each(fixed_text, "level_high") is knowledge.derived_each(
        fixed_text, "level_high"
    )
    assert num(None, knowledge) is num(None, knowledge)
    assert isinstance(num(None, knowledge), Once)


@pytest.mark.parametrize("lang", LANGS)
def test_a_shared_number_reads_as_the_number_it_replaces(knowledge, lang):
    values = [0, 1, 1.0, True, 2.5, -3.25, 1234567, 0.0, -0.0, 12.345, float("nan")]
    for digits in (0, 1, 2):
        for v in values:
            shared = shown_num(v, knowledge, digits)
            assert localize([shared, shared], Locale(lang)) == localize(
                [Num(v, digits)] * 2, Locale(lang)
            )


def test_a_number_is_one_leaf_per_value_type_and_digits(knowledge):
    assert shown_num(3, knowledge) is shown_num(3, knowledge)
    assert shown_num(3, knowledge) is not shown_num(3.0, knowledge)
    assert shown_num(3, knowledge) is not shown_num(3, knowledge, 0)
    assert not isinstance(shown_num(-0.0, knowledge), Once)  # written "-0", equal to 0.0
