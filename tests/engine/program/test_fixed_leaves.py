"""The leaves the knowledge alone decides, made once per knowledge base (`Once`), read as the plain
leaves they replace, in each language and with its typography."""

from __future__ import annotations

import pytest

from engine.program.leaves import Or, fixed_text, num, tx
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
