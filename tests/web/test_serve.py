"""`cluster-intl serve`: the address with the token, health over real HTTP, a clean stop on Ctrl-C;
and no other command pays for the web stack."""

from __future__ import annotations

import json
import signal
import socket
import subprocess
import sys
import time
import urllib.request

import pytest

from tests.conftest import ROOT


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.mark.slow  # end to end; .ci/run runs it (-m slow)
def test_serve_prints_the_address_answers_and_stops_on_ctrl_c(tmp_path):
    port = free_port()
    proc = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import cli; cli.main()",
            "serve",
            "--workspace",
            str(ROOT / "examples"),
            "--port",
            str(port),
            "--token",
            "tok-123",
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        lines = []
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            line = proc.stderr.readline()
            lines.append(line)
            if "Ctrl-C" in line:
                break
        assert f"http://127.0.0.1:{port}/?token=tok-123\n" in [ln.lstrip() for ln in lines]
        for _ in range(50):
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/health", timeout=5) as r:
                    assert json.load(r)["status"] == "ok"
                break
            except OSError:
                time.sleep(0.1)
        else:
            raise AssertionError("the server never answered")
        req = urllib.request.Request(f"http://127.0.0.1:{port}/")
        try:
            urllib.request.urlopen(req, timeout=5)
            raise AssertionError("a page without the token was served")
        except urllib.error.HTTPError as exc:
            assert exc.code == 401
    finally:
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=30)
    assert proc.returncode == 0, err
    assert "Server stopped." in err and "Traceback" not in err


def test_serve_refuses_a_missing_workspace(cli, tmp_path):
    code, _, err = cli("serve", "--workspace", str(tmp_path / "nope"))
    assert code == 2 and "nope" in err


def test_serve_warns_when_bound_beyond_loopback(monkeypatch, tmp_path):
    import io

    import uvicorn

    from engine import web

    ran = []
    monkeypatch.setattr(uvicorn.Server, "run", lambda self: ran.append(self.config.host))
    out = io.StringIO()
    web.serve(tmp_path, host="0.0.0.0", port=1, token="t", out=out)
    assert ran == ["0.0.0.0"]
    assert out.getvalue().startswith("warning: 0.0.0.0 is reachable from the network")
    quiet = io.StringIO()
    web.serve(tmp_path, host="127.0.0.1", port=1, token="t", out=quiet)
    assert "warning" not in quiet.getvalue()


PROBE = """
import sys
sys.argv = ["cluster-intl"] + sys.argv[1:]
import cli
try:
    cli.main()
except SystemExit:
    pass
print("LOADED:" + ",".join(sorted({m.split(".")[0] for m in sys.modules} & {"starlette", "uvicorn", "multipart", "anyio"})) + ("" if "engine.web" not in sys.modules else ",engine.web"))
"""


@pytest.mark.slow  # end to end; .ci/run runs it (-m slow)
def test_other_commands_import_nothing_of_the_web_stack():
    for args in (["--help"], ["assess", "examples/nizhny-novgorod.yaml"], ["serve", "--help"]):
        proc = subprocess.run(
            [sys.executable, "-c", PROBE, *args],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        )
        assert proc.stdout.strip().splitlines()[-1] == "LOADED:", (args, proc.stdout[-300:])
