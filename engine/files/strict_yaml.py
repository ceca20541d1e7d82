"""Pipeline step 1: read YAML strictly, keeping the position of every key and value.

Safe and strict: only the standard YAML tags, no aliases (no alias bombs), duplicate keys rejected,
size and depth limited, bytes must be UTF-8. Every problem becomes a located `InputError`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from engine.errors import InputError, Problem, Severity

MAX_BYTES = 5 * 1024 * 1024
MAX_DEPTH = 40

_SAFE_TAGS = {
    "tag:yaml.org,2002:str",
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:null",
    "tag:yaml.org,2002:map",
    "tag:yaml.org,2002:seq",
}

PathKey = tuple[Any, ...]


@dataclass
class Located:
    """Plain data read from a YAML document plus the 1-based position of every node by key path."""

    data: Any
    file: str
    positions: dict[PathKey, tuple[int, int]] = field(default_factory=dict)
    key_positions: dict[PathKey, tuple[int, int]] = field(default_factory=dict)

    def pos(self, path: PathKey) -> tuple[int, int]:
        """Position of the value at `path`, or of the nearest enclosing node that has one."""
        p = tuple(path)
        while p:
            if p in self.positions:
                return self.positions[p]
            p = p[:-1]
        return self.positions.get((), (1, 1))

    def key_pos(self, path: PathKey) -> tuple[int, int]:
        p = tuple(path)
        if p in self.key_positions:
            return self.key_positions[p]
        return self.pos(p)

    def problem(
        self,
        path: PathKey,
        message: str,
        *,
        key: bool = False,
        hint: str = "",
        severity: Severity = "error",
    ) -> Problem:
        line, col = self.key_pos(path) if key else self.pos(path)
        return Problem(
            file=self.file,
            line=line,
            col=col,
            path=format_path(path),
            message=message,
            hint=hint,
            severity=severity,
        )


def format_path(path: PathKey) -> str:
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out


def read_text(path: Path, display: str | None = None) -> str:
    """Read a user file as UTF-8 text, refusing binary junk, wrong encodings and huge files."""
    name = display or str(path)
    try:
        with path.open("rb") as fh:  # never more than the limit into memory (a 10 GB "YAML")
            raw = fh.read(MAX_BYTES + 1)
            if len(raw) > MAX_BYTES:
                raise InputError(
                    [
                        Problem(
                            file=name, message=f"file is too large (the limit is {MAX_BYTES} bytes)"
                        )
                    ]
                )
    except FileNotFoundError:
        raise InputError([Problem(file=name, message="file not found")]) from None
    except IsADirectoryError:
        raise InputError([Problem(file=name, message="is a directory, expected a file")]) from None
    except OSError as exc:
        raise InputError([Problem(file=name, message=f"cannot read: {exc.strerror}")]) from None
    return decode(raw, name)


def decode(raw: bytes, name: str) -> str:
    if len(raw) > MAX_BYTES:
        raise InputError(
            [
                Problem(
                    file=name,
                    message=f"file is too large ({len(raw)} bytes; the limit is {MAX_BYTES})",
                )
            ]
        )
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    wide = _wide_encoding(raw)
    if wide:
        raise InputError([Problem(file=name, message=f"the file is {wide} text; save it as UTF-8")])
    if b"\x00" in raw:
        raise InputError(
            [Problem(file=name, message="binary data, expected a UTF-8 YAML text file")]
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


def load_yaml_file(path: Path, display: str | None = None) -> Located:
    return load_yaml_text(read_text(path, display), display or str(path))


# libyaml composes about 5x faster than the pure-Python parser (a 4.7 MB file: 0.9 s, not 4.6 s)
# with the same node positions; its error wording differs, so a failed parse of a file of
# ordinary size is repeated with the Python parser for the familiar message.
_FAST_LOADER = getattr(yaml, "CSafeLoader", None)
_RETRY_BELOW = 256 * 1024


def _compose(text: str) -> Node | None:
    if _FAST_LOADER is not None:
        try:
            return yaml.compose(text, Loader=_FAST_LOADER)
        except yaml.YAMLError as exc:
            # libyaml stops deep nesting itself (the Python parser would exhaust the stack)
            if len(text) > _RETRY_BELOW or "maximum nesting depth" in str(exc):
                raise
    return yaml.compose(text, Loader=yaml.SafeLoader)


def load_yaml_text(text: str, name: str) -> Located:
    try:
        node = _compose(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (0, 0)
        problem = exc.problem or exc.context or ""
        if "maximum nesting depth" in problem:
            problem = "nesting is too deep"
        message = f"YAML syntax error: {problem}"
        raise InputError([Problem(file=name, line=line, col=col, message=message)]) from None
    except yaml.reader.ReaderError as exc:  # a control character: locate it in the text
        line, col = _line_col(text, exc.position)
        code = exc.character if isinstance(exc.character, int) else ord(exc.character[:1] or " ")
        message = f"control character U+{code:04X} is not allowed in YAML text; remove it"
        raise InputError([Problem(file=name, line=line, col=col, message=message)]) from None
    except yaml.YAMLError as exc:
        raise InputError([Problem(file=name, message=f"YAML error: {exc}")]) from None
    except RecursionError:
        raise InputError([Problem(file=name, message="YAML nesting is too deep")]) from None
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


class _Builder:
    def __init__(self, located: Located) -> None:
        self.located = located
        self.seen: set[int] = set()
        self.problems: list[Problem] = []
        self._constructor = yaml.SafeLoader("")

    def _problem(self, node: Node, path: PathKey, message: str) -> None:
        self.problems.append(
            Problem(
                file=self.located.file,
                line=node.start_mark.line + 1,
                col=node.start_mark.column + 1,
                path=format_path(path),
                message=message,
            )
        )

    def build(self, node: Node, path: PathKey, depth: int) -> Any:
        self.located.positions[path] = (node.start_mark.line + 1, node.start_mark.column + 1)
        if id(node) in self.seen:
            self._problem(node, path, "YAML aliases (*name) are not allowed; write the value out")
            return None
        self.seen.add(id(node))
        if depth > MAX_DEPTH:
            self._problem(node, path, f"nesting deeper than {MAX_DEPTH} levels")
            return None
        if node.tag not in _SAFE_TAGS:
            self._problem(node, path, f"tag {node.tag!r} is not allowed; plain YAML values only")
            return None
        if isinstance(node, ScalarNode):
            try:
                return self._constructor.construct_object(node, deep=True)
            except (yaml.YAMLError, ValueError, OverflowError) as exc:
                self._problem(node, path, f"cannot read value: {exc}")
                return None
        if isinstance(node, SequenceNode):
            return [self.build(item, path + (i,), depth + 1) for i, item in enumerate(node.value)]
        if isinstance(node, MappingNode):
            out: dict[Any, Any] = {}
            first_seen: dict[Any, int] = {}
            for key_node, value_node in node.value:
                if key_node.tag == "tag:yaml.org,2002:merge":
                    self._problem(key_node, path, "merge keys (<<) are not allowed")
                    continue
                if not isinstance(key_node, ScalarNode) or key_node.tag not in _SAFE_TAGS:
                    self._problem(key_node, path, "mapping keys must be plain scalars")
                    continue
                key = self._constructor.construct_object(key_node, deep=True)
                if isinstance(key, (list, dict)):
                    self._problem(key_node, path, "mapping keys must be plain scalars")
                    continue
                if key in out:
                    self._problem(
                        key_node,
                        path + (key,),
                        f"duplicate key {key!r} (first defined on line {first_seen[key]})",
                    )
                    continue
                first_seen[key] = key_node.start_mark.line + 1
                self.located.key_positions[path + (key,)] = (
                    key_node.start_mark.line + 1,
                    key_node.start_mark.column + 1,
                )
                out[key] = self.build(value_node, path + (key,), depth + 1)
            return out
        self._problem(node, path, "unsupported YAML node")
        return None
