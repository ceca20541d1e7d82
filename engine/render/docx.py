"""Pipeline step 8b: render the program view model to a Word document (bytes).

Styles, page setup, header and footer come from a template (`templates/program.docx`, built by
`templates/make_docx_template.py`, or an organization's own letterhead); its body is replaced by the
program: real heading styles, the plan of measures as tables, the charts as PNG images, page
numbers in the footer (a PAGE field, added when the template's footer has none). The bytes are
deterministic: fixed core properties and a zip written with fixed timestamps, so the same input
gives the same file.
"""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

from engine.errors import InputError, Problem, printable
from engine.files.office import check_container, read_office_file
from engine.files.stable_zip import FIXED_TIME, stable_zip
from engine.resources import default_template, display_path

REQUIRED_STYLES = (
    "Normal",
    "Title",
    "Subtitle",
    "Heading 1",
    "Heading 2",
    "Heading 3",
    "Caption",
    "List Bullet",
    "List Number",
    "Table Grid",
    "CI Note",
    "CI Meta",
    "CI Table Text",
    "CI Figure",
)
CHART_WIDTH_CM = 16.0
_XML_BAD = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _clean(text: Any) -> str:
    """Text safe for WordprocessingML (XML 1.0 forbids most control characters)."""
    return _XML_BAD.sub("", "" if text is None else str(text))


def add_page_field(paragraph: Any, instr: str) -> None:
    """A complex field (begin, instrText, separate, result, end); Word and LibreOffice update it."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    def run_with(child: Any) -> None:
        r = OxmlElement("w:r")
        r.append(child)
        paragraph._p.append(r)

    begin = OxmlElement("w:fldChar")
    begin.set(qn("w:fldCharType"), "begin")
    run_with(begin)
    text = OxmlElement("w:instrText")
    text.set(qn("xml:space"), "preserve")
    text.text = f" {instr} "
    run_with(text)
    sep = OxmlElement("w:fldChar")
    sep.set(qn("w:fldCharType"), "separate")
    run_with(sep)
    result = OxmlElement("w:t")
    result.text = "1"
    run_with(result)
    end = OxmlElement("w:fldChar")
    end.set(qn("w:fldCharType"), "end")
    run_with(end)


MAX_TEMPLATE_BYTES = 20 * 1024 * 1024
MAX_TEMPLATE_UNPACKED = 100 * 1024 * 1024  # a 400 MB part is refused before it is read
_R_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_HYPERLINK = f"{_R_NS}/hyperlink"


def open_template(template: Path | None) -> Any:
    """Load the template; check it has every style the renderer uses (all missing ones listed),
    a page setup, and no macros; drop every external relationship but hyperlinks."""
    from docx import Document

    path = template or default_template()
    name = printable(display_path(path) if template is not None else str(path))
    data = read_office_file(path, name, kind="Word template", max_bytes=MAX_TEMPLATE_BYTES)
    check_container(
        data,
        name,
        not_a_zip="not a Word .docx template (save it from Word as .docx)",
        max_unpacked=MAX_TEMPLATE_UNPACKED,
        max_part=MAX_TEMPLATE_UNPACKED,
        code_message="the template contains macros or embedded objects; save it as a plain "
        ".docx without them",
    )
    try:
        doc = Document(io.BytesIO(data))
    except Exception as exc:  # python-docx raises assorted errors for a file that is not a .docx
        raise InputError(
            [Problem(file=name, message=f"not a Word .docx template ({type(exc).__name__}: {exc})")]
        ) from None
    names = {s.name for s in doc.styles}
    problems = [
        Problem(
            file=name,
            path="styles",
            message=f"the template has no style {s!r}; add it in Word "
            "(or start from templates/program.docx)",
        )
        for s in REQUIRED_STYLES
        if s not in names
    ]
    problems += _page_setup_problems(doc, name)
    if problems:
        raise InputError(problems)
    _drop_external_relationships(doc)
    return doc


def _page_setup_problems(doc: Any, name: str) -> list[Problem]:
    """The renderer reads every section's page size and margins: each must be there."""
    from docx.oxml.ns import qn

    body = doc.element.body
    sections = body.findall(".//" + qn("w:sectPr"))
    if not sections:
        return [
            Problem(
                file=name,
                path="w:sectPr",
                message="the template has no page setup (section properties); "
                "set the page size and margins in Word",
            )
        ]
    out = []
    for i, sect in enumerate(sections, start=1):
        for child, what in (("w:pgSz", "page size"), ("w:pgMar", "page margins")):
            if sect.find(qn(child)) is None:
                out.append(
                    Problem(
                        file=name,
                        path=f"section {i}: {child}",
                        message=f"the section has no {what}; set it in Word (Layout, Page Setup)",
                    )
                )
    return out


def _drop_external_relationships(doc: Any) -> None:
    """Remove every relationship to a target outside the file (an attached template on a server,
    a linked picture or frame: each fetched when the program is opened, a known phishing and
    credential-leak vector) and the elements that refer to it. Hyperlinks stay: they are only
    followed when the reader clicks them."""
    for part in doc.part.package.iter_parts():
        dropped = [
            r_id
            for r_id, rel in list(part.rels.items())
            if rel.is_external and rel.reltype != _HYPERLINK
        ]
        if not dropped:
            continue
        element = getattr(part, "_element", None)
        for r_id in dropped:
            del part.rels[r_id]
        if element is None:
            continue
        for el in list(element.iter()):
            if any(k.startswith(f"{{{_R_NS}}}") and v in dropped for k, v in el.attrib.items()):
                parent = el.getparent()
                if parent is not None:
                    parent.remove(el)


def render_docx(view: dict[str, Any], template: Path | None = None) -> bytes:
    from engine.text.strings import strings

    doc = open_template(template)
    _clear_body(doc)
    _ensure_page_numbers(doc)
    writer = _Writer(doc, view, strings()[view["lang"]])
    writer.program()
    props = doc.core_properties
    props.title = _clean(f"{writer.t['title']}: {view['cluster']['name']}")[:250]
    props.subject = _clean(view["cluster"]["region"])[:250]
    props.author = props.last_modified_by = "cluster-intl"
    props.comments = _clean(view["generator"])
    props.created = props.modified = FIXED_TIME
    props.last_printed = FIXED_TIME
    props.revision = 1
    props.language = view["lang"]
    buf = io.BytesIO()
    doc.save(buf)
    return stable_zip(buf.getvalue())


def _clear_body(doc: Any) -> None:
    from docx.oxml.ns import qn

    body = doc.element.body
    for child in list(body):
        if child.tag != qn("w:sectPr"):
            body.remove(child)


def _ensure_page_numbers(doc: Any) -> None:
    for section in doc.sections:
        footer = section.footer
        xml = "".join(p._p.xml for p in footer.paragraphs)
        if footer.is_linked_to_previous and section is not doc.sections[0]:
            continue
        if "PAGE" in xml and ("instrText" in xml or "fldSimple" in xml):
            continue
        from docx.enum.text import WD_ALIGN_PARAGRAPH

        p = footer.add_paragraph()
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        add_page_field(p, "PAGE")


class _Writer:
    """Writes the program into the document body, section by section (as program.md.j2)."""

    def __init__(self, doc: Any, view: dict[str, Any], t: dict[str, str]) -> None:
        self.doc, self.p, self.t = doc, view, t
        self.lang = view["lang"]
        # python-docx looks a style name up by scanning every style on each assignment; the
        # ids are resolved once here and set directly (a tenfold speed-up on a long program)
        self.style_ids = {name: doc.styles[name].style_id for name in REQUIRED_STYLES}

    # --- primitives -----------------------------------------------------------------------

    def styled(self, paragraph: Any, style: str | None) -> Any:
        if style is not None:
            paragraph._p.style = self.style_ids[style]
        return paragraph

    def heading(self, text: str, level: int) -> None:
        self.para(text, style=f"Heading {level}")

    def para(self, text: str = "", style: str | None = None, bold_prefix: str = "") -> Any:
        p = self.styled(self.doc.add_paragraph(), style)
        if bold_prefix:
            p.add_run(_clean(bold_prefix)).bold = True
        if text:
            p.add_run(_clean(text))
        return p

    def bullets(self, items: list[str], style: str = "List Bullet") -> None:
        for item in items:
            self.para(item, style=style)

    def table(
        self,
        headers: list[str] | None,
        rows: list[list[Any]],
        widths: list[float],
        numeric: tuple[int, ...] = (),
        merge: tuple[int, ...] = (),
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
        table = self.doc.add_table(rows=len(all_rows), cols=len(widths))
        table.style = self.doc.styles["Table Grid"]
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        table.autofit = False
        section = self.doc.sections[-1]
        usable = (section.page_width - section.left_margin - section.right_margin) / 360000
        widths = [w / sum(widths) * usable for w in widths]  # in cm
        for i, w in enumerate(widths):
            table.columns[i].width = Cm(w)
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
                    run = par.add_run(_clean(line))
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
        from docx.shared import Cm

        from engine.program.charts import png

        chart = self.p["charts"][key]
        if chart["empty"]:
            self.para(f"{chart['title']}: {chart['no_data']}", style="CI Note")
            return
        self.doc.add_picture(io.BytesIO(png(chart)), width=Cm(CHART_WIDTH_CM))
        self.styled(self.doc.paragraphs[-1], "CI Figure")
        self.para(chart["title"], style="Caption")

    # --- sections ---------------------------------------------------------------------------

    def program(self) -> None:
        t, p = self.t, self.p
        self.para(f"{t['title']}: {p['cluster']['name']}", style="Title")
        self.para(t["draft_note"], style="Subtitle")
        c = p["cluster"]
        self.table(
            None,
            [
                [t["region"], c["region"]],
                [t["year"], "—" if c["year"] is None else str(c["year"])],
                [t["specialization"], ", ".join(c["specialization"])],
                [t["horizon"], str(c["horizon"])],
            ],
            [5.5, 11.5],
        )
        if p["gate"]["closed"]:
            self.gate()
        self.current()
        self.swot()
        self.prospects()
        self.heading(t["s_org"], 1)
        if not p["org_changes"]:
            self.para(f"{t['none']}.")
        for r in p["org_changes"]:
            self.recommendation(r)
        self.measures()
        self.actors()
        self.kpis()
        self.tail()

    def gate(self) -> None:
        t, g = self.t, self.p["gate"]
        self.heading(t["gate_heading"], 1)
        self.para(g["text"])
        self.para(f"{t['gate_reasons']}:")
        self.bullets(g["reasons"])
        self.para(f"{t['postponed']}:")
        self.bullets([f"{x['title']} ({x['id']})" for x in g["postponed"]])

    def current(self) -> None:
        t, cur = self.t, self.p["current"]
        self.heading(t["s_current"], 1)
        self.heading(t["self_assessment"], 2)
        sa = cur["self_assessment"]
        if sa["level"] is not None:
            p = self.para(bold_prefix=f"{t['level']} {sa['level']} — {sa['label']}")
            p.add_run(_clean(f" ({t['band']}: {sa['band']}). {sa['description']}"))
            if sa["proposal"]:
                p.add_run(_clean(f" ({t['proposal_mark']})")).italic = True
        else:
            self.para("—")
        idx = cur["index"]
        self.heading(t["index_heading"], 2)
        p = self.para(f"{t['index_value']}: ")
        p.add_run(_clean(f"{idx['value']} %")).bold = True
        p.add_run(_clean(f" — {idx['band']}. {t['coverage']}: {idx['coverage']} / {idx['of']}."))
        if idx["reported"] != "—":
            p.add_run(_clean(f" {t['reported']}: {idx['reported']} %."))
        self.para(idx["note"], style="CI Note")
        self.chart("partials")
        self.table(
            [t["indicator"], t["cluster"], t["region_col"], t["weight"]],
            [[r["label"], r["value"], r["region"], r["weight"]] for r in cur["partials"]],
            [10.0, 2.4, 2.4, 2.2],
            numeric=(1, 2, 3),
        )
        rat = cur["ratio"]
        self.heading(t["ratio_heading"], 2)
        p = self.para(f"{t['ratio_value']}: ")
        p.add_run(_clean(rat["value"])).bold = True
        p.add_run(
            _clean(
                f" — {rat['band']}. {t['cluster_matched']}: {rat['cluster_matched']}; "
                f"{t['region_index']}: {rat['region_index']}."
            )
        )
        self.para(rat["text"])
        mod = cur["model"]
        self.heading(t["model_heading"], 2)
        helices = "; ".join(f"{h['label']} {h['value']}" for h in mod["helices"])
        p = self.para(bold_prefix=mod["label"])
        p.add_run(_clean(f" ({helices})."))
        self.para(mod["note"], style="CI Note")
        for key, heading in (
            ("actors", t["actors_heading"]),
            ("directions", t["directions_heading"]),
        ):
            self.heading(heading, 2)
            self.chart(key)
            self.table(
                [t["indicator"], t["value"], t["benchmark"], t["difference"]],
                [[r["label"], r["value"], r["benchmark"], r["diff"]] for r in cur[key]],
                [9.5, 2.4, 2.7, 2.4],
                numeric=(1, 2, 3),
            )
        self.heading(t["geography_heading"], 2)
        self.chart("geography")
        self.table(
            [t["indicator"], t["value"]],
            [[r["label"], r["value"]] for r in cur["geography"]],
            [12.0, 5.0],
            numeric=(1,),
        )

    def swot(self) -> None:
        t = self.t
        self.heading(t["s_swot"], 1)
        for key in ("strengths", "weaknesses", "opportunities", "threats"):
            self.heading(t[key], 2)
            items = []
            for item in self.p["swot"][key]:
                text = item["text"]
                if item["origin"] == "assessment":
                    text += f" ({t['from_assessment']})"
                elif item["why"]:
                    text += " — " + "; ".join(item["why"])
                items.append(text)
            self.bullets(items or [t["none"]])

    def prospects(self) -> None:
        t, pr = self.t, self.p["prospects"]
        self.heading(t["s_prospects"], 1)
        for text in (pr["band"], pr["model"], pr["ratio"]):
            if text:
                self.para(text)
        if pr["target_markets"]:
            self.para(f"{t['target_markets']}: {', '.join(pr['target_markets'])}.")
        self.para(f"{t['available_geographies']}: {', '.join(pr['geographies'])}.")
        if pr["partners"]:
            self.para(f"{t['partner_candidates']}:")
            self.bullets([self._partner(c) for c in pr["partners"]])

    def _partner(self, c: dict[str, Any]) -> str:
        text = c["name"]
        if c["country"]:
            text += f" ({c['country']}{', ' + c['region'] if c['region'] else ''})"
        if c["reasons"]:
            text += " — " + "; ".join(c["reasons"])
        return text

    def recommendation(self, r: dict[str, Any]) -> None:
        t = self.t
        self.heading(r["title"], 3)
        self.para(r["text"])
        self.para(
            f"{t['actor']}: {r['actor']} · {t['priority']}: {r['priority']} · "
            f"{t['timeframe']}: {r['timeframe']}",
            style="CI Meta",
        )
        if r["kpis"]:
            self.para(f"{t['kpi']}: {'; '.join(r['kpis'])}", style="CI Meta")
        p = self.para(r["rationale"], bold_prefix=f"{t['rationale']}: ")
        if r["proposal"]:
            p.add_run(_clean(f" ({t['our_proposal']})")).italic = True
        for w in r["why"]:
            self.para(f"{w['text']} ({w['rule']})", style="CI Note", bold_prefix=f"{t['why']}: ")
        if r["partners"]:
            self.para(f"{t['partner_candidates']}:")
            self.bullets(
                [
                    self._partner(c) + (f": {c['facts']}" if c["facts"] else "")
                    for c in r["partners"]
                ]
            )
        if r["platforms"]:
            self.para(f"{t['platforms_to_join']}:")
            self.bullets([f"{pl['name']}: {pl['description']}" for pl in r["platforms"]])

    def measures(self) -> None:
        """The plan of measures on landscape pages (one row per KPI), then each measure in full."""
        t, p = self.t, self.p
        kpis = {k["id"]: k for k in p["kpis"]}
        rows: list[list[Any]] = []
        for d in p["by_direction"]:
            for r in d["measures"]:
                ks = [kpis[x] for x in r["kpi_ids"] if x in kpis]
                head = [r["title"], r["actor"], d["label"], r["timeframe"]]
                if not ks:
                    rows.append(head + ["—", "—", "—"])
                for i, k in enumerate(ks):
                    rows.append(
                        (head if i == 0 else [None] * 4)
                        + [f"{k['label']}, {k['unit']}", k["baseline"], k["target"]]
                    )
        self._orientation(landscape=bool(rows))
        self.heading(t["s_measures"], 1)
        if rows:
            self.table(
                [
                    t["measure"],
                    t["actor"],
                    t["direction"],
                    t["timeframe"],
                    t["kpi"],
                    t["baseline"],
                    f"{t['target']} ({t['target_in']})",
                ],
                rows,
                [5.6, 3.9, 3.7, 2.5, 5.8, 1.8, 2.4],
                numeric=(5, 6),
                merge=(0, 1, 2, 3),
            )
            self._orientation(landscape=False)
        for d in p["by_direction"]:
            self.heading(d["label"], 2)
            if not d["measures"]:
                self.para(t["no_measures"], style="CI Note")
            for r in d["measures"]:
                self.recommendation(r)

    def _orientation(self, landscape: bool) -> None:
        """Start a new section (on a new page) in the given orientation, unless already so."""
        from docx.enum.section import WD_ORIENT, WD_SECTION

        current = self.doc.sections[-1]
        if (current.orientation == WD_ORIENT.LANDSCAPE) == landscape:
            return
        section = self.doc.add_section(WD_SECTION.NEW_PAGE)
        width, height = current.page_width, current.page_height
        section.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
        section.page_width, section.page_height = height, width

    def actors(self) -> None:
        t = self.t
        self.heading(t["s_actors"], 1)
        rows = [
            [a["label"] if i == 0 else "", r["title"], r["timeframe"]]
            for a in self.p["by_actor"]
            for i, r in enumerate(a["measures"])
        ]
        if rows:
            self.table([t["actor"], t["measure"], t["timeframe"]], rows, [4.0, 9.5, 3.5])

    def kpis(self) -> None:
        t = self.t
        self.heading(t["s_kpis"], 1)
        rows = [
            [k["label"], k["direction"], k["unit"], k["baseline"], k["target"]]
            for k in self.p["kpis"]
        ]
        if rows:
            self.table(
                [
                    t["indicator"],
                    t["direction"],
                    t["unit"],
                    t["baseline"],
                    f"{t['target']} ({t['target_in']})",
                ],
                rows,
                [6.0, 3.4, 2.2, 2.4, 3.0],
                numeric=(3, 4),
            )

    def tail(self) -> None:
        t, p = self.t, self.p
        self.heading(t["s_monitoring"], 1)
        self.para(p["monitoring"]["text"])
        self.para(f"{t['stages']}:")
        self.bullets(p["monitoring"]["stages"], style="List Number")
        g = p["data_gaps"]
        self.heading(t["s_gaps"], 1)
        self.para(
            f"{t['blank_share']}: {g['count']} / {g['of']} ({g['share']} %). "
            f"{t['confidence']}: {t['conf_' + g['level']]}. {g['text']}"
        )
        self.bullets([f"{x['label']}: {', '.join(x['labels'])}" for x in g["groups"]])
        self.heading(t["s_method"], 1)
        self.bullets(p["method_notes"])
        self.heading(t["s_why"], 1)
        for r in p["recommendations"]:
            self.heading(f"{r['title']} ({r['id']})", 2)
            self.bullets(
                [f"{w['text']} — {t['rule']} {w['rule']} ({w['where']})" for w in r["why"]]
            )
            if r["sources"]:
                self.para(
                    "; ".join(
                        s["citation"] + (f", {s['section']}" if s["section"] else "")
                        for s in r["sources"]
                    ),
                    style="CI Meta",
                    bold_prefix=f"{t['sources']}: ",
                )
        if p.get("not_made"):
            self.heading(t["s_not_made"], 1)
            self.para(t["s_not_made_intro"])
            self.bullets(
                [
                    f"{x['title']} ({x['id']}): {x['reason']}"
                    + (f" — {t['rule']} {x['rule']} ({x['where']})" if x.get("rule") else "")
                    for x in p["not_made"]
                ]
            )
        self.heading(t["s_sources"], 1)
        self.bullets(
            [
                f"{s['id']} — {s['citation']}" + (f", {s['section']}" if s["section"] else "")
                for s in p["sources"]
            ]
        )
        self.para(f"{t['generated_by']}: {p['generator']}", style="CI Meta")
