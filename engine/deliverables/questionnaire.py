"""The questionnaire: a blank assessment to fill in, as an XLSX workbook with dropdowns or as
commented YAML, generated from `knowledge/indicators.yaml`: one row (or key) per indicator with its
question, scale or allowed values, unit and help. Reading a filled one is
`engine.assessment.workbook`.
"""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

from engine.assessment.workbook import HEADER_KEYS, ID_HEADER
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

    t = _strings(lang)
    wb = Workbook()
    ws = wb.active
    ws.title = t["q_sheet"]
    headers = [ID_HEADER] + [t[f"q_col_{key}"] for key in HEADER_KEYS[1:]]
    ws.append(headers)
    text_cells(ws[1])
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
        text_cells(ws[row])  # knowledge texts are data, never formulas
        for cell in ws[row]:
            cell.alignment = wrap
        answer = f"G{row}"
        ws[answer].fill = answer_fill
        choices = _choices(ind, k, lang)
        if choices is not None:
            inline = '"' + ",".join(choices) + '"'
            # a quote or comma inside a choice would end the inline list early (and could
            # smuggle in a formula): such lists go to the hidden sheet as plain text cells
            if len(inline) <= 255 and not any('"' in c or "," in c for c in choices):
                validation("list", inline).add(answer)
            else:  # Excel limits inline lists to 255 characters: use a hidden sheet
                if lists_ws is None:
                    lists_ws = wb.create_sheet("_lists")
                    lists_ws.sheet_state = "hidden"
                col = lists_ws.max_column + (1 if lists_ws["A1"].value is not None else 0)
                letter = lists_ws.cell(row=1, column=col).column_letter
                for i, v in enumerate(choices, start=1):
                    text_cells([lists_ws.cell(row=i, column=col, value=v)])
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
