"""Language-neutral texts, and the one step that puts them into words.

`engine/program` and `engine/explain` build their records from these leaves and never take a
language: a message key of `templates/strings.yaml` with its parameters (`Msg`), a number
(`Num`), a value as a reader says it (`Value`), a plural form (`Plural`), a join (`Cat`), a
label inside a sentence (`Lower`), and the knowledge base's own bilingual `Text`. `localize`
walks a finished record once, for one reader's language: every leaf becomes a string, numbers
get the language's separators, and Russian text goes through the typography rules, once per
final string.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any

from engine.text.bilingual import Text
from engine.text.numbers import fmt_num, plural
from engine.text.strings import LANGS, strings
from engine.text.typography import typeset


class Loc:
    """A text not yet in a language: `words(locale)` says it in one."""

    __slots__ = ()

    def words(self, loc: Locale) -> str:
        """The text in the locale's language, before typography."""
        raise NotImplementedError


@dataclass(frozen=True, slots=True, init=False)
class Msg(Loc):
    """A UI string of `templates/strings.yaml` with its `{name}` parameters filled."""

    key: str
    params: tuple[tuple[str, Any], ...]

    def __init__(self, key: str, **params: Any) -> None:
        object.__setattr__(self, "key", key)
        object.__setattr__(self, "params", tuple(params.items()))

    def words(self, loc: Locale) -> str:
        """The strings text of `key` in the locale's language, its parameters in words filled in."""
        text = loc.text(self.key)
        if not self.params:
            return text
        # a plain string (most parameters) is its own words: no `param` call for it
        param = loc.param
        return text.format(**{n: v if type(v) is str else param(v) for n, v in self.params})


@dataclass(frozen=True, slots=True)
class Num(Loc):
    """A number as a reader writes it: no trailing zeros, a dash for none."""

    value: float | int | None
    digits: int = 2

    def words(self, loc: Locale) -> str:
        """The number with the language's separators, no trailing zeros, a dash for none."""
        return fmt_num(self.value, loc.lang, self.digits)


@dataclass(frozen=True, slots=True)
class Value(Loc):
    """An answer as a reader says it: blank, yes/no, a number with two decimals at most, a list."""

    value: Any

    def words(self, loc: Locale) -> str:
        """The answer in words by the rules of `value_words`."""
        return value_words(self.value, loc)


@dataclass(frozen=True, slots=True)
class Plural(Loc):
    """The form of a noun after `n`, from a strings key holding `one|few|many|fraction`."""

    n: float | int | None
    key: str

    def words(self, loc: Locale) -> str:
        """The noun form that agrees with `n` in the locale's language."""
        return plural(self.n, loc.text(self.key).split("|"))


@dataclass(frozen=True, slots=True)
class Cat(Loc):
    """Texts joined by `sep` (itself a text): a sentence built from parts."""

    parts: tuple[Any, ...]
    sep: Any = ""

    def words(self, loc: Locale) -> str:
        """The parts in words, joined by the separator in words."""
        param = loc.param
        sep = self.sep
        # a plain string (most parts, most separators) is its own words: no `param` call for it
        if type(sep) is not str:
            sep = param(sep)
        return sep.join([p if type(p) is str else param(p) for p in self.parts])


@dataclass(frozen=True, slots=True)
class Lower(Loc):
    """A label inside a sentence: first letter lower-case unless the word is an abbreviation."""

    inner: Any

    def words(self, loc: Locale) -> str:
        """The inner text in words, its first letter lowered unless it starts an abbreviation."""
        return lower_first(loc.param(self.inner))


@dataclass(frozen=True, slots=True)
class ByLang(Loc):
    """A text whose words differ by language in a way no strings key holds (a citation built by
    the knowledge base): one text per language, chosen at rendering."""

    ru: Any
    en: Any

    def words(self, loc: Locale) -> str:
        """The text given for the locale's language, in words."""
        return loc.param(self.ru if loc.lang == "ru" else self.en)


class Known(list):  # type: ignore[type-arg]
    """A list the knowledge alone decides (a measure's sources), built once per knowledge base and
    held by it, shared by every record that shows it and never changed in place: put into words
    once per locale (its words kept in the locale's memo, the list itself with them)."""

    __slots__ = ()


@dataclass(frozen=True, slots=True, eq=False)
class Once(Loc):
    """A leaf the knowledge alone decides (a bibliography entry, a "continue" title), built once
    per knowledge base and held by it, shared by every record that shows it and never changed:
    put into words once per locale (its words kept in the locale's memo, with it). Equal only to
    itself: its words are those of `inner`."""

    inner: Any

    def words(self, loc: Locale) -> str:
        """The inner text in words."""
        return loc.param(self.inner)


class Rendered:
    """A record whose words decide its shape (a chart laid out by the length of its labels, a list
    ordered by its texts): `localize` hands it the locale and takes the record it returns."""

    __slots__ = ()

    def localized(self, loc: Locale) -> Any:
        """The record in the locale's words, laid out or ordered by them (what `localize` puts in
        its place)."""
        raise NotImplementedError


def cat(parts: Iterable[Any], sep: Any = "") -> Cat:
    """Join texts (strings, messages, numbers) with a separator, at rendering."""
    return Cat(tuple(parts), sep)


def lower_first(text: str) -> str:
    """A label inside a sentence: first letter lower-case unless the word is an abbreviation."""
    if len(text) > 1 and text[1].isupper():
        return text
    return text[:1].lower() + text[1:]


def value_words(v: Any, loc: Locale) -> str:
    """A value as a reader says it (the rules of `Value`)."""
    if v is None:
        return loc.text("w_blank")
    if isinstance(v, bool):
        return loc.text("w_yes") if v else loc.text("w_no")
    if isinstance(v, float):
        text = f"{v:.2f}".rstrip("0").rstrip(".")
        return text.replace(".", loc.text("decimal_separator"))
    if isinstance(v, (list, tuple)):
        if not v:
            return loc.text("w_empty_list")
        return ", ".join(value_words(x, loc) for x in v)
    if isinstance(v, Loc | Text):
        return loc.param(v)
    return str(v)


@dataclass(frozen=True)
class Locale:
    """One reader's language: its strings (with the keys a document says differently, `aliases`)
    and whether Russian typography applies to the final text."""

    lang: str
    templates: Path | None = None
    aliases: Mapping[str, str] = field(default_factory=dict)
    typography: bool = True
    # fields of records no renderer of this reader reads, by record class name (the batch's
    # Markdown and HTML: a plan row's KPIs, a KPI row's targets by year): left out of the words
    unread: Mapping[str, frozenset[str]] = field(default_factory=dict)
    # the words of each `Known` list, `Once` leaf and bilingual `Text` said in this locale, by id
    # (each kept with its words, so that its id stays its own): a batch worker holds one locale for
    # all its clusters
    memo: dict[int, tuple[Any, Any]] = field(default_factory=dict, compare=False, repr=False)
    # how `localize` treats each type of node in this locale, chosen at its first node
    treatments: dict[type, Any] = field(
        default_factory=lambda: _treatments(), init=False, compare=False, repr=False
    )

    def text(self, key: str) -> str:
        """The UI string of `key` (or of the key it is aliased to) in this language."""
        return self._strings[self.aliases.get(key, key)]

    @cached_property
    def _strings(self) -> dict[str, str]:
        return strings(self.templates)[self.lang]

    def param(self, v: Any) -> str:
        """A part of a text in words, before typography (which runs once, on the whole)."""
        if isinstance(v, str):
            return v
        if isinstance(v, Loc):
            return v.words(self)
        if isinstance(v, Text):
            return v.get(self.lang)
        if v is None:
            return ""
        return str(v)

    @property
    def typesets(self) -> bool:
        """Whether final strings go through the Russian typography rules (Russian, typography
        on)."""
        return self.typography and self.lang == "ru"


def localize(tree: Any, loc: Locale) -> Any:
    """The record in words: every leaf text a string of `loc`'s language, typeset once.

    Mappings, lists and tuples keep their shape; a dataclass record becomes a mapping of its
    fields; numbers, booleans and None stay values (templates format the few they show). A dict
    or list the record holds in several places comes out once, shared: the result is for
    reading, never for changing in place.
    """
    walk = _Walk(loc)
    try:
        return walk.walk(tree)
    finally:
        walk.close()


class _Walk:
    """`localize` for one locale: each node treated by its type, chosen once per type and locale
    (a document is ~10 000 nodes of a few dozen types) by the rules above, in their order. A dict
    or list the record holds in several places (a measure is listed by direction and by actor
    too) is put into words once and shared; each source is kept, so its id stays its own
    meanwhile."""

    __slots__ = ("done", "lang", "loc", "memo", "treat", "typesets")

    def __init__(self, loc: Locale) -> None:
        self.loc, self.lang, self.typesets = loc, loc.lang, loc.typesets
        self.done: dict[int, tuple[Any, Any]] = {}
        self.memo = loc.memo
        # the locale's treatments, functions of (walk, node): chosen once for all its walks
        self.treat = loc.treatments

    def walk(self, t: Any) -> Any:
        """The node in words."""
        cls = type(t)
        if cls is str:  # most nodes
            return _typeset(t) if self.typesets else t
        if cls is Text:  # a fourth of the nodes, nearly all said before (`text`, without a call)
            hit = self.memo.get(id(t))
            if hit is not None:
                return hit[1]
        how = self.treat.get(cls)
        if how is None:
            how = self.treat[cls] = _choose(cls, self.loc)
        return how(self, t)

    def shared_dict(self, t: dict[Any, Any]) -> dict[Any, Any]:
        """A dict in words, once however many times the record holds it."""
        hit = self.done.get(id(t))
        if hit is not None:
            return hit[1]  # type: ignore[no-any-return]
        walk, typesets = self.walk, self.typesets
        out = {}
        # a loop, not a comprehension (no frame to build for each dict), and a string value (half
        # of them) said here, as `walk` says it, without a call
        for k, v in t.items():
            if type(v) is str:
                out[k] = _typeset(v) if typesets else v
            else:
                out[k] = walk(v)
        self.done[id(t)] = (t, out)
        return out

    def shared_list(self, t: list[Any]) -> list[Any]:
        """A list in words, once however many times the record holds it."""
        if not t:  # a third of the lists (a measure without partners...): equal, never changed
            return []
        hit = self.done.get(id(t))
        if hit is not None:
            return hit[1]  # type: ignore[no-any-return]
        out = list(map(self.walk, t))  # no comprehension frame (a list is a third of the nodes)
        self.done[id(t)] = (t, out)
        return out

    def known(self, t: Known) -> list[Any]:
        """A list the knowledge alone decides, in words once per locale."""
        hit = self.memo.get(id(t))
        if hit is None:
            hit = self.memo[id(t)] = (t, self.shared_list(t))
        return hit[1]  # type: ignore[no-any-return]

    def once(self, t: Once) -> str:
        """A leaf the knowledge alone decides in words (typeset), once per locale."""
        hit = self.memo.get(id(t))
        if hit is None:
            words = self.loc.param(t.inner)
            hit = self.memo[id(t)] = (t, _typeset(words) if self.typesets else words)
        return hit[1]  # type: ignore[no-any-return]

    def text(self, t: Text) -> str:
        """A bilingual text in words (typeset), once per locale: a text is frozen, and most are
        the knowledge's own, met in every cluster (kept with their words, so ids stay theirs)."""
        hit = self.memo.get(id(t))
        if hit is None:
            words = t.get(self.lang)
            hit = self.memo[id(t)] = (t, _typeset(words) if self.typesets else words)
        return hit[1]  # type: ignore[no-any-return]

    def close(self) -> None:
        """Drop the sources the walk shared, so that the record and its words are freed when last
        used (the treatments are the locale's and hold no walk: nothing is left as cyclic garbage
        for the collector to find)."""
        self.done.clear()

    def tupled(self, t: tuple[Any, ...]) -> tuple[Any, ...]:
        """A tuple in words (a plain tuple, whatever its type)."""
        return tuple(map(self.walk, t))


_Treat = Callable[[_Walk, Any], Any]


def _treatments() -> dict[type, _Treat]:
    """A locale's first treatments: the containers and the plain values."""
    return {
        dict: _Walk.shared_dict,
        list: _Walk.shared_list,
        Known: _Walk.known,
        Once: _Walk.once,
        tuple: _Walk.tupled,
        int: _kept,
        float: _kept,
        bool: _kept,
        type(None): _kept,
    }


def _choose(cls: type, loc: Locale) -> _Treat:
    """The treatment of the nodes of type `cls` in `loc`, by the rules of `localize` in their
    order (a function of the walk and the node; none holds the locale or a walk)."""
    typesets = loc.typesets
    if issubclass(cls, str):
        return _typeset_node if typesets else _kept
    if issubclass(cls, Loc):
        if typesets:
            return lambda w, t: _typeset(t.words(w.loc))
        return lambda w, t: t.words(w.loc)
    if issubclass(cls, Text):
        return _Walk.text
    if issubclass(cls, Rendered):
        return lambda w, t: t.localized(w.loc)
    if issubclass(cls, Mapping):
        return lambda w, t: {k: w.walk(v) for k, v in t.items()}
    if issubclass(cls, list):
        return lambda w, t: list(map(w.walk, t))
    if issubclass(cls, tuple):
        return _Walk.tupled
    if dataclasses.is_dataclass(cls):
        unread = loc.unread.get(cls.__name__, frozenset())
        names = tuple(f.name for f in dataclasses.fields(cls) if f.name not in unread)
        return lambda w, t: {n: w.walk(getattr(t, n)) for n in names}
    return _kept


def _kept(w: _Walk, t: Any) -> Any:
    return t


def _typeset_node(w: _Walk, t: str) -> str:
    return _typeset(t)


def say(text: Any, lang: str, templates: Path | None = None) -> str:
    """One text in one language, without typography (messages on a terminal, ids kept)."""
    return Locale(lang, templates, typography=False).param(text)


@lru_cache(maxsize=8192)
def _typeset(text: str) -> str:
    return typeset(text)


__all__ = [
    "LANGS",
    "ByLang",
    "Cat",
    "Known",
    "Loc",
    "Locale",
    "Lower",
    "Msg",
    "Num",
    "Once",
    "Plural",
    "Rendered",
    "Value",
    "cat",
    "localize",
    "lower_first",
    "say",
    "value_words",
]
