"""The program's own language-neutral leaves (besides those of `engine.text.message`): a text or
its fallback, a citation trimmed of its end, a knowledge text with `{name}` parameters filled, the
`{work}` references of an annex text numbered, a title put inside a sentence, the language code,
and a list ordered by its texts once they are in words."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from engine.knowledge.base import Text
from engine.text.message import Loc, Locale, Msg, Num, Once, Rendered, localize
from engine.text.typography import typeset_view


def tx(text: Text | None) -> Text | str:
    """A knowledge text that may be absent: absent reads "" (as `localized(None, lang)` did)."""
    return "" if text is None else text


def fixed_text(k: Any, key: str) -> Once:
    """The strings text `key`, without parameters, as one leaf per knowledge base, put into words
    once per language (`Knowledge.derived_each(fixed_text, key)`: a plan shows dozens of them)."""
    return Once(Msg(key))


def num(value: float | None, k: Any) -> Num | Once:
    """`Num(value)`, or for no value the knowledge base's one dash leaf, put into words once per
    language (`Knowledge.derived(no_number)`: the score tables show a dozen blanks a cluster)."""
    return Num(value) if value is not None else k.derived(no_number)


def no_number(k: Any) -> Once:
    """`Num(None)` (a dash) as one leaf per knowledge base."""
    return Once(Num(None))


@dataclass(frozen=True, slots=True)
class Or(Loc):
    """The first text, or the second where the first says nothing in the reader's language."""

    first: Any
    second: Any

    def words(self, loc: Locale) -> str:
        """The first text in words, or the second when the first says nothing."""
        return loc.param(self.first) or loc.param(self.second)


@dataclass(frozen=True, slots=True)
class RStrip(Loc):
    """A text without the characters `chars` (whitespace when None) at its end."""

    inner: Any
    chars: str | None = None

    def words(self, loc: Locale) -> str:
        """The inner text in words with the trailing characters removed."""
        return loc.param(self.inner).rstrip(self.chars)


@dataclass(frozen=True, slots=True, init=False)
class Format(Loc):
    """A knowledge text whose `{name}` placeholders take values (texts in words, numbers as they
    are, so a format spec still applies)."""

    inner: Any
    params: tuple[tuple[str, Any], ...]

    def __init__(self, inner: Any, **params: Any) -> None:
        object.__setattr__(self, "inner", inner)
        object.__setattr__(self, "params", tuple(params.items()))

    def words(self, loc: Locale) -> str:
        """The knowledge text in words with its placeholders filled."""
        values = {n: loc.param(v) if isinstance(v, Loc | Text | str) else v for n, v in self.params}
        return loc.param(self.inner).format(**values)


@dataclass(frozen=True, slots=True)
class Cite(Loc):
    """An annex text whose `{work}` references read as bibliography numbers ("[?]" when unknown)."""

    inner: Any
    numbers: tuple[tuple[str, int], ...]

    def words(self, loc: Locale) -> str:
        """The annex text in words, each `{work}` replaced by its bibliography number in
        brackets."""
        no = dict(self.numbers)
        return re.sub(r"\{(\w+)\}", lambda m: f"[{no.get(m.group(1), '?')}]", loc.param(self.inner))


@dataclass(frozen=True, slots=True)
class TitleLower(Loc):
    """A title after a prefix: "Organize stands" reads "organize stands"; "SME ..." stays."""

    inner: Any

    def words(self, loc: Locale) -> str:
        """The title in words, lower-cased at its start unless it begins with an abbreviation."""
        title = loc.param(self.inner)
        return title[:1].lower() + title[1:] if title[1:2].islower() else title


@dataclass(frozen=True, slots=True)
class LangCode(Loc):
    """The reader's language code itself ("ru", "en"): the renderers pick their strings by it."""

    def words(self, loc: Locale) -> str:
        """The locale's language code."""
        return loc.lang


@dataclass(frozen=True, slots=True)
class SortedByText(Rendered):
    """Records ordered by one of their texts in the reader's language (case-insensitive), as the
    untypeset words compare; typography follows."""

    items: tuple[Any, ...]
    key: str

    def localized(self, loc: Locale) -> Any:
        """The records in words, sorted by the untypeset text of `key`, then typeset for Russian."""
        plain = Locale(loc.lang, loc.templates, loc.aliases, typography=False)
        out = sorted((localize(x, plain) for x in self.items), key=lambda x: x[self.key].lower())
        return typeset_view(out) if loc.typesets else out


@dataclass(frozen=True, slots=True)
class KnownSortedByText(SortedByText):
    """Records the knowledge alone decides, ordered by their texts: built once per knowledge base,
    shared by every document that shows them and never changed; put into words once per locale
    (kept in the locale's memo with the record, so that its id stays its own)."""

    def localized(self, loc: Locale) -> Any:
        """The records in words and order, once per locale."""
        hit = loc.memo.get(id(self))
        if hit is None:
            hit = loc.memo[id(self)] = (self, SortedByText.localized(self, loc))
        return hit[1]
