"""Fixtures of the web workspace tests: one application per test module, over a private copy of the
examples (uploads and saved variants land there, never in examples/)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.conftest import EXAMPLES

TOKEN = "test-token-0123456789"
HOST, PORT = "127.0.0.1", 8765
BASE = f"http://{HOST}:{PORT}"


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("workspace")
    for path in sorted(EXAMPLES.glob("*.yaml")):
        shutil.copy(path, folder / path.name)
    return folder


@pytest.fixture(scope="module")
def app(workspace: Path):
    from engine.web import Settings, create_app

    return create_app(Settings(workspace=workspace, host=HOST, port=PORT, token=TOKEN))


@pytest.fixture(scope="module")
def client(app):
    """Authorised by the Bearer header (as a script would be)."""
    from starlette.testclient import TestClient

    with TestClient(app, base_url=BASE, headers={"Authorization": f"Bearer {TOKEN}"}) as c:
        yield c


@pytest.fixture
def anonymous(app):
    """No credentials at all; a fresh cookie jar per test."""
    from starlette.testclient import TestClient

    with TestClient(app, base_url=BASE) as c:
        yield c


@pytest.fixture
def browser_like(app):
    """Like a browser: the first page load carries ?token=, then only the cookie."""
    from starlette.testclient import TestClient

    with TestClient(app, base_url=BASE) as c:
        r = c.get(f"/?token={TOKEN}", follow_redirects=False)
        assert r.status_code == 303
        yield c


@pytest.fixture(scope="module")
def csrf() -> dict[str, str]:
    from engine.web.security import csrf_token

    return {"X-CSRF-Token": csrf_token(TOKEN)}
