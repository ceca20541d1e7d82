"""One small error hierarchy; `cli/` turns it into exit codes in one place."""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Literal, TypedDict

Severity = Literal["error", "warning"]
MAX_PROBLEMS = 100  # problems listed per failure; the rest are counted
UNCLASSIFIED = "unclassified"  # the code of a problem whose maker gave none yet
CODE_PATTERN = re.compile(r"[a-z][a-z0-9]*(-[a-z0-9]+)*")


def printable(text: object) -> str:
    """Text that can always be encoded and shown: a lone surrogate (from a YAML escape, or a file
    name that is not UTF-8) becomes its escape, and control characters become `\\xNN`, so no
    message can fail to print or drive the terminal."""
    s = str(text)
    if s.isprintable():
        return s
    out = []
    for ch in s:
        if ch.isprintable() or ch in "\n\t" or unicodedata.category(ch) == "Zs":
            out.append(ch)
        else:
            out.append(ch.encode("unicode_escape", "backslashreplace").decode("ascii"))
    return "".join(out)


@dataclass(frozen=True, order=True)
class Problem:
    """A located problem in a user file: `file:line:col: path: message`.

    `code` names the kind of problem (`unknown-indicator`, `yaml-syntax`, `duplicate-key`): a
    short stable kebab-case id for tests and tools, never shown in the message, and left out of
    comparisons so that it changes no order. `params` are the values the message names (the
    value given, the scale allowed), so that a reader in another language can say the kind again
    (the web workspace's Russian pages)."""

    file: str
    line: int = 0
    col: int = 0
    path: str = ""
    message: str = ""
    severity: Severity = "error"
    hint: str = ""
    code: str = field(default=UNCLASSIFIED, compare=False)
    params: tuple[tuple[str, str], ...] = field(default=(), compare=False)
    # may follow from an earlier error (a file that cannot be read, a rule left out of the logic
    # checks): `kb check` folds it under the errors that come first
    follows: bool = field(default=False, compare=False)

    def __post_init__(self) -> None:
        if not CODE_PATTERN.fullmatch(self.code):
            raise ValueError(f"problem code {self.code!r} is not kebab-case")

    def format(self, with_severity: bool = False) -> str:
        """The problem as one printable line `file:line:col: path: message (hint)`."""
        where = self.file
        if self.line:
            where += f":{self.line}:{self.col or 1}"
        parts = [where]
        if with_severity:
            parts.append(self.severity)
        if self.path:
            parts.append(self.path)
        text = ": ".join(parts) + ": " + self.message
        if self.hint:
            text += f" ({self.hint})"
        return printable(text)


class Flaw(str):
    """A value's problem as its English message, with its kind (`code`) and the values it names
    (`params`): what a check returns where callers expect the message text."""

    code: str
    params: tuple[tuple[str, str], ...]

    def __new__(cls, message: str, code: str, **params: object) -> Flaw:
        """The message `message` of the kind `code`, naming `params`."""
        flaw = super().__new__(cls, message)
        flaw.code = code
        flaw.params = tuple((k, str(v)) for k, v in params.items())
        return flaw

    def __reduce__(self) -> tuple[object, ...]:
        """Pickled with its kind (a batch worker sends problems to its parent)."""
        return (_flaw, (str(self), self.code, self.params))


def _flaw(message: str, code: str, params: tuple[tuple[str, str], ...]) -> Flaw:
    return Flaw(message, code, **dict(params))


class Kind(TypedDict, total=False):
    code: str
    params: tuple[tuple[str, str], ...]


def kind_of(message: str) -> Kind:
    """`code=` and `params=` for a Problem made from `message` (nothing for plain text)."""
    if isinstance(message, Flaw):
        return {"code": message.code, "params": message.params}
    return {}


def root_first(problems: list[Problem]) -> list[Problem]:
    """The problems in their order, those that may follow from an earlier error last."""
    return sorted(problems, key=lambda p: p.follows)


def capped(problems: list[Problem], limit: int = MAX_PROBLEMS) -> list[Problem]:
    """The first `limit` problems, then one line counting the rest (as the YAML reader does)."""
    if len(problems) <= limit + 1:
        return problems
    more = len(problems) - limit
    return problems[:limit] + [
        Problem(
            file=problems[0].file,
            message=f"{more} more problems not shown; fix these first",
            code="more-problems",
            params=(("count", str(more)),),
        )
    ]


class ClusterIntlError(Exception):
    """Base of every error the CLI reports without a traceback."""

    exit_code = 2


@dataclass
class InputError(ClusterIntlError):
    """Bad input (assessment, knowledge base, option): exit code 2, every problem listed."""

    problems: list[Problem] = field(default_factory=list)

    def __post_init__(self) -> None:
        super().__init__(self.describe())

    def describe(self) -> str:
        """The message of the error: one line per problem, capped as `capped` does."""
        return "\n".join(p.format() for p in capped(self.problems))

    def __str__(self) -> str:
        return self.describe()


class UsageError(ClusterIntlError):
    """A wrong option or argument that is not tied to a file position."""


class OutputExistsError(ClusterIntlError):
    """Refusing to overwrite an existing output without --force."""


class OutputError(ClusterIntlError):
    """An output could not be written (read-only folder, name too long, full disk); nothing of it
    is left behind."""


def suggest(word: str, choices: Iterable[str]) -> str:
    """'did you mean X?' for the closest choice, or nothing: every unknown name gets this hint."""
    close = closest(word, choices)
    return f"did you mean {close!r}?" if close else ""


def closest(word: str, choices: Iterable[str]) -> str:
    """The choice closest to `word` that `suggest` offers, or ''."""
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return close[0] if close else ""
