"""The web workspace in a real browser: Debian's Chromium, headless, driven by Playwright.

Open the workspace, open the example, unfold a why, ask why-not, change `direction_export` in the
what-if panel and see the measures change, download the docx; and the browser reports no
Content-Security-Policy violation on the way (htmx, the pages and the framed program all comply).
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
import urllib.request
import zipfile
from pathlib import Path

import pytest

from tests.conftest import EXAMPLES, ROOT, require_tool

pytestmark = pytest.mark.slow

TOKEN = "browser-test-token"
ARGS = [
    "--no-sandbox",
    "--headless",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


# the line of the SME activity in the example (the why chain ends there)
SME_LINE = next(
    i
    for i, line in enumerate(
        (EXAMPLES / "nizhny-novgorod.yaml").read_text(encoding="utf-8").splitlines(), 1
    )
    if line.startswith("activity_smes:")
)


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    folder = tmp_path_factory.mktemp("browser-workspace")
    for path in EXAMPLES.glob("*.yaml"):
        shutil.copy(path, folder / path.name)
    port = _port()
    proc = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import cli; cli.main()",
            "serve",
            "--workspace",
            str(folder),
            "--port",
            str(port),
            "--token",
            TOKEN,
        ],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            urllib.request.urlopen(f"{base}/api/health", timeout=2).close()
            break
        except OSError:
            time.sleep(0.1)
    else:
        proc.kill()
        raise AssertionError(proc.stderr.read() if proc.stderr else "server did not start")
    yield base, folder
    proc.terminate()
    proc.wait(timeout=30)


@pytest.fixture(scope="module")
def browser():
    exe = require_tool("chromium", "chromium-browser")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=exe, args=ARGS)
        yield b
        b.close()


def test_a_policy_officer_asks_why_why_not_and_what_if(server, browser, tmp_path):
    base, folder = server
    context = browser.new_context(accept_downloads=True, viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    console: list[str] = []
    page.on("console", lambda m: console.append(m.text))

    page.goto(f"{base}/?token={TOKEN}&lang=en")
    assert "token=" not in page.url  # traded for the cookie at once
    assert page.locator("#assessments a.open").count() == 4

    page.click("#assessments a.open[href^='/c/nizhny-novgorod.yaml']")
    page.wait_for_selector("#cluster-name")
    assert page.locator("#measures li.measure").count() > 10

    # why: the chain unfolds down to the assessment's own values
    why = page.locator("#measures details.why[data-subject='co_sme_internationalization']")
    why.locator("summary").click()
    answer = why.locator(".why-answer")
    answer.wait_for()
    assert "co_sme_weak" in answer.inner_text()
    assert f"nizhny-novgorod.yaml:{SME_LINE}" in answer.inner_text()

    # why not: a recommendation that was not made, with the smallest verified change
    page.select_option("#why-not-subject", "co_value_chain_integration")
    page.click("#why-not-form button[type=submit]")
    wn = page.locator(".why-not-answer[data-subject='co_value_chain_integration']")
    wn.wait_for()
    changes = wn.locator("li.change").all_inner_texts()
    # two real paths: weaker production cooperation, or more intensive import (issue 11)
    assert any("Production cooperation" in c for c in changes), changes
    assert any("Import: 2 → 3" in c for c in changes), changes

    # what if: export becomes strong; the export measures go, with their reasons
    before = page.locator("#m-rg_export_trade_missions").count()
    page.select_option("#ctl-direction_export", "4")
    page.wait_for_selector(".what-if-answer[data-changed=yes]")
    removed = page.locator("#what-if-result li.removed")
    ids = [removed.nth(i).get_attribute("data-id") for i in range(removed.count())]
    assert before == 1 and "rg_export_trade_missions" in ids
    shown = page.locator("#what-if-result").inner_text()
    assert "Export: 1 → 4" in shown and "Export = strong" in shown  # the change, and why

    # the variant's program as Word
    with page.expect_download() as info:
        page.click("#what-if-result a.download-variant[data-format=docx]")
    saved = tmp_path / "variant.docx"
    info.value.save_as(saved)
    assert info.value.suggested_filename == "nizhny-novgorod-what-if.docx"
    with zipfile.ZipFile(saved) as z:
        xml = z.read("word/document.xml").decode("utf-8")
    assert "<w:body>" in xml
    # the variant's program, byte for byte (the Word output is deterministic)
    from engine import api

    s = api.Session()
    k = s.knowledge
    variant = api.variant(
        api.evaluate(folder / "nizhny-novgorod.yaml", s), ["direction_export=4"], s
    )
    assert saved.read_bytes() == api.draft(variant, k, "docx", "en")

    violations = [m for m in console if "Content Security Policy" in m or "Refused" in m]
    assert not violations, violations
    context.close()


def test_the_original_program_downloads_as_docx_too(server, browser, tmp_path):
    base, _ = server
    context = browser.new_context(accept_downloads=True)
    page = context.new_page()
    page.goto(f"{base}/c/nizhny-novgorod.yaml?token={TOKEN}&lang=ru")
    with page.expect_download() as info:
        page.click("#program a.download[data-format=docx]")
    path = Path(tmp_path / "program.docx")
    info.value.save_as(path)
    with zipfile.ZipFile(path) as z:
        assert "word/document.xml" in z.namelist()
    context.close()
