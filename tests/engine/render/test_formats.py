"""engine/render/formats.py: the output formats registered once, and everything that reads them
(the CLI's choices, draft, compare, the batch's file names, the web downloads)."""

from __future__ import annotations

import inspect
from pathlib import Path

import pytest

from engine import api
from engine.deliverables.batch import plan
from engine.errors import UsageError
from engine.render import formats
from engine.render.formats import (
    DOCUMENTS,
    FORMATS,
    Format,
    Renderer,
    format_for,
    format_names,
    get_format,
    spoken,
)
from tests.conftest import EXAMPLES


def plain_text(view: dict) -> str:
    """A throwaway renderer: the cluster's name and the titles of the measures."""
    return "\n".join([view["cluster"]["name"], *(r["title"] for r in view["recommendations"])])


PLAIN = Format(
    "plain",
    "plain",
    "text/plain; charset=utf-8",
    False,
    {"program": Renderer(f"{__name__}:plain_text", ("view",))},
)


def test_the_formats_of_each_document_in_the_order_the_help_lists_them():
    # a new format comes after these (the help and the messages keep their order)
    assert format_names("program")[:4] == ("md", "html", "docx", "json")
    assert format_names("compare")[:4] == ("md", "html", "docx", "json")
    assert format_names("catalogue")[:2] == ("md", "html")
    assert format_names("questionnaire")[:2] == ("xlsx", "yaml")
    assert spoken("program").startswith("md, html, docx")


def test_the_names_read_as_a_phrase(monkeypatch):
    monkeypatch.setattr(formats, "FORMATS", FORMATS[:2])
    assert spoken("program") == "md or html"
    monkeypatch.setattr(formats, "FORMATS", FORMATS[:4])
    assert spoken("program") == "md, html, docx or json"
    monkeypatch.setattr(formats, "FORMATS", FORMATS[:1])
    assert spoken("program") == "md"


@pytest.mark.parametrize(("f", "document"), [(f, d) for f in FORMATS for d in f.renderers], ids=str)
def test_every_renderer_exists_and_takes_what_its_document_supplies(f, document):
    renderer = f.renderers[document]
    assert set(renderer.reads) <= {"fmt", *DOCUMENTS[document]}, renderer
    fn = renderer.load()
    params = [
        p
        for p in inspect.signature(fn).parameters.values()
        if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)
    ]
    required = [p for p in params if p.default is p.empty]
    assert len(required) <= len(renderer.reads) <= len(params), (renderer, params)


def test_names_and_extensions_are_unique_and_media_types_say_the_charset_of_text():
    names = [f.name for f in FORMATS]
    assert len(names) == len(set(names))
    suffixes = [s for f in FORMATS for s in (f.extension, *f.suffixes)]
    assert len(suffixes) == len(set(suffixes))
    for f in FORMATS:
        assert f.binary or f.media_type.endswith("; charset=utf-8"), f.name


def test_an_unknown_format_is_the_cli_usage_error():
    with pytest.raises(UsageError, match=r"^--format: 'pdf' is not supported; use md, html, "):
        get_format("pdf", "program")
    with pytest.raises(UsageError, match=r"use md or html$"):
        get_format("docx", "catalogue")  # a format of other documents only


@pytest.mark.parametrize(
    ("name", "document", "chosen"),
    [
        ("p.md", "program", "md"),
        ("p.MARKDOWN", "program", "md"),
        ("p.htm", "program", "html"),
        ("p.docx", "program", "docx"),
        ("p.json", "compare", "json"),
        ("p.rtf", "program", "md"),
        ("p.docx", "catalogue", "md"),
        ("p.html", "catalogue", "html"),
        (None, "program", "md"),
    ],
)
def test_the_suffix_of_the_output_file_chooses_the_format(name, document, chosen):
    assert format_for(Path(name) if name else None, document) == chosen


@pytest.mark.parametrize("fmt", format_names("program"))
def test_draft_renders_every_program_format_binary_as_registered(fmt, nn_result, knowledge):
    data = api.draft(nn_result, knowledge, fmt, "en")
    assert isinstance(data, bytes) == get_format(fmt, "program").binary
    assert data


def test_a_renderer_is_called_with_only_what_it_reads():
    built: list[str] = []

    def part(name: str):
        return lambda: built.append(name) or {"cluster": {"name": "C"}, "recommendations": []}

    text = formats.render(
        "program", "json", view=part("view"), data=part("data"), template=part("template")
    )
    assert built == ["data"] and '"C"' in text


@pytest.mark.parametrize(
    ("command", "document"),
    [
        ("draft", "program"),
        ("compare", "compare"),
        ("batch", "program"),
        ("kb docs", "catalogue"),
        ("questionnaire", "questionnaire"),
    ],
)
def test_the_cli_offers_the_registered_formats(cli, command, document):
    code, out, _ = cli(*command.split(), "--help")
    assert code == 0
    assert "<" + "|".join(format_names(document)) + ">" in " ".join(out.split())


def test_a_new_format_is_one_registry_entry_and_one_renderer(monkeypatch, nn_result, knowledge):
    monkeypatch.setattr(formats, "FORMATS", (*FORMATS, PLAIN))
    text = api.draft(nn_result, knowledge, "plain", "en")
    assert isinstance(text, str)
    assert text.splitlines()[0] == nn_result.assessment.get("cluster_name")
    jobs, _ = plan([EXAMPLES / "nizhny-novgorod.yaml"], knowledge, "plain")
    assert [j.output for j in jobs] == ["nizhny-novgorod.plain"]
    assert format_for(Path("x.plain"), "program") == "plain"


def test_the_web_downloads_read_the_registry(monkeypatch, tmp_path):
    from starlette.testclient import TestClient

    from engine.web import Settings, create_app

    monkeypatch.setattr(formats, "FORMATS", (*FORMATS, PLAIN))
    (tmp_path / "nn.yaml").write_bytes((EXAMPLES / "nizhny-novgorod.yaml").read_bytes())
    token, base = "test-token-0123456789", "http://127.0.0.1:8765"
    app = create_app(Settings(workspace=tmp_path, host="127.0.0.1", port=8765, token=token))
    with TestClient(app, base_url=base, headers={"Authorization": f"Bearer {token}"}) as client:
        page = client.get("/c/nn.yaml/program", params={"format": "plain", "lang": "en"})
        assert page.status_code == 200, page.text
        assert page.headers["content-type"] == PLAIN.media_type
        assert page.headers["content-disposition"] == 'attachment; filename="nn.plain"'
        docx = client.get("/c/nn.yaml/program", params={"format": "docx"})
        assert docx.headers["content-type"] == get_format("docx", "program").media_type
        assert client.get("/c/nn.yaml/program", params={"format": "pdf"}).status_code == 400
        sheet = client.get("/questionnaire", params={"format": "xlsx"})
        assert sheet.headers["content-type"] == get_format("xlsx", "questionnaire").media_type
        assert sheet.headers["content-disposition"].endswith('"questionnaire-ru.xlsx"')
        cluster = client.get("/c/nn.yaml", params={"lang": "en"}).text
        assert 'data-format="plain"' in cluster  # the page offers every registered format


@pytest.mark.parametrize(
    ("f", "path"),
    [
        (f, p)
        for f in FORMATS
        if "program" in f.renderers and f.renderers["program"].unread
        for p in [EXAMPLES / "nizhny-novgorod.yaml", EXAMPLES / "nascent-cluster.yaml"]
    ],
    ids=str,
)
def test_a_renderer_never_reads_the_keys_it_calls_unread(f, path, session):
    """The batch leaves a renderer's `unread` keys and `unread_fields` out of the view it puts
    into words: the same bytes without them (the templates' StrictUndefined would raise on a key
    they read)."""
    from engine.program.document import build_document
    from engine.program.model import build_program
    from engine.text.message import Locale, localize

    renderer = f.renderers["program"]
    fields = renderer.unread_records()
    result = api.evaluate(path, session)
    for lang in ("ru", "en"):
        for audience in ("client", "consultant"):
            full = build_document(
                build_program(result, session.knowledge), result, session.knowledge, audience
            )
            view = localize(full, Locale(lang))
            assert set(renderer.unread) <= set(view)
            assert fields["PlanRow"] <= set(view["plan"][0])
            assert fields["KpiRow"] <= set(view["kpi_rows"][0])
            less = localize(full.leaving_out(renderer.unread), Locale(lang, unread=fields))
            assert not set(renderer.unread) & set(less)
            assert not fields["PlanRow"] & set(less["plan"][0])
            assert not fields["KpiRow"] & set(less["kpi_rows"][0])
            assert formats.render("program", f.name, view=lambda v=less: v) == formats.render(
                "program", f.name, view=lambda v=view: v
            )


def test_each_data_request_says_what_it_decides_on_a_line_of_its_own(session, knowledge):
    """The Markdown data requests put "decides" under the request, as the template lays it out:
    the block's trimmed newline had joined it to the "ask" clause with two spaces."""
    for lang, word in (("en", "decides: "), ("ru", "решает: ")):
        result = api.evaluate(EXAMPLES / "nizhny-novgorod.yaml", session)
        md = api.draft(result, knowledge, "md", lang)
        lines = [x for x in md.splitlines() if word in x]
        assert lines, lang
        assert all(x.startswith("  " + word) for x in lines), [x[:80] for x in lines]
