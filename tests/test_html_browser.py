"""The HTML program in a real browser: headless Chromium screenshots the page and prints it, and the
charts (inline SVG, no script, no external resource) must actually be drawn."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from engine import api
from engine.program.charts import COLORS
from tests.conftest import EXAMPLES, require_tool


def chromium(tmp: Path, *args: str) -> subprocess.CompletedProcess:
    exe = require_tool("chromium", "chromium-browser", "google-chrome")
    cmd = [
        exe,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--hide-scrollbars",
        f"--user-data-dir={tmp / 'chromium-profile'}",
        *args,
    ]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=180)


@pytest.fixture(scope="module")
def page(tmp_path_factory, knowledge, session) -> Path:
    tmp = tmp_path_factory.mktemp("html")
    html = api.draft(
        api.evaluate(EXAMPLES / "nizhny-novgorod.yaml", session), knowledge, "html", "ru"
    )
    path = tmp / "program.html"
    path.write_text(html, encoding="utf-8")
    return path


def test_the_page_holds_four_inline_svg_charts_and_nothing_external(page):
    html = page.read_text("utf-8")
    assert html.count("<svg ") == 4 and html.count('<figure class="chart"') == 4
    assert len(re.findall(r'<rect class="bar"', html)) > 40
    assert "<script" not in html
    assert not re.search(r'(src|href)="(https?:)?//', html)
    assert "@media print" in html and "@page" in html


def _rgb(hex_colour: str) -> tuple[int, int, int]:
    return tuple(int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))  # type: ignore[return-value]


@pytest.mark.slow
def test_chromium_draws_the_charts(page, tmp_path):
    shot = tmp_path / "page.png"
    # tall enough for the diagnosis whatever the summary above it holds (this round's
    # reconciliation and reported index pushed the geography chart past 3,000 px)
    run = chromium(
        tmp_path, f"--screenshot={shot}", "--window-size=1200,6000", page.resolve().as_uri()
    )
    assert shot.exists(), run.stderr[-2000:]
    from PIL import Image, ImageStat

    img = Image.open(shot).convert("RGB")
    assert img.size == (1200, 6000)
    assert sum(ImageStat.Stat(img.convert("L")).var) > 100  # not a uniform page
    counts = {colour: n for n, colour in img.getcolors(maxcolors=4_000_000)}
    # solid bar fills in the exact series colours: the SVG was parsed and painted
    cluster = counts.get(_rgb(COLORS["cluster"]), 0)
    assert cluster > 3000, f"only {cluster} pixels of the cluster bars"
    # one chart or one table per block: the client page keeps the geography chart (the cluster's
    # own bars); scores against the survey means and the region are tables there
    # the area the bars span holds more than the bars: labels, values, grid
    box = colour_box(img, _rgb(COLORS["cluster"]))
    assert box is not None
    assert len(img.crop(box).getcolors(maxcolors=1_000_000) or []) > 5


def colour_box(img, colour: tuple[int, int, int]):
    """The bounding box of the pixels of exactly one colour, or None."""
    from PIL import ImageChops

    masks = [
        band.point(lambda v, c=c: 255 if v == c else 0)
        for band, c in zip(img.split(), colour, strict=False)
    ]
    return ImageChops.multiply(ImageChops.multiply(masks[0], masks[1]), masks[2]).getbbox()


@pytest.mark.slow
def test_chromium_prints_the_page_to_pdf(page, tmp_path):
    pdf = tmp_path / "page.pdf"
    run = chromium(
        tmp_path, f"--print-to-pdf={pdf}", "--no-pdf-header-footer", page.resolve().as_uri()
    )
    assert pdf.exists(), run.stderr[-2000:]
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF")
    pdfinfo = require_tool("pdfinfo")
    out = subprocess.run([pdfinfo, str(pdf)], capture_output=True, text=True, check=True).stdout
    assert "A4" in out or "595" in out  # the @page size of the print stylesheet
    assert int(re.search(r"Pages:\s+(\d+)", out).group(1)) >= 5
