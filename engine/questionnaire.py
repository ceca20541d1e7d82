"""The questionnaire: a blank assessment to fill in (XLSX or commented YAML) and the reader of a
filled workbook (pipeline step 2, the spreadsheet twin of `engine.assessment.load_assessment`).

Both blanks are generated from `knowledge/indicators.yaml`: one row (or key) per indicator with its
question, scale or allowed values, unit and help. A filled workbook is read cell by cell (never
evaluated: formulas and macros are refused) and validated with the same `check_value` as YAML; every
problem names the sheet and cell (`nn.xlsx: Assessment!G12: 7 is out of scale; allowed 0..4`).
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from engine.assessment import Assessment, check_value, suggest
from engine.errors import InputError, Problem
from engine.knowledge import Indicator, Knowledge, display_path

HEADER_KEYS = ("id", "group", "question", "allowed", "unit", "help", "answer")
ID_HEADER = "id"  # A1 of every questionnaire sheet, in every language
MAX_WORKBOOK_BYTES = 20 * 1024 * 1024
MAX_UNPACKED_BYTES = 200 * 1024 * 1024  # a zip bomb is refused before openpyxl unpacks it
EMPTY_LIST = {"-", "—", "–", "[]", "none", "нет"}
TRUE_WORDS = {"true", "yes", "y", "да", "д", "истина", "1"}
FALSE_WORDS = {"false", "no", "n", "нет", "н", "ложь", "0"}
_LIST_SPLIT = re.compile(r"[;\n]")
_NUMBER = re.compile(r"^[+-]?(\d+([.,]\d*)?|[.,]\d+)([eE][+-]?\d+)?$")


def _strings(lang: str) -> dict[str, str]:
    from engine.render import strings

    return strings()[lang]


# --- describing an indicator ---------------------------------------------------------------------


def allowed_text(ind: Indicator, k: Knowledge, lang: str, yaml: bool = False) -> str:
    """What the answer may be, in words: the scale with its anchors, the allowed values..."""
    t = _strings(lang)
    if ind.type == "bool":
        return "true / false" if yaml else t["q_bool"]
    if ind.type == "enum":
        return "\n".join(
            f"{v} — {ind.value_labels[v].get(lang)}" if v in ind.value_labels else v
            for v in ind.values or []
        )
    if ind.type == "list":
        text = t["q_list"]
        if ind.values:
            text += "\n" + "\n".join(
                f"{v} — {ind.value_labels[v].get(lang)}" if v in ind.value_labels else v
                for v in ind.values
            )
        return text
    if ind.type == "str":
        return t["q_text"]
    lo, hi = ind.min, ind.max
    lines = []
    if ind.scale and ind.scale in k.indicators.scales:
        scale = k.indicators.scales[ind.scale]
        lo, hi = scale.min, scale.max
        lines += [f"{n} — {a.get(lang)}" for n, a in sorted(scale.anchors.items())]
        if scale.no_information:
            lines.append(t["q_blank_no_info"])
    if ind.id == k.scoring.self_assessment.indicator:
        lines += [
            f"{n} — {lv.label.get(lang)}"
            for n, lv in sorted(k.scoring.self_assessment.levels.items())
        ]
    kind = t["q_whole"] if ind.type == "int" else t["q_number"]
    rng = (
        f"{_num(lo)}…{_num(hi)}"
        if lo is not None and hi is not None
        else f"≥ {_num(lo)}"
        if lo is not None
        else f"≤ {_num(hi)}"
        if hi is not None
        else ""
    )
    return "\n".join([f"{kind} {rng}".strip()] + lines)


def _num(x: float | None) -> str:
    if x is None:
        return ""
    return str(int(x)) if float(x).is_integer() else str(x)


def _choices(ind: Indicator, k: Knowledge, lang: str) -> list[str] | None:
    """The dropdown of an answer cell, or None when the answer is free."""
    if ind.type == "enum":
        return list(ind.values or [])
    if ind.type == "bool":
        t = _strings(lang)
        return [t["q_yes"], t["q_no"]]
    if ind.type in ("int", "score") and ind.scale and ind.scale in k.indicators.scales:
        scale = k.indicators.scales[ind.scale]
        if (
            float(scale.min).is_integer()
            and float(scale.max).is_integer()
            and scale.max - scale.min <= 20
        ):
            return [str(n) for n in range(int(scale.min), int(scale.max) + 1)]
    return None


def _question(ind: Indicator, lang: str) -> str:
    text = ind.question.get(lang) if ind.question else ind.label.get(lang)
    if ind.required:
        text += " " + _strings(lang)["q_required"]
    return text


# --- the blank questionnaire ----------------------------------------------------------------------


def questionnaire_yaml(k: Knowledge, lang: str) -> str:
    """Every indicator as `id:` with a blank value, its question, scale and help as comments."""
    t = _strings(lang)
    out = [f"# {line}" if line else "#" for line in t["q_yaml_intro"].splitlines()]
    group = None
    for ind in k.indicators.indicators:
        if ind.group != group:
            group = ind.group
            label = k.group[group].label.get(lang) if group in k.group else group
            out += ["", f"# === {label} " + "=" * max(3, 70 - len(label))]
        out.append("")
        out += _comment(_question(ind, lang))
        out += _comment(f"{ind.label.get(lang)}" + (f", {ind.unit.get(lang)}" if ind.unit else ""))
        out += _comment(allowed_text(ind, k, lang, yaml=True), indent_rest=True)
        if ind.help:
            out += _comment(ind.help.get(lang))
        out.append(f"{ind.id}:")
    return "\n".join(out) + "\n"


def _comment(text: str, indent_rest: bool = False) -> list[str]:
    lines = []
    for i, line in enumerate(str(text).splitlines() or [""]):
        line = line.rstrip()
        lines.append(f"# {'  ' if i and indent_rest else ''}{line}" if line else "#")
    return lines


def questionnaire_xlsx(k: Knowledge, lang: str) -> bytes:
    """One sheet, one row per indicator; dropdowns for enums, yes/no and scores (deterministic)."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.worksheet.datavalidation import DataValidation

    from engine.docx import stable_zip

    t = _strings(lang)
    wb = Workbook()
    ws = wb.active
    ws.title = t["q_sheet"]
    headers = [ID_HEADER] + [t[f"q_col_{key}"] for key in HEADER_KEYS[1:]]
    ws.append(headers)
    for cell in ws[1]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DCE6F0")
    answer_fill = PatternFill("solid", fgColor="FFF8DC")
    wrap = Alignment(wrap_text=True, vertical="top")
    lists_ws = None
    validations: dict[tuple[str, str], DataValidation] = {}

    def validation(kind: str, formula: str, **kw: Any) -> DataValidation:
        key = (kind, formula + repr(sorted(kw.items())))
        if key not in validations:
            dv = DataValidation(
                type=kind,
                formula1=formula,
                allow_blank=True,
                showErrorMessage=True,
                errorTitle=t["q_invalid_title"],
                error=t["q_invalid"],
                **kw,
            )
            validations[key] = dv
            ws.add_data_validation(dv)
        return validations[key]

    for row, ind in enumerate(k.indicators.indicators, start=2):
        group = k.group[ind.group].label.get(lang) if ind.group in k.group else ind.group
        ws.append(
            [
                ind.id,
                group,
                _question(ind, lang),
                allowed_text(ind, k, lang),
                ind.unit.get(lang) if ind.unit else "",
                ind.help.get(lang) if ind.help else "",
                None,
            ]
        )
        for cell in ws[row]:
            cell.alignment = wrap
        answer = f"G{row}"
        ws[answer].fill = answer_fill
        choices = _choices(ind, k, lang)
        if choices is not None:
            inline = '"' + ",".join(choices) + '"'
            if len(inline) <= 255:
                validation("list", inline).add(answer)
            else:  # Excel limits inline lists to 255 characters: use a hidden sheet
                if lists_ws is None:
                    lists_ws = wb.create_sheet("_lists")
                    lists_ws.sheet_state = "hidden"
                col = lists_ws.max_column + (1 if lists_ws["A1"].value is not None else 0)
                letter = lists_ws.cell(row=1, column=col).column_letter
                for i, v in enumerate(choices, start=1):
                    lists_ws.cell(row=i, column=col, value=v)
                validation("list", f"_lists!${letter}$1:${letter}${len(choices)}").add(answer)
        elif ind.type in ("int", "float"):
            lo = -1e15 if ind.min is None else ind.min
            hi = 1e15 if ind.max is None else ind.max
            kind = "whole" if ind.type == "int" else "decimal"
            validation(kind, _num(lo), operator="between", formula2=_num(hi)).add(answer)
    for col, width in zip("ABCDEFG", (30, 22, 60, 40, 14, 50, 24), strict=False):
        ws.column_dimensions[col].width = width
    ws.freeze_panes = "C2"
    ws.auto_filter.ref = f"A1:G{ws.max_row}"
    fixed = dt.datetime(2000, 1, 1)
    wb.properties.creator = wb.properties.lastModifiedBy = "cluster-intl"
    wb.properties.created = wb.properties.modified = fixed
    wb.properties.title = t["q_title"]
    buf = io.BytesIO()
    wb.save(buf)
    return stable_zip(buf.getvalue())


# --- reading a filled workbook --------------------------------------------------------------------


@dataclass
class SheetResult:
    """One questionnaire sheet of a workbook: its assessment, or the problems found in it."""

    sheet: str
    assessment: Assessment | None
    problems: list[Problem]


def read_workbook(path: Path, knowledge: Knowledge) -> Assessment:
    """The assessment of a filled questionnaire (exactly one questionnaire sheet)."""
    name = display_path(path)
    sheets = read_workbook_sheets(path, knowledge)
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


def read_workbook_sheets(path: Path, knowledge: Knowledge) -> list[SheetResult]:
    """Every questionnaire sheet of a workbook (A1 = `id`), each validated on its own.

    Problems of the file as a whole (not a workbook, macros, no questionnaire sheet) raise."""
    from openpyxl import load_workbook

    name = display_path(path)
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
    from engine.render import strings

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
