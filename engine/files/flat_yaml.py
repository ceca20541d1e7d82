"""The usual shape of an assessment read without the YAML parser: top-level `key: value` lines.

A batch worker loads hundreds of assessments written by `questionnaire --format yaml` or a
script: flat mappings of one-line values and lists of them. Read line by line here, such a text
costs a fraction of libyaml's composing plus the node builder (`strict_yaml.load_yaml_text`),
which was most of loading an assessment. Anything outside that narrow shape (a nested mapping, a
flow list that is not empty, a comment after a value, an escape, a tab, a value over two lines,
a duplicate key, a value the builder would refuse...) makes `read_flat` answer None and the
YAML parser reads the text, so every message and position of a problem stays the parser's.
tests/engine/files/test_flat_yaml.py holds the two to the same data and positions.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from engine.files.located import PathKey

# A plain scalar's value under the schema, and whether the builder takes it without a problem.
PlainValue = Callable[[str], tuple[bool, Any]]
Flat = tuple[dict[str, Any], dict[PathKey, tuple[int, int]], dict[PathKey, tuple[int, int]]]

# `key: value` or `key:`; a key of at most 128 characters (libyaml's limit for a key is 1024)
_KEY = re.compile(r"([A-Za-z_][A-Za-z0-9_-]{0,127}):(?: +(.+))?")
_ITEM = re.compile(r"( *)- +(.+)")  # `- value`, at any indentation
# characters that make a plain scalar's first one something else (YAML's indicators)
_INDICATORS = frozenset("-?:,[]{}#&*!|>'\"%@`")
# a longer text goes the general way, which counts its values against strict_yaml.MAX_NODES
_MAX_LINES = 10_000
_EMPTY: dict[str, Any] = {"[]": [], "{}": {}}


def _value(text: str, plain: PlainValue) -> tuple[bool, Any]:
    """A one-line value's data, and whether this reader takes it as YAML would read it."""
    first, last = text[0], text[-1]
    if first in _INDICATORS:
        if (first == "'" or first == '"') and last == first and len(text) > 1:
            inner = text[1:-1]
            # quoted without a quote or an escape inside: the text itself
            return (first not in inner and "\\" not in inner), inner
        if text in _EMPTY:
            return True, type(_EMPTY[text])()
        if first != "-" or text[1:2] in ("", " "):
            return False, None
    # a plain scalar ends at `: ` or ` #`, and `:` at the end of a line is a mapping's
    if ": " in text or " #" in text or last == ":":
        return False, None
    return plain(text)


def read_flat(text: str, plain: PlainValue) -> Flat | None:
    """The data, value positions and key positions of a flat mapping's text, as the strict YAML
    reader gives them, or None for any text of another shape (read by the YAML parser)."""
    if "\t" in text or "\r" in text:
        return None
    lines = text.split("\n")
    if len(lines) > _MAX_LINES:
        return None
    reader = _Reader(plain)
    for number, line in enumerate(lines, 1):
        line = line.rstrip(" ")
        if not line.isprintable():  # YAML's reader refuses control characters, even in comments
            return None
        if not line or line[0] == "#":
            continue
        match = _KEY.fullmatch(line)
        if match is not None:
            taken = reader.key(number, match)
        else:
            match = _ITEM.fullmatch(line)
            taken = match is not None and reader.item(number, match)
        if not taken:
            return None
    if not reader.positions:
        return None  # no key at all: an empty document, read by the parser
    return reader.data, reader.positions, reader.key_positions


class _Reader:
    """What the lines read so far gave: the data and positions the builder would record."""

    def __init__(self, plain: PlainValue) -> None:
        self.plain = plain
        self.data: dict[str, Any] = {}
        self.positions: dict[PathKey, tuple[int, int]] = {}
        self.key_positions: dict[PathKey, tuple[int, int]] = {}
        # the key on a line of its own, whose value (a list, or null) the lines below give
        self.open: tuple[str] | None = None
        self.items: list[Any] | None = None  # its list, once its first item is read
        self.indent = 0  # the indentation of its items

    def key(self, number: int, match: re.Match[str]) -> bool:
        """Read a `key: value` or `key:` line; False when the parser must read the text."""
        key = match.group(1)
        taken, resolved = self.plain(key)
        if not taken or resolved != key or not isinstance(resolved, str) or key in self.data:
            return False  # a key read as true, false or null, or a duplicate: the parser's
        if not self.positions:
            self.positions[()] = (number, 1)
        path = (key,)
        self.key_positions[path] = (number, 1)
        raw = match.group(2)
        self.open, self.items = None, None
        if raw is None:
            # null unless list items follow; YAML places an empty value just after the colon
            self.open = path
            self.data[key] = None
            self.positions[path] = (number, len(key) + 2)
            return True
        taken, self.data[key] = _value(raw, self.plain)
        self.positions[path] = (number, match.start(2) + 1)
        return taken

    def item(self, number: int, match: re.Match[str]) -> bool:
        """Read a `- value` line of the open key's list; False when the parser must read it."""
        if self.open is None:
            return False
        if self.items is None:
            self.indent = len(match.group(1))
            # the list replaces the null in place: the keys keep the file's order
            self.items = self.data[self.open[0]] = []
            self.positions[self.open] = (number, self.indent + 1)
        elif len(match.group(1)) != self.indent:
            return False
        taken, value = _value(match.group(2), self.plain)
        self.positions[(*self.open, len(self.items))] = (number, match.start(2) + 1)
        self.items.append(value)
        return taken
