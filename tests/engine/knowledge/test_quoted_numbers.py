"""engine/knowledge/verify/quoted_numbers.py: the numbers a rule's `because` quotes."""

from __future__ import annotations

from engine.knowledge.verify.quoted_numbers import quoted


def test_numbers_in_both_decimal_styles_are_read_and_placeholders_left_out():
    assert quoted("rated {direction_export} of 4, below 2.5") == [4.0, 2.5]
    assert quoted("оценка {benchmark:direction_export} из 4, ниже 2,5.") == [4.0, 2.5]


def test_ids_and_words_with_digits_are_not_numbers():
    assert quoted("the G20, kpi_2 and ISO-3166 codes; 2014-2016") == [3166.0, 2014.0, 2016.0]
    assert quoted("q1 q_2 x3") == []
