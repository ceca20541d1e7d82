"""The one writer helper: outputs are written whole or not at all, and never over an input.

Content goes to a temporary file in the target directory and is flushed to disk. Without `force`
it is then linked to the target name, which fails if anything exists there (two writers racing
for one name: the second gets a clear refusal, the first's file stays); with `force` it is renamed
over the target. Only regular files are ever replaced: a FIFO, a device, a directory or a symlink
(dangling or not) is refused. Every file a command reads is registered in its session's `Inputs`
(by engine.api, which is given the paths), and the writer refuses to replace any of them, with or
without `force`.
"""

from __future__ import annotations

import contextlib
import errno
import os
import signal
import stat
import tempfile
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from signal import SIGINT, SIGTERM

from engine.errors import OutputError, OutputExistsError, UsageError, printable


class Inputs:
    """The inputs of one command: single files and (root, glob pattern) trees, checked lazily at
    write time so registering costs nothing on the cold path. A session holds one."""

    def __init__(self) -> None:
        self.files: set[str] = set()
        self.trees: set[tuple[str, str]] = set()
        self._known: _Known | None = None

    def add(self, path: Path | str) -> None:
        """Mark a file as an input of this command: the writer never replaces it."""
        self.files.add(os.path.abspath(path))
        self._known = None

    def add_tree(self, root: Path | str, pattern: str = "*") -> None:
        """Mark every file under `root` matching `pattern` (a knowledge base, a template folder)."""
        self.trees.add((os.path.abspath(root), pattern))
        self._known = None

    def holds(self, path: Path) -> bool:
        """Whether `path` (by name or by identity: a hard link, another spelling) is an input."""
        try:
            target = os.stat(path)
        except OSError:
            return False
        real = os.path.realpath(path)
        known = self._known
        if known is None:  # the inputs are read once, at the first check after they changed
            known = self._known = _Known.of(self)
        if real in known.names or (target.st_dev, target.st_ino) in known.ids:
            return True
        for real_root, pattern in known.trees:
            if real.startswith(real_root.rstrip(os.sep) + os.sep) and Path(real).match(pattern):
                return True
        return False


@dataclass(frozen=True)
class _Known:
    """The inputs as `holds` compares them: real names, file identities, real tree roots. A
    batch checks each of its outputs (three times) against its hundreds of inputs: reading them
    anew at each check was a `realpath` and a `stat` per input per check, as much time as the
    drafting on a rerun with --force."""

    names: frozenset[str]
    ids: frozenset[tuple[int, int]]
    trees: tuple[tuple[str, str], ...]

    @classmethod
    def of(cls, inputs: Inputs) -> _Known:
        """The inputs' real names and identities (a file that cannot be read has no identity)."""
        ids = set()
        for f in inputs.files:
            with contextlib.suppress(OSError):
                st = os.stat(f)
                ids.add((st.st_dev, st.st_ino))
        return cls(
            frozenset(os.path.realpath(f) for f in inputs.files),
            frozenset(ids),
            tuple((os.path.realpath(root), pattern) for root, pattern in inputs.trees),
        )


def refuse_input(path: Path, inputs: Inputs) -> None:
    """Refuse to write over a file this command reads."""
    if inputs.holds(path):
        raise UsageError(
            f"{printable(path)}: is an input of this command; write the output elsewhere"
        )


def check_target(path: Path, *, force: bool, inputs: Inputs) -> None:
    """Refuse before any work: an input, a non-regular file, or an existing file without force."""
    shown = printable(path)
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        st = None
    except OSError as exc:
        raise OutputError(f"{shown}: cannot write: {exc.strerror}") from None
    if st is not None:
        if stat.S_ISDIR(st.st_mode):
            raise UsageError(f"{shown}: is a directory")
        if stat.S_ISLNK(st.st_mode):
            raise UsageError(f"{shown}: is a symbolic link; name a regular file as the output")
        if not stat.S_ISREG(st.st_mode):
            raise UsageError(f"{shown}: is not a regular file (a FIFO, device or socket)")
        refuse_input(path, inputs)
        if not force:
            raise OutputExistsError(f"{shown}: already exists; use --force to overwrite it")
    parent = path.parent if str(path.parent) else Path(".")
    if not parent.is_dir():
        raise UsageError(f"{printable(parent)}: output directory does not exist")


@contextlib.contextmanager
def _signals_deferred() -> Iterator[None]:
    """Hold Ctrl-C and SIGTERM until the file is whole or gone: one arriving between the
    creation of the temporary file and the `try` that removes it would leave it behind."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    got: list[signal.Signals] = []
    old = {
        s: signal.signal(s, lambda n, _f: got.append(signal.Signals(n))) for s in (SIGINT, SIGTERM)
    }
    try:
        yield
    finally:
        for s, handler in old.items():
            signal.signal(s, handler)
        for n in got:
            handler = old[n]
            if callable(handler):
                handler(n, None)
            elif handler == signal.SIG_DFL:
                os.kill(os.getpid(), n)


def write_atomic(path: Path, data: str | bytes, *, inputs: Inputs, force: bool = False) -> None:
    """Write the output whole or not at all: a temporary file renamed into place, never over one
    of `inputs`."""
    check_target(path, force=force, inputs=inputs)
    with _signals_deferred():
        _write(path, payload(data), force, inputs)


def payload(data: str | bytes) -> bytes:
    """The bytes `write_atomic` writes for `data`: a text as UTF-8, its surrogates (a file name
    that is not UTF-8, shown in a document) written as escapes rather than failing the encoding.
    A batch worker encodes its program with it, so the parent neither decodes nor encodes it."""
    return data.encode("utf-8", "backslashreplace") if isinstance(data, str) else data


def _write(path: Path, payload: bytes, force: bool, inputs: Inputs) -> None:
    shown = printable(path)
    parent = path.parent if str(path.parent) else Path(".")
    try:
        fd, tmp = tempfile.mkstemp(prefix=".ci-", suffix=".tmp", dir=parent)
    except OSError as exc:
        raise OutputError(f"{shown}: cannot write: {exc.strerror}") from None
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(payload)
            fh.flush()
            os.fsync(fh.fileno())
        # mkstemp creates 0600; give the file the mode a plain open() would (0666 less umask)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        if force:
            _replace(tmp, path, inputs)
        else:
            _create(tmp, path)
    except OSError as exc:
        _discard(tmp)
        if isinstance(exc, FileExistsError):
            raise OutputExistsError(
                f"{shown}: already exists (written by another run meanwhile); use --force to "
                "overwrite it"
            ) from None
        raise OutputError(f"{shown}: cannot write: {exc.strerror or exc}") from None
    except BaseException:
        _discard(tmp)
        raise


def _replace(tmp: str, path: Path, inputs: Inputs) -> None:
    # checked again just before the rename: the target may have become a link or an input
    check_target(path, force=True, inputs=inputs)
    os.replace(tmp, path)


def _create(tmp: str, path: Path) -> None:
    """Give the finished file its name only if the name is free (atomically: link(2) fails with
    EEXIST otherwise)."""
    try:
        os.link(tmp, path, follow_symlinks=False)
    except FileExistsError:
        raise
    except OSError as exc:
        if exc.errno not in (errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EXDEV):
            raise
        # a filesystem without hard links: claim the name exclusively, then rename over it
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600))
        os.replace(tmp, path)
        return
    os.unlink(tmp)


def _discard(tmp: str) -> None:
    with contextlib.suppress(OSError):
        os.unlink(tmp)
