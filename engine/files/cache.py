"""A cache, between runs, of what only changes when its files change: the verified knowledge base
and the compiled templates.

A cold `draft` spends most of its time reading and verifying some 1 MB of knowledge YAML and
compiling the templates; both depend only on files. The cache keeps them, keyed by a SHA-256 of
the bytes they came from (every knowledge file, every engine module, the versions of Python,
pydantic and jinja2), so an edited rule, a new release or a different Python is a miss, never
stale advice. Any entry that cannot be read is ignored and rebuilt.

Where: `$CLUSTER_INTL_CACHE`, else `$XDG_CACHE_HOME/cluster-intl`, else `~/.cache/cluster-intl`.
`CLUSTER_INTL_CACHE=off` turns it off. Entries are pickles and marshalled code, which run code
when loaded, so the directory is created private (0700) and an entry is only read when it is
owned by the user and writable by no one else. At most `KEEP` knowledge entries are kept.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import stat
import sys
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from typing import Any, TypeVar

T = TypeVar("T")
KEEP = 8
FORMAT = b"cluster-intl-cache/1"


def directory() -> Path | None:
    """The cache directory, or None when caching is off or no usable directory exists."""
    setting = os.environ.get("CLUSTER_INTL_CACHE", "")
    if setting.lower() in ("off", "0", "no", "false"):
        return None
    if setting:
        return Path(setting)
    xdg = os.environ.get("XDG_CACHE_HOME")
    base = Path(xdg) if xdg else Path.home() / ".cache"
    return base / "cluster-intl"


def _private_dir(path: Path) -> Path | None:
    try:
        path.mkdir(mode=0o700, parents=True, exist_ok=True)
        return path if _trusted(path) else None
    except OSError:
        return None


def _trusted(path: Path) -> bool:
    """Owned by this user and writable by no one else: only then is what it holds loaded."""
    try:
        st = path.stat()
    except OSError:
        return False
    if hasattr(os, "getuid") and st.st_uid != os.getuid():
        return False
    return not st.st_mode & (stat.S_IWGRP | stat.S_IWOTH)


@lru_cache(maxsize=1)
def code_digest() -> bytes:
    """What the cached objects' meaning depends on besides their files: code and versions."""
    import jinja2
    import pydantic

    h = hashlib.sha256(FORMAT)
    h.update(f"{sys.version}|{pydantic.VERSION}|{jinja2.__version__}".encode())
    engine_dir = Path(__file__).resolve().parent.parent  # every module of engine/, subpackages too
    for path in sorted(engine_dir.rglob("*.py")):
        h.update(path.relative_to(engine_dir).as_posix().encode() + b"\0" + path.read_bytes())
    return h.digest()


def files_digest(root: Path, pattern: str = "*.yaml") -> str | None:
    """SHA-256 of the code digest and of every matching file under `root`, names and bytes.

    The place counts too: the loaded objects carry their files' paths, shown relative to the
    working directory, so the same files in another checkout or seen from another directory are
    another entry.
    """
    h = hashlib.sha256(code_digest())
    h.update(f"{root.resolve()}\0{os.getcwd()}\0".encode())
    try:
        for path in sorted(root.rglob(pattern)):
            h.update(str(path.relative_to(root)).encode() + b"\0")
            h.update(path.read_bytes() + b"\0")
    except OSError:
        return None
    return h.hexdigest()


def cached(kind: str, key: str | None, build: Callable[[], T]) -> T:
    """`build()`, or its pickled result from an earlier run with the same key."""
    base = directory()
    if base is None or key is None:
        return build()
    folder = base / kind
    entry = folder / f"{key}.pickle"
    if _trusted(entry) and _trusted(folder):
        try:
            with entry.open("rb") as fh:
                return pickle.load(fh)
        except Exception:  # a truncated or foreign entry is a miss
            pass
    value = build()
    if _private_dir(folder) is not None:
        _store(entry, value)
        _prune(folder)
    return value


def _store(entry: Path, value: Any) -> None:
    """Write whole or not at all (a private temporary file renamed over the entry)."""
    import tempfile

    tmp = None
    try:
        data = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
        fd, tmp = tempfile.mkstemp(prefix=".", suffix=".tmp", dir=entry.parent)  # mode 0600
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, entry)
    except Exception:  # a full disk or an unpicklable value only costs the next run its speed
        if tmp is not None:
            Path(tmp).unlink(missing_ok=True)


def _prune(folder: Path) -> None:
    try:
        entries = sorted(folder.glob("*.pickle"), key=lambda p: p.stat().st_mtime, reverse=True)
        for old in entries[KEEP:]:
            old.unlink(missing_ok=True)
    except OSError:
        pass


def template_cache() -> Any:
    """A Jinja bytecode cache in the cache directory (None when caching is off)."""
    base = directory()
    if base is None:
        return None
    folder = _private_dir(base / "templates" / code_digest().hex()[:16])
    if folder is None:
        return None
    from jinja2 import FileSystemBytecodeCache

    return FileSystemBytecodeCache(str(folder))
