"""engine/deliverables/questionnaire.py: the blank questionnaire (YAML, XLSX); and
engine/assessment/workbook.py: reading a filled workbook."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from engine import api
from engine.assessment.load import assessment_from_text
from engine.assessment.workbook import read_workbook, read_workbook_sheets
from engine.deliverables.questionnaire import questionnaire_xlsx, questionnaire_yaml
from engine.errors import InputError
from engine.files.strict_yaml import load_yaml_file, load_yaml_text
from engine.render.jinja import to_json
from tests.conftest import EXAMPLES, require_calc, soffice_convert


def nn_values() -> dict:
    """The example's values as a person types them (the workbook has no provenance column)."""
    data = load_yaml_file(EXAMPLES / "nizhny-novgorod.yaml").data
    return {k: v["value"] if isinstance(v, dict) else v for k, v in data.items()}


def filled_workbook(knowledge, values: dict, lang: str = "en"):
    """The questionnaire, filled in the answer column the way a person would type it."""
    wb = load_workbook(io.BytesIO(questionnaire_xlsx(knowledge, lang)))
    ws = wb.worksheets[0]
    for row in ws.iter_rows(min_row=2):
        v = values.get(row[0].value)
        if isinstance(v, list):
            v = "; ".join(v) if v else "-"
        row[6].value = v
    return wb


def save(wb, path: Path) -> Path:
    wb.save(str(path))
    return path


# --- the blank questionnaire ------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["ru", "en"])
def test_yaml_questionnaire_lists_every_indicator_blank_with_its_question(knowledge, lang):
    text = questionnaire_yaml(knowledge, lang)
    data = load_yaml_text(text, "q.yaml").data  # our strict loader reads it
    assert list(data) == [i.id for i in knowledge.indicators.indicators]
    assert all(v is None for v in data.values())
    for ind in knowledge.indicators.indicators:
        if ind.question:
            assert f"# {ind.question.get(lang)}" in text
    assert "#   management_company — " in text  # enum values with their labels


def test_filled_yaml_questionnaire_is_a_valid_assessment(knowledge):
    text = questionnaire_yaml(knowledge, "en").replace(
        "\ncluster_name:\n", "\ncluster_name: Test cluster\n"
    )
    a = assessment_from_text(text, "q.yaml", knowledge)
    assert a.name == "Test cluster"
    with pytest.raises(InputError, match="missing required indicator 'cluster_name'"):
        assessment_from_text(questionnaire_yaml(knowledge, "en"), "q.yaml", knowledge)


def dropdowns(wb, ws) -> dict[int, list[str]]:
    """The entries of each answer cell's dropdown, by row (inline or on the hidden sheet)."""
    out = {}
    for dv in ws.data_validations.dataValidation:
        if dv.type != "list":
            continue
        formula = dv.formula1
        if formula.startswith('"'):
            entries = formula.strip('"').split(",")
        else:
            sheet, ref = formula.split("!")
            entries = [c.value for row in wb[sheet][ref.replace("$", "")] for c in row]
        for rng in dv.sqref.ranges:
            for row in range(rng.min_row, rng.max_row + 1):
                out[row] = entries
    return out


def filled_with_labels(knowledge, values: dict, lang: str = "ru"):
    """The questionnaire filled as a respondent does: every choice picked from its dropdown
    (labels, never codes), list options ticked yes or no, other list items typed."""
    from engine.assessment.workbook import OPTION_SEP, list_options

    wb = load_workbook(io.BytesIO(questionnaire_xlsx(knowledge, lang)))
    ws = wb.worksheets[0]
    lists = dropdowns(wb, ws)
    yes, no = ("да", "нет") if lang == "ru" else ("yes", "no")
    for row in ws.iter_rows(min_row=2):
        key, r = row[0].value, row[0].row
        if key not in knowledge.indicator:
            parent, _, code = key.partition(OPTION_SEP)
            picked = values.get(parent)
            if isinstance(picked, list):
                row[6].value = yes if code in picked else no
            continue
        ind, v = knowledge.indicator[key], values.get(key)
        if v is None:
            continue
        if ind.lookup:  # a country or markets: the dropdown's names, in the reader's language
            cat = knowledge.countries
            names = [
                cat.labels[cat.code_of(x) or x].get(lang)
                for x in (v if isinstance(v, list) else [v])
            ]
            assert all(n in lists[r] for n in names)
            v = "; ".join(names)
        elif ind.type == "enum":
            v = lists[r][ind.values.index(v)]
        elif ind.type == "bool":
            v = yes if v else no
        elif r in lists:  # a score: the entry "3 — ..." of the dropdown
            v = next(e for e in lists[r] if e.split(" ")[0] == str(v))
            assert " — " in v or ind.type != "score"
        elif ind.type == "list":
            codes = {c for c, _ in list_options(ind, knowledge, lang)}
            rest = [item for item in v if item not in codes]
            v = "; ".join(rest) if rest else (None if codes else "-")
        row[6].value = v
    return wb


def test_xlsx_questionnaire_has_one_row_per_indicator_and_dropdowns_of_labels(knowledge):
    wb = load_workbook(io.BytesIO(questionnaire_xlsx(knowledge, "ru")))
    ws = wb.worksheets[0]
    assert ws.title == "Оценка"
    header = [c.value for c in ws[1]]
    assert header[0] == "id" and header[6] == "Ответ"
    ids = [r[0].value for r in ws.iter_rows(min_row=2)]
    assert [i for i in ids if "." not in i] == [i.id for i in knowledge.indicators.indicators]
    rows = {r[0].value: r[0].row for r in ws.iter_rows(min_row=2)}
    lists = dropdowns(wb, ws)
    assert lists[rows["funding_source"]] == [
        "Государственные средства",
        "Частные средства",
        "Смешанное финансирование",
    ]
    assert lists[rows["coordinator_type"]][0].startswith("Региональное министерство")
    assert lists[rows["has_intl_manager"]] == ["да", "нет"]
    assert [e.split(" — ")[0] for e in lists[rows["activity_smes"]]] == list("01234")
    assert all(" — " in e for e in lists[rows["activity_smes"]])
    assert lists[rows["self_assessment_level"]][0].startswith("1 — ")
    # no English code in any dropdown of the Russian workbook
    codes = {v for i in knowledge.indicators.indicators for v in i.values or []}
    assert not codes & {e for entries in lists.values() for e in entries}
    types = {
        r: dv.type
        for dv in ws.data_validations.dataValidation
        for r in [x for rng in dv.sqref.ranges for x in range(rng.min_row, rng.max_row + 1)]
    }
    assert types[rows["num_members_sme"]] == "whole"
    assert rows["cluster_name"] not in types  # free text
    question = ws.cell(row=rows["activity_smes"], column=3).value
    assert question == knowledge.indicator["activity_smes"].question.get("ru")
    # list answers: one row per option, ticked yes or no, never typed codes
    eacp = rows["platform_memberships.eacp"]
    assert lists[eacp] == ["да", "нет"]
    assert "EACP" in ws.cell(row=eacp, column=3).value
    assert rows["specialization.automotive"] > rows["specialization"]
    assert "автомобилестроение" in ws.cell(row=rows["specialization.automotive"], column=3).value


@pytest.mark.parametrize("lang", ["ru", "en"])
def test_specialization_offers_every_sector_code_as_a_yes_no_dropdown_and_reads_back_codes(
    tmp_path, knowledge, lang
):
    wb = filled_workbook(knowledge, {"cluster_name": "Baikal tourism"}, lang)
    ws = wb.worksheets[0]
    rows = {r[0].value: r[0].row for r in ws.iter_rows(min_row=2)}
    lists = dropdowns(wb, ws)
    yes, no = ("да", "нет") if lang == "ru" else ("yes", "no")
    for s in knowledge.sectors.sectors:
        row = rows[f"specialization.{s.id}"]
        assert lists[row] == [yes, no], s.id
        assert s.label.get(lang) in ws.cell(row=row, column=3).value
    # a tourism cluster that also names its crafts in words (an alias typed on the question's row)
    for s in knowledge.sectors.sectors:
        ws.cell(row=rows[f"specialization.{s.id}"], column=7, value=no)
    ws.cell(row=rows["specialization.tourism"], column=7, value=yes)
    ws.cell(row=rows["specialization"], column=7, value="ювелирная промышленность")
    a = read_workbook(save(wb, tmp_path / "tourism.xlsx"), knowledge)
    assert a.get("specialization") == ["tourism", "crafts_jewellery"]


def test_the_number_of_smes_is_asked_once(knowledge):
    questions = [i.question.get("ru") for i in knowledge.indicators.indicators if i.question]
    assert questions.count("Сколько малых и средних предприятий входит в кластер?") == 1
    assert len(questions) == len(set(questions))


def test_rows_show_their_legends_and_the_sheet_prints_one_page_wide(knowledge):
    wb = load_workbook(io.BytesIO(questionnaire_xlsx(knowledge, "ru")))
    ws = wb.worksheets[0]
    for row in ws.iter_rows(min_row=2):
        legend = row[3].value or ""
        lines = len(legend.splitlines())
        assert ws.row_dimensions[row[0].row].height >= 15 * lines, row[0].value
    assert ws.page_setup.orientation == "landscape"
    assert int(ws.page_setup.paperSize) == int(ws.PAPERSIZE_A4)
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    assert ws.page_setup.fitToWidth == 1 and ws.page_setup.fitToHeight == 0
    assert ws.print_title_rows == "$1:$1"
    assert ws.print_area.startswith("'Оценка'!$B$1:$G$")


def test_the_workbook_has_instructions_and_respondent_fields(knowledge):
    for lang, sheet, fields in (
        ("ru", "Инструкция", ["ФИО", "Должность", "Организация", "Дата заполнения"]),
        ("en", "Instructions", ["Name", "Position", "Organization", "Date"]),
    ):
        wb = load_workbook(io.BytesIO(questionnaire_xlsx(knowledge, lang)))
        ws = wb[sheet]
        texts = [c.value for row in ws.iter_rows() for c in row if c.value]
        assert all(f in texts for f in fields)
        assert any("e-mail" in t for t in texts)
        assert sum(len(t) for t in texts) > 400  # the instructions themselves


@pytest.mark.parametrize("lang", ["ru", "en"])
def test_a_questionnaire_filled_with_labels_drafts_exactly_like_the_yaml(
    tmp_path, knowledge, session, nn_path, lang
):
    path = save(filled_with_labels(knowledge, nn_values(), lang), tmp_path / "nn.xlsx")
    from_xlsx = json.loads(api.draft(api.evaluate(path, session), knowledge, "json", lang))
    from_yaml = json.loads(api.draft(api.evaluate(nn_path, session), knowledge, "json", lang))
    assert from_xlsx["cluster"].pop("source") != from_yaml["cluster"].pop("source")
    # the workbook has no column for a value's basis (synthetic, estimate): only that differs
    assert from_xlsx.pop("provenance") == {} and from_yaml.pop("provenance")
    assert from_xlsx == from_yaml


def test_option_rows_a_blank_is_unknown_all_no_is_empty_and_a_bad_tick_is_located(
    tmp_path, knowledge
):
    wb = filled_workbook(knowledge, {"cluster_name": "C"})
    ws = wb.worksheets[0]
    rows = {r[0].value: r[0].row for r in ws.iter_rows(min_row=2)}
    a = read_workbook(save(wb, tmp_path / "blank.xlsx"), knowledge)
    assert a.get("platform_memberships") is None and a.get("specialization") is None
    for code in ("europe", "apec", "customs_union", "cis", "transnational"):
        ws.cell(row=rows[f"partner_geographies_available.{code}"], column=7, value="нет")
    ws.cell(row=rows["partner_geographies_available.apec"], column=7, value="x")
    ws.cell(row=rows["specialization"], column=7, value="Нефтехимия; agri-food")
    ws.cell(row=rows["specialization.automotive"], column=7, value="да")
    for code in ("eacp", "cluster_managers_club"):
        ws.cell(row=rows[f"platform_memberships.{code}"], column=7, value="нет")
    a = read_workbook(save(wb, tmp_path / "ticked.xlsx"), knowledge)
    assert a.get("partner_geographies_available") == ["apec"]
    # typed words (a Russian alias, an English alias) and ticked rows all become sector codes
    assert a.get("specialization") == ["agri_food", "chemicals", "automotive"]
    assert a.get("platform_memberships") == []
    ws.cell(row=rows["platform_memberships.eacp"], column=7, value="может быть")
    with pytest.raises(InputError) as exc:
        read_workbook(save(wb, tmp_path / "bad.xlsx"), knowledge)
    assert f"Assessment!G{rows['platform_memberships.eacp']}: answer yes or no" in str(exc.value)


def test_xlsx_questionnaire_bytes_are_deterministic(knowledge):
    assert questionnaire_xlsx(knowledge, "en") == questionnaire_xlsx(knowledge, "en")


# --- round trip ---------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["ru", "en"])
def test_round_trip_filled_workbook_gives_the_same_result_as_yaml(
    tmp_path, knowledge, session, nn_path, lang
):
    path = save(filled_workbook(knowledge, nn_values(), lang), tmp_path / "nn.xlsx")
    from_xlsx = api.draft(api.evaluate(path, session), knowledge, "json", "en")
    from_yaml = api.draft(api.evaluate(nn_path, session), knowledge, "json", "en")
    a, b = json.loads(from_xlsx), json.loads(from_yaml)
    assert a["cluster"].pop("source") != b["cluster"].pop("source")
    # the workbook carries values only; the YAML also says which of them are synthetic
    assert a.pop("provenance") == {} and b.pop("provenance")
    a_gaps, b_gaps = a.pop("data_gaps"), b.pop("data_gaps")
    assert a_gaps == b_gaps
    assert a == b


def test_typed_answers_are_understood(tmp_path, knowledge):
    wb = filled_workbook(knowledge, {"cluster_name": "C"})
    ws = wb.worksheets[0]
    rows = {r[0].value: r[0].row for r in ws.iter_rows(min_row=2)}
    answers = {
        "has_intl_manager": "да",
        "has_cluster_council": "Yes",
        "coordinator_type": "Regional ministry (executive authority)",  # the label
        "cluster_exports": "1 234,5",
        "activity_smes": "3",
        "target_markets": "Германия; Китай\nКазахстан",
        "platform_memberships": "-",
    }
    for key, value in answers.items():
        ws.cell(row=rows[key], column=7, value=value)
    a = read_workbook(save(wb, tmp_path / "typed.xlsx"), knowledge)
    assert a.get("has_intl_manager") is True and a.get("has_cluster_council") is True
    assert a.get("coordinator_type") == "regional_ministry"
    assert a.get("cluster_exports") == 1234.5
    assert a.get("activity_smes") == 3
    assert a.get("target_markets") == ["DE", "CN", "KZ"]  # names resolved to ISO codes
    assert a.get("platform_memberships") == []
    assert a.get("region_name") is None  # blank: no information


# --- errors point at sheet and cell --------------------------------------------------------------


def test_every_bad_cell_is_reported_by_sheet_and_cell(tmp_path, knowledge):
    wb = filled_workbook(knowledge, nn_values())
    ws = wb.worksheets[0]
    rows = {r[0].value: r[0].row for r in ws.iter_rows(min_row=2)}
    ws.cell(row=rows["activity_smes"], column=7, value=7)
    ws.cell(row=rows["funding_source"], column=7, value="state")
    ws.cell(row=rows["geo_cis"], column=1, value="geo_cys")
    path = save(wb, tmp_path / "bad.xlsx")
    with pytest.raises(InputError) as exc:
        read_workbook(path, knowledge)
    lines = str(exc.value).splitlines()
    assert f"bad.xlsx: Assessment!G{rows['activity_smes']}: 7 is out of scale; allowed 0..4" in [
        line.split("/")[-1] for line in lines
    ]
    assert any(
        f"Assessment!G{rows['funding_source']}: text 'state' is not allowed" in line
        for line in lines
    )
    assert any(
        f"Assessment!A{rows['geo_cis']}: unknown indicator 'geo_cys' (did you mean "
        "'geo_cis'?)" in line
        for line in lines
    )
    assert len(lines) == 3


def test_missing_required_answer_points_at_its_cell(tmp_path, knowledge):
    wb = filled_workbook(knowledge, {})
    with pytest.raises(
        InputError,
        match=r"Assessment!G2: missing required indicator "
        r"'cluster_name'",
    ):
        read_workbook(save(wb, tmp_path / "blank.xlsx"), knowledge)


@pytest.mark.parametrize(
    "formula", ["=1+2", "=SUM(A1:A3)", "=TRUE()+0", "=NOT(FALSE())", "=IF(TRUE(),1,0)"]
)
def test_formulas_are_refused_not_evaluated(tmp_path, knowledge, formula):
    wb = filled_workbook(knowledge, nn_values())
    ws = wb.worksheets[0]
    row = next(r[0].row for r in ws.iter_rows(min_row=2) if r[0].value == "activity_smes")
    ws.cell(row=row, column=7).value = formula  # openpyxl stores it as a formula cell
    with pytest.raises(InputError, match=rf"Assessment!G{row}: formulas are not evaluated"):
        read_workbook(save(wb, tmp_path / "f.xlsx"), knowledge)


def test_the_constants_calc_writes_for_true_and_false_are_read_as_yes_and_no(tmp_path, knowledge):
    """LibreOffice Calc saves a typed TRUE as the 'formula' =TRUE(); only these constants pass."""
    wb = filled_workbook(knowledge, nn_values())
    ws = wb.worksheets[0]
    rows = {r[0].value: r[0].row for r in ws.iter_rows(min_row=2)}
    for key, formula in (
        ("has_intl_manager", "=TRUE()"),
        ("has_cluster_council", "=false()"),
        ("has_intl_working_group", "=TRUE"),
    ):
        ws.cell(row=rows[key], column=7).value = formula
    a = read_workbook(save(wb, tmp_path / "calc.xlsx"), knowledge)
    assert a.get("has_intl_manager") is True and a.get("has_cluster_council") is False
    assert a.get("has_intl_working_group") is True
    ws.cell(row=rows["activity_smes"], column=7).value = "=TRUE()"  # a yes for a 0–4 score
    with pytest.raises(InputError, match=rf"Assessment!G{rows['activity_smes']}: "):
        read_workbook(save(wb, tmp_path / "calc2.xlsx"), knowledge)


def test_macros_are_refused(tmp_path, knowledge):
    path = save(filled_workbook(knowledge, nn_values()), tmp_path / "m.xlsm")
    with zipfile.ZipFile(path, "a") as z:
        z.writestr("xl/vbaProject.bin", b"\x00" * 64)
    with pytest.raises(InputError, match="contains macros"):
        read_workbook(path, knowledge)


def test_a_file_that_is_not_a_workbook_is_refused(tmp_path, knowledge):
    path = tmp_path / "x.xlsx"
    path.write_text("cluster_name: x\n")
    with pytest.raises(InputError, match=r"not an \.xlsx workbook"):
        read_workbook(path, knowledge)


def test_a_workbook_without_questionnaire_sheet_is_refused(tmp_path, knowledge):
    wb = Workbook()
    wb.active["A1"] = "something else"
    with pytest.raises(InputError, match="no questionnaire sheet"):
        read_workbook(save(wb, tmp_path / "other.xlsx"), knowledge)


def test_one_cluster_per_sheet(tmp_path, knowledge):
    wb = filled_workbook(knowledge, nn_values())
    second = wb.copy_worksheet(wb.worksheets[0])
    second.title = "Second"
    row = next(r[0].row for r in second.iter_rows(min_row=2) if r[0].value == "cluster_name")
    second.cell(row=row, column=7, value="Second cluster")
    bad = wb.copy_worksheet(wb.worksheets[0])
    bad.title = "Broken"
    bad.cell(row=row, column=7).value = None
    path = save(wb, tmp_path / "many.xlsx")
    sheets = read_workbook_sheets(path, knowledge)
    assert [s.sheet for s in sheets] == ["Assessment", "Second", "Broken"]
    assert sheets[1].assessment is not None and sheets[1].assessment.name == "Second cluster"
    assert sheets[2].assessment is None
    assert "Broken!G2: missing required indicator" in sheets[2].problems[0].format()
    with pytest.raises(InputError, match="holds 3 assessments"):
        read_workbook(path, knowledge)


def test_assessment_load_dispatches_on_the_extension(tmp_path, knowledge):
    path = save(filled_workbook(knowledge, nn_values()), tmp_path / "nn.xlsx")
    from engine.assessment.load import load_assessment

    a = load_assessment(path, knowledge)
    assert a.name.startswith("Нижегородский")
    assert a.where("activity_smes").endswith(f"nn.xlsx:{a.positions['activity_smes'][0]}")
    assert to_json(a.values)  # plain values only


# --- in LibreOffice Calc ------------------------------------------------------------------------


@pytest.mark.slow
def test_calc_opens_the_questionnaire_and_a_workbook_it_saves_drafts_the_same(
    tmp_path, knowledge, session, nn_path
):
    """A client may fill the questionnaire in LibreOffice: Calc reads every row, and the workbook
    Calc writes back is read as the same assessment."""
    require_calc()
    blank = tmp_path / "blank.xlsx"
    blank.write_bytes(questionnaire_xlsx(knowledge, "ru"))
    csv_text = soffice_convert(
        blank, "csv:Text - txt - csv (StarCalc):44,34,76", tmp_path / "csv"
    ).read_text("utf-8")
    assert all(f"\n{ind.id}," in csv_text for ind in knowledge.indicators.indicators)
    filled = save(filled_workbook(knowledge, nn_values(), "ru"), tmp_path / "filled.xlsx")
    resaved = soffice_convert(filled, "xlsx", tmp_path / "calc")
    assert resaved.read_bytes() != filled.read_bytes()  # Calc wrote its own file
    from_calc = json.loads(api.draft(api.evaluate(resaved, session), knowledge, "json", "en"))
    from_yaml = json.loads(api.draft(api.evaluate(nn_path, session), knowledge, "json", "en"))
    from_calc["cluster"].pop("source"), from_yaml["cluster"].pop("source")
    # the workbook has no column for a value's basis (synthetic, estimate): only that differs
    assert from_calc.pop("provenance") == {} and from_yaml.pop("provenance")
    assert from_calc == from_yaml


@pytest.mark.parametrize("char", ["\ufdd0", "\ufdef", "\U0001fffe", "\U0010ffff"])
def test_a_noncharacter_in_a_cell_no_longer_passes_into_documents(tmp_path, knowledge, char):
    # XML 1.0 holds these (only U+FFFE and U+FFFF are outside its characters): the cell read them
    wb = filled_workbook(knowledge, nn_values())
    ws = wb.worksheets[0]
    row = next(r[0].row for r in ws.iter_rows(min_row=2) if r[0].value == "cluster_name")
    ws.cell(row=row, column=7).value = f"Cluster {char} name"
    with pytest.raises(InputError) as exc:
        read_workbook(save(wb, tmp_path / "nonchar.xlsx"), knowledge)
    (line,) = str(exc.value).splitlines()  # once: not also "missing required indicator"
    assert line.endswith(
        f"nonchar.xlsx: Assessment!G{row}: character U+{ord(char):04X} (a Unicode noncharacter) "
        "is not allowed in text; remove it"
    )
