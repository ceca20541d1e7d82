"""Leaves the explanations need beyond engine/text/message.py: a number already written with a
point, a value's label inside a sentence, and a knowledge text with its `{placeholders}` filled."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from engine.knowledge.base import Text
from engine.text.message import Loc, Locale

# `{id}` (an indicator or measure of the rule's `when`, or an input of such a measure),
# `{benchmark:id}` (the survey benchmark of an indicator) or `{country:key}` (an institution)
PLACEHOLDER = re.compile(r"\{(?:(country|benchmark):)?([a-z][a-z0-9_]*)\}")


@dataclass(frozen=True, slots=True)
class Decimal(Loc):
    """A number already written with a point, with the language's decimal separator."""

    text: str

    def words(self, loc: Locale) -> str:
        """The number with the locale's decimal separator in place of the point."""
        return self.text.replace(".", loc.text("decimal_separator"))


@dataclass(frozen=True, slots=True)
class InSentence(Loc):
    """A value's label inside a sentence ("symbolic (tacit)"): lower-case first letter when the
    label differs from the raw value and its second letter is lower-case."""

    shown: Any
    value: str

    def words(self, loc: Locale) -> str:
        """The label in words, put inside a sentence."""
        shown = loc.param(self.shown)
        if shown != self.value and shown[1:2].islower():
            return shown[:1].lower() + shown[1:]
        return shown


@dataclass(frozen=True, slots=True)
class Filled(Loc):
    """A knowledge text (or one string for both languages) whose placeholders (`{id}`,
    `{country:key}`, `{benchmark:id}`) stand for the texts in `subs`."""

    text: Text | str | None
    subs: tuple[tuple[str, Any], ...] = ()

    def words(self, loc: Locale) -> str:
        """The text in words with each known placeholder replaced by its text in words (an
        unknown one is left as written)."""
        text = loc.param(self.text)
        if not self.subs:
            return text
        # most fills: each placeholder replaced in C (`str.replace`), no Python call per match;
        # the same as the general way below while no value's words hold a brace (which the
        # general way leaves as it is, and a later replacement could read as a placeholder)
        said = [(key, loc.param(v)) for key, v in self.subs]
        if not any("{" in w or "}" in w for _, w in said):
            for key, w in said:
                text = text.replace(key, w)
            return text
        return self.filled(text, loc)

    def filled(self, text: str, loc: Locale) -> str:
        """`text` (this leaf's in words) with each known placeholder replaced by its value in
        words: the general way, one match at a time."""
        subs = dict(self.subs)

        def sub(m: re.Match[str]) -> str:
            key = m.group(0)
            return loc.param(subs[key]) if key in subs else key

        return PLACEHOLDER.sub(sub, text)


def placeholders(text: Text | str | None) -> tuple[re.Match[str], ...]:
    """The placeholders of a text in any of its languages, each once, in order of appearance."""
    if text is None:
        return ()
    return _placeholders(text) if isinstance(text, str) else _placeholders(text.ru, text.en)


@lru_cache(maxsize=4096)
def _placeholders(*texts: str | None) -> tuple[re.Match[str], ...]:
    # a pure memo: the knowledge's texts are filled for every cluster (the matches are only read)
    seen: dict[str, re.Match[str]] = {}
    for t in texts:
        for m in PLACEHOLDER.finditer(t or ""):
            seen.setdefault(m.group(0), m)
    return tuple(seen.values())


@dataclass(frozen=True, slots=True)
class Stripped(Loc):
    """A text without the blanks around it (a sentence joined from parts some of which are empty)."""

    inner: Any

    def words(self, loc: Locale) -> str:
        """The inner text in words without the blanks around it."""
        return loc.param(self.inner).strip()
