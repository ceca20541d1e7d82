"""The words of the documents and messages that are not advice: `templates/strings.yaml`.

Every key must carry a non-empty text in each language; a file that does not is refused with a
located message (never a KeyError later). `kb check` also reports keys no template or module uses.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path

from engine.errors import InputError, Problem
from engine.files import cache
from engine.files.strict_yaml import Located, load_yaml_file
from engine.resources import bundled_root, display_path
from engine.text.typography import typeset_view

LANGS = ("ru", "en")
Strings = dict[str, dict[str, str]]


@lru_cache(maxsize=8)
def strings(templates: Path | None = None) -> Strings:
    """UI strings of the documents (headings, column names) in ru and en: `strings()[lang][key]`."""
    if templates is None:
        return _bundled_strings()  # called for every label: no path resolution each time
    return _strings(templates.resolve())


@lru_cache(maxsize=8)
def printed_strings(templates: Path | None, lang: str) -> Mapping[str, str]:
    """The UI strings of one language as a document prints them (typeset for Russian): once per
    templates folder and language, not on every render. Read-only: merge, never change."""
    words = strings(templates)[lang]
    return typeset_view(words) if lang == "ru" else words  # type: ignore[no-any-return]


@lru_cache(maxsize=1)
def _bundled_strings() -> Strings:
    return _strings(bundled_root("templates").resolve())


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
            if not isinstance(text, str) or text == "":  # a separator may be a space
                problems.append(located.problem((key,), f"missing the {lang} text", key=True))
        for extra in sorted(set(texts) - set(LANGS)):
            problems.append(located.problem((key, extra), f"unknown language {extra!r}", key=True))
    return problems


def check_templates(templates: Path, code: Path) -> list[Problem]:
    """`kb check`'s view of the UI strings: each key in both languages, and every key used.

    Memoized on the files' sizes and modification times: a process that checks many knowledge
    bases (tests, the web workspace) reads the same templates and code once.
    """
    files = [templates / "strings.yaml", *templates.rglob("*.j2"), *code.rglob("*.py")]
    stamp = tuple((str(f), f.stat().st_mtime_ns, f.stat().st_size) for f in sorted(files))
    return list(_check_templates(templates, code, stamp))


@lru_cache(maxsize=4)
def _check_templates(templates: Path, code: Path, stamp: tuple) -> tuple[Problem, ...]:
    return tuple(_template_problems(templates, code))


def _template_problems(templates: Path, code: Path) -> list[Problem]:
    path = templates / "strings.yaml"
    located = load_yaml_file(path, display_path(path))
    problems = check_strings(located)
    if problems:
        return problems
    return [
        located.problem((key,), f"string {key!r} is used by no template or module", key=True)
        for key in unused_keys(templates, code)
    ]


def unused_keys(templates: Path, code: Path) -> list[str]:
    """Keys of `templates/strings.yaml` that no template or module names.

    A key counts as used when it appears as a word in a template or module (`t.key`, `t["key"]`,
    `"key"`), or starts with a prefix the code builds keys from (`f"op_{op}"`, `"conf_" ~ level`).
    """
    keys = list(read_strings(templates)["en"])
    texts = [p.read_text(encoding="utf-8") for p in sorted(templates.rglob("*.j2"))]
    texts += [p.read_text(encoding="utf-8") for p in sorted(code.rglob("*.py"))]
    words: set[str] = set()
    prefixes: set[str] = set()
    for text in texts:
        words.update(re.findall(r"[A-Za-z_][A-Za-z0-9_]*", text))
        prefixes.update(re.findall(r"f[\"']([a-z][a-z0-9_]*_)\{", text))
        prefixes.update(re.findall(r"[\"']([a-z][a-z0-9_]*_)[\"']\s*[~+]", text))
    return [k for k in keys if k not in words and not any(k.startswith(p) for p in prefixes)]
