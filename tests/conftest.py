"""Shared fixtures: the bundled knowledge base, the examples, a CLI runner and golden files."""

from __future__ import annotations

import functools
import os
import shutil
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
GOLDEN = Path(__file__).resolve().parent / "golden"
sys.path.insert(0, str(ROOT))


def require_tool(*names: str) -> str:
    """The tool's path; skipped only when it is absent and CI does not demand it."""
    for name in names:
        path = shutil.which(name)
        if path:
            return path
    message = f"{' / '.join(names)} is not installed (see .ci/install-tools)"
    if os.environ.get("CLUSTER_INTL_REQUIRE_TOOLS") == "1":
        pytest.fail(message)
    pytest.skip(message)


def require_calc() -> None:
    """LibreOffice with its spreadsheet module (Calc), like require_tool."""
    soffice = Path(require_tool("soffice", "libreoffice")).resolve()
    if not list(soffice.parent.glob("libsc*lo.*")):
        message = "LibreOffice Calc is not installed (see .ci/install-tools)"
        if os.environ.get("CLUSTER_INTL_REQUIRE_TOOLS") == "1":
            pytest.fail(message)
        pytest.skip(message)


def soffice_convert(src: Path, fmt: str, outdir: Path) -> Path:
    """Convert `src` with headless LibreOffice (own profile: parallel runs never share a lock)."""
    import subprocess

    soffice = require_tool("soffice", "libreoffice")
    outdir.mkdir(parents=True, exist_ok=True)
    run = subprocess.run(
        [
            soffice,
            f"-env:UserInstallation=file://{outdir / 'lo-profile'}",
            "--headless",
            "--convert-to",
            fmt,
            "--outdir",
            str(outdir),
            str(src),
        ],
        capture_output=True,
        text=True,
        timeout=240,
    )
    out = outdir / f"{src.stem}.{fmt.split(':')[0]}"
    assert run.returncode == 0 and out.exists(), (
        f"LibreOffice could not convert {src.name}: {run.stdout}{run.stderr}"
    )
    return out


def pytest_configure(config: pytest.Config) -> None:
    """Every run (and every command the tests start) uses a fresh, private cache directory."""
    import tempfile

    config._ci_cache = tempfile.mkdtemp(prefix="cluster-intl-cache-")  # type: ignore[attr-defined]
    os.environ["CLUSTER_INTL_CACHE"] = config._ci_cache  # type: ignore[attr-defined]


def pytest_unconfigure(config: pytest.Config) -> None:
    import shutil

    cache = getattr(config, "_ci_cache", None)
    if cache:
        shutil.rmtree(cache, ignore_errors=True)


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden",
        action="store_true",
        default=False,
        help="Rewrite golden files from the current output (review the diff!).",
    )


@functools.cache
def shared_session():
    """One engine session for the test process (the bundled knowledge, its runner), shared by the
    fixture and by modules that need it at import time: loading the knowledge once per process
    keeps the suite fast. Tests that need their own state make their own `api.Session()`."""
    from engine import api

    return api.Session()


@pytest.fixture(scope="session")
def session():
    """The test process's engine session (see `shared_session`)."""
    return shared_session()


@pytest.fixture(scope="session")
def knowledge(session):
    return session.knowledge


@pytest.fixture(scope="session")
def nn_path() -> Path:
    return EXAMPLES / "nizhny-novgorod.yaml"


@pytest.fixture(scope="session")
def nn_result(session, nn_path):
    from engine import api

    return api.evaluate(nn_path, session)


@pytest.fixture
def golden(request: pytest.FixtureRequest):
    """Compare text with tests/golden/NAME, or rewrite it with --update-golden."""
    update = request.config.getoption("--update-golden")

    def check(name: str, text: str) -> None:
        path = GOLDEN / name
        if update and not os.environ.get("CI"):
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
            return
        assert path.exists(), f"golden file {path} missing; run pytest --update-golden"
        expected = path.read_text(encoding="utf-8")
        assert text == expected, f"output differs from {path}; review, then --update-golden"

    return check


@pytest.fixture
def cli():
    """Run the CLI in-process; returns (exit_code, stdout, stderr)."""
    from typer.testing import CliRunner

    import cli as cli_module

    runner = CliRunner()

    def invoke(*args: str) -> tuple[int, str, str]:
        result = runner.invoke(cli_module.app, [str(a) for a in args], catch_exceptions=False)
        return result.exit_code, result.stdout, result.stderr

    return invoke
