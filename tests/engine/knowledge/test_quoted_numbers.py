"""engine/knowledge/verify/quoted_numbers.py: the numbers a rule's `because` quotes."""

from __future__ import annotations

from engine.knowledge.verify.quoted_numbers import quoted


def test_numbers_in_both_decimal_styles_are_read_and_placeholders_left_out():
    assert quoted("rated {direction_export} of 4, below 2.5") == [4.0, 2.5]
    assert quoted("оценка {benchmark:direction_export} из 4, ниже 2,5.") == [4.0, 2.5]


def test_ids_and_words_with_digits_are_not_numbers():
    assert quoted("the G20, kpi_2 and ISO-3166 codes; 2014-2016") == [3166.0, 2014.0, 2016.0]
    assert quoted("q1 q_2 x3") == []


def test_the_scale_of_a_score_the_sentence_names_may_be_quoted(knowledge):
    """The anchor-SME gap rule tests a measure, and its `because` says "{activity_smes} of 4": the 4
    is the named score's scale, not a stale threshold (kb check called it stale)."""
    from engine.knowledge.verify.checks import verify

    problems = [p for p in verify(knowledge) if p.code == "stale-number"]
    assert problems == []
    rule = next(s.rule for s in knowledge.rules if s.rule.id == "anchor_sme_gap")
    assert rule.because is not None and "of 4" in (rule.because.en or "")
