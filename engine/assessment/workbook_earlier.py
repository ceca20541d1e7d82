"""The rows of a filled questionnaire that an earlier release's workbook had and the current
format renamed or removed (knowledge/formats.yaml), read as the YAML reader reads them: each
answered row with one notice, located at its cell; a blank one says nothing."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from engine.assessment.formats import NOTICE, decide
from engine.errors import Problem


def map_earlier_rows(reader: Any) -> None:
    """Read the sheet's rows of earlier fields into its answers (a workbook declares no format).
    `reader`: engine.assessment.workbook's sheet reader (not imported: it imports this)."""
    k, f = reader.k, reader.k.formats
    for ind_id, (r_i, cell) in reader.earlier.items():
        ch = f.change(ind_id)
        into = k.indicator.get(ch.into or "") if ch else None
        value, err = reader.answer(cell, into) if into else (_plain(cell), None)
        if err:
            reader.problem(reader.letter, r_i, err)
        if ch is None or err or value is None:
            continue
        got = decide(ind_id, value, ch, None, reader.values.get(ch.into or ""), f)
        where = f"{reader.sheet}!A{r_i}"
        if isinstance(got, tuple):
            reader.problems.append(Problem(reader.file, path=where, message=got[0], code=got[1]))
            continue
        if got.kind == "moved" and into is not None:
            reader.values[into.id], reader.seen[into.id] = value, r_i
            reader.positions[into.id] = (r_i, reader.ans_i + 1)
        text = f"{ind_id}: {got.text(f, 'en')}"
        notice = Problem(reader.file, path=where, message=text, severity="warning", code=NOTICE)
        reader.notices.append(replace(got, problem=notice))


def _plain(cell: Any) -> Any:
    """A cell's value as it is (a field no longer read keeps no type)."""
    return None if cell is None or cell.value in (None, "") else cell.value
