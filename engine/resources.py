"""Where the bundled knowledge base, templates and examples live, and how paths are shown."""

from __future__ import annotations

import os
from pathlib import Path


def display_path(path: Path) -> str:
    """Paths in messages: relative to the working directory when inside it, else absolute."""
    try:
        return os.path.relpath(path)
    except ValueError:
        return str(path)


def bundled_root(kind: str) -> Path:
    """The knowledge/, templates/ or examples/ directory: the source tree's, else the installed copy's."""
    here = Path(__file__).resolve().parent  # engine/: keep this module at that depth
    for candidate in (here.parent / kind, here / "_bundled" / kind):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"bundled {kind}/ directory not found next to {here}")


def default_template() -> Path:
    """The Word template the program is rendered into unless --template names another."""
    return bundled_root("templates") / "program.docx"
