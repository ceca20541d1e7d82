"""engine/render/docx.py: the Word program (structure, template styles, deterministic bytes) and
a LibreOffice conversion of it to PDF, looked at as an image."""

from __future__ import annotations

import io
import itertools
import re
import subprocess
import zipfile
from pathlib import Path

import pytest
from docx import Document
from docx.shared import Pt

from engine.api import program_view
from engine.errors import InputError
from engine.render.docx import render_docx
from engine.render.docx_setup import REQUIRED_STYLES, xml_text
from engine.resources import default_template
from tests.conftest import EXAMPLES, require_tool, soffice_convert


@pytest.fixture(scope="module")
def nn_docx(nn_result, knowledge) -> bytes:
    return render_docx(program_view(nn_result, knowledge, "en"))


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
        "Program passport",
        "Executive summary",
        "6. Action plan",
        "9. Risks",
        "Annex A. How the program was prepared",
    ):
        assert expected in names
    assert ("Heading 1", "5. Measures by direction") in heads
    assert any(style == "Heading 3" for style, _ in heads)  # each measure
    assert any(p.style.name == "Title" for p in doc.paragraphs[:8])
    # levels are never skipped: a heading is at most one level below the previous one
    levels = [
        int(p.style.name.split()[-1]) for p in doc.paragraphs if p.style.name.startswith("Heading")
    ]
    assert levels[0] == 1
    assert all(b <= a + 1 for a, b in itertools.pairwise(levels))


def test_action_plan_has_one_numbered_row_per_measure(doc, nn_result):
    headers = [[c.text for c in t.rows[0].cells] for t in doc.tables]
    plan = next(
        t
        for t, h in zip(doc.tables, headers, strict=False)
        if h[:3] == ["No.", "Measure", "Responsible"]
    )
    assert [c.text for c in plan.rows[0].cells][3:] == [
        "Co-executors",
        "Dates",
        "Amount, thousand RUB",
        "Resources and funding",
        "Expected result",
    ]
    rows = [[c.text for c in r.cells] for r in plan.rows[1:]]
    # every measure, the organizational changes included, once, numbered 1..N
    assert len(rows) == len(nn_result.recommendations)
    assert [r[0] for r in rows] == [str(i) for i in range(1, len(rows) + 1)]
    titles = [r[1] for r in rows]
    assert "Establish a partnership with a large foreign cluster" in titles
    assert "Create a working group on international activity within the Cluster Council" in titles
    # calendar quarters of the program period (assessment 2013, horizon 3: 2014-2016)
    assert rows[0][4].startswith("QI 2014") and all("2014" <= r[4][-4:] <= "2016" for r in rows)
    # funding from the Russian support instruments, never another country's
    funding = " ".join(r[6] for r in rows)
    assert "Russian Export Center" in funding and "Belarus" not in funding and "Damu" not in funding
    mission = next(r for r in rows if r[1].startswith("Promote the cluster's exports"))
    # its amount by year and its deliverable (the KPI targets stay in the KPI table)
    assert mission[5].startswith("Total: ") and "2016: " in mission[5] and "estimate" in mission[5]
    assert "business missions organized" in mission[7] and "2016" not in mission[7]
    assert plan.rows[0]._tr.xpath("./w:trPr/w:tblHeader")  # header repeats on each page
    # no row splits across pages; fixed column widths
    assert all(r._tr.xpath("./w:trPr/w:cantSplit") for t in doc.tables for r in t.rows)
    assert all(t._tbl.xpath("./w:tblPr/w:tblLayout[@w:type='fixed']") for t in doc.tables)


def test_kpis_have_a_value_for_every_year_of_the_period(doc):
    kpi = next(
        t for t in doc.tables if [c.text for c in t.rows[0].cells][3:6] == ["2014", "2015", "2016"]
    )
    # the first cell is the KPI's name with the rule of its targets in brackets
    rows = {r.cells[0].text.split(" (")[0]: [c.text for c in r.cells] for r in kpi.rows[1:]}
    mission = rows["Trade and business missions abroad"]
    assert mission[2:6] == ["0", "1", "1", "2"]


def test_title_page_toc_and_passport(doc):
    texts = [p.text for p in doc.paragraphs]
    assert texts[0].startswith("APPROVED by decision of the Cluster Council")
    body = doc.element.body.xml
    assert 'TOC \\o "1-2"' in body  # a real table-of-contents field
    passport = next(t for t in doc.tables if t.rows[0].cells[0].text == "Name")
    labels = [r.cells[0].text for r in passport.rows]
    assert labels == [
        "Name",
        "Basis",
        "Goal",
        "Tasks",
        "Period",
        "Executors",
        "Funding sources",
        "Funding (total, by year and by source)",
        "Expected results",
    ]
    assert passport.rows[4].cells[1].text == "2014–2016"


def test_tables_and_figures_are_numbered_with_captions(doc):
    captions = [p.text for p in doc.paragraphs if p.style.name == "Caption"]
    tables = [c for c in captions if c.startswith("Table ")]
    figures = [c for c in captions if c.startswith("Figure ")]
    assert tables[0].startswith("Table 1 — ") and figures[0].startswith("Figure 1 — ")
    assert [int(c.split()[1]) for c in tables] == list(range(1, len(tables) + 1))


@pytest.mark.slow  # the default suite stays under 90 s; CI runs the slow ones
def test_charts_are_embedded_as_images(doc, nn_docx):
    # one chart or one table per block: the geography chart; the score blocks are tables
    assert len(doc.inline_shapes) == 1
    with zipfile.ZipFile(io.BytesIO(nn_docx)) as z:
        media = [n for n in z.namelist() if n.startswith("word/media/")]
    assert len(media) == 1 and all(n.endswith(".png") for n in media)
    captions = [p.text for p in doc.paragraphs if p.style.name == "Caption"]
    assert any(c.startswith("Figure 1 — ") for c in captions)


def test_footer_has_a_page_number_field(doc):
    xml = doc.sections[0].footer._element.xml
    assert "PAGE" in xml and "w:instrText" in xml


def test_plan_of_measures_is_on_a_landscape_section(doc):
    from docx.enum.section import WD_ORIENT

    orientations = [s.orientation for s in doc.sections]
    assert WD_ORIENT.LANDSCAPE in orientations and orientations[0] == WD_ORIENT.PORTRAIT
    assert orientations[-1] == WD_ORIENT.PORTRAIT


def test_same_input_gives_identical_bytes(nn_result, knowledge, nn_docx):
    again = render_docx(program_view(nn_result, knowledge, "en"))
    assert again == nn_docx
    with zipfile.ZipFile(io.BytesIO(nn_docx)) as z:
        assert {i.date_time for i in z.infolist()} == {(1980, 1, 1, 0, 0, 0)}
        core = z.read("docProps/core.xml").decode()
    assert "2013-12-01T12:00:00Z" in core  # from the assessment year, never the tool's epoch
    d = Document(io.BytesIO(nn_docx))
    assert d.core_properties.author != "cluster-intl"
    assert d.core_properties.title.startswith("Cluster internationalization program: ")


def test_russian_document_is_in_russian(nn_result, knowledge):
    d = Document(io.BytesIO(render_docx(program_view(nn_result, knowledge, "ru"))))
    assert any(p.text == "5. Мероприятия по направлениям" for p in d.paragraphs)
    assert d.core_properties.language == "ru-RU"
    defaults = d.styles.element.xpath("./w:docDefaults/w:rPrDefault/w:rPr/w:lang")
    assert (
        defaults
        and defaults[0].get("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}val")
        == "ru-RU"
    )
    assert all(s.text.strip() != "cluster-intl" for s in d.sections[0].header.paragraphs)


def test_styles_come_from_the_template(tmp_path, nn_result, knowledge):
    custom = Document(str(default_template()))
    custom.styles["Heading 1"].font.size = Pt(31)
    custom.sections[0].header.paragraphs[0].text = "ACME Consulting letterhead"
    path = tmp_path / "acme.docx"
    custom.save(str(path))
    d = Document(io.BytesIO(render_docx(program_view(nn_result, knowledge, "en"), path)))
    assert d.styles["Heading 1"].font.size == Pt(31)
    assert "ACME Consulting letterhead" in d.sections[0].header.paragraphs[0].text


def test_a_template_without_the_styles_is_refused_naming_them(tmp_path, nn_result, knowledge):
    path = tmp_path / "plain.docx"
    Document().save(str(path))  # python-docx's default: no CI styles
    with pytest.raises(InputError) as exc:
        render_docx(program_view(nn_result, knowledge, "en"), path)
    text = str(exc.value)
    assert "'CI Note'" in text and "plain.docx" in text


def test_a_file_that_is_not_a_docx_is_refused(tmp_path, nn_result, knowledge):
    path = tmp_path / "x.docx"
    path.write_text("not a zip")
    with pytest.raises(InputError, match=r"not a Word \.docx template"):
        render_docx(program_view(nn_result, knowledge, "en"), path)


def template_with(tmp_path: Path, name: str, **page: float) -> Path:
    """The default template with its page size or margins (cm) changed in every section."""
    from docx.shared import Cm

    custom = Document(str(default_template()))
    for section in custom.sections:
        for attr, cm in page.items():
            setattr(section, attr, Cm(cm))
    path = tmp_path / name
    custom.save(str(path))
    return path


@pytest.mark.parametrize(
    "page, message",
    [
        (
            {"left_margin": 12, "right_margin": 12},
            "the margins (left 12.0 cm, right 12.0 cm) leave -3.0 cm for the text on a page "
            "21.0 cm wide",
        ),
        (
            {"page_width": 25, "page_height": 8, "left_margin": 2, "right_margin": 2},
            "the margins (left 2.0 cm, right 2.0 cm) leave 4.0 cm for the text on a page 8.0 cm "
            "wide, once turned for the landscape plan of measures",
        ),
    ],
)
def test_a_template_narrower_than_its_margins_is_refused_not_a_traceback(
    cli, tmp_path, page, message
):
    path = template_with(tmp_path, "narrow.docx", **page)
    out = tmp_path / "p.docx"
    code, stdout, stderr = cli(
        "draft", EXAMPLES / "nizhny-novgorod.yaml", "--template", path, "-o", out
    )
    assert code == 2 and stdout == "" and "Traceback" not in stderr
    (line,) = stderr.splitlines()
    assert line.endswith(
        f"narrow.docx: section 1: w:pgSz, w:pgMar: {message}; the program needs at least 5.0 cm: "
        "narrow the margins in Word (Layout, Margins)"
    ), line
    assert not out.exists()


def test_a_template_page_without_its_width_is_refused(tmp_path, nn_result, knowledge):
    path = template_with(tmp_path, "t.docx")
    with zipfile.ZipFile(path) as z:
        xml = z.read("word/document.xml")
    xml = re.sub(rb'(<w:pgSz[^>]*?) w:w="\d+"', rb"\1", xml)
    with zipfile.ZipFile(path) as z, zipfile.ZipFile(tmp_path / "nowidth.docx", "w") as out:
        for item in z.infolist():
            out.writestr(item, xml if item.filename == "word/document.xml" else z.read(item))
    with pytest.raises(InputError, match=r"nowidth\.docx: section 1: w:pgSz, w:pgMar: the page "):
        render_docx(program_view(nn_result, knowledge, "en"), tmp_path / "nowidth.docx")


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
    assert xml_text("a\x07b\x0bc\td") == "abc\td"


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
    view = program_view(nn_result, knowledge, "en", "consultant")
    assert view["not_made"]
    cons = Document(io.BytesIO(render_docx(view)))
    texts = [p.text for p in cons.paragraphs]
    assert "Annex C. Measures considered but not proposed" in texts
    assert "Annex C. Measures considered but not proposed" not in [p.text for p in doc.paragraphs]
    first = view["not_made"][0]
    assert any(t.startswith(f"{first['title']} ({first['id']})") for t in texts)
