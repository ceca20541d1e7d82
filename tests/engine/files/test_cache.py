"""The cache between runs: a hit gives the same knowledge, an edit is a miss, a bad entry is ignored."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from engine import api, session
from engine.files import cache
from engine.inference.run import Runner
from engine.resources import bundled_root


@pytest.fixture
def cache_dir(tmp_path, monkeypatch) -> Path:
    d = tmp_path / "cache"
    monkeypatch.setenv("CLUSTER_INTL_CACHE", str(d))
    yield d


@pytest.fixture
def kb(tmp_path) -> Path:
    root = tmp_path / "kb"
    shutil.copytree(bundled_root("knowledge"), root)
    return root


def entries(d: Path) -> list[Path]:
    return sorted((d / "knowledge").glob("*.pickle"))


def outcome(k, nn_path) -> tuple:
    from engine.assessment.load import load_assessment

    r = Runner(k).run(load_assessment(nn_path, k))
    return tuple(r.findings), tuple(r.recommendations), tuple(f.rule for f in r.firings)


def test_a_second_run_reads_the_knowledge_from_the_cache(cache_dir, kb, nn_path, monkeypatch):
    first = api.Session(kb).knowledge
    assert len(entries(cache_dir)) == 1
    entry = entries(cache_dir)[0]
    assert entry.stat().st_mode & 0o777 == 0o600
    assert (cache_dir / "knowledge").stat().st_mode & 0o077 == 0

    def no_parsing(*_a, **_k):
        raise AssertionError("the knowledge base was parsed again")

    monkeypatch.setattr(session, "load_knowledge", no_parsing)
    second = api.Session(kb).knowledge
    assert second is not first
    assert [r.rule.id for r in second.rules] == [r.rule.id for r in first.rules]
    assert outcome(second, nn_path) == outcome(first, nn_path)


@pytest.mark.slow  # ~1 s: run by CI's slow pass, kept out of the default suite's budget
def test_an_edited_knowledge_file_is_a_miss_and_its_advice_is_used(cache_dir, kb):
    path = kb / "recommendations.yaml"
    text = path.read_text("utf-8")
    k = api.Session(kb).knowledge
    title = k.recommendation["org_intl_working_group"].title.en
    path.write_text(text.replace(title, "A renamed working group", 1), "utf-8")
    edited = api.Session(kb).knowledge
    assert edited.recommendation["org_intl_working_group"].title.en == "A renamed working group"
    assert len(entries(cache_dir)) == 2


def test_a_broken_knowledge_base_is_never_cached(cache_dir, kb):
    from engine.errors import InputError

    (kb / "kpis.yaml").write_text("kpis: [\n", "utf-8")
    for _ in range(2):
        with pytest.raises(InputError):
            _ = api.Session(kb).knowledge
    assert entries(cache_dir) == []


@pytest.mark.slow  # the default suite stays under 90 s; CI runs the slow ones
@pytest.mark.parametrize("damage", ["garbage", "truncated", "group-writable"])
def test_a_damaged_or_untrusted_entry_is_ignored_and_rebuilt(
    cache_dir, kb, nn_path, damage, monkeypatch
):
    good = outcome(api.Session(kb).knowledge, nn_path)
    entry = entries(cache_dir)[0]
    if damage == "garbage":
        entry.write_bytes(b"not a pickle")
    elif damage == "truncated":
        entry.write_bytes(entry.read_bytes()[:1000])
    else:
        # a file others could have written is not loaded, whatever it holds
        entry.write_bytes(b"cos\nsystem\n(S'echo pwned'\ntR.")
        entry.chmod(0o666)
    calls = []
    real = session.load_knowledge
    monkeypatch.setattr(session, "load_knowledge", lambda root=None: calls.append(1) or real(root))
    assert outcome(api.Session(kb).knowledge, nn_path) == good
    assert calls == [1]
    if damage != "group-writable":
        assert entries(cache_dir)[0].stat().st_size > 100_000  # rewritten whole


def test_cache_off_writes_nothing(tmp_path, kb, monkeypatch):
    monkeypatch.setenv("CLUSTER_INTL_CACHE", "off")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    s = api.Session(kb)
    assert s.settings.cache_dir is None
    assert s.knowledge.rules
    assert cache.directory() is None
    assert not (tmp_path / "xdg").exists() and not (tmp_path / "home").exists()


def test_the_default_place_follows_xdg(tmp_path, monkeypatch):
    monkeypatch.delenv("CLUSTER_INTL_CACHE", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert cache.directory() == tmp_path / "xdg" / "cluster-intl"
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert cache.directory() == tmp_path / "home" / ".cache" / "cluster-intl"


def test_only_the_newest_entries_are_kept(cache_dir, monkeypatch):
    for i in range(cache.KEEP + 3):
        cache.cached("knowledge", f"{i:064x}", lambda i=i: i)
        os.utime(cache_dir / "knowledge" / f"{i:064x}.pickle", (i, i))
    kept = entries(cache_dir)
    assert len(kept) == cache.KEEP
    assert cache.cached("knowledge", f"{cache.KEEP + 2:064x}", lambda: "rebuilt") == cache.KEEP + 2


def test_templates_compiled_once_render_the_same(cache_dir, nn_result, knowledge):
    from engine.render import jinja as render

    view = api.program_view(nn_result, knowledge, "en")
    root = bundled_root("templates")

    def html(env) -> str:
        return env.get_template("program.html.j2").render(p=view, t=render.strings()["en"])

    first = html(render.new_environment(root, cache_dir))
    compiled = list((cache_dir / "templates").rglob("*.cache"))
    assert compiled
    # a fresh environment reads the compiled templates back: the same document
    assert html(render.new_environment(root, cache_dir)) == first
    # the documents' environment follows the cache setting: a new directory, a new environment
    assert render.environment() is render.environment()
    assert render.environment() is not render.new_environment(root, cache_dir)


@pytest.mark.slow  # the default suite stays under 90 s; CI runs the slow ones
def test_the_same_files_elsewhere_are_another_entry(cache_dir, kb, tmp_path, monkeypatch):
    """A second checkout with identical files must not get the first one's paths in its messages."""
    other = tmp_path / "other" / "kb"
    shutil.copytree(kb, other)
    first = api.Session(kb).knowledge
    second = api.Session(other).knowledge
    assert first.root.resolve() == kb.resolve()
    assert second.root.resolve() == other.resolve()
    assert all(site.file.startswith(str(os.path.relpath(other))) for site in second.rules)
    # seen from another working directory, the paths are relative to it
    monkeypatch.chdir(other)
    third = api.Session(other).knowledge
    assert all(site.file.startswith("rules") for site in third.rules)
    assert len(entries(cache_dir)) == 3
