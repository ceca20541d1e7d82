"""Russian typography and terms by one rule set, applied to every Russian text of a document.

The rules: ё in the words of `templates/typography.yaml` (`yo`), preferred terms (`terms`), «»
quotation marks, an em dash with a non-breaking space before it, a minus sign before a negative
number, non-breaking spaces after № and before % and units, and thousands separated by a
non-breaking space in numbers of five or more digits. `typeset` is idempotent; `violations` lists
what the rules would still change (the test runs it over every string of the knowledge base and
the templates).
"""

from __future__ import annotations

import re
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


@lru_cache(maxsize=2)
def _rules(root: Path | None = None) -> tuple[list[tuple[re.Pattern[str], str]], ...]:
    base = root or bundled_root("templates")
    path = base / "typography.yaml"
    data = load_yaml_file(path, display_path(path)).data
    yo = [
        (re.compile(rf"(?<![а-яёА-ЯЁ]){re.escape(e)}", re.IGNORECASE), y)
        for e, y in (data.get("yo") or {}).items()
    ]
    terms = [(re.compile(t["pattern"]), t["replace"]) for t in data.get("terms") or []]
    return yo, terms


def _group(m: re.Match[str]) -> str:
    digits = m.group(1)
    head = len(digits) % 3 or 3
    parts = [digits[:head]] + [digits[i : i + 3] for i in range(head, len(digits), 3)]
    return NBSP.join(parts)


def _yo(pattern: re.Pattern[str], yo: str) -> Any:
    def sub(m: re.Match[str]) -> str:
        found = m.group(0)
        return yo.capitalize() if found[0].isupper() else yo

    return lambda text: pattern.sub(sub, text)


def typeset(text: str) -> str:
    """One Russian text by the rules (nothing else changes; ids and paths are left alone)."""
    if not text:
        return text
    yo, terms = _rules()
    for pattern, word in yo:
        text = _yo(pattern, word)(text)
    for pattern, repl in terms:
        text = pattern.sub(repl, text)
    text = _QUOTES.sub("«\\1»", text)
    text = _CURLY.sub("«\\1»", text)
    text = _DASH.sub(f"{NBSP}— ", text)
    text = _MINUS.sub(f"\\1{MINUS}", text)
    text = _PERCENT.sub(f"\\1{NBSP}\\2", text)
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
