"""engine/render/table_widths.py: columns widened to their longest word, taken from the others."""

from __future__ import annotations

import pytest

from engine.render.table_widths import fit_widths, min_width_cm, pieces


def test_a_line_breaks_at_spaces_and_after_hyphens_never_at_a_non_breaking_space():
    assert pieces("бизнес-миссии за\u00a0рубеж") == ["бизнес-", "миссии", "за\u00a0рубеж"]


def test_a_narrow_column_is_widened_to_its_longest_word_at_the_expense_of_wide_ones():
    rows = [["Окончание", "x"], ["IV кв. 2016", "short words only here"]]
    need = min_width_cm("Окончание", 9, bold=True)
    out = fit_widths([1.0, 15.0], rows, 9, lambda r, c: r == 0)
    assert out[0] == pytest.approx(need)
    assert sum(out) == pytest.approx(16.0)


def test_widths_that_already_fit_are_kept():
    assert fit_widths([8.0, 8.0], [["a", "b"]], 9) == [8.0, 8.0]


def test_when_nothing_fits_the_minima_are_shared_out_in_proportion():
    long = "интернационализации"
    out = fit_widths([1.0, 1.0], [[long, long + long]], 9)
    assert sum(out) == pytest.approx(2.0) and out[1] > out[0]
