"""The reader of a filled questionnaire workbook, the spreadsheet twin of the YAML reader.

A filled workbook is read cell by cell (never evaluated: formulas and macros are refused) and
validated with the same `check_value` as YAML; every problem names the sheet and cell
(`nn.xlsx: Assessment!G12: 7 is out of scale; allowed 0..4`). openpyxl is imported only here, when
a workbook is read.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from engine.assessment.formats import FormatNotice, unknown_hint, unknown_suggestion
from engine.assessment.validate import Assessment, check_value
from engine.assessment.workbook_earlier import map_earlier_rows
from engine.errors import (
    Flaw,
    InputError,
    Problem,
    capped,
    kind_of,
    printable,
)
from engine.files.characters import bad_character, char_name
from engine.files.office import check_container, damaged, read_office_file
from engine.knowledge.models import Indicator, Knowledge
from engine.resources import display_path
from engine.text.strings import strings

HEADER_KEYS = ("id", "group", "question", "allowed", "unit", "help", "answer")
ID_HEADER = "id"  # A1 of every questionnaire sheet, in every language
MAX_WORKBOOK_BYTES = 20 * 1024 * 1024
MAX_UNPACKED_BYTES = 200 * 1024 * 1024  # a zip bomb is refused before openpyxl unpacks it
MAX_ROWS = 1000  # a questionnaire has one row per indicator; rows past this are refused
MAX_COLS = 26  # the questionnaire's columns (A:G), with room for a few of the client's own
EMPTY_LIST = {"-", "—", "–", "[]", "none", "нет"}
TRUE_WORDS = {"true", "yes", "y", "да", "д", "истина", "1"}
FALSE_WORDS = {"false", "no", "n", "нет", "н", "ложь", "0"}
TICK_WORDS = {"x", "х", "✓", "✔", "v", "+"}  # a ticked option row, besides the yes words
OPTION_SEP = "."  # column A of an option row of a list answer: `<indicator>.<code>`
_LIST_SPLIT = re.compile(r"[;\n]")
_NUMBERED = re.compile(r"^([+-]?\d+)\s*[—–-]\s*(.+)$", re.S)
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
    a = only.assessment
    return Assessment(source=name, values=a.values, positions=a.positions, notices=a.notices)


def read_workbook_sheets(
    path: Path, knowledge: Knowledge, name: str | None = None
) -> list[SheetResult]:
    """Every visible questionnaire sheet of a workbook (A1 = `id`), each validated on its own.

    Problems of the file as a whole (not a workbook, macros, no questionnaire sheet) raise; a
    sheet that cannot be read is that sheet's problem. Only the questionnaire's range is read
    (MAX_ROWS x MAX_COLS): a sheet that declares A1:XFD50002 is never padded to it."""
    import io

    from openpyxl import load_workbook

    name = name or display_path(path)
    data = read_office_file(path, name, kind="file", max_bytes=MAX_WORKBOOK_BYTES)
    check_container(
        data,
        name,
        not_a_zip="not an .xlsx workbook (save it as an Excel workbook, .xlsx)",
        max_unpacked=MAX_UNPACKED_BYTES,
        max_part=MAX_UNPACKED_BYTES,
        code_message="the workbook contains macros or embedded objects (VBA, Excel 4 macro "
        "sheets, OLE, ActiveX or a custom ribbon); they are never run: save it as a plain .xlsx "
        "without them",
    )
    try:
        wb = load_workbook(
            io.BytesIO(data), read_only=True, data_only=False, keep_vba=False, keep_links=False
        )
    except Exception as exc:  # openpyxl raises assorted errors for damaged files
        raise InputError(
            [Problem(file=name, message=f"cannot read the workbook: {damaged(exc)}")]
        ) from None
    try:
        out = []
        for ws in wb.worksheets:
            if getattr(ws, "sheet_state", "visible") != "visible":
                continue  # hidden and very hidden sheets are not the client's answers
            try:
                # the sheet's XML is parsed lazily, here: a damaged sheet is this sheet's problem
                rows = list(ws.iter_rows(min_row=1, max_row=MAX_ROWS + 1, max_col=MAX_COLS))
                if not rows or not rows[0] or not _is_id_header(rows[0][0].value):
                    continue
                out.append(_read_sheet(ws.title, rows, name, knowledge))
            except Exception as exc:
                problem = Problem(
                    file=name,
                    path=printable(ws.title),
                    message=f"cannot read the sheet: {damaged(exc)}",
                )
                out.append(SheetResult(ws.title, None, [problem]))
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
                    code="no-questionnaire-sheet",
                )
            ]
        )
    return out


def _is_id_header(value: Any) -> bool:
    return isinstance(value, str) and value.strip().lower() == ID_HEADER


def _answer_column(header: tuple[Any, ...]) -> int:

    names = {strings()[lang]["q_col_answer"].strip().lower() for lang in ("ru", "en")}
    for i, cell in enumerate(header):
        if isinstance(cell.value, str) and cell.value.strip().lower() in names:
            return i
    return HEADER_KEYS.index("answer")


def _read_sheet(sheet: str, rows: list[tuple[Any, ...]], file: str, k: Knowledge) -> SheetResult:
    """One questionnaire sheet read and validated: its assessment, or every problem found in it."""
    from openpyxl.utils import get_column_letter

    ans_i = _answer_column(rows[0])
    reader = _SheetReader(
        sheet=sheet,
        file=file,
        k=k,
        ans_i=ans_i,
        letter=get_column_letter(ans_i + 1),
        values={i.id: None for i in k.indicators.indicators},
    )
    if len(rows) > MAX_ROWS and any(c.value not in (None, "") for c in rows[MAX_ROWS]):
        reader.problem(
            "A",
            MAX_ROWS + 1,
            f"the questionnaire has more than {MAX_ROWS} rows; "
            "remove the rows that are not indicators",
        )
    for r_i, row in enumerate(rows[1:MAX_ROWS], start=2):
        reader.read_row(r_i, row)
    map_earlier_rows(reader)
    reader.merge_options()
    reader.check_required()
    if reader.problems:
        return SheetResult(sheet, None, capped(reader.problems))
    assessment = Assessment(
        source=f"{file} [{sheet}]",
        values=reader.values,
        positions=reader.positions,
        notices=tuple(reader.notices),
    )
    return SheetResult(sheet, assessment, [])


@dataclass
class _SheetReader:
    """The state of one sheet as its rows are read: the answers so far, the row each indicator
    came from, the ticks of list options, and the problems found."""

    sheet: str
    file: str
    k: Knowledge
    ans_i: int  # the answer column's index
    letter: str  # the answer column's letter
    values: dict[str, Any]
    positions: dict[str, tuple[int, int]] = field(default_factory=dict)
    seen: dict[str, int] = field(default_factory=dict)
    options: dict[str, list[tuple[str, bool]]] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    earlier: dict[str, tuple[int, Any]] = field(default_factory=dict)  # rows of an earlier format
    notices: list[FormatNotice] = field(default_factory=list)

    def problem(self, col: str, row: int, message: str, hint: str = "") -> None:
        """Record a problem of the cell at `col`, `row` of this sheet."""
        self.problems.append(
            Problem(
                file=self.file,
                path=f"{self.sheet}!{col}{row}",
                message=message,
                hint=hint,
                **kind_of(message),
            )
        )

    def read_row(self, r_i: int, row: tuple[Any, ...]) -> None:
        """Read one row: an indicator's answer, one option of a list answer, or nothing."""
        id_cell = row[0] if row else None
        if id_cell is None or id_cell.value is None or str(id_cell.value).strip() == "":
            return
        if _is_error(id_cell):
            self.problem(
                "A",
                r_i,
                Flaw(
                    f"the cell holds the error value {id_cell.value}; type the indicator id",
                    "cell-error-value",
                    got=id_cell.value,
                ),
            )
            return
        if _is_formula(id_cell):
            self.problem(
                "A", r_i, Flaw("formulas are not read; type the indicator id", "cell-formula")
            )
            return
        ind_id = str(id_cell.value).strip()
        option = _option_row(ind_id, self.k) if ind_id not in self.k.indicator else None
        if option is not None:
            self._read_option(r_i, self._answer_cell(row), option)
        elif self.k.formats.change(ind_id) is not None:
            self.earlier[ind_id] = (r_i, self._answer_cell(row))
        elif ind_id not in self.k.indicator:
            self.problem(
                "A",
                r_i,
                Flaw(
                    f"unknown indicator {ind_id!r}",
                    "unknown-indicator",
                    id=ind_id,
                    suggestion=unknown_suggestion(ind_id, self.k, list(self.values)),
                ),
                hint=unknown_hint(ind_id, self.k, list(self.values)),
            )
        elif ind_id in self.seen:
            self.problem(
                "A",
                r_i,
                Flaw(
                    f"indicator {ind_id!r} appears twice (first on row {self.seen[ind_id]})",
                    "duplicate-row",
                    id=ind_id,
                    row=self.seen[ind_id],
                ),
            )
        else:
            self.seen[ind_id] = r_i
            self.positions[ind_id] = (r_i, self.ans_i + 1)
            self._read_answer(r_i, self._answer_cell(row), self.k.indicator[ind_id])

    def _answer_cell(self, row: tuple[Any, ...]) -> Any:
        return row[self.ans_i] if self.ans_i < len(row) else None

    def _read_option(self, r_i: int, cell: Any, option: tuple[str, str]) -> None:
        """One option of a list answer, ticked yes or no (blank adds nothing)."""
        if cell is None or cell.value is None or str(cell.value).strip() == "":
            return
        mark = None if _is_formula(cell) else _ticked(cell.value)
        if mark is None:
            self.problem(
                self.letter,
                r_i,
                f"answer yes or no for option {option[1]!r} of {option[0]!r}, not {cell.value!r}",
            )
            return
        self.options.setdefault(option[0], []).append((option[1], mark))

    def _read_answer(self, r_i: int, cell: Any, ind: Indicator) -> None:
        """An indicator's answer cell, validated like a YAML value (blank stays None)."""
        value, err = self.answer(cell, ind)
        if err:
            self.problem(self.letter, r_i, err)
        elif value is not None:
            self.values[ind.id] = value

    def answer(self, cell: Any, ind: Indicator) -> tuple[Any, str | None]:
        """An answer cell read as `ind`'s value: (value or None when blank, error or None)."""
        if cell is None or cell.value is None:
            return None, None
        raw, err = _cell_answer(cell, ind, self.k)
        if err is None and raw is not None:
            return check_value(ind, raw, self.k)
        return None, err

    def _at(self, ind_id: str) -> str:
        """Where messages about an indicator point: its answer cell, or the sheet without one."""
        if ind_id in self.seen:
            return f"{self.sheet}!{self.letter}{self.seen[ind_id]}"
        return self.sheet

    def merge_options(self) -> None:
        """Fold the ticked option rows into the list answers, validated again."""
        for ind_id, merged in _merge_options(self.values, self.options).items():
            value, err = check_value(self.k.indicator[ind_id], merged, self.k)
            if err:
                self.problems.append(
                    Problem(file=self.file, path=self._at(ind_id), message=err, **kind_of(err))
                )
            else:
                self.values[ind_id] = value

    def check_required(self) -> None:
        """Report every required indicator left without an answer (one whose answer was refused
        is reported once, for that answer, as in a YAML assessment)."""
        refused = {p.path for p in self.problems}
        for ind in self.k.indicators.indicators:
            if not ind.required or self.values[ind.id] not in (None, ""):
                continue
            if ind.id not in self.seen or self._at(ind.id) not in refused:
                self.problems.append(
                    Problem(
                        file=self.file,
                        path=self._at(ind.id),
                        message=f"missing required indicator {ind.id!r}",
                        code="missing-required",
                        params=(("id", ind.id),),
                    )
                )


def _cell_answer(cell: Any, ind: Indicator, k: Knowledge) -> tuple[Any, str | None]:
    """An answer cell as (plain value or None for blank, error or None), before check_value."""
    answer = _boolean_constant(cell)  # Calc saves a typed TRUE/FALSE as =TRUE()/=FALSE()
    if answer is None and _is_formula(cell):
        return None, Flaw("formulas are not evaluated; type the value itself", "cell-formula")
    if _is_error(cell):
        return None, Flaw(
            f"the cell holds the error value {cell.value}; type the value itself",
            "cell-error-value",
            got=cell.value,
        )
    raw = _from_cell(cell.value if answer is None else answer, ind, k)
    texts = [raw] if isinstance(raw, str) else raw if isinstance(raw, list) else []
    bad = next((b for b in map(bad_character, texts) if b is not None), None)
    if bad is not None:  # openpyxl decodes _x001B_ escapes: same rule as YAML text
        return (
            None,
            f"character U+{ord(bad):04X} ({char_name(bad)}) is not allowed in text; remove it",
        )
    if isinstance(raw, float) and not math.isfinite(raw):
        return None, "not a finite number"
    return raw, None


_BOOLEAN_FORMULAS = {"=TRUE()": True, "=FALSE()": False, "=TRUE": True, "=FALSE": False}


def _boolean_constant(cell: Any) -> bool | None:
    """The value of a cell whose 'formula' is only the constant TRUE or FALSE, else None.

    Nothing is evaluated: the text must be one of four exact spellings of a constant."""
    value = cell.value
    if getattr(cell, "data_type", None) == "f" and isinstance(value, str):
        return _BOOLEAN_FORMULAS.get(value.replace(" ", "").upper())
    return None


def _is_error(cell: Any) -> bool:
    """An Excel error value (#REF!, #DIV/0!, #N/A...): never an answer."""
    return getattr(cell, "data_type", None) == "e"


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
    read = _FROM_CELL.get(ind.type)
    return read(value, ind, k) if read else value


def _str_from_cell(value: Any, ind: Indicator, k: Knowledge) -> Any:
    """Text: a whole number typed into a text answer reads without its `.0`."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value) if not isinstance(value, bool) else value


def _bool_from_cell(value: Any, ind: Indicator, k: Knowledge) -> Any:
    """Yes or no: a boolean, 0 or 1, or a yes/no word in Russian or English."""
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


def _number_from_cell(value: Any, ind: Indicator, k: Knowledge) -> Any:
    """A number: typed as text (spaces, decimal comma) or a dropdown entry "3 — high"."""
    t = ind.type
    if isinstance(value, str):
        numbered = _NUMBERED.match(value)  # a dropdown entry "3 — high", the number it names
        if numbered:
            value = numbered.group(1)
    if isinstance(value, str) and _NUMBER.match(value.replace(" ", "").replace("\u00a0", "")):
        text = value.replace(" ", "").replace("\u00a0", "").replace(",", ".")
        number = float(text)
        return int(number) if number.is_integer() and t != "float" else number
    if isinstance(value, float) and value.is_integer() and t != "float":
        return int(value)
    return value


def _enum_from_cell(value: Any, ind: Indicator, k: Knowledge) -> Any:
    """One of the indicator's values, typed as its id or chosen by its label in the dropdown."""
    if not isinstance(value, str):
        return value if isinstance(value, bool) else str(value)
    if value in (ind.values or []):
        return value
    for v, label in ind.value_labels.items():  # a label (the dropdown's) instead of the id
        if _norm(value) in {_norm(label.ru or ""), _norm(label.en or "")}:
            return v
    return value


def _list_from_cell(value: Any, ind: Indicator, k: Knowledge) -> Any:
    """A list typed in one cell: items split on `;` or line breaks, each a code or a label."""
    if isinstance(value, str):
        if value.lower() in EMPTY_LIST:
            return []
        items = [item.strip() for item in _LIST_SPLIT.split(value) if item.strip()]
        return [_code_of(item, ind, k) for item in items]
    if isinstance(value, bool):
        return value
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return [str(value)]


_FROM_CELL: dict[str, Callable[[Any, Indicator, Knowledge], Any]] = {
    "str": _str_from_cell,
    "bool": _bool_from_cell,
    "int": _number_from_cell,
    "float": _number_from_cell,
    "score": _number_from_cell,
    "enum": _enum_from_cell,
    "list": _list_from_cell,
}


def list_options(ind: Indicator, k: Knowledge, lang: str) -> list[tuple[str, str]]:
    """The (code, label) options of a list answer, each ticked on its own row of the workbook: the
    indicator's values, or for the specialization the sector codes of knowledge/sectors.yaml."""
    if ind.type != "list":
        return []
    if ind.values:
        return [
            (v, ind.value_labels[v].get(lang) if v in ind.value_labels else v) for v in ind.values
        ]
    if ind.id == k.sectors.indicator:
        return [(s.id, s.label.get(lang)) for s in k.sectors.sectors]
    return []


def _norm(text: str) -> str:
    """A label as compared: case, ё/е, non-breaking spaces and dashes do not matter."""
    text = text.replace("\u00a0", " ").replace("ё", "е").replace("Ё", "Е")
    text = re.sub(r"\s*[—–]\s*", " - ", text)
    return " ".join(text.split()).casefold()


def _code_of(item: str, ind: Indicator, k: Knowledge) -> str:
    """The code of an option given by its code or by its Russian or English label."""
    labels = {_norm(code): code for code, _ in list_options(ind, k, "en")}
    for lang in ("ru", "en"):
        labels.update({_norm(label): code for code, label in list_options(ind, k, lang)})
    return labels.get(_norm(item), item)


def _option_row(ind_id: str, k: Knowledge) -> tuple[str, str] | None:
    """(list indicator, option code) of an option row's id, or None."""
    parent, _, code = ind_id.partition(OPTION_SEP)
    ind = k.indicator.get(parent)
    if ind is None or not code:
        return None
    return (parent, code) if code in {c for c, _ in list_options(ind, k, "en")} else None


def _ticked(value: Any) -> bool | None:
    """An option row's answer: True (yes), False (no) or None when it is not a yes or a no."""
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)) and value in (0, 1):
        return bool(value)
    word = str(value).strip().lower()
    if word in TRUE_WORDS or word in TICK_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    return None


def _merge_options(
    values: dict[str, Any], options: dict[str, list[tuple[str, bool]]]
) -> dict[str, Any]:
    """The list answers the option rows give: the ticked codes, after any typed on the question's
    own row; options all answered 'no' give an empty list; blank option rows add nothing."""
    out: dict[str, Any] = {}
    for ind_id, marks in options.items():
        typed = values.get(ind_id)
        ticked = [code for code, yes in marks if yes]
        if typed is None and not ticked:
            out[ind_id] = []  # answered, every option 'no'
            continue
        merged = list(typed or [])
        merged += [c for c in ticked if c not in merged]
        out[ind_id] = merged
    return out
