"""The session: one object holds a command's knowledge, runner, inputs and settings."""

from __future__ import annotations

import pytest

from engine import api, session
from engine.errors import UsageError
from engine.resources import bundled_root
from tests.conftest import EXAMPLES


def test_the_knowledge_is_loaded_once_per_session(monkeypatch):
    monkeypatch.setenv("CLUSTER_INTL_CACHE", "off")  # every load would parse again
    calls = []
    real = session.load_knowledge
    monkeypatch.setattr(session, "load_knowledge", lambda root=None: calls.append(1) or real(root))
    s = api.Session()
    assert s.knowledge is s.knowledge
    assert calls == [1]
    api.Session().knowledge  # noqa: B018 - another session loads its own
    assert calls == [1, 1]


def test_the_runner_is_built_once_and_used_for_every_run(session):
    assert session.runner is session.runner
    assert session.runner.knowledge is session.knowledge
    path = EXAMPLES / "nizhny-novgorod.yaml"
    a, b = api.evaluate(path, session), api.evaluate(path, session)
    assert a.recommendations == b.recommendations and a.firings == b.firings


def test_settings_are_read_from_the_environment_once(monkeypatch, tmp_path):
    monkeypatch.setenv("CLUSTER_INTL_CACHE", str(tmp_path / "one"))
    s = api.Session()
    monkeypatch.setenv("CLUSTER_INTL_CACHE", str(tmp_path / "two"))
    assert s.settings.cache_dir == tmp_path / "one"
    assert api.Session().settings.cache_dir == tmp_path / "two"
    assert 1 <= api.default_workers(s) <= 2


def test_inputs_belong_to_their_session(tmp_path):
    source = tmp_path / "a.yaml"
    source.write_text((EXAMPLES / "nizhny-novgorod.yaml").read_text("utf-8"), "utf-8")
    one, two = api.Session(), api.Session()
    api.evaluate(source, one)
    with pytest.raises(UsageError, match="is an input of this command"):
        api.write(one, source, "x", force=True)
    # a later command that does not read the file may replace it
    api.write(two, source, "replaced", force=True)
    assert source.read_text("utf-8") == "replaced"


def test_a_new_session_protects_the_bundled_knowledge_and_templates():
    s = api.Session()
    for kind, name in (("knowledge", "rules"), ("templates", "strings.yaml")):
        target = next(bundled_root(kind).glob(f"{name}*"))
        if target.is_dir():
            target = next(target.rglob("*.yaml"))
        assert s.inputs.holds(target), target
