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
from dataclasses import dataclass
from typing import Any

from engine.files.located import PathKey


@dataclass(frozen=True)
class Schema:
    """How the strict reader types a plain scalar (strict_yaml.FLAT_SCHEMA)."""

    # a match of a typed scalar's whole text, with a group named by its kind (`int`...)
    kinds: re.Pattern[str]
    # the first characters a typed scalar may have: any other text is text (the resolver's own
    # first test; a set lookup spares most text a match of `kinds`)
    first: frozenset[str]
    # a scalar's value by its kind and text, with the message of its refusal (empty when taken)
    scalar: Callable[[str, str], tuple[Any, str, str]]


Flat = tuple[dict[str, Any], dict[PathKey, tuple[int, int]], dict[PathKey, tuple[int, int]]]

# characters that make a plain scalar's first one something else (YAML's indicators)
_INDICATORS = frozenset("-?:,[]{}#&*!|>'\"%@`")
# a longer text goes the general way, which counts its values against strict_yaml.MAX_NODES
_MAX_LINES = 10_000
_MAX_KEY = 128  # libyaml's limit for a key on one line is 1024 characters
_EMPTY: dict[str, Any] = {"[]": [], "{}": {}}


def read_flat(text: str, schema: Schema) -> Flat | None:
    """The data, value positions and key positions of a flat mapping's text, as the strict YAML
    reader gives them, or None for any text of another shape (read by the YAML parser)."""
    if "\t" in text or "\r" in text:
        return None
    lines = text.split("\n")
    # YAML's reader refuses control characters, even in comments
    if len(lines) > _MAX_LINES or not "".join(lines).isprintable():
        return None
    if " \n" in text or text.endswith(" "):
        lines = [line.rstrip(" ") for line in lines]
    reader = _Reader(schema)
    for number, line in enumerate(lines, 1):
        if not line or line[0] == "#":
            continue
        if line[0] == " " or line[0] == "-":
            taken = reader.item(number, line)
        else:
            taken = reader.key(number, line)
        if not taken:
            return None
    if not reader.positions:
        return None  # no key at all: an empty document, read by the parser
    return reader.data, reader.positions, reader.key_positions


class _Reader:
    """What the lines read so far gave: the data and positions the builder would record."""

    def __init__(self, schema: Schema) -> None:
        self.schema = schema
        self.data: dict[str, Any] = {}
        self.positions: dict[PathKey, tuple[int, int]] = {}
        self.key_positions: dict[PathKey, tuple[int, int]] = {}
        # the key on a line of its own, whose value (a list, or null) the lines below give
        self.open: tuple[str] | None = None
        self.items: list[Any] | None = None  # its list, once its first item is read
        self.indent = 0  # the indentation of its items

    def key(self, number: int, line: str) -> bool:
        """Read a `key: value` or `key:` line; False when the parser must read the text."""
        key, colon, rest = line.partition(":")
        if not colon or (rest and rest[0] != " ") or not self.text_key(key):
            return False
        if not self.positions:
            self.positions[()] = (number, 1)
        path = (key,)
        self.key_positions[path] = (number, 1)
        self.open, self.items = None, None
        if not rest:
            # null unless list items follow; YAML places an empty value just after the colon
            self.open = path
            self.data[key] = None
            self.positions[path] = (number, len(key) + 2)
            return True
        raw = rest.lstrip(" ")
        taken, self.data[key] = self.value(raw)
        self.positions[path] = (number, len(line) - len(raw) + 1)
        return taken

    def text_key(self, key: str) -> bool:
        """Whether a key is a plain word the schema reads as text, not seen before."""
        if not (key.isidentifier() and key.isascii() and len(key) <= _MAX_KEY):
            return False
        if key[0] in self.schema.first and self.schema.kinds.fullmatch(key) is not None:
            return False  # true, false or null
        return key not in self.data  # a duplicate is the parser's to report

    def item(self, number: int, line: str) -> bool:
        """Read a `- value` line of the open key's list; False when the parser must read it."""
        entry = line.lstrip(" ")
        if self.open is None or entry[:2] != "- ":
            return False
        indent = len(line) - len(entry)
        if self.items is None:
            self.indent = indent
            # the list replaces the null in place: the keys keep the file's order
            self.items = self.data[self.open[0]] = []
            self.positions[self.open] = (number, indent + 1)
        elif indent != self.indent:
            return False
        raw = entry[2:].lstrip(" ")
        taken, value = self.value(raw)
        self.positions[(*self.open, len(self.items))] = (number, len(line) - len(raw) + 1)
        self.items.append(value)
        return taken

    def value(self, text: str) -> tuple[bool, Any]:
        """A one-line value's data, and whether this reader takes it as YAML would read it."""
        first = text[0]
        if first in _INDICATORS:
            if (first == "'" or first == '"') and text[-1] == first and len(text) > 1:
                inner = text[1:-1]
                # quoted without a quote or an escape inside: the text itself
                return (first not in inner and "\\" not in inner), inner
            if text in _EMPTY:
                return True, type(_EMPTY[text])()
            if first != "-" or text[1:2] in ("", " "):
                return False, None
        # a plain scalar ends at `: ` or ` #`, and `:` at the end of a line is a mapping's
        if ": " in text or " #" in text or text[-1] == ":":
            return False, None
        kind = self.schema.kinds.fullmatch(text) if first in self.schema.first else None
        if kind is None:
            return True, text
        value, message, _ = self.schema.scalar(kind.lastgroup or "", text)
        return not message, value
