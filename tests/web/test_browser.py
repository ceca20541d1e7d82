"""The web workspace in a real browser: Debian's Chromium, headless, driven by Playwright.

Open the workspace, open the example, unfold a why, ask why-not, change `direction_export` in the
what-if panel and see the measures change, download the docx; and the browser reports no
Content-Security-Policy violation on the way (htmx, the pages and the framed program all comply).
"""

from __future__ import annotations

import re
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
    plain = why.locator(".why-policy .policy-text")
    plain.wait_for()
    assert "co_sme_weak" not in plain.inner_text()  # the policy reader: no ids
    why.locator("details.why-author > summary").click()  # the rule author unfolds the chain
    answer = why.locator(".author-box .why-answer")
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

    # what if, in place: export becomes strong; the main view drops the export measures
    before = page.locator("#m-rg_export_trade_missions").count()
    page.select_option("#ctl-direction_export", "4")
    page.wait_for_selector("#main-view[data-variant=yes]")
    removed = page.locator("#main-view li.moved-removed")
    ids = [removed.nth(i).get_attribute("data-id") for i in range(removed.count())]
    assert before == 1 and "rg_export_trade_missions" in ids
    assert page.locator("#m-rg_export_trade_missions").count() == 0  # gone from the list
    bar = page.locator("#variant-bar")
    assert "Export: 1 → 4" in bar.inner_text()
    assert "set=direction_export%3D4" in page.url  # the variant is the page's URL
    page.mouse.wheel(0, 3000)
    assert bar.is_visible() and bar.bounding_box()["y"] < 5  # the summary stays in view

    # the variant's program as Word, marked
    with page.expect_download() as info:
        page.click(".variant-actions a.download-variant[data-format=docx]")
    saved = tmp_path / "variant.docx"
    info.value.save_as(saved)
    assert info.value.suggested_filename == "nizhny-novgorod-what-if.docx"
    with zipfile.ZipFile(saved) as z:
        xml = z.read("word/document.xml").decode("utf-8")
    assert "<w:body>" in xml and "What-if variant" in xml
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


# ms from the engine's answer in the browser (htmx:beforeSwap: the response is in hand) to the new
# main view in the page and painted (the next animation frame)
MAIN_VIEW_TIMING = """() => { window.mainViewTiming = new Promise((resolve, reject) => {
  let answered = null;
  document.body.addEventListener('htmx:beforeSwap', () => { answered = performance.now(); },
                                 {once: true});
  const old = document.getElementById('main-view');
  const obs = new MutationObserver(() => {
    const now = document.getElementById('main-view');
    if (now && now !== old && answered !== null) {
      obs.disconnect();
      requestAnimationFrame(() => resolve(performance.now() - answered));
    }
  });
  obs.observe(old.parentNode, {childList: true});
  setTimeout(() => reject(new Error('the main view was not replaced')), 20000);
}); }"""


SMALLEST_CHART_TEXT = """() => {
  let low = null;
  for (const t of document.querySelectorAll('svg.chart-svg text')) {
    const h = t.getBoundingClientRect().height;
    if (h > 0 && (low === null || h < low)) low = h;
  }
  return low;
}"""
CHARTS_TITLED = """() => [...document.querySelectorAll('figure.chart')].every(f =>
  (f.querySelector('figcaption') || f.closest('.chart-box')?.querySelector('.chart-title')))"""


def test_what_if_in_place_is_fast_reset_reload_language_and_save(server, browser):
    base, folder = server
    context = browser.new_context(viewport={"width": 1366, "height": 900})
    page = context.new_page()
    page.goto(f"{base}/c/mature-cluster.yaml?token={TOKEN}&lang=ru")
    timings = []
    for value in ["0", "4", "1", "3", "0", "2", "4", "1", "0", "2"]:
        page.evaluate(MAIN_VIEW_TIMING)
        page.select_option("#ctl-direction_export", value)
        timings.append(page.evaluate("() => window.mainViewTiming"))
    timings.sort()
    p95 = timings[int(0.95 * (len(timings) - 1))]
    assert p95 < 150, timings  # ms from the engine's answer to the main view showing it
    page.select_option("#ctl-direction_export", "0")
    page.wait_for_selector("#main-view[data-sets='direction_export=0']")
    page.reload()
    assert page.locator("#main-view[data-variant=yes]").count() == 1  # reload keeps it
    page.click("#lang-link")
    page.wait_for_selector("html[lang=en]")
    assert "What-if variant" in page.locator("#variant-bar").inner_text()
    assert page.input_value("#ctl-direction_export") == "0"
    page.fill("#save-as", "mature-no-export")
    page.click(".variant-actions form.save button")
    page.wait_for_selector("#save-result a")
    text = (folder / "variants" / "mature-no-export.yaml").read_text(encoding="utf-8")
    assert "derived_from: mature-cluster.yaml" in text and "basis: what-if" in text
    page.click("#what-if-reset")
    page.wait_for_selector("#main-view[data-variant=no]")
    page.goto(f"{base}/?lang=en")
    assert "variants/mature-no-export.yaml" in page.locator("#variants").inner_text()
    assert "mature-no-export" not in page.locator("#year-on-year").inner_text()
    context.close()


def test_axe_finds_no_critical_or_serious_and_a_phone_never_scrolls_sideways(server, browser):
    from axe_playwright_python.sync_playwright import Axe

    base, _ = server
    axe = Axe()
    pages = [
        "/?lang=ru",
        "/c/nizhny-novgorod.yaml?lang=ru",
        "/c/nizhny-novgorod.yaml?lang=en&set=direction_export%3D4",
        "/kb?lang=en",
        "/compare?old=nizhny-novgorod.yaml&new=nizhny-novgorod-2014.yaml&lang=ru",
    ]
    for width, height in [(1366, 900), (390, 844)]:
        context = browser.new_context(viewport={"width": width, "height": height})
        page = context.new_page()
        page.goto(f"{base}/?token={TOKEN}&lang=ru")
        for path in pages:
            page.goto(base + path)
            bad = [
                (v["id"], v["impact"], len(v["nodes"]))
                for v in axe.run(page).response["violations"]
                if v["impact"] in ("critical", "serious")
            ]
            assert not bad, (width, path, bad)
            wide = page.evaluate("document.documentElement.scrollWidth")
            assert wide <= width, (width, path, wide)
            # chart text as drawn: at least 9 px high (it was 5.9 px), every chart titled
            smallest = page.evaluate(SMALLEST_CHART_TEXT)
            assert smallest is None or smallest >= 9, (width, path, smallest)
            titled = page.evaluate(CHARTS_TITLED)
            assert titled, (width, path)
        context.close()


def test_uploads_in_cyrillic_and_a_russian_error(server, browser, tmp_path):
    base, folder = server
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.goto(f"{base}/?token={TOKEN}&lang=ru")
    good = tmp_path / "Кластер.yaml"
    good.write_bytes((EXAMPLES / "nascent-cluster.yaml").read_bytes())
    page.set_input_files("#upload-file", str(good))
    page.click("#upload button[type=submit]")
    page.wait_for_selector("#cluster-name")
    assert (folder / "Кластер.yaml").read_bytes() == good.read_bytes()
    page.goto(f"{base}/?lang=ru")
    bad = tmp_path / "Плохой.yaml"
    text = (EXAMPLES / "nascent-cluster.yaml").read_text(encoding="utf-8")
    bad.write_text(text.replace("direction_export: ", "direction_export: много # ", 1), "utf-8")
    page.set_input_files("#upload-file", str(bad))
    page.click("#upload button[type=submit]")
    error = page.locator("#upload-result .problems")
    error.wait_for()
    said = error.inner_text()
    assert re.match(r"Плохой\.yaml:\d+:\d+: direction_export: ", said), said  # located
    assert "ожидается число" in said and "expected" not in said, said  # in the page's language
    assert not (folder / "Плохой.yaml").exists()
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


# the portfolio table's box and the page: nothing scrolls sideways
NO_SIDEWAYS = """(sel) => {
  const t = document.querySelector(sel);
  const box = t.closest('.table-scroll') || t.parentElement;
  return [document.documentElement.scrollWidth, t.getBoundingClientRect().right,
          box.scrollWidth, box.clientWidth];
}"""
# each row's value of the nth column (data-v), in the order shown
COLUMN = """(n) => [...document.querySelectorAll('#portfolio tbody tr')].map(r =>
  r.cells[n].hasAttribute('data-v') ? parseFloat(r.cells[n].getAttribute('data-v')) : null)"""


def test_the_batch_summary_fits_1366_px_and_sorts_by_keyboard(browser, tmp_path):
    """Issue 24 item 3: the batch summary overflowed at 1,400 px and could not be sorted."""
    out = tmp_path / "out"
    done = subprocess.run(
        [sys.executable, "-c", "import cli; cli.main()", "batch", str(EXAMPLES / "corpus")]
        + ["-o", str(out), "--lang", "ru", "--format", "html"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    context = browser.new_context(viewport={"width": 1366, "height": 900})
    page = context.new_page()
    page.goto((out / "summary.html").as_uri())
    wide, right, box, shown = page.evaluate(NO_SIDEWAYS, "table#portfolio")
    assert wide <= 1366 and right <= 1366 and box <= shown, (wide, right, box, shown)
    # every cluster without an index is a labelled empty bar, not a gap
    missing = page.locator("svg.chart-svg rect.bar-missing").count()
    assert missing == sum(1 for v in page.evaluate(COLUMN, 3) if v is None) > 0
    # the index heading, reached with the keyboard: Enter sorts up, Enter again down
    index_head = page.locator("#portfolio thead th").nth(3)
    assert index_head.get_attribute("aria-sort") == "none"
    index_head.locator("button").focus()
    page.keyboard.press("Enter")
    assert index_head.get_attribute("aria-sort") == "ascending"
    up = page.evaluate(COLUMN, 3)
    known = [v for v in up if v is not None]
    assert known == sorted(known) and all(v is None for v in up[len(known) :])  # no data: last
    page.keyboard.press("Enter")
    assert index_head.get_attribute("aria-sort") == "descending"
    down = page.evaluate(COLUMN, 3)
    assert [v for v in down if v is not None] == sorted(known, reverse=True)
    assert page.locator("#portfolio thead th[aria-sort='ascending']").count() == 0
    context.close()


def test_the_workspace_portfolio_fits_1366_px_and_marks_the_weakest_bar(server, browser):
    base, _ = server
    context = browser.new_context(viewport={"width": 1366, "height": 900})
    page = context.new_page()
    page.goto(f"{base}/?token={TOKEN}&lang=ru")
    wide, right, box, shown = page.evaluate(NO_SIDEWAYS, "#portfolio table.portfolio")
    assert wide <= 1366 and box <= shown, (wide, right, box, shown)
    # the weakest cluster's bar is drawn, in its own colour; a cluster without an index (the
    # nascent example, and whatever other tests of this module uploaded) has an empty one
    chart = page.locator("#portfolio svg.chart-svg")
    assert chart.locator("rect.bar[fill='#a4461b']").count() == 1
    no_index = page.locator("#portfolio td[data-col='index'] .missing").count()
    assert chart.locator("rect.bar-missing").count() == no_index >= 1
    page.click("#portfolio th a.sort:has-text('Год оценки')")
    assert page.locator("#portfolio th[aria-sort='descending']").count() == 1
    context.close()
