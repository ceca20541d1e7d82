"""An installed copy works from any directory with its bundled knowledge and templates.

Builds the wheel, installs it the way README says (`uv tool install ... --overrides overrides.txt`)
into a throw-away tool directory, and drafts the example from an unrelated working directory.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import ROOT


@pytest.mark.slow
def test_wheel_installs_and_drafts_from_another_directory(tmp_path: Path):
    uv = shutil.which("uv")
    assert uv, "uv is required (pip install uv)"
    dist = tmp_path / "dist"
    subprocess.run(
        [uv, "build", "--wheel", "-o", str(dist), str(ROOT)],
        check=True,
        capture_output=True,
        text=True,
    )
    wheel = next(dist.glob("cluster_intl-*.whl"))
    env = dict(
        os.environ, UV_TOOL_DIR=str(tmp_path / "tools"), UV_TOOL_BIN_DIR=str(tmp_path / "bin")
    )
    env.pop("VIRTUAL_ENV", None)
    subprocess.run(
        [uv, "tool", "install", str(wheel), "--overrides", str(ROOT / "overrides.txt")],
        check=True,
        capture_output=True,
        text=True,
        env=env,
    )
    exe = tmp_path / "bin" / "cluster-intl"
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    example = shutil.copy(ROOT / "examples" / "nizhny-novgorod.yaml", elsewhere / "nn.yaml")
    done = subprocess.run(
        [str(exe), "draft", str(example), "-o", "program.html", "--lang", "en"],
        cwd=elsewhere,
        capture_output=True,
        text=True,
        env=env,
    )
    assert done.returncode == 0, done.stderr
    html = (elsewhere / "program.html").read_text(encoding="utf-8")
    assert "Chemie-Cluster Bayern" in html and "</html>" in html
    check = subprocess.run(
        [str(exe), "kb", "check"], cwd=elsewhere, capture_output=True, text=True, env=env
    )
    assert check.returncode == 0, check.stdout + check.stderr
    # the scenarios find the examples they build on inside the package as well
    scenarios = subprocess.run(
        [str(exe), "kb", "test"], cwd=elsewhere, capture_output=True, text=True, env=env
    )
    assert scenarios.returncode == 0, scenarios.stdout + scenarios.stderr
    assert "0 failed" in scenarios.stdout
    # the knowledge base and templates used are the copies inside the installed package
    python = tmp_path / "tools" / "cluster-intl" / "bin" / "python"
    where = subprocess.run(
        [
            str(python),
            "-c",
            "from engine.resources import bundled_root as b; "
            "print(b('knowledge')); print(b('templates'))",
        ],
        cwd=elsewhere,
        capture_output=True,
        text=True,
        env=env,
        check=True,
    ).stdout.split()
    assert all(str(tmp_path / "tools") in w and "_bundled" in w for w in where), where
