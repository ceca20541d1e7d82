"""Russian typography and terms by one rule set, applied to every Russian text of a document.

The rules: ё in the words of `templates/typography.yaml` (`yo`), preferred terms (`terms`), «»
quotation marks, an em dash with a non-breaking space before it, a minus sign before a negative
number, non-breaking spaces after № and before % and units, and thousands separated by a
non-breaking space in numbers of five or more digits. `typeset` is idempotent; `violations` lists
what the rules would still change (the test runs it over every string of the knowledge base and
the templates).

Speed: a document has thousands of texts, most of them without anything a rule could change. One
search for anything any rule needs (`_Rules.trigger`) sends those back unchanged; the others run
the rules in their order, each only when its character is there, so the result is that of every
rule applied in turn. Results are memoized: the same labels recur all over a document.
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


@dataclass(frozen=True)
class _Rules:
    """The rule set of one typography.yaml, compiled."""

    yo: tuple[Callable[[str], str], ...]
    terms: tuple[tuple[re.Pattern[str], str], ...]
    trigger: re.Pattern[str]  # no match: no rule changes the text


def _yo(pattern: re.Pattern[str], yo: str) -> Callable[[str], str]:
    def sub(m: re.Match[str]) -> str:
        found = m.group(0)
        return yo.capitalize() if found[0].isupper() else yo

    return lambda text: pattern.sub(sub, text)


def _trigger(stems: list[str], terms: list[re.Pattern[str]]) -> re.Pattern[str]:
    """One pattern that finds something in every text that any rule would change."""
    parts = [_FIXED_TRIGGER]
    if stems:
        parts.append("(?i:" + "|".join(re.escape(e) for e in stems) + ")")
    parts += [f"(?:{t.pattern})" for t in terms]
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
    return _Rules(yo, terms, _trigger(list(stems), [p for p, _ in terms]))


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
    if not rules.trigger.search(text):
        return text
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
