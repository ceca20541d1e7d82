"""Build templates/program.docx, the Word template of the program (run once; commit the .docx).

    uv run python templates/make_docx_template.py

The template carries only styles, page setup, header and footer; `engine/render/docx.py` replaces
its body with the program. An organization can restyle it in Word (or give its own letterhead with
`cluster-intl draft --format docx --template FILE`) as long as the styles listed in
`engine.render.docx_setup.REQUIRED_STYLES` exist. The footer holds a PAGE / NUMPAGES field.
"""

from __future__ import annotations

import datetime as dt
import io
import sys
from pathlib import Path

from docx import Document
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from engine.files.stable_zip import stable_zip  # noqa: E402 (after the sys.path line)
from engine.render.docx_setup import add_page_field  # noqa: E402

ACCENT = RGBColor(0x1F, 0x5F, 0x8B)
INK = RGBColor(0x1D, 0x27, 0x33)
MUTED = RGBColor(0x5B, 0x67, 0x75)
BODY_FONT = "Arial"  # metric-compatible Liberation Sans is used where Arial is absent


def _font(
    style,
    size: float,
    *,
    bold: bool | None = None,
    italic: bool | None = None,
    color: RGBColor | None = None,
    name: str = BODY_FONT,
) -> None:
    f = style.font
    f.name = name
    f.size = Pt(size)
    if bold is not None:
        f.bold = bold
    if italic is not None:
        f.italic = italic
    if color is not None:
        f.color.rgb = color
    # East-Asian / complex-script fonts too, so Cyrillic never falls back to a theme font
    rpr = style.element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        fonts.set(qn(attr), name)
    for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:cstheme", "w:eastAsiaTheme"):
        fonts.attrib.pop(qn(attr), None)


def _spacing(style, before: float, after: float, keep_next: bool = False) -> None:
    pf = style.paragraph_format
    pf.space_before = Pt(before)
    pf.space_after = Pt(after)
    if keep_next:
        pf.keep_with_next = True


def _paragraph_style(doc, name: str, base: str = "Normal"):
    styles = doc.styles
    try:
        return styles[name]
    except KeyError:
        style = styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
        style.base_style = styles[base]
        style.quick_style = True
        return style


def build() -> Document:
    doc = Document()
    styles = doc.styles

    normal = styles["Normal"]
    _font(normal, 10.5, color=INK)
    normal.paragraph_format.space_after = Pt(4)
    normal.paragraph_format.line_spacing = 1.12

    _font(styles["Title"], 20, bold=True, color=INK)
    _spacing(styles["Title"], 0, 8)
    _font(styles["Subtitle"], 10, italic=True, color=MUTED)
    for level, size, before in ((1, 15, 16), (2, 12.5, 12), (3, 11, 9)):
        st = styles[f"Heading {level}"]
        _font(st, size, bold=True, italic=False, color=ACCENT if level > 1 else INK)
        _spacing(st, before, 4, keep_next=True)
    _font(styles["Caption"], 9, italic=True, bold=False, color=MUTED)
    _font(styles["List Bullet"], 10.5, color=INK)
    _font(styles["List Number"], 10.5, color=INK)

    note = _paragraph_style(doc, "CI Note")
    _font(note, 9.5, italic=True, color=MUTED)
    meta = _paragraph_style(doc, "CI Meta")
    _font(meta, 9, color=MUTED)
    cell = _paragraph_style(doc, "CI Table Text")
    _font(cell, 9, color=INK)
    _spacing(cell, 0, 0)
    cell.paragraph_format.line_spacing = 1.0
    figure = _paragraph_style(doc, "CI Figure")
    figure.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    figure.paragraph_format.keep_with_next = True
    _spacing(figure, 6, 2)

    grid = styles["Table Grid"]
    _font(grid, 9, color=INK)

    section = doc.sections[0]
    section.page_width, section.page_height = Cm(21.0), Cm(29.7)  # A4
    section.left_margin = section.right_margin = Cm(2.0)
    section.top_margin, section.bottom_margin = Cm(2.0), Cm(2.0)
    section.header_distance = section.footer_distance = Cm(1.0)

    header = section.header.paragraphs[0]
    header.style = styles["Header"]
    header.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    run = header.add_run("cluster-intl")
    run.font.size = Pt(8)
    run.font.color.rgb = MUTED

    footer = section.footer.paragraphs[0]
    footer.style = styles["Footer"]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    add_page_field(footer, "PAGE")
    footer.add_run(" / ")
    add_page_field(footer, "NUMPAGES")

    props = doc.core_properties
    props.author = "cluster-intl"
    props.last_modified_by = "cluster-intl"
    props.title = "Cluster internationalization program"
    props.created = props.modified = dt.datetime(2000, 1, 1)
    props.revision = 1
    return doc


def main(out: Path = HERE / "program.docx") -> None:
    buf = io.BytesIO()
    build().save(buf)
    out.write_bytes(stable_zip(buf.getvalue()))
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
