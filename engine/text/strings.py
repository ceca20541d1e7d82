"""The words of the documents and messages that are not advice: `templates/strings.yaml`.

Every key must carry a non-empty text in each language; a file that does not is refused with a
located message (never a KeyError later). `kb check` also reports keys no template or module uses.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from engine.errors import InputError, Problem
from engine.files import cache
from engine.files.strict_yaml import Located, load_yaml_file
from engine.resources import bundled_root, display_path

LANGS = ("ru", "en")
Strings = dict[str, dict[str, str]]


@lru_cache(maxsize=8)
def strings(templates: Path | None = None) -> Strings:
    """UI strings of the documents (headings, column names) in ru and en: `strings()[lang][key]`."""
    return _strings((templates or bundled_root("templates")).resolve())


@lru_cache(maxsize=4)
def _strings(root: Path) -> Strings:  # one read per directory, however named
    return cache.cached(
        "strings", cache.files_digest(root, "strings.yaml"), lambda: read_strings(root)
    )


def read_strings(root: Path) -> Strings:
    """Read and check `strings.yaml`: each key a mapping with a text per language."""
    path = root / "strings.yaml"
    located = load_yaml_file(path, display_path(path))
    problems = check_strings(located)
    if problems:
        raise InputError(problems)
    out: Strings = {lang: {} for lang in LANGS}
    for key, texts in located.data.items():
        for lang in LANGS:
            out[lang][key] = texts[lang]
    return out


def check_strings(located: Located) -> list[Problem]:
    """Every problem of a strings file: not a mapping, a missing or empty language, an extra one."""
    data = located.data
    if not isinstance(data, dict):
        return [located.problem((), "expected a mapping of keys to {ru: ..., en: ...}")]
    problems = []
    for key, texts in data.items():
        if not isinstance(texts, dict):
            problems.append(located.problem((key,), "expected {ru: ..., en: ...}"))
            continue
        for lang in LANGS:
            text = texts.get(lang)
            if not isinstance(text, str) or not text.strip():
                problems.append(located.problem((key,), f"missing the {lang} text", key=True))
        for extra in sorted(set(texts) - set(LANGS)):
            problems.append(located.problem((key, extra), f"unknown language {extra!r}", key=True))
    return problems
