"""The consultant's annex "How firm is each measure" (engine/program/firmness.py): the map's
nearest changes in the consultant's document, in every format; never in the client's."""

from __future__ import annotations

import io

import docx
import pytest
from markupsafe import escape

from engine import api
from tests.conftest import ROOT

UNSEEN = ROOT / "tests" / "fixtures" / "unseen"


def test_the_client_document_has_no_annex_and_runs_no_map(nn_result, session, monkeypatch):
    import engine.api as facade

    def boom(*_a, **_k):  # the client's document must not pay for the map
        raise AssertionError("the map was computed for the client")

    monkeypatch.setattr(facade, "map_of", boom)
    view = api.program_view(nn_result, session.knowledge, "en", "client")
    assert view["firmness"] is None
    md = api.draft(nn_result, session.knowledge, "md", "en")
    assert "How firm each measure is" not in md


@pytest.mark.slow
def test_the_consultant_annex_carries_the_map_in_md_html_and_docx(nn_result, session):
    k = session.knowledge
    data = api.sensitivity(nn_result, session, "en")
    first = next(m for m in data["measures"] if m["margins"])
    holding = next(m for m in data["measures"] if m["holds"])
    for fmt in ("md", "html"):
        text = api.draft(nn_result, k, fmt, "en", audience="consultant", runner=session.runner)
        assert isinstance(text, str)

        def said(x: str, fmt: str = fmt) -> str:
            return str(escape(x)) if fmt == "html" else x

        assert "Annex E. How firm each measure is" in text
        assert said(first["margins"][0]["to_text"]) in text
        assert said(holding["label"]) in text
    assert 'id="chart-firmness"' in text  # the tornado chart of the ranking, in the HTML
    raw = api.draft(nn_result, k, "docx", "en", audience="consultant", runner=session.runner)
    word = docx.Document(io.BytesIO(raw))
    paragraphs = [p.text for p in word.paragraphs]
    assert any(p.endswith("— Indicators that move the most advice") for p in paragraphs)
    assert "Annex E. How firm each measure is" in paragraphs
    line = next(p for p in paragraphs if p.startswith(f"{holding['label']} ({holding['id']})"))
    assert "holds under any single plausible change" in line


@pytest.mark.slow
def test_the_switch_puts_one_line_under_each_high_priority_measure(cli, session):
    path = UNSEEN / "armenian-it.yaml"
    result = api.evaluate(path, session)
    data = api.sensitivity(result, session, "en")
    high = [r for r in result.recommendations if result.priority[r] == "high"]
    code, md, err = cli("draft", path, "--lang", "en", "--format", "md", "--firmness")
    assert code == 0, err
    lines = [line for line in md.splitlines() if line.startswith("- How firm: ")]
    assert len(lines) == len(high) > 0
    for rid in high:
        m = next(x for x in data["measures"] if x["id"] == rid)
        wanted = m["margins"][0]["to_text"] if m["margins"] else "holds under any single"
        assert any(wanted in line for line in lines), (rid, wanted)
    assert "co_" not in "\n".join(lines)  # the client's text names no ids


def test_without_the_switch_no_line_and_no_map(nn_result, session, monkeypatch):
    import engine.api as facade

    monkeypatch.setattr(facade, "map_of", lambda *_a: (_ for _ in ()).throw(AssertionError))
    md = api.draft(nn_result, session.knowledge, "md", "en", runner=session.runner)
    assert "How firm:" not in md
