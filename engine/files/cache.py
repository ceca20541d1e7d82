"""A cache, between runs, of what only changes when its files change: the verified knowledge base
and the compiled templates.

A cold `draft` spends most of its time reading and verifying some 1 MB of knowledge YAML and
compiling the templates; both depend only on files. The cache keeps them, keyed by a SHA-256 of
the bytes they came from (every knowledge file, every engine module, the versions of Python,
pydantic and jinja2), so an edited rule, a new release or a different Python is a miss, never
stale advice. Any entry that cannot be read is ignored and rebuilt.

Where: `$CLUSTER_INTL_CACHE`, else `$XDG_CACHE_HOME/cluster-intl`, else `~/.cache/cluster-intl`.
`CLUSTER_INTL_CACHE=off` turns it off. Entries are pickles and marshalled code, which run code
when loaded, so every folder is created private (0700), and an entry is only read through a
descriptor opened without following links whose fstat() shows a regular file owned by the user
and writable by no one else, in folders that are the same from the base down. At most `KEEP`
knowledge entries are kept.
"""

from __future__ import annotations

import contextlib
import fnmatch
import gc
import hashlib
import io
import os
import pickle
import secrets
import stat
import sys
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from types import EllipsisType
from typing import Any, TypeVar

from jinja2.bccache import Bucket, BytecodeCache

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


def directory_settings() -> tuple[str | None, str | None, str | None]:
    """What `directory()` follows: the values of the environment variables it reads (cheap to
    look up, a key for a memo of what is built over the cache directory)."""
    env = os.environ
    return env.get("CLUSTER_INTL_CACHE"), env.get("XDG_CACHE_HOME"), env.get("HOME")


# --- trusted folders, by descriptor ---------------------------------------------------------------
#
# Every folder is opened with O_NOFOLLOW and judged by fstat() of the open descriptor, and
# everything below it is opened relative to that descriptor: a folder renamed or swapped after the
# check is never the one read from. Only the base can be reached by a path, and it is trusted only
# if it is a directory owned by this user (the effective uid) that nobody else can write; from
# there down, no one but the user can put anything.

_DIR_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0)
_FILE_FLAGS = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0)
MAX_ENTRY_BYTES = 256 * 1024 * 1024
MAX_FILE_BYTES = 5 * 1024 * 1024  # strict_yaml.MAX_BYTES: a larger file is refused when read


def _owner_only(st: os.stat_result) -> bool:
    """Owned by this user (effective uid) and writable by no one else."""
    if hasattr(os, "geteuid") and st.st_uid != os.geteuid():
        return False
    return not st.st_mode & (stat.S_IWGRP | stat.S_IWOTH)


def _trusted_fd(fd: int, *, directory: bool) -> bool:
    st = os.fstat(fd)
    kind_ok = stat.S_ISDIR(st.st_mode) if directory else stat.S_ISREG(st.st_mode)
    return kind_ok and _owner_only(st)


def _open_dir(name: str | Path, dir_fd: int | None = None, *, create: bool = True) -> int | None:
    """A descriptor of a trusted folder (created 0700 when missing), or None."""
    try:
        if create:
            with contextlib.suppress(FileExistsError):
                os.mkdir(name, 0o700, dir_fd=dir_fd)
        fd = os.open(name, _DIR_FLAGS, dir_fd=dir_fd)
    except OSError:
        return None
    try:
        if _trusted_fd(fd, directory=True):
            return fd
    except OSError:
        pass
    os.close(fd)
    return None


def _open_chain(base: Path, parts: tuple[str, ...], *, create: bool = True) -> int | None:
    """The descriptor of base/parts[0]/parts[1]/..., every level trusted, or None."""
    try:
        if create:
            base.parent.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None
    fd = _open_dir(base, create=create)
    for part in parts:
        if fd is None:
            return None
        sub = _open_dir(part, fd, create=create)
        os.close(fd)
        fd = sub
    return fd


def _read_entry(dir_fd: int, name: str) -> bytes | None:
    """The bytes of a trusted regular file in a trusted folder, or None."""
    try:
        fd = os.open(name, _FILE_FLAGS, dir_fd=dir_fd)
    except OSError:
        return None
    try:
        st = os.fstat(fd)
        if not (stat.S_ISREG(st.st_mode) and _owner_only(st)) or st.st_size > MAX_ENTRY_BYTES:
            return None
        with os.fdopen(os.dup(fd), "rb") as fh:
            return fh.read(MAX_ENTRY_BYTES + 1)
    except OSError:
        return None
    finally:
        os.close(fd)


def _write_entry(dir_fd: int, name: str, data: bytes) -> None:
    """Write whole or not at all: a private (0600) temporary file renamed over the entry."""
    tmp = f".{name}.{os.getpid()}.{secrets.token_hex(4)}.tmp"
    try:
        fd = os.open(
            tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600, dir_fd=dir_fd
        )
    except OSError:
        return
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, name, src_dir_fd=dir_fd, dst_dir_fd=dir_fd)
    except OSError:  # a full disk only costs the next run its speed
        with contextlib.suppress(OSError):
            os.unlink(tmp, dir_fd=dir_fd)


def _tree(root: Path, pattern: str) -> list[tuple[str, str]]:
    """(path, path relative to `root`) of every file under `root` whose name matches `pattern`,
    in a fixed order (os.walk, not pathlib's rglob: a tenth of the time)."""
    found = []
    for folder, dirs, names in os.walk(root):
        dirs.sort()
        rel = os.path.relpath(folder, root)
        for name in fnmatch.filter(names, pattern):
            found.append((os.path.join(folder, name), name if rel == "." else f"{rel}/{name}"))
    found.sort(key=lambda f: f[1].split("/"))
    return found


@lru_cache(maxsize=1)
def code_digest() -> bytes:
    """What the cached objects' meaning depends on besides their files: code and versions."""
    import jinja2
    import pydantic

    h = hashlib.sha256(FORMAT)
    h.update(f"{sys.version}|{pydantic.VERSION}|{jinja2.__version__}".encode())
    engine_dir = Path(__file__).resolve().parent.parent  # every module of engine/, subpackages too
    for path, rel in _tree(engine_dir, "*.py"):
        with open(path, "rb") as fh:
            h.update(rel.encode() + b"\0" + fh.read())
    return h.digest()


def content_digest(root: Path, skip: tuple[str, ...] = ()) -> str:
    """SHA-256 of the names and bytes of every YAML file under `root` (top folders in `skip`
    left out): what a knowledge base says, the same in any checkout, code or working directory."""
    h = hashlib.sha256()
    for path in sorted(root.rglob("*.yaml")) if root.is_dir() else []:
        rel = path.relative_to(root)
        if rel.parts[0] in skip or not path.is_file():
            continue
        h.update(rel.as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return h.hexdigest()


def files_digest(root: Path, pattern: str = "*.yaml") -> str | None:
    """SHA-256 of the code digest and of every matching file under `root`, names and bytes.

    The place counts too: the loaded objects carry their files' paths, shown relative to the
    working directory, so the same files in another checkout or seen from another directory are
    another entry.
    """
    h = hashlib.sha256(code_digest())
    h.update(os.fsencode(root.resolve()) + b"\0" + os.fsencode(os.getcwd()) + b"\0")
    try:
        for path, rel in _tree(root, pattern):
            # only regular files within the size limit: a symlink to /dev/zero or a FIFO is
            # left to the reader, which refuses it with a message (and nothing is cached)
            fd = os.open(path, _FILE_FLAGS)
            try:
                st = os.fstat(fd)
                if not stat.S_ISREG(st.st_mode) or st.st_size > MAX_FILE_BYTES:
                    return None
                with os.fdopen(os.dup(fd), "rb") as fh:
                    data = fh.read(MAX_FILE_BYTES + 1)
            finally:
                os.close(fd)
            h.update(os.fsencode(rel) + b"\0" + data + b"\0")
    except OSError:
        return None
    return h.hexdigest()


def cached(
    kind: str, key: str | None, build: Callable[[], T], *, base: Path | EllipsisType | None = ...
) -> T:
    """`build()`, or its pickled result from an earlier run with the same key, kept in `base`
    (a session's setting; by default `directory()`, None: not kept)."""
    if isinstance(base, EllipsisType):
        base = directory()
    if base is None or key is None:
        return build()
    folder = _open_chain(base, (kind,))
    if folder is None:
        return build()
    try:
        entry = f"{key}.pickle"
        data = _read_entry(folder, entry)
        if data is not None:
            try:
                return _loads(data)  # our own entry, checked on its descriptor
            except Exception:  # a truncated entry is a miss
                pass
        value = build()
        try:
            payload = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
        except Exception:  # an unpicklable value is simply not kept
            return value
        _write_entry(folder, entry, payload)
        _prune(folder)
        return value
    finally:
        os.close(folder)


def _loads(data: bytes) -> Any:
    """`pickle.loads(data)`, the cyclic garbage collector kept out of the way.

    What comes back (the knowledge base, the strings) is kept until the process ends, yet every
    collection the new objects trigger would walk them all again: the collector is paused while
    they are made (half the time of reading the knowledge base back) and they are then frozen
    with everything older, so that later collections leave them alone (a cold draft spent 30 ms
    in a full collection that found nothing to free; measured in bench/results.md). A frozen
    object is still freed when its last reference goes; only cycles wait for `gc.unfreeze()`.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        value = pickle.loads(data)
        gc.freeze()
        return value
    finally:
        if enabled:
            gc.enable()


def _prune(dir_fd: int) -> None:
    try:
        names = [n for n in os.listdir(dir_fd) if n.endswith(".pickle")]
        dated = []
        for n in names:
            with contextlib.suppress(OSError):
                dated.append((os.stat(n, dir_fd=dir_fd, follow_symlinks=False).st_mtime_ns, n))
        for _, old in sorted(dated, reverse=True)[KEEP:]:
            with contextlib.suppress(OSError):
                os.unlink(old, dir_fd=dir_fd)
    except OSError:
        pass


class SecureBytecodeCache(BytecodeCache):
    """Jinja's bytecode cache with the same rules as the pickles: marshalled code is only loaded
    from a regular file owned by this user, writable by no one else, in a folder chain that is."""

    def __init__(self, base: Path, parts: tuple[str, ...]) -> None:
        self.base, self.parts = base, parts

    def load_bytecode(self, bucket: Bucket) -> None:
        """Fill Jinja's bucket from the cached code of its template, if a trusted file holds it."""
        folder = _open_chain(self.base, self.parts, create=False)
        if folder is None:
            return
        try:
            data = _read_entry(folder, f"{bucket.key}.cache")
        finally:
            os.close(folder)
        if data is not None:
            bucket.load_bytecode(io.BytesIO(data))

    def dump_bytecode(self, bucket: Bucket) -> None:
        """Keep a compiled template's code for the next process (written whole, or not at all)."""
        folder = _open_chain(self.base, self.parts)
        if folder is None:
            return
        try:
            buf = io.BytesIO()
            bucket.write_bytecode(buf)
            _write_entry(folder, f"{bucket.key}.cache", buf.getvalue())
        finally:
            os.close(folder)


def template_cache(base: Path | EllipsisType | None = ...) -> Any:
    """A Jinja bytecode cache in `base` (by default the cache directory; None when caching is
    off)."""
    if isinstance(base, EllipsisType):
        base = directory()
    if base is None:
        return None
    return SecureBytecodeCache(base, ("templates", code_digest().hex()[:16]))
