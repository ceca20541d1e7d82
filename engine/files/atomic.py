"""The one writer helper: outputs are written whole or not at all.

Content goes to a temporary file in the target directory, is flushed to disk and then renamed over
the target, so an interrupted run never leaves a half-written file. An existing file is only
replaced with `force`.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

from engine.errors import OutputExistsError, UsageError


def write_atomic(path: Path, data: str | bytes, *, force: bool = False) -> None:
    if path.exists() and not force:
        raise OutputExistsError(f"{path}: already exists; use --force to overwrite it")
    if path.exists() and path.is_dir():
        raise UsageError(f"{path}: is a directory")
    parent = path.parent if str(path.parent) else Path(".")
    if not parent.is_dir():
        raise UsageError(f"{parent}: output directory does not exist")
    payload = data.encode("utf-8") if isinstance(data, str) else data
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(payload)
            fh.flush()
            os.fsync(fh.fileno())
        # mkstemp creates 0600; give the file the mode a plain open() would (0666 less umask)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
