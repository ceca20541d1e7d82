"""Pipeline step 1: read YAML strictly, keeping the position of every key and value.

Safe and strict: only the standard YAML tags, no aliases (no alias bombs), duplicate keys rejected,
size and depth limited, bytes must be UTF-8. Every problem becomes a located `InputError`.
"""

from __future__ import annotations

import errno
import math
import os
import re
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from engine.errors import InputError, Problem, printable
from engine.files.characters import bad_character, char_name, is_noncharacter
from engine.files.flat_yaml import Schema, read_flat
from engine.files.located import Located as Located
from engine.files.located import PathKey as PathKey
from engine.files.located import format_path as format_path

MAX_BYTES = 5 * 1024 * 1024
MAX_DEPTH = 40
# Counts are bounded as well as bytes: 650k keys or 2.5M list items fit in 5 MB and took a minute.
# Lines plus commas bound the number of nodes a text can hold, so the count is checked before
# parsing; the builder counts the nodes too.
MAX_NODES = 100_000
MAX_INT_DIGITS = 18

_STR = "tag:yaml.org,2002:str"
_SAFE_TAGS = {
    "tag:yaml.org,2002:str",
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:null",
    "tag:yaml.org,2002:map",
    "tag:yaml.org,2002:seq",
}


def read_text(path: Path, display: str | None = None, *, follow_symlinks: bool = True) -> str:
    """Read a user file as UTF-8 text, refusing binary junk, wrong encodings and huge files.

    Only a regular file is read: a FIFO would hang and `/dev/zero` would never end, so the file
    is opened without blocking and judged by fstat() of what was opened. With
    `follow_symlinks=False` (knowledge files) a symbolic link is refused. (engine.api registers
    the paths it is given as the session's inputs: the writer never replaces them.)
    """
    name = printable(display or str(path))

    def refuse(message: str, code: str = "unreadable-file") -> InputError:
        return InputError([Problem(file=name, message=message, code=code)])

    flags = os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0)
    if not follow_symlinks:
        flags |= os.O_NOFOLLOW
    try:
        fd = os.open(path, flags)
    except FileNotFoundError:
        raise refuse("file not found", "file-not-found") from None
    except OSError as exc:
        if exc.errno == errno.ELOOP and not follow_symlinks:
            raise refuse(
                "is a symbolic link; knowledge files are read only as files", "symbolic-link"
            ) from None
        if exc.errno == errno.EISDIR:
            raise refuse("is a directory, expected a file", "not-a-file") from None
        raise refuse(f"cannot read: {exc.strerror}") from None
    try:
        st = os.fstat(fd)
        if stat.S_ISDIR(st.st_mode):
            raise refuse("is a directory, expected a file", "not-a-file")
        if not stat.S_ISREG(st.st_mode):
            raise refuse(
                "is not a regular file (a FIFO, device or socket); refusing to read it",
                "not-a-file",
            )
        if st.st_size > MAX_BYTES:
            raise refuse(f"file is too large (the limit is {MAX_BYTES} bytes)", "file-too-large")
        chunks, size = [], 0
        while size <= MAX_BYTES:  # never more than the limit into memory, whatever fstat said
            chunk = os.read(fd, min(1 << 20, MAX_BYTES + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        raw = b"".join(chunks)
    except OSError as exc:
        raise refuse(f"cannot read: {exc.strerror}") from None
    finally:
        os.close(fd)
    if len(raw) > MAX_BYTES:
        raise refuse(f"file is too large (the limit is {MAX_BYTES} bytes)", "file-too-large")
    return decode(raw, name)


def decode(raw: bytes, name: str) -> str:
    """Bytes of a user file as text, refusing oversized, UTF-16/32, binary and non-UTF-8 data."""
    if len(raw) > MAX_BYTES:
        raise InputError(
            [
                Problem(
                    file=name,
                    message=f"file is too large ({len(raw)} bytes; the limit is {MAX_BYTES})",
                    code="file-too-large",
                )
            ]
        )
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    wide = _wide_encoding(raw)
    if wide:
        raise InputError(
            [
                Problem(
                    file=name, message=f"the file is {wide} text; save it as UTF-8", code="encoding"
                )
            ]
        )
    if b"\x00" in raw:
        raise InputError(
            [
                Problem(
                    file=name,
                    message="binary data, expected a UTF-8 YAML text file",
                    code="encoding",
                )
            ]
        )
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        col = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        raise InputError(
            [
                Problem(
                    file=name,
                    line=line,
                    col=col,
                    message="not valid UTF-8 text; save the file as UTF-8",
                    code="encoding",
                )
            ]
        ) from None


def _line_col(text: str, position: int) -> tuple[int, int]:
    line = text.count("\n", 0, position) + 1
    return line, position - (text.rfind("\n", 0, position) + 1) + 1


def _wide_encoding(raw: bytes) -> str:
    """UTF-16 or UTF-32 text (by its byte-order mark, or ASCII-range characters padded with
    zero bytes), which would otherwise be reported as binary data."""
    for bom, label in (
        (b"\xff\xfe\x00\x00", "UTF-32"),
        (b"\x00\x00\xfe\xff", "UTF-32"),
        (b"\xff\xfe", "UTF-16"),
        (b"\xfe\xff", "UTF-16"),
    ):
        if raw.startswith(bom):
            return label
    if b"\x00" in raw[:400]:
        head = raw[:400]
        for codec, label in (
            ("utf-32-le", "UTF-32"),
            ("utf-32-be", "UTF-32"),
            ("utf-16-le", "UTF-16"),
            ("utf-16-be", "UTF-16"),
        ):
            width = 4 if label == "UTF-32" else 2
            try:
                text = head[: len(head) // width * width].decode(codec)
            except UnicodeDecodeError:
                continue
            ascii_share = sum(c < "\x80" for c in text) / max(1, len(text))
            if (
                all(c.isprintable() or c in "\r\n\t" for c in text)
                and ascii_share > 0.3
                and any(c in text for c in ":-#")
            ):
                return label
    return ""


def load_yaml_file(
    path: Path, display: str | None = None, *, follow_symlinks: bool = True, flat: bool = False
) -> Located:
    """Read and parse a YAML file strictly into plain data with positions (`flat`: as
    `load_yaml_text` says)."""
    text = read_text(path, display, follow_symlinks=follow_symlinks)
    return load_yaml_text(text, display or str(path), flat=flat)


class _CoreResolver(yaml.resolver.BaseResolver):
    """YAML 1.2's core schema, not PyYAML's YAML 1.1: `NO` and `yes` are text, `010` is ten,
    `33:34` is text (not 2014 in base 60), `1e5` is a number, and dates are text."""

    # The composer calls these three for every node (~200 a cluster's assessment). The schema
    # has no path resolvers and no wildcard resolver (a test holds it to that), so BaseResolver's
    # generic steps for them are left out: the same tags, a third of the composing's Python.
    def resolve(self, kind: type[Node], value: Any, implicit: tuple[bool, bool]) -> str:
        """The tag of an untagged node: BaseResolver.resolve for this schema."""
        if kind is ScalarNode:
            if implicit[0]:
                for tag, regexp in self.yaml_implicit_resolvers.get(value[:1], ()):
                    if regexp.match(value):
                        return tag
            return self.DEFAULT_SCALAR_TAG
        if kind is SequenceNode:
            return self.DEFAULT_SEQUENCE_TAG
        return self.DEFAULT_MAPPING_TAG

    def descend_resolver(self, current_node: Node | None, current_index: Any) -> None:
        """Nothing to do: the schema has no path resolvers."""

    def ascend_resolver(self) -> None:
        """Nothing to do: the schema has no path resolvers."""


_SCHEMA = (
    ("bool", r"^(?:true|True|TRUE|false|False|FALSE)$", "tTfF"),
    ("int", r"^[-+]?[0-9]+$", "-+0123456789"),
    (
        "float",
        r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
        r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$",
        "-+.0123456789",
    ),
    ("null", r"^(?:~|null|Null|NULL|)$", ["~", "n", "N", ""]),
    ("merge", r"^(?:<<)$", ["<"]),  # recognised only to be refused
)
for _tag, _pattern, _first in _SCHEMA:
    _CoreResolver.add_implicit_resolver(f"tag:yaml.org,2002:{_tag}", re.compile(_pattern), _first)
# The same schema as one pattern, a group for each kind in the resolver's order: a one-line
# text's kind in one match, for the flat reader (each kind's pattern can only match a text
# starting with one of the kind's first characters, so the first group matching is the tag
# the resolver finds; a merge key `<<` is then refused as "not a valid merge").
_KIND = re.compile("|".join(f"(?P<{tag}>{pattern[1:-1]})" for tag, pattern, _ in _SCHEMA))


class _PyLoader(
    yaml.reader.Reader,
    yaml.scanner.Scanner,
    yaml.parser.Parser,
    yaml.composer.Composer,
    _CoreResolver,
):
    def __init__(self, stream: str) -> None:
        yaml.reader.Reader.__init__(self, stream)
        yaml.scanner.Scanner.__init__(self)
        yaml.parser.Parser.__init__(self)
        yaml.composer.Composer.__init__(self)
        _CoreResolver.__init__(self)


# libyaml composes about 5x faster than the pure-Python parser (a 4.7 MB file: 0.9 s, not 4.6 s)
# with the same node positions; its error wording differs, so a failed parse of a file of
# ordinary size is repeated with the Python parser for the familiar message.
_CParser = getattr(getattr(yaml, "_yaml", None), "CParser", None)
_FAST_LOADER: Any = None
if _CParser is not None:

    class _FastLoader(_CParser, _CoreResolver):  # type: ignore[misc, valid-type]
        def __init__(self, stream: str) -> None:
            _CParser.__init__(self, stream)  # type: ignore[misc]
            _CoreResolver.__init__(self)

    _FAST_LOADER = _FastLoader
_RETRY_BELOW = 256 * 1024


def _compose(text: str) -> Node | None:
    if _FAST_LOADER is not None:
        try:
            return yaml.compose(text, Loader=_FAST_LOADER)
        except yaml.YAMLError as exc:
            # libyaml stops deep nesting itself (the Python parser would exhaust the stack)
            if len(text) > _RETRY_BELOW or "maximum nesting depth" in str(exc):
                raise
    return yaml.compose(text, Loader=_PyLoader)  # type: ignore[arg-type]


def _too_many_nodes(text: str, name: str) -> None:
    """Refuse, before parsing, a text that could hold more than MAX_NODES values: its content
    lines plus its commas. Blank and comment lines hold no value, so a well-commented file is not
    refused for its comments; the byte limit (MAX_BYTES) bounds the whole file."""
    bound = text.count("\n") + 1 + text.count(",")
    if bound <= MAX_NODES:  # the usual case, counted in C without a look at each line
        return
    bound -= sum(1 + line.count(",") for line in _NO_VALUE_LINE.findall(text))
    if bound > MAX_NODES:
        raise InputError(
            [
                Problem(
                    file=name,
                    message=f"too many values: {bound} lines of content and commas (blank and "
                    f"comment lines not counted); the limit is {MAX_NODES}",
                    code="too-large",
                    params=(("count", str(bound)), ("limit", str(MAX_NODES))),
                )
            ]
        )


# a line holding no value: blank, or only a comment
_NO_VALUE_LINE = re.compile(r"^[ \t]*(?:#[^\n]*)?\r?$", re.MULTILINE)


_HIGH = re.compile("[\ufdd0-\U0010ffff]")


def _failed(name: str, line: int, col: int, message: str, code: str) -> InputError:
    return InputError([Problem(file=name, line=line, col=col, message=message, code=code)])


def load_yaml_text(text: str, name: str, *, flat: bool = False) -> Located:
    """Parse YAML text strictly into plain data with positions; every problem is an `InputError`.
    With `flat`, a flat mapping's text is read without the parser (`flat_yaml.read_flat`): the
    same data and positions, for the assessment files a batch reads by the hundred."""
    name = printable(name)
    _too_many_nodes(text, name)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:  # text from memory (--set, an upload), not from a file
        line, col = _line_col(text, exc.start)
        message = f"character U+{ord(text[exc.start]):04X} (a lone surrogate) is not allowed"
        raise _failed(name, line, col, message, "bad-character") from None
    # the readers pass U+FDD0..U+FDEF and the planes' last two code points; one range, searched
    # in C (0.04 s for 5 MB), finds the rare characters at or above U+FDD0 to look at
    raw = next((m for m in _HIGH.finditer(text) if is_noncharacter(m.group())), None)
    if raw is not None:
        line, col = _line_col(text, raw.start())
        message = (
            f"character U+{ord(raw.group()):04X} (a Unicode noncharacter) is not allowed in "
            "YAML text; remove it"
        )
        raise _failed(name, line, col, message, "bad-character")
    read = read_flat(text, FLAT_SCHEMA) if flat else None
    if read is not None:
        data, positions, key_positions = read
        return Located(data=data, file=name, positions=positions, key_positions=key_positions)
    try:
        node = _compose(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (0, 0)
        problem = exc.problem or exc.context or ""
        if "maximum nesting depth" in problem:
            problem = "nesting is too deep"
        message = f"YAML syntax error: {problem}"
        raise _failed(name, line, col, message, "yaml-syntax") from None
    except yaml.reader.ReaderError as exc:  # a control character: locate it in the text
        line, col = _line_col(text, exc.position)
        code = exc.character if isinstance(exc.character, int) else ord(exc.character[:1] or " ")
        message = f"control character U+{code:04X} is not allowed in YAML text; remove it"
        raise _failed(name, line, col, message, "bad-character") from None
    except yaml.YAMLError as exc:
        # its text may carry a snippet of the file: the kind of error only
        raise _failed(name, 0, 0, f"YAML error ({type(exc).__name__})", "yaml-syntax") from None
    except RecursionError:
        raise _failed(name, 0, 0, "YAML nesting is too deep", "too-deep") from None
    located = Located(data=None, file=name)
    if node is None:
        located.data = None
        located.positions[()] = (1, 1)
        return located
    builder = _Builder(located)
    located.data = builder.build(node, (), 0)
    if builder.problems:
        raise InputError(builder.problems)
    return located


@dataclass(frozen=True)
class Entry:
    """Where one top-level entry of a YAML text is: its key's line and column, its value's first
    and last line (1-based), and the value's start and end columns on those lines (0-based)."""

    line: int
    col: int
    value_line: int
    value_col: int
    end_line: int
    end_col: int


def top_level_entries(text: str) -> tuple[bool, dict[str, Entry]]:
    """Whether the text is a block mapping (`key: value` lines), and where each of its top-level
    entries is (a text edit by keys: `cluster-intl migrate`). The text has been read by
    `load_yaml_text` already, so its limits hold."""
    node = _compose(text)
    if not isinstance(node, MappingNode):
        return False, {}
    out: dict[str, Entry] = {}
    for key, value in node.value:
        if not isinstance(key, ScalarNode):
            continue
        end = value.end_mark
        end_line = (
            end.line - 1 if end.column == 0 and end.line > value.start_mark.line else end.line
        )
        out[str(key.value)] = Entry(
            line=key.start_mark.line + 1,
            col=key.start_mark.column + 1,
            value_line=value.start_mark.line + 1,
            value_col=value.start_mark.column,
            end_line=end_line + 1,
            end_col=end.column,
        )
    return not node.flow_style, out


_REFUSED = object()  # a mapping key refused (and reported) by the builder


class _Builder:
    def __init__(self, located: Located) -> None:
        self.located = located
        self.seen: set[int] = set()
        self.problems: list[Problem] = []
        self.nodes = 0

    def _problem(self, node: Node, path: PathKey, message: str, code: str) -> None:
        self.problems.append(
            Problem(
                file=self.located.file,
                line=node.start_mark.line + 1,
                col=node.start_mark.column + 1,
                path=format_path(path),
                message=message,
                code=code,
            )
        )

    def build(self, node: Node, path: PathKey, depth: int) -> Any:
        """Plain data of a node, recording positions; refuses aliases, tags, duplicates, excess."""
        self.located.positions[path] = (node.start_mark.line + 1, node.start_mark.column + 1)
        if id(node) in self.seen:
            self._problem(
                node,
                path,
                "YAML aliases (*name) are not allowed; write the value out",
                "yaml-alias",
            )
            return None
        self.seen.add(id(node))
        self.nodes += 1
        if self.nodes > MAX_NODES:
            if self.nodes == MAX_NODES + 1:
                self._problem(node, path, f"more than {MAX_NODES} values in one file", "too-large")
            return None
        if depth > MAX_DEPTH:
            self._problem(node, path, f"nesting deeper than {MAX_DEPTH} levels", "too-deep")
            return None
        tag = node.tag
        if tag not in _SAFE_TAGS:
            self._problem(
                node, path, f"tag {tag!r} is not allowed; plain YAML values only", "yaml-tag"
            )
            return None
        if isinstance(node, ScalarNode):
            text = node.value
            if tag == _STR and text.isprintable():  # most values: text with nothing to refuse
                return text
            return self.scalar(node, path)
        if isinstance(node, SequenceNode):
            return [self.build(item, path + (i,), depth + 1) for i, item in enumerate(node.value)]
        if isinstance(node, MappingNode):
            return self.mapping(node, path, depth)
        self._problem(node, path, "unsupported YAML node", "yaml-syntax")
        return None

    def mapping(self, node: MappingNode, path: PathKey, depth: int) -> dict[Any, Any]:
        """A mapping's plain data; keys must be plain scalars, each once."""
        out: dict[Any, Any] = {}
        key_positions = self.located.key_positions
        for key_node, value_node in node.value:
            key = key_node.value
            if (
                key_node.tag != _STR
                or not isinstance(key_node, ScalarNode)
                or not key.isprintable()
            ):
                key = self.key(key_node, path)
                if key is _REFUSED:
                    continue
            sub = path + (key,)
            if key in out:
                # the first key equal to it is where its position was recorded
                first = key_positions[sub][0]
                self._problem(
                    key_node,
                    sub,
                    f"duplicate key {key!r} (first defined on line {first})",
                    "duplicate-key",
                )
                continue
            mark = key_node.start_mark
            key_positions[sub] = (mark.line + 1, mark.column + 1)
            out[key] = self.build(value_node, sub, depth + 1)
        return out

    def key(self, node: Node, path: PathKey) -> Any:
        """A mapping key other than plain text, or _REFUSED (and a problem) when it may not be."""
        if node.tag == "tag:yaml.org,2002:merge":
            self._problem(node, path, "merge keys (<<) are not allowed", "yaml-merge-key")
            return _REFUSED
        if not isinstance(node, ScalarNode) or node.tag not in _SAFE_TAGS:
            self._problem(node, path, "mapping keys must be plain scalars", "complex-key")
            return _REFUSED
        key = self.scalar(node, path)
        if key is None and node.tag != "tag:yaml.org,2002:null":
            return _REFUSED  # the key itself was refused (and reported)
        return key

    def scalar(self, node: ScalarNode, path: PathKey) -> Any:
        """The value of a scalar under the core schema; every refusal is located."""
        value, message, code = scalar_value(node.tag.rsplit(":", 1)[-1], node.value)
        if message:
            self._problem(node, path, message, code)
        return value


def scalar_value(kind: str, text: str) -> tuple[Any, str, str]:
    """A scalar's value under the core schema by its tag's kind (`str`, `int`...), with the
    message and code of its refusal (empty when it is taken; the value is then None)."""
    if kind == "str":
        bad = bad_character(text)
        if bad is not None:
            return (
                None,
                f"character U+{ord(bad):04X} ({char_name(bad)}) is not allowed in text; "
                "remove it (or the escape that writes it)",
                "bad-character",
            )
        return text, "", ""
    if kind == "null":
        return None, "", ""
    if kind == "bool":
        if text.lower() in ("true", "false"):
            return text.lower() == "true", "", ""
    elif kind == "int":
        digits = text.lstrip("+-")
        if digits.isdigit() and digits.isascii():
            if len(digits.lstrip("0")) > MAX_INT_DIGITS:
                message = f"number is too large (more than {MAX_INT_DIGITS} digits)"
                return None, message, "number-too-large"
            return int(text), "", ""
    elif kind == "float":
        number: float | None
        try:
            number = float(text)
        except ValueError:
            number = math.nan if text.lower().lstrip("+-") in (".inf", ".nan") else None
        if number is not None:
            if not math.isfinite(number):
                return None, f"{text!r} is not a finite number", "not-finite"
            return number, "", ""
    return None, f"cannot read value: {text!r} is not a valid {kind}", "bad-scalar"


# the schema the flat reader (flat_yaml.py) types a one-line plain scalar with
FLAT_SCHEMA = Schema(
    kinds=_KIND, first=frozenset(c for _, _, chars in _SCHEMA for c in chars), scalar=scalar_value
)
