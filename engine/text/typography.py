"""Russian typography and terms by one rule set, applied to every Russian text of a document.

The rules: ё in the words of `templates/typography.yaml` (`yo`), preferred terms (`terms`), «»
quotation marks, an em dash with a non-breaking space before it, a minus sign before a negative
number, non-breaking spaces after № and before % and units, and thousands separated by a
non-breaking space in numbers of five or more digits. `typeset` is idempotent; `violations` lists
what the rules would still change (the test runs it over every string of the knowledge base and
the templates).

Speed: a document has thousands of texts, most of them without anything a rule could change.
Quick tests for what each rule needs (`_Rules.may_yo`, `_Rules.rest`) send those back unchanged;
the others run the rules in their order, each group only when its test found something, so the
result is that of every rule applied in turn. Results are memoized: the same labels recur all
over a document.
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
# what the fixed rules above need to find anything: a superset of their matches
_FIXED_TRIGGER = r'["\u201c\-\u2013\u2014%‰№]|\d{5}'


try:  # the case equivalents re uses beyond lower() ("в" and "ᲀ"); a guess is never trusted
    from re._casefix import _EXTRA_CASES
except ImportError:  # pragma: no cover  (another Python: the ё rules are then tested by regex)
    _EXTRA_CASES = None


@dataclass(frozen=True)
class _Rules:
    """The rule set of one typography.yaml, compiled, with the quick tests that skip it."""

    yo: tuple[Callable[[str], str], ...]
    terms: tuple[tuple[re.Pattern[str], str], ...]
    yo_words: tuple[str, ...] | None  # in text.lower(): a ё rule may apply (None: use yo_any)
    yo_any: re.Pattern[str]  # a ё rule may apply
    rest: re.Pattern[str]  # a term or a fixed rule may apply

    def may_yo(self, text: str) -> bool:
        """Whether a ё rule could change `text` (a quick test before the rules run)."""
        if self.yo_words is None:
            return self.yo_any.search(text) is not None
        low = text.lower()
        return any(w in low for w in self.yo_words)


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


def _rest(terms: list[re.Pattern[str]]) -> re.Pattern[str]:
    """One pattern that finds something in every text a term or a fixed rule would change."""
    parts = [_FIXED_TRIGGER] + [f"(?:{t.pattern})" for t in terms]
    try:
        combined = re.compile("|".join(parts))
    except re.error:  # a term that does not combine (a global flag): test every text fully
        return re.compile("")
    if any(re.search(r"\\[1-9]|\(\?P=", t.pattern) for t in terms):
        return re.compile("")  # a back-reference would point at another group once combined
    return combined


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
    terms = tuple((re.compile(t["pattern"]), t["replace"]) for t in data.get("terms") or [])
    yo_any = re.compile("|".join(re.escape(e) for e in stems) or "(?!)", re.IGNORECASE)
    return _Rules(yo, terms, _yo_words(list(stems)), yo_any, _rest([p for p, _ in terms]))


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
    may_yo = rules.may_yo(text)
    if not may_yo and not rules.rest.search(text):
        return text
    if may_yo:
        for yo in rules.yo:
            text = yo(text)
    for pattern, repl in rules.terms:
        text = pattern.sub(repl, text)
    if '"' in text:
        text = _QUOTES.sub("«\\1»", text)
    if "\u201c" in text:
        text = _CURLY.sub("«\\1»", text)
    if "-" in text or "\u2013" in text or "\u2014" in text:
        text = _DASH.sub(f"{NBSP}— ", text)
        if "-" in text:
            text = _MINUS.sub(f"\\1{MINUS}", text)
    if "%" in text or "‰" in text:
        text = _PERCENT.sub(f"\\1{NBSP}\\2", text)
    if "№" in text:
        text = _NUMBER_SIGN.sub(f"№{NBSP}", text)
    return _BIG.sub(_group, text)


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
