"""The questionnaire: a blank assessment to fill in, as an XLSX workbook with dropdowns or as
commented YAML, generated from `knowledge/indicators.yaml`: one row (or key) per indicator with its
question, scale or allowed values, unit and help. Reading a filled one is
`engine.assessment.workbook`.
"""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

from engine.assessment.workbook import HEADER_KEYS, ID_HEADER, OPTION_SEP, list_options
from engine.files.office import text_cells
from engine.files.stable_zip import stable_zip
from engine.knowledge.models import Indicator, Knowledge
from engine.text.strings import strings


def _strings(lang: str) -> dict[str, str]:

    return strings()[lang]


# --- describing an indicator ---------------------------------------------------------------------


def allowed_text(ind: Indicator, k: Knowledge, lang: str, yaml: bool = False) -> str:
    """What the answer may be, in words: the scale with its anchors, the allowed values..."""
    t = _strings(lang)
    if ind.type == "bool":
        return "true / false" if yaml else t["q_bool"]
    if ind.type == "enum":
        if not yaml:  # the dropdown shows the labels; the codes stay out of the workbook
            return t["q_choose"]
        return "\n".join(
            f"{v} — {ind.value_labels[v].get(lang)}" if v in ind.value_labels else v
            for v in ind.values or []
        )
    if ind.lookup and not yaml:  # the dropdown's names; codes and aliases are read too
        return t["q_choose"] + ("" if ind.type != "list" else "\n" + t["q_list"])
    if ind.type == "list":
        if not yaml and list_options(ind, k, lang):
            return t["q_tick_below"] + ("" if ind.values else "\n" + t["q_list_other"])
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


def place_names(ind: Indicator, k: Knowledge, lang: str) -> list[str]:
    """The dropdown of a country (its names) or a target market (countries, then the groupings
    and UN M49 regions), in the reader's language; the reader maps a name back to its code."""
    cat = k.countries
    names = sorted(x.name.get(lang) for x in cat.countries.values() if not x.reserved)
    if ind.lookup == "market":
        names += [g.name.get(lang) for g in cat.groupings.values()]
        names += [r.name.get(lang) for r in cat.regions.values()]
    return list(dict.fromkeys(names))


def _choices(ind: Indicator, k: Knowledge, lang: str) -> list[str] | None:
    """The dropdown of an answer cell (labels, never codes), or None when the answer is free."""
    if ind.lookup:
        return place_names(ind, k, lang)
    if ind.type == "enum":
        return [
            ind.value_labels[v].get(lang) if v in ind.value_labels else v for v in ind.values or []
        ]
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
            labels = {int(n): a.get(lang) for n, a in scale.anchors.items()}
            if ind.id == k.scoring.self_assessment.indicator:
                levels = k.scoring.self_assessment.levels.items()
                labels.update({int(n): lv.label.get(lang) for n, lv in levels})
            return [
                f"{n} — {labels[n]}" if labels.get(n) else str(n)
                for n in range(int(scale.min), int(scale.max) + 1)
            ]
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


WIDTHS = {"A": 24, "B": 16, "C": 46, "D": 36, "E": 10, "F": 36, "G": 26}
LINE_HEIGHT = 15.0  # points per wrapped line of the default 11-pt font


def option_id(ind_id: str, code: str) -> str:
    """Column A of the row on which one option of a list answer is ticked."""
    return f"{ind_id}{OPTION_SEP}{code}"


def _height(values: list[Any]) -> float:
    """The row height (points) that shows every wrapped line of the row's cells."""
    lines = 1
    for col, value in zip(WIDTHS, values, strict=False):
        chars = max(1, int(WIDTHS[col] * 0.95))
        cell_lines = sum(
            max(1, -(-len(line) // chars)) for line in str(value or "").splitlines() or [""]
        )
        lines = max(lines, cell_lines)
    return lines * LINE_HEIGHT


def questionnaire_xlsx(k: Knowledge, lang: str) -> bytes:
    """The questionnaire sheet (one row per indicator, one more per option of a list answer;
    dropdowns of labels) and an instructions sheet with the respondent's fields (deterministic)."""
    from openpyxl import Workbook

    t = _strings(lang)
    wb = Workbook()
    sheet = _QuestionSheet(wb, t)
    for ind in k.indicators.indicators:
        sheet.add_indicator(ind, k, lang)
    sheet.finish()
    _instructions(wb, t, sheet.answer_fill, sheet.wrap)
    fixed = dt.datetime(2000, 1, 1)
    wb.properties.creator = wb.properties.lastModifiedBy = "cluster-intl"
    wb.properties.created = wb.properties.modified = fixed
    wb.properties.title = t["q_title"]
    buf = io.BytesIO()
    wb.save(buf)
    return stable_zip(buf.getvalue())


class _QuestionSheet:
    """The questionnaire sheet as it is written: its rows, and the data validations (dropdowns,
    number ranges) shared by the answer cells that take the same values."""

    def __init__(self, wb: Any, t: dict[str, str]) -> None:
        from openpyxl.styles import Alignment, Font, PatternFill

        self.wb = wb
        self.t = t
        self.ws = wb.active
        self.ws.title = t["q_sheet"]
        self.ws.append([ID_HEADER] + [t[f"q_col_{key}"] for key in HEADER_KEYS[1:]])
        text_cells(self.ws[1])
        for cell in self.ws[1]:
            cell.font = Font(bold=True)
            cell.fill = PatternFill("solid", fgColor="DCE6F0")
        self.answer_fill = PatternFill("solid", fgColor="FFF8DC")
        self.wrap = Alignment(wrap_text=True, vertical="top")
        self.lists_ws: Any = None
        self.validations: dict[tuple[str, str], Any] = {}
        self.list_ranges: dict[tuple[str, ...], str] = {}

    def add_indicator(self, ind: Indicator, k: Knowledge, lang: str) -> None:
        """The indicator's row with its answer cell's validation, then one row per option of a
        list answer, ticked yes or no."""
        t = self.t
        group = k.group[ind.group].label.get(lang) if ind.group in k.group else ind.group
        row = self.add_row(
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
        answer = f"G{row}"
        choices = _choices(ind, k, lang)
        if choices is not None:
            # a market list takes several names typed with ";": its dropdown only suggests
            self.dropdown(choices, strict=ind.type != "list").add(answer)
        elif ind.type in ("int", "float"):
            lo = -1e15 if ind.min is None else ind.min
            hi = 1e15 if ind.max is None else ind.max
            kind = "whole" if ind.type == "int" else "decimal"
            self.validation(kind, _num(lo), operator="between", formula2=_num(hi)).add(answer)
        for code, label in list_options(ind, k, lang):
            sub = self.add_row(
                [option_id(ind.id, code), "", f"    {label}", t["q_bool"], "", "", None]
            )
            self.dropdown([t["q_yes"], t["q_no"]]).add(f"G{sub}")

    def add_row(self, values: list[Any]) -> int:
        """Append a row of knowledge texts (kept as data, never formulas); return its number."""
        ws = self.ws
        ws.append(values)
        row = ws.max_row
        text_cells(ws[row])  # knowledge texts are data, never formulas
        for cell in ws[row]:
            cell.alignment = self.wrap
        ws[f"G{row}"].fill = self.answer_fill
        ws.row_dimensions[row].height = _height(values)
        return row

    def validation(self, kind: str, formula: str, strict: bool = True, **kw: Any) -> Any:
        """The sheet's data validation of this kind and formula, made on first use; one that is
        not `strict` offers its list but accepts other text."""
        from openpyxl.worksheet.datavalidation import DataValidation

        key = (kind, formula + repr(sorted(kw.items())) + repr(strict))
        if key not in self.validations:
            dv = DataValidation(
                type=kind,
                formula1=formula,
                allow_blank=True,
                showErrorMessage=strict,
                errorTitle=self.t["q_invalid_title"],
                error=self.t["q_invalid"],
                **kw,
            )
            self.validations[key] = dv
            self.ws.add_data_validation(dv)
        return self.validations[key]

    def dropdown(self, choices: list[str], strict: bool = True) -> Any:
        """A dropdown of these choices: inline when it fits, else a range of a hidden sheet."""
        inline = '"' + ",".join(choices) + '"'
        if len(inline) <= 255 and not any("," in c or '"' in c for c in choices):
            return self.validation("list", inline, strict)
        if self.lists_ws is None:  # a label with a comma, or a long list: on a hidden sheet
            self.lists_ws = self.wb.create_sheet("_lists")
            self.lists_ws.sheet_state = "hidden"
        lists_ws = self.lists_ws
        key = tuple(choices)
        if key not in self.list_ranges:
            col = lists_ws.max_column + (1 if lists_ws["A1"].value is not None else 0)
            letter = lists_ws.cell(row=1, column=col).column_letter
            for i, v in enumerate(choices, start=1):
                text_cells([lists_ws.cell(row=i, column=col, value=v)])  # data, never a formula
            self.list_ranges[key] = f"_lists!${letter}$1:${letter}${len(choices)}"
        return self.validation("list", self.list_ranges[key], strict)

    def finish(self) -> None:
        """Column widths, frozen headers, the filter and the print layout."""
        ws = self.ws
        for col, width in WIDTHS.items():
            ws.column_dimensions[col].width = width
        ws.freeze_panes = "C2"
        ws.auto_filter.ref = f"A1:G{ws.max_row}"
        _print_setup(ws, f"B1:G{ws.max_row}")


def _print_setup(ws: Any, area: str) -> None:
    """A4 landscape, one page wide, the header row on every page; column A (ids) not printed."""
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = "1:1"
    ws.print_area = area
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.page_margins.top = ws.page_margins.bottom = 0.5


def _instructions(wb: Any, t: dict[str, str], fill: Any, wrap: Any) -> None:
    """The instructions sheet: how to answer, then the respondent's name, position, organization,
    date and contacts (not read back: they tell the consultant whom to ask)."""
    from openpyxl.styles import Font

    ws = wb.create_sheet(t["q_instructions_sheet"])  # after the questionnaire, opened first
    ws["A1"] = t["q_title"]
    ws["A1"].font = Font(bold=True, size=14)
    row = 3
    for line in t["q_instructions"].splitlines():
        ws.cell(row=row, column=1, value=line).alignment = wrap
        ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=2)
        ws.row_dimensions[row].height = LINE_HEIGHT * max(1, -(-len(line) // 95))
        row += 1
    row += 1
    ws.cell(row=row, column=1, value=t["q_respondent"]).font = Font(bold=True)
    for key in ("name", "position", "organization", "date", "contact"):
        row += 1
        ws.cell(row=row, column=1, value=t[f"q_respondent_{key}"])
        ws.cell(row=row, column=2).fill = fill
    ws.column_dimensions["A"].width = 34
    ws.column_dimensions["B"].width = 70
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    wb.active = wb.index(ws)
