"""Russian typography and terms by one rule set, applied to every Russian text of a document.

The rules: ё in the words of `templates/typography.yaml` (`yo`), preferred terms (`terms`), «»
quotation marks, an em dash with a non-breaking space before it, a minus sign before a negative
number, non-breaking spaces after № and before % and units, and thousands separated by a
non-breaking space in numbers of five or more digits. `typeset` is idempotent; `violations` lists
what the rules would still change (the test runs it over every string of the knowledge base and
the templates).

Speed: a document has thousands of texts, most of them without anything a rule could change,
and a batch cluster has ~170 texts of its own (13 000 characters, with its figures) that no memo
holds. Each rule runs only when a quick test on the text as it stands then finds what the rule
needs (`_Rules.may_yo`, a term's `found`, a character, a hyphen before a digit, five digits): a
test that finds a superset of the rule's matches, so the result is that of every rule applied in
turn. The tests are scans `re` starts at a literal or a character class (a pattern starting with
`\\b` or a look-behind is tried at every position of the text, ~50 times slower). Results are
memoized: the same labels recur all over a document.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from engine.files.strict_yaml import load_yaml_file
from engine.resources import bundled_root, display_path

NBSP = "\u00a0"
MINUS = "\u2212"
_DASH = re.compile(r"[ \u00a0]+[-\u2013\u2014][ \u00a0]+")
_MINUS = re.compile(r"(^|[\s(\u00a0])-(?=\d)")
_QUOTES = re.compile(r'"([^"\n]*)"')
_CURLY = re.compile(r"\u201c([^\u201d\n]*)\u201d")
_PERCENT = re.compile(r"(\d) (%|‰)")
_NUMBER_SIGN = re.compile(r"№ (?=\S)")
_BIG = re.compile(r"(?<![\w.,/:\-])(\d{5,})(?![\w/:]|[.,]\d)")
# what `_MINUS` and `_BIG` need to find anything, found from a literal or a character class
_HYPHEN_DIGIT = re.compile(r"-\d")
_FIVE_DIGITS = re.compile(r"\d\d\d\d\d")


try:  # the case equivalents re uses beyond lower() ("в" and "ᲀ"); a guess is never trusted
    from re._casefix import _EXTRA_CASES
except ImportError:  # pragma: no cover  (another Python: the ё rules are then tested by regex)
    _EXTRA_CASES = None


@dataclass(frozen=True)
class _Rules:
    """The rule set of one typography.yaml, compiled, with the quick tests that skip it."""

    yo: tuple[Callable[[str], str], ...]
    # each term: its quick test (whether it may apply), its pattern, its replacement
    terms: tuple[tuple[Callable[[str], object], re.Pattern[str], str], ...]
    yo_words: tuple[str, ...] | None  # in text.lower(): a ё rule may apply (None: use yo_any)
    yo_any: re.Pattern[str]  # a ё rule may apply
    yo_ascii: bool  # a word of `yo_words` is ASCII (an ASCII text may then hold one)

    def may_yo(self, text: str) -> bool:
        """Whether a ё rule could change `text` (a quick test before the rules run)."""
        words = self.yo_words
        if words is None:
            return self.yo_any.search(text) is not None
        # an ASCII text (two in five of a cluster's own: numbers, names, ids) lowers to ASCII,
        # which holds none of the words when none is ASCII (`isascii` reads a flag, no scan)
        if text.isascii() and not self.yo_ascii:
            return False
        low = text.lower()
        return any(w in low for w in words)


def _yo(pattern: re.Pattern[str], yo: str) -> Callable[[str], str]:
    def sub(m: re.Match[str]) -> str:
        found = m.group(0)
        return yo.capitalize() if found[0].isupper() else yo

    return lambda text: pattern.sub(sub, text)


def _yo_words(stems: list[str]) -> tuple[str, ...] | None:
    """What `text.lower()` contains whenever a stem matches `text` case-insensitively.

    re matches a character when its lowercase is the stem's or one of `_EXTRA_CASES` (other
    lowercase letters with the same uppercase); str.lower() differs from re's lowercase only for
    İ (which becomes i and a combining dot) and a final Σ (ς). So: each stem, every such equivalent
    letter, the combining dot and both sigmas (any of them sends the text to the rules).
    """
    low = [e.lower() for e in stems]
    if _EXTRA_CASES is None or any(len(e) != len(w) for e, w in zip(stems, low, strict=True)):
        return None
    extra = {chr(v) for w in low for ch in w for v in _EXTRA_CASES.get(ord(ch), ())}
    return (*low, *sorted(extra | {"\u0307", "σ", "ς"}))


def _found(term: re.Pattern[str]) -> Callable[[str], object]:
    """A quick test that finds something in every text `term` would change: its search, without
    a leading `\\b` (which only narrows where it matches) so that re starts from the literal."""
    if term.pattern.startswith(r"\b"):
        try:
            return re.compile(term.pattern[2:], term.flags).search
        except re.error:  # pragma: no cover  (a pattern that needs its \b to compile)
            pass
    return term.search


@lru_cache(maxsize=2)
def _rules(root: Path | None = None) -> _Rules:
    base = root or bundled_root("templates")
    path = base / "typography.yaml"
    data = load_yaml_file(path, display_path(path)).data
    stems = dict(data.get("yo") or {})
    yo = tuple(
        _yo(re.compile(rf"(?<![а-яёА-ЯЁ]){re.escape(e)}", re.IGNORECASE), y)
        for e, y in stems.items()
    )
    patterns = [(re.compile(t["pattern"]), t["replace"]) for t in data.get("terms") or []]
    terms = tuple((_found(p), p, replace) for p, replace in patterns)
    yo_any = re.compile("|".join(re.escape(e) for e in stems) or "(?!)", re.IGNORECASE)
    words = _yo_words(list(stems))
    return _Rules(yo, terms, words, yo_any, any(w.isascii() for w in words or ()))


def _group(m: re.Match[str]) -> str:
    digits = m.group(1)
    head = len(digits) % 3 or 3
    parts = [digits[:head]] + [digits[i : i + 3] for i in range(head, len(digits), 3)]
    return NBSP.join(parts)


@lru_cache(maxsize=16384)
def typeset(text: str) -> str:
    """One Russian text by the rules (nothing else changes; ids and paths are left alone)."""
    if not text:
        return text
    rules = _rules()
    if rules.may_yo(text):
        for yo in rules.yo:
            text = yo(text)
    for found, pattern, repl in rules.terms:
        if found(text):
            text = pattern.sub(repl, text)
    if '"' in text:
        text = _QUOTES.sub("«\\1»", text)
    if "\u201c" in text:
        text = _CURLY.sub("«\\1»", text)
    if "-" in text or "\u2013" in text or "\u2014" in text:
        text = _DASH.sub(f"{NBSP}— ", text)
        if _HYPHEN_DIGIT.search(text):
            text = _MINUS.sub(f"\\1{MINUS}", text)
    if "%" in text or "‰" in text:
        text = _PERCENT.sub(f"\\1{NBSP}\\2", text)
    if "№" in text:
        text = _NUMBER_SIGN.sub(f"№{NBSP}", text)
    if _FIVE_DIGITS.search(text):
        text = _BIG.sub(_group, text)
    return text


def violations(text: str) -> list[str]:
    """What the rules would still change in `text` (empty for a typeset text)."""
    out = []
    if typeset(text) != text:
        out.append(f"not typeset: {text!r} -> {typeset(text)!r}")
    if re.search(r"\bKPI\b", text):
        out.append("KPI in Russian text")
    return out


def typeset_view(value: Any) -> Any:
    """Every string of a (nested) view model, typeset; dict keys and non-strings unchanged."""
    if isinstance(value, str):
        return typeset(value)
    if isinstance(value, dict):
        return {k: typeset_view(v) for k, v in value.items()}
    if isinstance(value, list):
        return [typeset_view(v) for v in value]
    if isinstance(value, tuple):
        return tuple(typeset_view(v) for v in value)
    return value
