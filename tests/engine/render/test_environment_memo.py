"""engine/render/jinja.py: the environment is a memo keyed by the environment variables the cache
directory follows, not by the directory worked out on every render; it must still follow them."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.files import cache
from engine.render.jinja import environment


def _kept_in(tmp_path: Path) -> list[tuple[str, str | None, str | None]]:
    """Settings of the three variables, each with its expected cache directory's root."""
    return [
        ("a", None, None),
        ("b", None, None),
        ("", str(tmp_path / "xdg1"), None),
        ("", str(tmp_path / "xdg2"), None),
        ("", None, str(tmp_path / "home1")),
        ("", None, str(tmp_path / "home2")),
        ("off", None, None),
        ("a", None, None),
    ]


def test_the_environment_follows_the_cache_variables(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    seen = []
    for setting, xdg, home in _kept_in(tmp_path):
        value = str(tmp_path / setting) if setting not in ("", "off") else setting
        monkeypatch.setenv("CLUSTER_INTL_CACHE", value)
        for name, v in (("XDG_CACHE_HOME", xdg), ("HOME", home)):
            if v is None:
                monkeypatch.delenv(name, raising=False)
            else:
                monkeypatch.setenv(name, v)
        env = environment()
        expected = cache.directory()  # the plain computation
        kept = env.bytecode_cache
        assert (kept.base if kept is not None else None) == expected
        assert environment() is env  # the same settings, the same environment
        seen.append(expected)
    assert len({str(s) for s in seen}) == 7  # every setting above but the repeated one differs
