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

from engine.errors import InputError, Problem

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

    def problem(self, path: PathKey, message: str, *, key: bool = False, hint: str = "",
                severity: str = "error") -> Problem:
        line, col = self.key_pos(path) if key else self.pos(path)
        return Problem(file=self.file, line=line, col=col, path=format_path(path), message=message,
                       hint=hint, severity=severity)  # type: ignore[arg-type]


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
        raw = path.read_bytes()
    except FileNotFoundError:
        raise InputError([Problem(file=name, message="file not found")]) from None
    except IsADirectoryError:
        raise InputError([Problem(file=name, message="is a directory, expected a file")]) from None
    except OSError as exc:
        raise InputError([Problem(file=name, message=f"cannot read: {exc.strerror}")]) from None
    return decode(raw, name)


def decode(raw: bytes, name: str) -> str:
    if len(raw) > MAX_BYTES:
        raise InputError([Problem(file=name, message=f"file is too large ({len(raw)} bytes; "
                                                     f"the limit is {MAX_BYTES})")])
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    if b"\x00" in raw:
        raise InputError([Problem(file=name, message="binary data, expected a UTF-8 YAML text file")])
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        col = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        raise InputError([Problem(file=name, line=line, col=col,
                                  message="not valid UTF-8 text; save the file as UTF-8")]) from None


def load_yaml_file(path: Path, display: str | None = None) -> Located:
    return load_yaml_text(read_text(path, display), display or str(path))


def load_yaml_text(text: str, name: str) -> Located:
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (0, 0)
        message = f"YAML syntax error: {exc.problem or exc.context}"
        raise InputError([Problem(file=name, line=line, col=col, message=message)]) from None
    except yaml.YAMLError as exc:  # reader errors (control characters) and the like
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
        self.problems.append(Problem(file=self.located.file, line=node.start_mark.line + 1,
                                     col=node.start_mark.column + 1, path=format_path(path),
                                     message=message))

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
                    self._problem(key_node, path + (key,),
                                  f"duplicate key {key!r} (first defined on line {first_seen[key]})")
                    continue
                first_seen[key] = key_node.start_mark.line + 1
                self.located.key_positions[path + (key,)] = (key_node.start_mark.line + 1,
                                                             key_node.start_mark.column + 1)
                out[key] = self.build(value_node, path + (key,), depth + 1)
            return out
        self._problem(node, path, "unsupported YAML node")
        return None
