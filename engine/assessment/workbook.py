"""The reader of a filled questionnaire workbook, the spreadsheet twin of the YAML reader.

A filled workbook is read cell by cell (never evaluated: formulas and macros are refused) and
validated with the same `check_value` as YAML; every problem names the sheet and cell
(`nn.xlsx: Assessment!G12: 7 is out of scale; allowed 0..4`). openpyxl is imported only here, when
a workbook is read.
"""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from engine.assessment.validate import Assessment, check_value
from engine.errors import InputError, Problem, suggest
from engine.knowledge.models import Indicator, Knowledge
from engine.resources import display_path
from engine.text.strings import strings

HEADER_KEYS = ("id", "group", "question", "allowed", "unit", "help", "answer")
ID_HEADER = "id"  # A1 of every questionnaire sheet, in every language
MAX_WORKBOOK_BYTES = 20 * 1024 * 1024
MAX_UNPACKED_BYTES = 200 * 1024 * 1024  # a zip bomb is refused before openpyxl unpacks it
EMPTY_LIST = {"-", "—", "–", "[]", "none", "нет"}
TRUE_WORDS = {"true", "yes", "y", "да", "д", "истина", "1"}
FALSE_WORDS = {"false", "no", "n", "нет", "н", "ложь", "0"}
_LIST_SPLIT = re.compile(r"[;\n]")
_NUMBER = re.compile(r"^[+-]?(\d+([.,]\d*)?|[.,]\d+)([eE][+-]?\d+)?$")


@dataclass
class SheetResult:
    """One questionnaire sheet of a workbook: its assessment, or the problems found in it."""

    sheet: str
    assessment: Assessment | None
    problems: list[Problem]


def read_workbook(path: Path, knowledge: Knowledge, name: str | None = None) -> Assessment:
    """The assessment of a filled questionnaire (exactly one questionnaire sheet); `name` is what
    messages call the file (an upload's own name), by default its path."""
    name = name or display_path(path)
    sheets = read_workbook_sheets(path, knowledge, name)
    if len(sheets) > 1:
        names = ", ".join(s.sheet for s in sheets)
        raise InputError(
            [
                Problem(
                    file=name,
                    message=f"the workbook holds {len(sheets)} "
                    f"assessments (sheets {names}); draft one at a time from a "
                    "workbook with one questionnaire sheet, or use "
                    "`cluster-intl batch`",
                )
            ]
        )
    only = sheets[0]
    if only.problems or only.assessment is None:
        raise InputError(only.problems)
    return Assessment(
        source=name, values=only.assessment.values, positions=only.assessment.positions
    )


def read_workbook_sheets(
    path: Path, knowledge: Knowledge, name: str | None = None
) -> list[SheetResult]:
    """Every questionnaire sheet of a workbook (A1 = `id`), each validated on its own.

    Problems of the file as a whole (not a workbook, macros, no questionnaire sheet) raise."""
    from openpyxl import load_workbook

    name = name or display_path(path)
    _check_container(path, name)
    try:
        wb = load_workbook(
            str(path), read_only=True, data_only=False, keep_vba=False, keep_links=False
        )
    except Exception as exc:  # openpyxl raises assorted errors for damaged files
        raise InputError(
            [Problem(file=name, message=f"cannot read the workbook ({type(exc).__name__}: {exc})")]
        ) from None
    try:
        out = []
        for ws in wb.worksheets:
            rows = list(ws.iter_rows())
            if not rows or not rows[0] or not _is_id_header(rows[0][0].value):
                continue
            out.append(_read_sheet(ws.title, rows, name, knowledge))
    finally:
        wb.close()
    if not out:
        raise InputError(
            [
                Problem(
                    file=name,
                    message="no questionnaire sheet found (its cell A1 "
                    "reads 'id'); start from `cluster-intl questionnaire "
                    "--format xlsx`",
                )
            ]
        )
    return out


def _check_container(path: Path, name: str) -> None:
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise InputError([Problem(file=name, message="file not found")]) from None
    except OSError as exc:
        raise InputError([Problem(file=name, message=f"cannot read: {exc.strerror}")]) from None
    if size > MAX_WORKBOOK_BYTES:
        raise InputError(
            [
                Problem(
                    file=name,
                    message=f"workbook is too large ({size} bytes; "
                    f"the limit is {MAX_WORKBOOK_BYTES})",
                )
            ]
        )
    if not zipfile.is_zipfile(path):
        raise InputError(
            [
                Problem(
                    file=name, message="not an .xlsx workbook (save it as an Excel workbook, .xlsx)"
                )
            ]
        )
    with zipfile.ZipFile(path) as z:
        infos = z.infolist()
    if any("vbaproject" in i.filename.lower() for i in infos):
        raise InputError(
            [
                Problem(
                    file=name,
                    message="the workbook contains macros (VBA); "
                    "macros are never run: save it as a plain .xlsx without macros",
                )
            ]
        )
    if sum(i.file_size for i in infos) > MAX_UNPACKED_BYTES:
        raise InputError(
            [
                Problem(
                    file=name,
                    message="the workbook unpacks to more than "
                    f"{MAX_UNPACKED_BYTES} bytes; refusing to read it",
                )
            ]
        )


def _is_id_header(value: Any) -> bool:
    return isinstance(value, str) and value.strip().lower() == ID_HEADER


def _answer_column(header: tuple[Any, ...]) -> int:

    names = {strings()[lang]["q_col_answer"].strip().lower() for lang in ("ru", "en")}
    for i, cell in enumerate(header):
        if isinstance(cell.value, str) and cell.value.strip().lower() in names:
            return i
    return HEADER_KEYS.index("answer")


def _read_sheet(sheet: str, rows: list[tuple[Any, ...]], file: str, k: Knowledge) -> SheetResult:
    from openpyxl.utils import get_column_letter

    problems: list[Problem] = []
    ans_i = _answer_column(rows[0])
    letter = get_column_letter(ans_i + 1)
    values: dict[str, Any] = {i.id: None for i in k.indicators.indicators}
    positions: dict[str, tuple[int, int]] = {}
    seen: dict[str, int] = {}

    def where(col: str, row: int) -> str:
        return f"{sheet}!{col}{row}"

    ids = list(values)
    for r_i, row in enumerate(rows[1:], start=2):
        id_cell = row[0] if row else None
        if id_cell is None or id_cell.value is None or str(id_cell.value).strip() == "":
            continue
        if _is_formula(id_cell):
            problems.append(
                Problem(
                    file=file,
                    path=where("A", r_i),
                    message="formulas are not read; type the indicator id",
                )
            )
            continue
        ind_id = str(id_cell.value).strip()
        if ind_id not in k.indicator:
            problems.append(
                Problem(
                    file=file,
                    path=where("A", r_i),
                    message=f"unknown indicator {ind_id!r}",
                    hint=suggest(ind_id, ids),
                )
            )
            continue
        if ind_id in seen:
            problems.append(
                Problem(
                    file=file,
                    path=where("A", r_i),
                    message=f"indicator {ind_id!r} appears twice (first on row {seen[ind_id]})",
                )
            )
            continue
        seen[ind_id] = r_i
        positions[ind_id] = (r_i, ans_i + 1)
        cell = row[ans_i] if ans_i < len(row) else None
        if cell is None or cell.value is None:
            continue
        answer = _boolean_constant(cell)  # Calc saves a typed TRUE/FALSE as =TRUE()/=FALSE()
        if answer is None and _is_formula(cell):
            problems.append(
                Problem(
                    file=file,
                    path=where(letter, r_i),
                    message="formulas are not evaluated; type the value itself",
                )
            )
            continue
        ind = k.indicator[ind_id]
        raw = _from_cell(cell.value if answer is None else answer, ind, k)
        if raw is None:
            continue
        value, err = check_value(ind, raw, k)
        if err:
            problems.append(Problem(file=file, path=where(letter, r_i), message=err))
            continue
        values[ind_id] = value
    for ind in k.indicators.indicators:
        if ind.required and values[ind.id] in (None, ""):
            at = where(letter, seen[ind.id]) if ind.id in seen else sheet
            problems.append(
                Problem(file=file, path=at, message=f"missing required indicator {ind.id!r}")
            )
    if problems:
        return SheetResult(sheet, None, problems)
    return SheetResult(
        sheet, Assessment(source=f"{file} [{sheet}]", values=values, positions=positions), []
    )


_BOOLEAN_FORMULAS = {"=TRUE()": True, "=FALSE()": False, "=TRUE": True, "=FALSE": False}


def _boolean_constant(cell: Any) -> bool | None:
    """The value of a cell whose 'formula' is only the constant TRUE or FALSE, else None.

    Nothing is evaluated: the text must be one of four exact spellings of a constant."""
    value = cell.value
    if getattr(cell, "data_type", None) == "f" and isinstance(value, str):
        return _BOOLEAN_FORMULAS.get(value.replace(" ", "").upper())
    return None


def _is_formula(cell: Any) -> bool:
    if getattr(cell, "data_type", None) == "f":
        return True
    value = cell.value
    if type(value).__name__ in ("ArrayFormula", "DataTableFormula"):
        return True
    return isinstance(value, str) and value.lstrip().startswith("=")


def _from_cell(value: Any, ind: Indicator, k: Knowledge) -> Any:
    """A cell's value as the plain value YAML would give (None for blank); check_value judges it."""
    if isinstance(value, str):
        value = value.strip()
        if value == "":
            return None
    if isinstance(value, (dt.datetime, dt.date, dt.time)):
        return value.isoformat() if ind.type == "str" else str(value)
    t = ind.type
    if t == "str":
        if isinstance(value, float) and value.is_integer():
            return str(int(value))
        return str(value) if not isinstance(value, bool) else value
    if t == "bool":
        if isinstance(value, bool):
            return value
        if isinstance(value, (int, float)) and value in (0, 1):
            return bool(value)
        word = str(value).strip().lower()
        if word in TRUE_WORDS:
            return True
        if word in FALSE_WORDS:
            return False
        return str(value)
    if t in ("int", "float", "score"):
        if isinstance(value, str) and _NUMBER.match(value.replace(" ", "").replace("\u00a0", "")):
            text = value.replace(" ", "").replace("\u00a0", "").replace(",", ".")
            number = float(text)
            return int(number) if number.is_integer() and t != "float" else number
        if isinstance(value, float) and value.is_integer() and t != "float":
            return int(value)
        return value
    if t == "enum":
        if not isinstance(value, str):
            return value if isinstance(value, bool) else str(value)
        if value in (ind.values or []):
            return value
        for v, label in ind.value_labels.items():  # a label typed instead of the id
            if value.lower() in {(label.ru or "").lower(), (label.en or "").lower()}:
                return v
        return value
    if t == "list":
        if isinstance(value, str):
            if value.lower() in EMPTY_LIST:
                return []
            return [item.strip() for item in _LIST_SPLIT.split(value) if item.strip()]
        if isinstance(value, bool):
            return value
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        return [str(value)]
    return value
