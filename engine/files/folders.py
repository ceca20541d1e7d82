"""Folders named on the command line (`--peers DIR`, `batch DIR`): listed, or refused with a
message saying why, never a traceback."""

from __future__ import annotations

from pathlib import Path

from engine.errors import UsageError, printable


def folder_entries(folder: Path, option: str) -> list[Path]:
    """The entries of a folder an option names, or a UsageError saying why it cannot be listed
    (a folder without read permission was a traceback)."""
    try:
        return list(folder.iterdir())
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise UsageError(
            f"{option}: {printable(folder)}: cannot list the folder: {reason}"
        ) from None
