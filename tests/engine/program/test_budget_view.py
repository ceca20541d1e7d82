"""The plan's amount cells made once per knowledge base read as the cells they replace."""

from __future__ import annotations

import pytest

from engine.program.budget_view import _amount, _fixed, _line
from engine.program.budget_view import source_name as name_of
from engine.text.message import LANGS, Locale, Msg, Once, cat, localize


@pytest.mark.parametrize("lang", LANGS)
def test_a_shared_cell_reads_as_the_cell_it_replaces(knowledge, lang):
    k = knowledge
    source = name_of(k.document.instruments[0].id, k, frozenset())
    labels = [_fixed(k, "budget_total"), "2027", source, "no_such_fund"]
    for label in labels:
        for sep, v in ((": ", 1200), (" — ", 3), (": ", 1234567)):
            shared = _line(label, sep, v, k)
            assert isinstance(shared, Once)
            assert _line(label, sep, v, k) is shared
            plain = cat([label, sep, _amount(v)])
            assert localize([shared, shared], Locale(lang)) == localize([plain], Locale(lang)) * 2


def test_a_cell_of_the_clusters_own_label_is_not_kept(knowledge):
    label = Msg("budget_year_rel", y=2)
    assert not isinstance(_line(label, ": ", 5, knowledge), Once)


def test_the_shared_cells_are_bounded_and_read_the_same_after_a_clear(knowledge, monkeypatch):
    from engine.program import budget_view

    monkeypatch.setattr(budget_view, "LINES_MAX", 3)
    memo = knowledge.derived(budget_view._lines)
    memo.clear()
    cells = [_line("2027", ": ", v, knowledge) for v in range(10)]
    assert len(memo) <= 3
    for v, cell in enumerate(cells):
        plain = cat(["2027", ": ", _amount(v)])
        assert localize([cell], Locale("en")) == localize([plain], Locale("en"))
