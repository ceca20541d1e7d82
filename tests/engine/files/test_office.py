"""Office containers: code of every kind is refused before a library unpacks the file."""

import io
import zipfile

import pytest

from engine.errors import InputError
from engine.files.office import check_container

TYPES = (
    b'<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
    b'content-types"><Default Extension="xml" ContentType="application/xml"/>{extra}</Types>'
)
RELS = (
    b'<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
    b'relationships"><Relationship Id="rId1" Target="xl/workbook.xml" Type="http://schemas.'
    b'openxmlformats.org/officeDocument/2006/relationships/officeDocument"/>{extra}'
    b"</Relationships>"
)


def container(parts: dict[str, bytes], types: bytes = b"", rels: bytes = b"") -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("[Content_Types].xml", TYPES.replace(b"{extra}", types))
        z.writestr("_rels/.rels", RELS.replace(b"{extra}", rels))
        z.writestr("xl/workbook.xml", b"<workbook/>")
        z.writestr("xl/printerSettings/printerSettings1.bin", b"\x00")  # not code
        for name, data in parts.items():
            z.writestr(name, data)
    return buf.getvalue()


def check(data: bytes) -> None:
    check_container(
        data,
        "w.xlsx",
        not_a_zip="not a zip",
        max_unpacked=1 << 20,
        max_part=1 << 20,
        code_message="code",
    )


def refusal(data: bytes) -> str:
    with pytest.raises(InputError) as exc:
        check(data)
    (problem,) = exc.value.problems
    return problem.format()


def test_a_plain_container_passes():
    check(container({"xl/styles.xml": b"<styleSheet/>", "customXml/item1.xml": b"<x/>"}))


@pytest.mark.parametrize(
    "part",
    [
        "xl/macros/module1.bin",
        "customUI/customUI.xml",
        "customUI/customUI14.xml",
        "word/attachedToolbars.bin",
        "word/keyMapCustomizations.xml",
        "xl/vbaProjectSignature.bin",
    ],
)
def test_a_macro_or_ribbon_part_no_longer_passes(part):
    # xl/macros/*.bin and customUI drafted although macros are refused
    assert refusal(container({part: b"\x00"})) == f"w.xlsx: code ({part})"


@pytest.mark.parametrize(
    "content_type",
    [
        b"application/vnd.ms-office.vbaProject",
        b"application/vnd.ms-word.attachedToolbars",
        b"application/vnd.ms-word.keyMapCustomizations+xml",
        b"application/vnd.ms-office.activeX+xml",
    ],
)
def test_a_code_content_type_is_refused_whatever_the_part_is_called(content_type):
    types = b'<Override PartName="/xl/a.bin" ContentType="' + content_type + b'"/>'
    assert refusal(container({"xl/a.bin": b"\x00"}, types=types)) == "w.xlsx: code"


def test_a_ribbon_under_any_name_is_refused_by_its_relationship_type():
    rel = (
        b'<Relationship Id="rId9" Target="ribbon/ui.xml" Type="http://schemas.microsoft.com/'
        b'office/2006/relationships/ui/extensibility"/>'
    )
    data = container({"ribbon/ui.xml": b"<customUI/>"}, rels=rel)
    assert refusal(data) == "w.xlsx: code (_rels/.rels)"


def test_a_bomb_is_refused_before_its_relationships_are_read():
    data = container({"xl/_rels/big.xml.rels": b"<" * (2 << 20)})
    assert "unpacks to" in refusal(data)
