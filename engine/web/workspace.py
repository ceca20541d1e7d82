"""The workspace folder: which files are assessments, reaching one by name only, saving new ones.

No URL names a path: a page or an API call gives a bare file name, and it must be one of the files
listed directly in the folder (a symlink that leads outside is refused too). New files are written
atomically by the engine's one writer, never over an existing file.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

from engine import api

SUFFIXES = (".yaml", ".yml", ".xlsx", ".xlsm")
VARIANTS = "variants"  # the sub-folder of saved what-if variants
# a name a person types for "save as": letters (any script), digits, dot, dash, underscore, space
_SAFE_STEM = re.compile(r"^[\w][\w .-]{0,99}$")


class NotInWorkspace(LookupError):
    """The name is not a file of the workspace (absent, hidden, outside it, or not an assessment)."""


@dataclass(frozen=True)
class Entry:
    name: str  # the bare file name: the only thing a URL carries
    path: Path
    display: str  # what messages call it: relative to the working directory, like the CLI


class Workspace:
    def __init__(self, root: Path, session: api.Session) -> None:
        self.root = root.resolve()
        self.session = session  # the server's: whose inputs the writer never replaces

    def entries(self) -> list[Entry]:
        """The workspace's files that may be opened, sorted by name (none when the folder is
        missing)."""
        if not self.root.is_dir():
            return []
        out = []
        for path in sorted(self.root.iterdir(), key=lambda p: p.name):
            try:
                out.append(self.entry(path.name))
            except NotInWorkspace:
                continue
        return out

    def entry(self, name: str) -> Entry:
        """The file `name` of the workspace (or `variants/NAME`, a saved what-if variant);
        anything that is not plainly one is refused."""
        folder, bare = self.root, name
        if name.startswith(VARIANTS + "/"):
            folder, bare = self.root / VARIANTS, name[len(VARIANTS) + 1 :]
        if (
            not bare
            or bare != os.path.basename(bare)
            or "\\" in bare
            or "\0" in bare
            or bare.startswith(".")
            or Path(bare).suffix.lower() not in SUFFIXES
        ):
            raise NotInWorkspace(name)
        path = folder / bare
        try:
            real = path.resolve(strict=True)
        except (OSError, RuntimeError):
            raise NotInWorkspace(name) from None
        if real.parent != folder or not real.is_file():
            raise NotInWorkspace(name)
        return Entry(name=name, path=real, display=_display(path))

    def variants(self) -> list[Entry]:
        """The saved what-if variants (`variants/`), sorted by name: never part of the table,
        the portfolio or the year pairs."""
        folder = self.root / VARIANTS
        if not folder.is_dir() or folder.is_symlink():
            return []
        out = []
        for path in sorted(folder.iterdir(), key=lambda p: p.name):
            try:
                out.append(self.entry(f"{VARIANTS}/{path.name}"))
            except NotInWorkspace:
                continue
        return out

    def read(self, entry: Entry) -> bytes:
        """The file's bytes, never more than the CLI's limit for its kind."""
        limit = api.upload_limit(entry.name)
        with entry.path.open("rb") as fh:
            data = fh.read(limit + 1)
        if len(data) > limit:
            raise api.too_large(entry.display)
        return data

    def new_name(self, wanted: str, suffix: str) -> str:
        """A bare file name for `wanted` (a stem, or a name with an assessment suffix)."""
        stem = wanted.strip()
        if Path(stem).suffix.lower() in SUFFIXES:
            suffix, stem = Path(stem).suffix.lower(), Path(stem).stem
        if not _SAFE_STEM.match(stem) or stem.startswith("."):
            raise NotInWorkspace(wanted)
        return stem + suffix

    def save(self, name: str, data: str | bytes) -> Entry:
        """Write a new file atomically; an existing one is never replaced (OutputExistsError)."""
        path = self.root / name
        if name.startswith(VARIANTS + "/"):
            (self.root / VARIANTS).mkdir(exist_ok=True)
        api.write_new(self.session, path, data)
        return self.entry(name)


def _display(path: Path) -> str:
    try:
        return os.path.relpath(path)
    except ValueError:
        return str(path)
