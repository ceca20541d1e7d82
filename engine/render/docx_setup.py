"""The Word template: opened safely (size, macros, external links, page setup checked), its body
cleared, page numbers, language and header set. The program is then written into it."""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

from engine.errors import InputError, Problem, printable
from engine.files.office import check_container, damaged, read_office_file
from engine.files.stable_zip import FIXED_TIME
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


_XML_BAD = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def xml_text(text: Any) -> str:
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
            [Problem(file=name, message=f"cannot read the Word template: {damaged(exc)}")]
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
        missing = [
            Problem(
                file=name,
                path=f"section {i}: {child}",
                message=f"the section has no {what}; set it in Word (Layout, Page Setup)",
            )
            for child, what in (("w:pgSz", "page size"), ("w:pgMar", "page margins"))
            if sect.find(qn(child)) is None
        ]
        out += missing or _text_width_problems(doc, sect, i, name)
    return out


def _text_width_problems(doc: Any, sect: Any, i: int, name: str) -> list[Problem]:
    """The renderer sizes every table to the text width (the page less its left and right
    margins), upright and, for the plan of measures, turned landscape: both must be readable
    numbers and at least MIN_TEXT_WIDTH_CM wide (a margin wider than the page drew a traceback)."""
    from docx.section import Section

    section = Section(sect, doc.part)
    where = f"section {i}: w:pgSz, w:pgMar"

    def problem(message: str) -> list[Problem]:
        return [Problem(file=name, path=where, message=message)]

    try:
        read = [section.page_width, section.page_height, section.left_margin]
        read.append(section.right_margin)
    except (ValueError, TypeError):  # a value that is not a length
        return problem(
            "the page size or margins are not numbers; set them in Word (Layout, Margins)"
        )
    sizes = [v for v in read if v is not None]
    if len(sizes) < len(read):
        return problem(
            "the page size needs a width and a height, the margins a left and a right value; "
            "set them in Word (Layout, Page Setup)"
        )
    width, height, left, right = (v / _EMU_PER_CM for v in sizes)
    text = min(width, height) - left - right
    if text >= MIN_TEXT_WIDTH_CM:
        return []
    turned = ", once turned for the landscape plan of measures" if height < width else ""
    return problem(
        f"the margins (left {_cm(left)} cm, right {_cm(right)} cm) leave {_cm(text)} cm for the "
        f"text on a page {_cm(min(width, height))} cm wide{turned}; the program needs at least "
        f"{_cm(MIN_TEXT_WIDTH_CM)} cm: narrow the margins in Word (Layout, Margins)"
    )


def _cm(value: float) -> str:
    return f"{value:.1f}"


MIN_TEXT_WIDTH_CM = 5.0  # the narrowest text a table of the program stays readable in
_EMU_PER_CM = 360000


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


LANGUAGE_TAGS = {"ru": "ru-RU", "en": "en-US"}


def _document_date(year: Any) -> Any:
    """The document's date: 1 December of the assessment year (deterministic), else the fixed time."""
    import datetime as _dt

    if isinstance(year, int) and 1900 < year < 2200:
        return _dt.datetime(year, 12, 1, 12, 0, 0)
    return FIXED_TIME


def _set_language(doc: Any, tag: str) -> None:
    """The language of every run by default (docDefaults) and of the Normal style."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    styles = doc.styles.element
    defaults = styles.find(qn("w:docDefaults"))
    if defaults is None:
        defaults = OxmlElement("w:docDefaults")
        styles.insert(0, defaults)
    rpr_default = defaults.find(qn("w:rPrDefault"))
    if rpr_default is None:
        rpr_default = OxmlElement("w:rPrDefault")
        defaults.insert(0, rpr_default)
    rpr = rpr_default.find(qn("w:rPr"))
    if rpr is None:
        rpr = OxmlElement("w:rPr")
        rpr_default.append(rpr)
    for target in [rpr] + [
        st.element.get_or_add_rPr()
        for st in doc.styles
        if st.type == 1  # paragraph styles
    ]:
        lang = target.find(qn("w:lang"))
        if lang is None:
            lang = OxmlElement("w:lang")
            target.append(lang)
        lang.set(qn("w:val"), tag)
        lang.set(qn("w:eastAsia"), tag)
        lang.set(qn("w:bidi"), tag)


def _set_header(doc: Any, view: dict[str, Any]) -> None:
    """The default template's header names the tool; the client's document names the cluster."""
    names = view.get("names") or {"cluster": view["cluster"]["name"]}
    text = xml_text(names["cluster"])[:120]
    mark = (view.get("front") or {}).get("variant")
    if mark:  # a what-if variant says so on every page
        text = f"{xml_text(mark['mark'])} · {text}"
    for section in doc.sections:
        for par in section.header.paragraphs:
            if par.text.strip() == "cluster-intl":
                for i, run in enumerate(par.runs):
                    run.text = text if i == 0 else ""


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


MAX_TEMPLATE_BYTES = 20 * 1024 * 1024


MAX_TEMPLATE_UNPACKED = 100 * 1024 * 1024  # a 400 MB part is refused before it is read


_R_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


_HYPERLINK = f"{_R_NS}/hyperlink"
