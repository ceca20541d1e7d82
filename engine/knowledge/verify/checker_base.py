"""The problem list of the meaning pass and its most common checks: every check of
engine/knowledge/verify/ adds its located problems through one `CheckerBase`."""

from __future__ import annotations

from typing import Any

from engine.errors import UNCLASSIFIED, Problem, Severity, suggest
from engine.files.strict_yaml import Located
from engine.knowledge.base import Text
from engine.knowledge.models import Knowledge


class CheckerBase:
    """The problems found so far, and `add` to record one at a YAML key path of a file."""

    def __init__(self, k: Knowledge) -> None:
        self.k = k
        self.problems: list[Problem] = []
        self.broken: set[str] = set()  # rules with reference errors: left out of the logic checks

    def loc(self, name: str) -> Located | None:
        """The positions read from a knowledge file, or None if it was not read."""
        return self.k.located.get(name)

    def add(
        self,
        file: str,
        path: tuple[Any, ...],
        message: str,
        *,
        severity: Severity = "error",
        hint: str = "",
        key: bool = False,
        code: str = UNCLASSIFIED,
    ) -> None:
        """Record a problem at a YAML key path of a knowledge file (unlocated if no positions)."""
        located = self.loc(file)
        if located is None:
            self.problems.append(
                Problem(file=file, message=message, severity=severity, hint=hint, code=code)
            )
            return
        self.problems.append(
            located.problem(path, message, key=key, hint=hint, severity=severity, code=code)
        )

    def sources(self, file: str, path: tuple[Any, ...], ids: list[str]) -> None:
        """Every source id cited at `path` is in sources.yaml."""
        for i, sid in enumerate(ids):
            if sid not in self.k.source:
                self.add(
                    file,
                    path + (i,),
                    f"unknown source {sid!r}",
                    hint=suggest(sid, self.k.source),
                    code="unknown-source",
                )

    def text(
        self, file: str, path: tuple[Any, ...], text: Text | None, located: Located | None = None
    ) -> None:
        """A text the reader sees exists in Russian and in English."""
        if text is None:
            return
        for lang in ("ru", "en"):
            if not getattr(text, lang):
                loc = located or self.loc(file)
                msg = f"missing {'Russian' if lang == 'ru' else 'English'} text"
                code = "missing-translation"
                if loc:
                    self.problems.append(loc.problem(path, msg, code=code))
                else:
                    self.problems.append(Problem(file=file, message=msg, code=code))
