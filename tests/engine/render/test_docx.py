"""engine/docx.py: the Word program (structure, template styles, deterministic bytes) and a
LibreOffice conversion of it to PDF, looked at as an image."""

from __future__ import annotations

import io
import subprocess
import zipfile
from pathlib import Path

import pytest
from docx import Document
from docx.shared import Pt

from engine.errors import InputError
from engine.program.model import build_program
from engine.render.docx import REQUIRED_STYLES, _clean, render_docx
from engine.resources import default_template
from tests.conftest import require_tool, soffice_convert


@pytest.fixture(scope="module")
def nn_docx(nn_result, knowledge) -> bytes:
    return render_docx(build_program(nn_result, knowledge, "en"))


@pytest.fixture(scope="module")
def doc(nn_docx):
    return Document(io.BytesIO(nn_docx))


def test_sections_use_real_heading_styles(doc):
    heads = {(p.style.name, p.text) for p in doc.paragraphs if p.style.name.startswith("Heading")}
    names = {text for _, text in heads}
    for expected in (
        "1. Current state of international links",
        "5. Measures by direction",
        "7. Target indicators (KPIs)",
        "Appendix. Why these recommendations",
    ):
        assert expected in names
    assert ("Heading 1", "5. Measures by direction") in heads
    assert any(style == "Heading 3" for style, _ in heads)  # each measure
    assert doc.paragraphs[0].style.name == "Title"


def test_measures_are_a_table_with_kpis_baselines_and_targets(doc, nn_result):
    headers = [[c.text for c in t.rows[0].cells] for t in doc.tables]
    plan = next(
        t
        for t, h in zip(doc.tables, headers, strict=False)
        if h[:4] == ["Measure", "Actor", "Direction", "Timeframe"]
    )
    assert [c.text for c in plan.rows[0].cells][4:6] == ["KPIs", "Baseline"]
    titles = {c.text for row in plan.rows[1:] for c in row.cells[:1]}
    assert "Establish a partnership with a large foreign cluster" in titles
    # one row per KPI: the trade-mission KPI of the NN program (baseline 0, target 2)
    rows = [[c.text for c in r.cells] for r in plan.rows]
    mission = next(r for r in rows if r[4].startswith("Trade and business missions abroad"))
    assert mission[5:] == ["0", "2"]
    assert plan.rows[0]._tr.xpath("./w:trPr/w:tblHeader")  # header repeats on each page


def test_charts_are_embedded_as_images(doc, nn_docx):
    assert len(doc.inline_shapes) == 4
    with zipfile.ZipFile(io.BytesIO(nn_docx)) as z:
        media = [n for n in z.namelist() if n.startswith("word/media/")]
    assert len(media) == 4 and all(n.endswith(".png") for n in media)
    captions = [p.text for p in doc.paragraphs if p.style.name == "Caption"]
    assert "Partial indicators, %" in captions


def test_footer_has_a_page_number_field(doc):
    xml = doc.sections[0].footer._element.xml
    assert "PAGE" in xml and "w:instrText" in xml


def test_plan_of_measures_is_on_a_landscape_section(doc):
    from docx.enum.section import WD_ORIENT

    orientations = [s.orientation for s in doc.sections]
    assert WD_ORIENT.LANDSCAPE in orientations and orientations[0] == WD_ORIENT.PORTRAIT
    assert orientations[-1] == WD_ORIENT.PORTRAIT


def test_same_input_gives_identical_bytes(nn_result, knowledge, nn_docx):
    again = render_docx(build_program(nn_result, knowledge, "en"))
    assert again == nn_docx
    with zipfile.ZipFile(io.BytesIO(nn_docx)) as z:
        assert {i.date_time for i in z.infolist()} == {(1980, 1, 1, 0, 0, 0)}
        core = z.read("docProps/core.xml").decode()
    assert "2000-01-01T00:00:00Z" in core


def test_russian_document_is_in_russian(nn_result, knowledge):
    d = Document(io.BytesIO(render_docx(build_program(nn_result, knowledge, "ru"))))
    assert any(p.text == "5. Мероприятия по направлениям" for p in d.paragraphs)
    assert d.core_properties.language == "ru"


def test_styles_come_from_the_template(tmp_path, nn_result, knowledge):
    custom = Document(str(default_template()))
    custom.styles["Heading 1"].font.size = Pt(31)
    custom.sections[0].header.paragraphs[0].text = "ACME Consulting letterhead"
    path = tmp_path / "acme.docx"
    custom.save(str(path))
    d = Document(io.BytesIO(render_docx(build_program(nn_result, knowledge, "en"), path)))
    assert d.styles["Heading 1"].font.size == Pt(31)
    assert "ACME Consulting letterhead" in d.sections[0].header.paragraphs[0].text


def test_a_template_without_the_styles_is_refused_naming_them(tmp_path, nn_result, knowledge):
    path = tmp_path / "plain.docx"
    Document().save(str(path))  # python-docx's default: no CI styles
    with pytest.raises(InputError) as exc:
        render_docx(build_program(nn_result, knowledge, "en"), path)
    text = str(exc.value)
    assert "'CI Note'" in text and "plain.docx" in text


def test_a_file_that_is_not_a_docx_is_refused(tmp_path, nn_result, knowledge):
    path = tmp_path / "x.docx"
    path.write_text("not a zip")
    with pytest.raises(InputError, match=r"not a Word \.docx template"):
        render_docx(build_program(nn_result, knowledge, "en"), path)


def test_the_committed_template_has_every_required_style():
    names = {s.name for s in Document(str(default_template())).styles}
    assert set(REQUIRED_STYLES) <= names


def test_template_script_rebuilds_the_committed_template_byte_for_byte(tmp_path):
    import importlib.util

    script = Path(default_template()).parent / "make_docx_template.py"
    spec = importlib.util.spec_from_file_location("make_docx_template", script)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    out = tmp_path / "program.docx"
    module.main(out)
    assert out.read_bytes() == default_template().read_bytes()


def test_control_characters_never_reach_the_xml():
    assert _clean("a\x07b\x0bc\td") == "abc\td"


@pytest.mark.slow
def test_libreoffice_converts_it_to_a_pdf_with_a_visible_first_page(tmp_path, nn_docx):
    pdftoppm = require_tool("pdftoppm")
    pdfinfo = require_tool("pdfinfo")
    src = tmp_path / "program.docx"
    src.write_bytes(nn_docx)
    pdf = soffice_convert(src, "pdf", tmp_path)
    assert pdf.read_bytes().startswith(b"%PDF")
    out = subprocess.run([pdfinfo, str(pdf)], capture_output=True, text=True, check=True).stdout
    pages = int(next(line.split()[-1] for line in out.splitlines() if line.startswith("Pages:")))
    assert pages >= 5
    subprocess.run(
        [pdftoppm, "-png", "-r", "40", "-f", "1", "-l", "1", str(pdf), str(tmp_path / "page")],
        check=True,
        timeout=120,
    )
    png = next(tmp_path.glob("page*.png"))
    from PIL import Image, ImageStat

    img = Image.open(png).convert("L")
    stat = ImageStat.Stat(img)
    assert stat.var[0] > 100, "page 1 is blank"
    dark = sum(img.histogram()[:128])
    assert dark > 500  # title, text and the meta table are drawn


def test_appendix_lists_recommendations_considered_but_not_made(doc, nn_result, knowledge):
    view = build_program(nn_result, knowledge, "en")
    assert view["not_made"]
    texts = [p.text for p in doc.paragraphs]
    assert "Appendix. Recommendations considered but not made" in texts
    first = view["not_made"][0]
    assert any(t.startswith(f"{first['title']} ({first['id']})") for t in texts)
