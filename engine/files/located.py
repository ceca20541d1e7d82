"""A YAML document's plain data with the 1-based position of every node by key path: what every
located message (`file:line:col: field: message`) of the knowledge base and the assessment reads."""

from __future__ import annotations

import pickle
from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Any

from engine.errors import UNCLASSIFIED, Problem, Severity

PathKey = tuple[Any, ...]


_PACKED = frozenset(("data", "positions", "key_positions"))


@dataclass
class Located:
    """Plain data read from a YAML document plus the 1-based position of every node by key path."""

    data: Any
    file: str
    positions: dict[PathKey, tuple[int, int]] = field(default_factory=dict)
    key_positions: dict[PathKey, tuple[int, int]] = field(default_factory=dict)

    # Pickled (the knowledge cache) with its data and positions packed into one blob, unpacked
    # on first use: a draft reads the positions of two files of the knowledge base, while the
    # positions of every node of every file were three quarters of the objects a cold start
    # rebuilt from the cache (bench/results.md, issue 18's cold draft).
    def __getstate__(self) -> dict[str, Any]:
        packed = self.__dict__.get("_packed")
        if packed is None:
            packed = pickle.dumps((self.data, self.positions, self.key_positions), protocol=5)
        return {"file": self.file, "_packed": packed}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)

    def __getattr__(self, name: str) -> Any:
        # only for what the instance does not hold yet: the fields a pickled copy keeps packed
        packed = self.__dict__.get("_packed")
        if name not in _PACKED or packed is None:
            raise AttributeError(name)
        self.data, self.positions, self.key_positions = pickle.loads(packed)
        del self.__dict__["_packed"]
        return self.__dict__[name]

    def pos(self, path: PathKey) -> tuple[int, int]:
        """Position of the value at `path`, or of the nearest enclosing node that has one."""
        p = tuple(path)
        while p:
            if p in self.positions:
                return self.positions[p]
            p = p[:-1]
        return self.positions.get((), (1, 1))

    def key_pos(self, path: PathKey) -> tuple[int, int]:
        """Position of the key at `path`, falling back to the value's position."""
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
        code: str = UNCLASSIFIED,
        params: tuple[tuple[str, str], ...] = (),
    ) -> Problem:
        """A `Problem` located at `path` of this file (at the key itself when `key`)."""
        line, col = self.key_pos(path) if key else self.pos(path)
        return Problem(
            file=self.file,
            line=line,
            col=col,
            path=format_path(path),
            message=message,
            hint=hint,
            severity=severity,
            code=code,
            params=params,
        )

    def foreign(self, known: Collection[str], what: str, expected: str) -> Problem | None:
        """One problem for a mapping none of whose top-level keys is `known`, else None: the
        file is not `what` (`kb test /etc/shadow`), and none of its keys is quoted back, since
        a file of another kind may hold anything (each key was echoed as "unknown field")."""
        data = self.data
        if not isinstance(data, dict) or not data or any(k in known for k in data):
            return None
        line, col = self.positions.get((), (1, 1))
        return Problem(
            file=self.file,
            line=line,
            col=col,
            message=f"not {what}: none of its {len(data)} top-level keys is a key of {what} "
            f"({expected}); its content is not shown",
            code="foreign-file",
            params=(("count", str(len(data))),),
        )


def format_path(path: PathKey) -> str:
    """A key path as a reader writes it, e.g. `rules[3].when`."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out
