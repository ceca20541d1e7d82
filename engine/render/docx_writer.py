"""The primitives of the Word writer: styled paragraphs and headings, bullets, numbered tables
with captions and fitted column widths, charts as PNG figures, page breaks and orientation. The
program's sections (engine/render/docx.py) are written with these."""

from __future__ import annotations

import io
from typing import Any

from engine.program.charts import png
from engine.render.docx_setup import REQUIRED_STYLES, xml_text
from engine.render.table_widths import fit_widths

CHART_WIDTH_CM = 16.0


class DocxWriter:
    """A document body being written, with the view and the UI strings of its language."""

    def __init__(self, doc: Any, view: dict[str, Any], t: dict[str, str]) -> None:
        self.doc, self.p, self.t = doc, view, t
        self.lang = view["lang"]
        # python-docx looks a style name up by scanning every style on each assignment; the
        # ids are resolved once here and set directly (a tenfold speed-up on a long program)
        self.style_ids = {name: doc.styles[name].style_id for name in REQUIRED_STYLES}
        self.cons = view.get("audience") == "consultant"
        self.tables = 0
        self.figures = 0

    def styled(self, paragraph: Any, style: str | None) -> Any:
        """Give a paragraph a style by its id resolved once (None: leave it as it is)."""
        if style is not None:
            paragraph._p.style = self.style_ids[style]
        return paragraph

    def heading(self, text: str, level: int) -> None:
        """A heading of the template's style for its level."""
        self.para(text, style=f"Heading {level}")

    def para(self, text: str = "", style: str | None = None, bold_prefix: str = "") -> Any:
        """A paragraph, optionally styled and led by a bold prefix; text is made safe for XML."""
        p = self.styled(self.doc.add_paragraph(), style)
        if bold_prefix:
            p.add_run(xml_text(bold_prefix)).bold = True
        if text:
            p.add_run(xml_text(text))
        return p

    def bullets(self, items: list[str], style: str = "List Bullet") -> None:
        """One paragraph per item in a list style."""
        for item in items:
            self.para(item, style=style)

    def table(
        self,
        headers: list[str] | None,
        rows: list[list[Any]],
        widths: list[float],
        numeric: tuple[int, ...] = (),
        merge: tuple[int, ...] = (),
        caption: str = "",
    ) -> None:
        """A 'Table Grid' table; the header row (when given) is bold and repeats on every page.

        `widths` are relative and fill the current section's text width. In the columns listed in
        `merge`, a cell whose value is None continues the cell above (vertical merge).
        """
        from docx.enum.table import WD_TABLE_ALIGNMENT
        from docx.enum.text import WD_ALIGN_PARAGRAPH
        from docx.oxml import OxmlElement
        from docx.oxml.ns import qn
        from docx.shared import Cm

        all_rows = ([headers] if headers else []) + rows
        if caption:
            self.tables += 1
            self.para(f"{self.t['table_caption']} {self.tables} — {caption}", style="Caption")
        table = self.doc.add_table(rows=len(all_rows), cols=len(widths))
        table.style = self.doc.styles["Table Grid"]
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        table.autofit = False
        section = self.doc.sections[-1]
        usable = (section.page_width - section.left_margin - section.right_margin) / 360000
        widths = [w / sum(widths) * usable for w in widths]  # in cm
        size = self.doc.styles["CI Table Text"].font.size
        widths = fit_widths(
            widths,
            all_rows,
            size.pt if size else 9.0,
            lambda r_i, c_i: (r_i == 0 and headers) or (not headers and c_i == 0),
        )
        for i, w in enumerate(widths):
            table.columns[i].width = Cm(w)
        layout = OxmlElement("w:tblLayout")
        layout.set(qn("w:type"), "fixed")
        table._tbl.tblPr.append(layout)
        for row in table.rows:  # a row never splits across pages
            cant = OxmlElement("w:cantSplit")
            cant.set(qn("w:val"), "true")
            row._tr.get_or_add_trPr().append(cant)
        if headers:
            repeat = OxmlElement("w:tblHeader")
            repeat.set(qn("w:val"), "true")
            table.rows[0]._tr.get_or_add_trPr().append(repeat)
        for r_i, values in enumerate(all_rows):
            row = table.rows[r_i]
            for c_i, value in enumerate(values):
                cell = row.cells[c_i]
                cell.width = Cm(widths[c_i])
                if value is None and c_i in merge and r_i > 0:
                    continue
                lines = value if isinstance(value, list) else [value]
                first = cell.paragraphs[0]
                for l_i, line in enumerate(lines or [""]):
                    par = self.styled(first if l_i == 0 else cell.add_paragraph(), "CI Table Text")
                    run = par.add_run(xml_text(line))
                    if (r_i == 0 and headers) or (not headers and c_i == 0):
                        run.bold = True
                    elif c_i in numeric:
                        par.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        for c_i in merge:
            top = None
            for r_i, values in enumerate(all_rows):
                if values[c_i] is None and top is not None:
                    top = top.merge(table.rows[r_i].cells[c_i])
                else:
                    top = table.rows[r_i].cells[c_i]
        self.para(style="CI Meta")  # a little space after the table

    def chart(self, key: str) -> None:
        """A chart of the view as a PNG figure with a numbered caption, or a note when it has no data."""
        self.figure(self.p["charts"][key])

    def figure(self, chart: dict[str, Any]) -> None:
        """A chart in words as a PNG figure with a numbered caption, or a note without data."""
        from docx.shared import Cm

        if chart["empty"]:
            self.para(f"{chart['title']}: {chart['no_data']}", style="CI Note")
            return
        self.doc.add_picture(io.BytesIO(png(chart)), width=Cm(CHART_WIDTH_CM))
        self.styled(self.doc.paragraphs[-1], "CI Figure")
        self.figures += 1
        self.para(f"{self.t['figure_caption']} {self.figures} — {chart['title']}", style="Caption")

    def page_break(self) -> None:
        """Continue on a new page."""
        from docx.enum.text import WD_BREAK

        self.doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)

    def orientation(self, landscape: bool) -> None:
        """Start a new section (on a new page) in the given orientation, unless already so."""
        from docx.enum.section import WD_ORIENT, WD_SECTION

        current = self.doc.sections[-1]
        if (current.orientation == WD_ORIENT.LANDSCAPE) == landscape:
            return
        section = self.doc.add_section(WD_SECTION.NEW_PAGE)
        width, height = current.page_width, current.page_height
        section.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
        section.page_width, section.page_height = height, width
