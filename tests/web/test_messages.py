"""engine/web/messages.py: the engine's located messages in the page's language. The Russian page
showed English engine messages ("expected a number") to policy staff (issue 22 item 5)."""

from __future__ import annotations

import html
import re

import pytest

from engine import api
from engine.web import messages
from tests.conftest import EXAMPLES

CLUSTER = "/c/nizhny-novgorod.yaml"
# English words of the engine's value and file messages: none may reach a Russian page
ENGLISH = re.compile(
    r"expected|unknown indicator|is not allowed|out of scale|missing required|did you mean|"
    r"YAML syntax|file is too large|more problems"
)
BROKEN = (
    b"cluster_name: x\n"
    b"direction_export: 7\n"
    b"assessment_year: abc\n"
    b"directon_import: 2\n"
    b"coordinator_type: ministry\n"
    b"specialization: {a: 1}\n"
    b"coordinator_is_government: maybe\n"
    b"employees_total: 2.5\n"
)


@pytest.fixture(scope="module")
def words():
    return api.ui_strings(api.templates_root() / "web")


def lines(page: str) -> list[str]:
    found = re.findall(r"<li>(.*?)</li>", page, flags=re.S)
    return [html.unescape(re.sub(r"<[^>]+>", "", m)) for m in found]


def test_a_russian_upload_error_is_located_and_russian(client, csrf, workspace):
    files = {"file": ("Плохой.yaml", BROKEN, "application/yaml")}
    r = client.post("/upload?lang=ru", files=files, headers=csrf)
    assert r.status_code == 422
    said = lines(r.text)
    assert len(said) == 7
    for line in said:
        assert re.match(r"Плохой\.yaml:\d+:\d+: \w+: ", line), line
        assert not ENGLISH.search(line), line
    text = "\n".join(said)
    assert "Плохой.yaml:2:19: direction_export: 7 вне шкалы; допустимо 0..4" in text
    assert "assessment_year: ожидается число, указано «abc»" in text
    assert "неизвестный показатель «directon_import» (может быть, «direction_import»?)" in text
    assert "«ministry» не допускается" in text and "(может быть, «regional_ministry»?)" in text
    assert not (workspace / "Плохой.yaml").exists()


def test_an_english_upload_error_is_the_clis_message(client, csrf, session):
    files = {"file": ("bad-en.yaml", BROKEN, "application/yaml")}
    r = client.post("/upload?lang=en", files=files, headers=csrf)
    with pytest.raises(api.InputError) as cli:
        api.evaluate_bytes(BROKEN, "bad-en.yaml", session)
    assert lines(r.text) == str(cli.value).splitlines()


@pytest.mark.slow  # renders every workspace file's row; .ci/run runs it (-m slow)
def test_a_broken_workspace_file_is_listed_in_russian(client, workspace):
    (workspace / "broken-ru.yaml").write_bytes(b"cluster_name: x\ndirection_export: 9\n")
    try:
        html = client.get("/?lang=ru").text
        assert "broken-ru.yaml:2:19: direction_export: 9 вне шкалы; допустимо 0..4" in html
    finally:
        (workspace / "broken-ru.yaml").unlink()


def test_a_what_if_value_out_of_scale_is_said_in_russian(client, csrf):
    r = client.post(f"{CLUSTER}/what-if?lang=ru", data={"v.direction_export": "9"}, headers=csrf)
    assert r.status_code == 422
    assert "--set: direction_export: 9 вне шкалы; допустимо 0..4" in r.text


def test_a_yaml_syntax_error_is_located_and_russian(client, csrf):
    files = {"file": ("syntax.yaml", b"cluster_name: [x,\n", "application/yaml")}
    r = client.post("/upload?lang=ru", files=files, headers=csrf)
    assert r.status_code == 422
    assert re.search(r"syntax\.yaml:2:1: ошибка синтаксиса YAML \(", "\n".join(lines(r.text)))


def test_an_oversized_upload_is_refused_in_russian(client, csrf):
    big = {"file": ("big-ru.yaml", b"#" * (api.upload_limit("x.yaml") + 1), "x")}
    r = client.post("/upload?lang=ru", files=big, headers=csrf)
    assert r.status_code == 413
    assert f"big-ru.yaml: файл слишком велик (предел — {api.upload_limit('x.yaml')} байт)" in r.text


def test_the_json_api_keeps_the_clis_english(client):
    r = client.post("/api/assess?lang=ru&name=bad.yaml", content=BROKEN)
    assert r.status_code == 422
    assert any("is out of scale" in e for e in r.json()["errors"])


@pytest.mark.parametrize(
    ("indicator", "value"),
    [
        ("direction_export", 9),
        ("direction_export", "x"),
        ("num_members_anchor", 1.5),
        ("coordinator_is_government", "maybe"),
        ("coordinator_type", "ministry"),
        ("specialization", {"a": 1}),
        ("specialization", [[1]]),
        ("platform_memberships", ["klingon"]),
        ("cluster_name", [1]),
        ("employees_total", float("inf")),
        ("country", "Руссия"),
        ("target_markets", ["Марс"]),
    ],
)
def test_every_kind_a_value_check_gives_has_russian_words(knowledge, words, indicator, value):
    """A new kind of value problem without words in strings.yaml would show English here."""
    from engine.assessment.validate import check_value

    _, flaw = check_value(knowledge.indicator[indicator], value, knowledge)
    assert flaw is not None and flaw.code != "unclassified"
    assert messages.key(flaw.code) in words["ru"] and messages.key(flaw.code) in words["en"]
    problem = api.Problem(
        file="f.yaml",
        line=3,
        col=5,
        path=indicator,
        message=flaw,
        code=flaw.code,
        params=flaw.params,
    )
    said = messages.say(problem, words["ru"], "ru")
    assert said.startswith(f"f.yaml:3:5: {indicator}: ") and not ENGLISH.search(said)
    assert messages.say(problem, words["en"], "en") == problem.format()


def test_a_kind_without_words_keeps_the_engines_english(words):
    problem = api.Problem(file="f.yaml", line=2, col=1, path="x", message="something new")
    assert messages.say(problem, words["ru"], "ru") == "f.yaml:2:1: x: something new"
    odd = api.Problem(file="f.yaml", message="m", code="out-of-scale")  # no params to say it
    assert messages.say(odd, words["ru"], "ru") == "f.yaml: m"


def test_the_examples_still_read(session):
    """The kinds carried with the messages change no message of the CLI."""
    for path in sorted(EXAMPLES.glob("*.yaml")):
        api.evaluate(path, session)


def test_a_questionnaire_error_is_located_and_russian(client, csrf, knowledge):
    """A filled XLSX questionnaire with a value off its scale and a formula: each problem names
    its sheet and cell, in Russian."""
    import io

    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(api.questionnaire(knowledge, "xlsx", "ru")))
    ws = wb.worksheets[0]
    rows = {row[0].value: row for row in ws.iter_rows(min_row=2)}
    rows["cluster_name"][6].value = "Кластер"
    rows["direction_export"][6].value = 9
    rows["direction_import"][6].value = "=1+1"
    out = io.BytesIO()
    wb.save(out)
    files = {"file": ("анкета.xlsx", out.getvalue(), "application/octet-stream")}
    r = client.post("/upload?lang=ru", files=files, headers=csrf)
    assert r.status_code == 422
    said = lines(r.text)
    sheet = ws.title
    export_row = rows["direction_export"][0].row
    assert f"анкета.xlsx: {sheet}!G{export_row}: 9 вне шкалы; допустимо 0..4" in said
    assert any("формулы не вычисляются" in line for line in said)
    assert not any(ENGLISH.search(line) for line in said), said
