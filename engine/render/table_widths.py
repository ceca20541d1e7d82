"""Column widths of a Word table that never break a word inside a cell.

Word and LibreOffice break a word that is wider than its column anywhere, without a hyphen
("предприяти|й"). A table's relative widths are therefore widened, column by column, to the
longest unbreakable piece of text in the column (a word, or the part of a hyphenated word up to the
hyphen, where a line may break), and the width is taken from the columns that have room to spare.
The width of a piece is estimated from its length at a conservative average glyph width (wide
enough for DejaVu Sans, the widest of the fonts LibreOffice substitutes for Arial).
"""

from __future__ import annotations

import re
from typing import Any

EM_REGULAR = 0.68  # average advance of a letter, in em, of a wide sans-serif font
EM_BOLD = 0.76
PADDING_CM = 0.5  # the cell's left and right margins with a little slack


def pieces(text: str) -> list[str]:
    """The parts of a text a line cannot break inside: words, hyphenated words up to the hyphen."""
    out: list[str] = []
    for word in re.split(r"[ \t\n]+", text):  # a non-breaking space does not break a line
        out += [p for p in re.split(r"(?<=-)", word) if p]
    return out


def min_width_cm(text: str, size_pt: float, bold: bool) -> float:
    """The width, in cm, a cell needs to hold the longest piece of `text` on one line."""
    longest = max((len(p) for p in pieces(text)), default=0)
    return longest * (EM_BOLD if bold else EM_REGULAR) * size_pt / 72 * 2.54 + PADDING_CM


def fit_widths(
    widths: list[float],
    rows: list[list[Any]],
    size_pt: float,
    bold: Any = lambda r_i, c_i: False,
) -> list[float]:
    """`widths` (cm, summing to the text width) changed as little as possible so that no column is
    narrower than its longest piece; when even that does not fit, the minima shared out in
    proportion (words may then break, but as few as the page allows)."""
    need = [0.0] * len(widths)
    for r_i, row in enumerate(rows):
        for c_i, value in enumerate(row[: len(widths)]):
            lines = value if isinstance(value, list) else [value]
            for line in lines:
                if line is None:
                    continue
                need[c_i] = max(need[c_i], min_width_cm(str(line), size_pt, bool(bold(r_i, c_i))))
    total = sum(widths)
    if sum(need) >= total:
        return [n / sum(need) * total for n in need]
    out = [max(w, n) for w, n in zip(widths, need, strict=True)]
    excess = sum(out) - total  # taken from the room the other columns have above their minimum
    spare = [o - n for o, n in zip(out, need, strict=True)]
    room = sum(spare)  # > excess, since sum(need) < total
    return [o - s / room * excess for o, s in zip(out, spare, strict=True)]
