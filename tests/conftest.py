"""Shared fixtures: the bundled knowledge base, the examples, a CLI runner and golden files."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
GOLDEN = Path(__file__).resolve().parent / "golden"
sys.path.insert(0, str(ROOT))


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
    parser.addoption("--update-golden", action="store_true", default=False,
                     help="Rewrite golden files from the current output (review the diff!).")


@pytest.fixture(scope="session")
def knowledge():
    from engine import api

    return api.knowledge()


@pytest.fixture(scope="session")
def nn_path() -> Path:
    return EXAMPLES / "nizhny-novgorod.yaml"


@pytest.fixture(scope="session")
def nn_result(knowledge, nn_path):
    from engine import api

    return api.evaluate(nn_path, knowledge)


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
