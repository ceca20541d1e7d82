"""Characters no text of ours may carry: control characters, lone surrogates and Unicode
noncharacters (one check for YAML files and workbook cells)."""

from __future__ import annotations

import unicodedata


def bad_character(text: str) -> str | None:
    """A control character, lone surrogate or Unicode noncharacter in decoded text (escapes like
    "\\e", "\\0", "\\ud800", "\\uffff" pass the raw-text check), or None. Tabs and line
    breaks are text."""
    if text.isprintable():
        return None
    for ch in text:
        if ch in "\t\n":
            continue
        if unicodedata.category(ch) in ("Cc", "Cs") or is_noncharacter(ch):
            return ch
    return None


def is_noncharacter(ch: str) -> bool:
    """One of Unicode's 66 noncharacters (U+FDD0..U+FDEF and the last two code points of every
    plane, U+FFFE, U+FFFF, U+1FFFE...): for a program's internal use, never for interchange;
    XML forbids U+FFFE and U+FFFF, so a document carrying one is broken."""
    cp = ord(ch)
    return 0xFDD0 <= cp <= 0xFDEF or cp & 0xFFFE == 0xFFFE


def char_name(ch: str) -> str:
    """What kind of refused character `ch` is, for a message."""
    if unicodedata.category(ch) == "Cs":
        return "a lone surrogate"
    if is_noncharacter(ch):
        return "a Unicode noncharacter"
    return "a control character"
