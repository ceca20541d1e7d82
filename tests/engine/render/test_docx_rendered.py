"""The Russian client program of the worked example as LibreOffice prints it: the parts a client
receives are on the pages, no table row splits across pages and no word breaks inside a cell.

Slow (one LibreOffice conversion); skipped without LibreOffice and poppler, failed under
CLUSTER_INTL_REQUIRE_TOOLS=1 (CI installs them with .ci/install-tools)."""

from __future__ import annotations

import io
import re
import subprocess
import zipfile
from collections import Counter
from typing import Any

import pytest
from docx import Document

from engine.api import program_view
from engine.render.docx import render_docx
from tests.conftest import require_tool, soffice_convert

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
URL = re.compile(r"https?://\S+")
WORD = re.compile(r"[^\W\d_]+")  # letters only: a hyphen or a dash is a legitimate line break


@pytest.fixture(scope="module")
def ru_view(nn_result, knowledge) -> dict[str, Any]:
    return program_view(nn_result, knowledge, "ru")


@pytest.fixture(scope="module")
def ru_docx(ru_view) -> bytes:
    return render_docx(ru_view)


@pytest.fixture(scope="module")
def pages(ru_docx, tmp_path_factory) -> list[str]:
    """The PDF's pages as `pdftotext -layout` prints them."""
    pdftotext = require_tool("pdftotext")
    tmp = tmp_path_factory.mktemp("rendered")
    src = tmp / "nizhny-novgorod.ru.docx"
    src.write_bytes(ru_docx)
    pdf = soffice_convert(src, "pdf", tmp)
    text = subprocess.run(
        [pdftotext, "-layout", "-enc", "UTF-8", str(pdf), "-"],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    ).stdout
    out = text.split("\f")
    if out and not out[-1].strip():
        out.pop()
    print(f"\nnizhny-novgorod.ru.docx (client) as LibreOffice prints it: {len(out)} pages")
    return out


def _docx_texts(data: bytes) -> list[str]:
    """Every paragraph of the body, tables and headers included, as Word holds it."""
    doc = Document(io.BytesIO(data))
    texts = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        for row in table.rows:
            seen: set[int] = set()
            for cell in row.cells:  # a merged cell is listed once per grid column
                if id(cell._tc) not in seen:
                    seen.add(id(cell._tc))
                    texts += [p.text for p in cell.paragraphs]
    for section in doc.sections:
        texts += [p.text for p in section.header.paragraphs]
    return texts


@pytest.mark.slow
def test_the_word_file_is_in_russian_with_a_toc_field_and_unsplittable_rows(ru_docx):
    with zipfile.ZipFile(io.BytesIO(ru_docx)) as z:
        styles = z.read("word/styles.xml").decode()
        body = z.read("word/document.xml").decode()
    langs = set(re.findall(r'<w:lang [^>]*w:val="([^"]+)"', styles + body))
    assert langs == {"ru-RU"}, langs
    assert 'TOC \\o "1-2"' in body
    doc = Document(io.BytesIO(ru_docx))
    rows = [r for t in doc.tables for r in t.rows]
    assert rows and all(r._tr.xpath("./w:trPr/w:cantSplit") for r in rows)


@pytest.mark.slow
def test_the_printed_program_has_its_parts(pages, ru_view):
    assert 15 <= len(pages) <= 40
    first = pages[0]
    assert "УТВЕРЖДЕНА решением Совета кластера" in first
    assert "Программа интернационализации" in first
    whole = "\n".join(pages)
    assert "Содержание" in pages[1]
    passport = next(p for p in pages if "Паспорт программы" in p and "Сроки реализации" in p)
    assert re.search(r"Сроки реализации\s+2014–2016", passport)
    assert "Период реализации" in first and "2014–2016" in first
    assert "План мероприятий" in whole
    # the targets by year: a header with every year of the period
    assert re.search(r"2014\s+2015\s+2016", whole)


@pytest.mark.slow
def test_every_plan_row_is_numbered_and_whole_on_one_page(pages, ru_view, nn_result):
    plan = ru_view["plan"]
    assert len(plan) == len(nn_result.recommendations)
    assert [r["no"] for r in plan] == list(range(1, len(plan) + 1))
    for row in plan:
        words = WORD.findall(row["title"])
        start = re.compile(rf"^\s*{row['no']}\s+{re.escape(words[0])}\b", re.M)
        where = [i for i, page in enumerate(pages) if start.search(page)]
        assert where, f"plan row {row['no']} ({row['title']}) not found as a numbered row"
        page = Counter(WORD.findall(pages[where[-1]]))
        cells = [row["title"], row["responsible"], row["co_executors"], row["funding"]]
        cells += [row["result"], row["start"], row["end"]]
        needed = Counter(w for c in cells for w in WORD.findall(_flat(c)))
        missing = needed - page
        assert not missing, (
            f"plan row {row['no']} ({row['title']}) continues on another page: "
            f"{sorted(missing)} not on page {where[-1] + 1}"
        )


@pytest.mark.slow
def test_no_word_is_broken_inside_a_cell(pages, ru_docx):
    """A word that does not fit its column is broken by LibreOffice without a hyphen
    ("предприяти|й"): it then prints fewer times than the document holds it."""
    # a web address of the bibliography may wrap anywhere (it has no word breaks of its own)
    texts = [URL.sub(" ", text) for text in _docx_texts(ru_docx)]
    expected = Counter(w for text in texts for w in WORD.findall(text))
    printed = Counter(w for page in pages for w in WORD.findall(page))
    broken = sorted(w for w, n in expected.items() if len(w) > 3 and printed[w] < n)
    assert not broken, f"words broken across lines: {broken}"


def _flat(value: Any) -> str:
    return " ".join(value) if isinstance(value, list) else str(value or "")
