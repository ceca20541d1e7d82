"""Pipeline step 8: render the program view model to Markdown, HTML or JSON (a string).

One Jinja environment, built by one function: sandboxed, StrictUndefined, autoescape for HTML,
stable whitespace. Templates receive a plain view model and the UI strings of one language; user
text is data, so `{{ 7*7 }}` in a cluster name prints literally and HTML is escaped.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from typing import Any

from jinja2 import FileSystemLoader, StrictUndefined, select_autoescape
from jinja2.filters import sync_do_join
from jinja2.runtime import LoopContext
from jinja2.sandbox import ImmutableSandboxedEnvironment

from engine.files import cache
from engine.files.cache import template_cache
from engine.resources import bundled_root
from engine.text.strings import printed_strings
from engine.text.strings import strings as strings  # the comparison reads it from here
from engine.text.typography import typeset_view

_MD_SPECIAL = re.compile(r"[\\`*_\[\]<>|#\r\n]")
# each special character after a backslash; a line break becomes a space
_MD_ESCAPED = str.maketrans({c: "\\" + c for c in "\\`*_[]<>|#"} | {"\r": " ", "\n": " "})


def md_escape(value: Any) -> str:
    """Escape user text for Markdown: it must never become markup or HTML in a viewer."""
    text = str(value)
    # most texts (600 a document) have nothing to escape: one scan sends them back as they are
    return text if _MD_SPECIAL.search(text) is None else text.translate(_MD_ESCAPED)


_DICT_ATTRIBUTES = frozenset(dir(dict))
# a loop's counters (numbers and booleans, safe by the sandbox's rules): read straight away
_LOOP_COUNTERS = frozenset(
    ("index", "index0", "revindex", "revindex0", "first", "last", "length", "depth", "depth0")
)


class _Environment(ImmutableSandboxedEnvironment):
    """The sandbox, reading `p.name` of a plain dict (the view models) as `p["name"]` straight
    away: Jinja tries the attribute first, and the AttributeError of every such lookup was a
    tenth of a render. A dict's own attributes (`items`, `keys`...) go the sandbox's way."""

    def getattr(self, obj: Any, attribute: str) -> Any:
        """`obj.attribute` in a template, as the sandbox reads it (an item of a plain dict)."""
        if type(obj) is dict and attribute not in _DICT_ATTRIBUTES:
            try:
                return obj[attribute]
            except KeyError:
                return self.undefined(obj=obj, name=attribute)
        if type(obj) is LoopContext and attribute in _LOOP_COUNTERS:
            return getattr(obj, attribute)  # the sandbox's own checks took 40 a document
        return super().getattr(obj, attribute)


def environment(templates: Path | None = None) -> ImmutableSandboxedEnvironment:
    """The sandboxed Jinja environment over `templates` (default: the bundled folder), one per
    folder and cache directory: a memo keyed by the folder and the environment variables the
    cache directory follows (working out the directory itself was a twentieth of a render)."""
    return _environment(templates or _bundled_templates(), cache.directory_settings())


@lru_cache(maxsize=1)
def _bundled_templates() -> Path:
    # a pure memo: finding the bundled folder resolves this file's path (a system call per
    # component), a twentieth of a batch cluster's render
    return bundled_root("templates")


@lru_cache(maxsize=4)
def _environment(root: Path, settings: tuple[str | None, ...]) -> ImmutableSandboxedEnvironment:
    # `settings` decide `cache.directory()`: the same settings, the same directory
    return new_environment(root, cache.directory())


def new_environment(root: Path, cache_dir: Path | None) -> ImmutableSandboxedEnvironment:
    """A fresh environment over `root`, its compiled templates kept under `cache_dir` (None:
    not kept)."""
    env = _Environment(
        bytecode_cache=template_cache(cache_dir),
        loader=FileSystemLoader(str(root)),
        undefined=StrictUndefined,
        autoescape=select_autoescape(
            enabled_extensions=("html", "html.j2"), default_for_string=False
        ),
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        # the templates are read once per process, as the strings are (`strings` is a memo): no
        # check of every template's file time on each use (a document includes ~25 of them)
        auto_reload=False,
    )
    env.filters["md"] = _md_filter()
    # Jinja's own `join` without its wrapper choosing between it and an async variant on every
    # call (the environment is never async): the same function, escaping included
    env.filters["join"] = sync_do_join
    return env


def _md_filter() -> Callable[[Any], str]:
    """`md_escape` with a memo of the environment's own for strings: a document's texts recur in
    every cluster of a batch (the knowledge's labels and sentences), and the scan for what to
    escape costs ~10 ns a character. A plain dict, not `lru_cache`: a hit (nearly every call)
    needs no reordering of an LRU list, and the memo is emptied when full."""
    memo: dict[str, str] = {}

    def md(value: Any) -> str:
        if type(value) is not str:
            return md_escape(value)
        text = memo.get(value)
        if text is None:
            if len(memo) >= 8192:  # a batch's own texts (names, quotes) are not kept without end
                memo.clear()
            text = memo[value] = md_escape(value)
        return text

    return md


def render(view: dict[str, Any], fmt: str, templates: Path | None = None) -> str:
    """The program view (in words) as Markdown or HTML through `program.<fmt>.j2`, with the UI
    strings of its language (typeset for Russian) and the document's own wording."""
    env = environment(templates)
    template = env.get_template(f"program.{fmt}.j2")
    lang, words = view["lang"], view.get("words", {})
    t = {**printed_strings(templates, lang), **(typeset_view(words) if lang == "ru" else words)}
    text = template.render(p=view, t=t)
    return _tidy(text) if fmt == "md" else text


# the same runs as `\n{3,}`, found 16x faster: re looks for the literal prefix first
_BLANK_RUN = re.compile(r"\n\n\n+")


def _tidy(text: str) -> str:
    """Collapse runs of blank lines so Markdown output is stable and clean."""
    return _BLANK_RUN.sub("\n\n", text).strip() + "\n"


def to_json(data: Any) -> str:
    """Data as stable, readable JSON text (UTF-8 kept, tuples and sets as lists),
    newline-terminated."""
    return json.dumps(data, ensure_ascii=False, indent=2, sort_keys=False, default=_default) + "\n"


def _default(obj: Any) -> Any:
    if isinstance(obj, (set, frozenset, tuple)):
        return list(obj)
    if type(obj).__name__ == "frozenlist":
        return list(obj)
    raise TypeError(f"not serialisable: {type(obj).__name__}")
