"""The JSON API mirrors the CLI: same shapes as `--format json`, same located messages on bad input."""

from __future__ import annotations

import json
import os
import zipfile
from io import BytesIO
from pathlib import Path

import pytest

from engine import api
from tests.conftest import EXAMPLES

NN = EXAMPLES / "nizhny-novgorod.yaml"
NAME = "examples/nizhny-novgorod.yaml"  # what the CLI calls the file when run from the checkout


def post(client, path: str, body: bytes, **params: str | list[str]):
    query: list[tuple[str, str]] = [("name", NAME)]
    for key, value in params.items():
        for v in value if isinstance(value, list) else [value]:
            query.append((key, v))
    return client.post(path, params=query, content=body)


@pytest.fixture(scope="module")
def nn_bytes() -> bytes:
    return NN.read_bytes()


def cli_json(cli, *args: str) -> dict:
    code, out, err = cli(*args, "--format", "json")
    assert code == 0, err
    return json.loads(out)


def test_health_needs_no_token_and_says_what_is_served(anonymous, knowledge):
    r = anonymous.get("/api/health")
    assert r.status_code == 200
    d = r.json()
    assert d["status"] == "ok" and d["schema"] == "cluster-intl/health/1"
    assert d["knowledge"]["rules"] == len(knowledge.rules)


@pytest.mark.parametrize(
    ("cmd", "path", "params"),
    [
        (["assess"], "/api/assess", {"lang": "en"}),
        (["draft"], "/api/draft", {"format": "json", "lang": "en"}),
        (
            ["why", "co_sme_internationalization"],
            "/api/why",
            {"subject": "co_sme_internationalization"},
        ),
        (["why", "index"], "/api/why", {"subject": "index"}),
        (
            ["why-not", "co_value_chain_integration"],
            "/api/why-not",
            {"subject": "co_value_chain_integration"},
        ),
        (["why-not", "co_partner_cluster"], "/api/why-not", {"subject": "co_partner_cluster"}),
        (
            ["what-if", "--set", "direction_export=4", "--set", "geo_europe=1"],
            "/api/what-if",
            {"set": ["direction_export=4", "geo_europe=1"]},
        ),
    ],
)
def test_the_api_answers_what_the_cli_prints(client, cli, nn_bytes, cmd, path, params):
    lang = params.get("lang", "en")
    expected = cli_json(cli, cmd[0], NAME, *cmd[1:], "--lang", lang)
    r = post(client, path, nn_bytes, **{**params, "lang": lang})
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("application/json")
    assert r.json() == expected


def test_the_api_takes_the_reader_of_the_cli(client, cli, nn_bytes):
    for cmd, path, params in (
        (
            ["why", "co_sme_internationalization"],
            "/api/why",
            {"subject": "co_sme_internationalization"},
        ),
        (["what-if", "--set", "activity_smes=4"], "/api/what-if", {"set": "activity_smes=4"}),
    ):
        expected = cli_json(cli, cmd[0], NAME, *cmd[1:], "--lang", "en", "--reader", "policy")
        r = post(client, path, nn_bytes, **params, lang="en", reader="policy")
        assert r.status_code == 200, r.text
        assert r.json() == expected
        assert r.json() != post(client, path, nn_bytes, **params, lang="en").json()
    bad = post(client, "/api/why", nn_bytes, subject="index", reader="minister")
    assert bad.status_code == 400 and "reader" in bad.json()["errors"][0]


def test_draft_in_every_format(client, cli, nn_bytes, knowledge):
    md = post(client, "/api/draft", nn_bytes, format="md", lang="en")
    code, out, _ = cli("draft", NAME, "--format", "md", "--lang", "en")
    assert code == 0 and md.text == out
    html = post(client, "/api/draft", nn_bytes, format="html", lang="ru")
    assert html.text.startswith("<!DOCTYPE html>")
    # the document's own stylesheet is allowed by its hash, nothing inline besides
    assert "'sha256-" in html.headers["content-security-policy"]
    assert "unsafe-inline" not in html.headers["content-security-policy"]
    docx = post(client, "/api/draft", nn_bytes, format="docx", lang="en")
    assert docx.headers["content-disposition"].startswith("attachment")
    assert "word/document.xml" in zipfile.ZipFile(BytesIO(docx.content)).namelist()


@pytest.mark.slow  # the default suite stays under 90 s; CI runs the slow ones
def test_the_audience_reaches_the_program(client, nn_bytes, cli):
    a = post(client, "/api/draft", nn_bytes, format="md", audience="client")
    b = post(client, "/api/draft", nn_bytes, format="md", audience="consultant")
    assert a.status_code == b.status_code == 200
    assert "co_sme_weak" in b.text and "co_sme_weak" not in a.text  # rule ids: consultant only
    code, out, _ = cli("draft", NN, "--format", "md", "--audience", "consultant")
    assert code == 0 and out == b.text
    bad = post(client, "/api/draft", nn_bytes, format="md", audience="minister")
    assert bad.status_code == 400 and "audience" in bad.json()["errors"][0]


def test_broken_yaml_gets_the_cli_message_located(client, cli, tmp_path):
    broken = tmp_path / "broken.yaml"
    broken.write_text("cluster_name: X\ndirection_export: 9\nnot_an_indicator: 1\n", "utf-8")
    shown = os.path.relpath(broken)  # the CLI names a file relative to the working directory
    code, _, err = cli("assess", shown)
    assert code == 2
    r = client.post("/api/assess", params={"name": shown}, content=broken.read_bytes())
    assert r.status_code == 422
    d = r.json()
    assert d["schema"] == "cluster-intl/error/1"
    assert d["errors"] == err.strip().splitlines()
    assert d["errors"][0].startswith(f"{shown}:2:")  # file:line:col: field: message


def test_a_body_without_a_name_is_named_upload_and_still_located(client):
    r = client.post("/api/assess", content=b"cluster_name: [unclosed\n")
    assert r.status_code == 422
    assert r.json()["errors"][0].startswith("upload.yaml:")
    assert "Traceback" not in r.text


@pytest.mark.parametrize(
    "body",
    [b"\x00\x01\x02binary", "cluster_name: x\n".encode("utf-16"), b"- a\n- b\n", b"\xff\xfe\xfa"],
)
def test_hostile_bodies_are_refused_with_a_message(client, body):
    r = client.post("/api/assess", content=body)
    assert r.status_code == 422
    assert r.json()["errors"] and "Traceback" not in r.text


def test_a_workbook_body_is_read_as_a_questionnaire(client, knowledge):
    blank = api.questionnaire(knowledge, "xlsx", "en")
    r = client.post("/api/assess", content=blank)  # no name: told by its zip header
    # a blank questionnaire lacks the required answers: located at sheet and cell
    assert r.status_code == 422
    assert r.json()["errors"][0].startswith("upload.xlsx:")


def test_an_oversized_yaml_is_refused_at_the_cli_limit(client):
    limit = api.upload_limit("x.yaml")
    r = client.post("/api/assess", params={"name": "big.yaml"}, content=b"#" * (limit + 1))
    assert r.status_code == 413
    assert r.json()["errors"] == [f"big.yaml: file is too large (the limit is {limit} bytes)"]
    ok = client.post("/api/assess", params={"name": "fits.yaml"}, content=b"#" * limit)
    assert ok.status_code == 422  # read and judged (an empty document), not refused for size


def test_a_body_over_the_workbook_limit_is_refused_before_it_is_read(client):
    huge = api.upload_limit("x.xlsx") + 10**6
    r = client.post(
        "/api/assess",
        content=b"x",
        headers={"content-length": str(huge)},
    )
    assert r.status_code == 413


def test_a_streamed_body_is_cut_off_at_the_limit(client):
    limit = api.upload_limit("x.yaml")

    def chunks():
        for _ in range(limit // 65536 + 2):
            yield b"#" * 65536

    r = client.post("/api/assess", params={"name": "s.yaml"}, content=chunks())
    assert r.status_code == 413


def test_what_if_errors_are_the_clis(client, cli, nn_bytes):
    code, _, err = cli("what-if", NAME, "--set", "direction_export=9", "--set", "nope=1")
    assert code == 2
    r = post(client, "/api/what-if", nn_bytes, set=["direction_export=9", "nope=1"])
    assert r.status_code == 422
    assert r.json()["errors"] == err.strip().splitlines()
    none = post(client, "/api/what-if", nn_bytes)
    assert none.status_code == 400 and "set" in none.json()["errors"][0]


def test_unknown_subject_and_language_are_usage_errors(client, cli, nn_bytes):
    code, _, err = cli("why", NAME, "nonsense")
    r = post(client, "/api/why", nn_bytes, subject="nonsense")
    assert code == 2 and r.status_code == 400
    assert r.json()["errors"] == err.strip().splitlines()
    assert post(client, "/api/why", nn_bytes).status_code == 400  # no subject
    assert post(client, "/api/assess", nn_bytes, lang="de").status_code == 400
    assert post(client, "/api/draft", nn_bytes, format="pdf").status_code == 400


def test_the_base_result_is_cached_by_content(app, client, nn_bytes):
    service = app.app.state.workbench.service
    post(client, "/api/assess", nn_bytes)
    first = service.result(nn_bytes, NAME)
    post(client, "/api/why", nn_bytes, subject="index")
    assert service.result(nn_bytes, NAME) is first
    changed = nn_bytes.replace(b"direction_export: {value: 1", b"direction_export: {value: 2")
    assert changed != nn_bytes
    assert service.result(changed, NAME) is not first


def test_api_routes_refuse_get(client):
    r = client.get("/api/assess")
    assert r.status_code == 405 and r.json()["errors"]


def test_json_body_of_examples_round_trips_every_example(client, cli):
    for path in sorted(EXAMPLES.glob("*.yaml")):
        name = f"examples/{path.name}"
        expected = cli_json(cli, "draft", name)
        r = client.post(
            "/api/draft", params={"name": name, "format": "json"}, content=Path(path).read_bytes()
        )
        assert r.json() == expected, path.name
