"""The cache runs only what this user wrote: a folder swapped between check and open, or a
bytecode entry that another user owns or anyone may write, is never loaded (issue 14, item 1)."""

from __future__ import annotations

import os
import pickle
import threading
from pathlib import Path

import pytest
from jinja2 import DictLoader, Environment

from engine.files import cache

OTHER_UID = 4242  # root may give files away; the cache must then refuse them


class Payload:
    """Unpickling this object creates a marker directory: proof that foreign code ran."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self):
        return (os.mkdir, (str(self.marker),))


def test_the_base_and_every_folder_are_created_private(tmp_path, monkeypatch):
    base = tmp_path / "parent" / "cache"
    monkeypatch.setenv("CLUSTER_INTL_CACHE", str(base))
    assert cache.cached("knowledge", "k", lambda: 1) == 1
    for folder in (base, base / "knowledge"):
        assert folder.stat().st_mode & 0o777 == 0o700, folder
    assert (base / "knowledge" / "k.pickle").stat().st_mode & 0o777 == 0o600


@pytest.mark.slow  # heavy; .ci/run runs it (-m slow)
def test_a_folder_swap_racing_the_cache_never_loads_a_foreign_entry(tmp_path, monkeypatch):
    # the cache lives in a folder anyone can write; an attacker swaps our base with theirs
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o777)
    ours, theirs, spare = shared / "cache", shared / "evil", shared / "spare"
    monkeypatch.setenv("CLUSTER_INTL_CACHE", str(ours))
    assert cache.cached("knowledge", "key", lambda: "built") == "built"
    marker = tmp_path / "foreign-code-ran"
    (theirs / "knowledge").mkdir(parents=True)
    entry = theirs / "knowledge" / "key.pickle"
    entry.write_bytes(pickle.dumps(Payload(marker)))
    # a foreign tree that passes a check by path half the time: ours at check, theirs at open
    for p in (theirs / "knowledge", theirs, entry):
        os.chown(p, OTHER_UID, OTHER_UID)
    stop = threading.Event()

    def swap() -> None:
        while not stop.is_set():
            try:
                os.rename(ours, spare)
                os.rename(theirs, ours)
                os.rename(ours, theirs)
                os.rename(spare, ours)
            except OSError:
                pass

    swapper = threading.Thread(target=swap)
    swapper.start()
    try:
        # 5000 loads: enough for the old check-by-path-then-open to load the payload in about
        # one run of three (measured); the descriptor-checked cache must never do so
        seen = {cache.cached("knowledge", "key", lambda: "built") for _ in range(5000)}
    finally:
        stop.set()
        swapper.join()
    assert not marker.exists(), "a foreign pickle was loaded"
    assert seen == {"built"}


@pytest.mark.parametrize("how", ["owned by another user", "writable by others", "a symlink"])
def test_a_foreign_bytecode_entry_is_ignored(tmp_path, monkeypatch, how):
    monkeypatch.setenv("CLUSTER_INTL_CACHE", str(tmp_path / "cache"))
    bcc = cache.template_cache()
    real = {"t": "real {{ 1 }}"}
    Environment(loader=DictLoader(real), bytecode_cache=bcc).get_template("t")
    folder = tmp_path / "cache" / "templates" / cache.code_digest().hex()[:16]
    (entry,) = folder.glob("*.cache")
    # the attacker's entry: the code of another template under the real one's key and checksum
    evil_env = Environment(loader=DictLoader({"t": "EVIL"}))
    from jinja2.bccache import Bucket

    bucket = Bucket(evil_env, entry.stem, bcc.get_source_checksum(real["t"]))
    bucket.code = evil_env.compile(real["t"].replace("real", "EVIL"), "t", "t")
    with entry.open("wb") as fh:
        bucket.write_bytecode(fh)
    os.chmod(entry, 0o600)

    def render() -> str:
        fresh = Environment(loader=DictLoader(real), bytecode_cache=cache.template_cache())
        return fresh.get_template("t").render()

    assert render() == "EVIL 1"  # control: our own entry is used, so the test can fail
    if how == "owned by another user":
        os.chown(entry, OTHER_UID, OTHER_UID)
    elif how == "writable by others":
        os.chmod(entry, 0o666)
    else:
        moved = tmp_path / "elsewhere.cache"
        entry.rename(moved)
        entry.symlink_to(moved)
    assert render() == "real 1"
