"""Every output names the knowledge base that drafted it (issue 23 item 6): version and digest."""

from __future__ import annotations

import hashlib
import io
import json
import shutil

import docx
import pytest

from engine import api
from tests.conftest import ROOT


def test_the_json_result_carries_the_knowledge_version_and_digest(knowledge, nn_result):
    data = json.loads(api.draft(nn_result, knowledge, "json", "en"))
    assert data["knowledge"] == {"version": "1.0", "digest": knowledge.digest}
    assert len(knowledge.digest) == 64 and int(knowledge.digest, 16) >= 0


def test_the_digest_is_of_the_knowledge_files_alone(tmp_path, knowledge):
    h = hashlib.sha256()
    for path in sorted((ROOT / "knowledge").rglob("*.yaml")):
        rel = path.relative_to(ROOT / "knowledge")
        if rel.parts[0] != "scenarios":
            h.update(rel.as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    assert knowledge.digest == h.hexdigest()


@pytest.mark.slow  # heavy; .ci/run runs it (-m slow)
def test_an_edited_comment_changes_the_digest_and_a_scenario_does_not(tmp_path, knowledge):
    root = tmp_path / "knowledge"
    shutil.copytree(ROOT / "knowledge", root)
    assert api.Session(root).knowledge.digest == knowledge.digest  # the place does not count
    (root / "scenarios" / "extra.yaml").write_text("# a note\n", encoding="utf-8")
    assert api.Session(root).knowledge.digest == knowledge.digest
    findings = root / "findings.yaml"
    findings.write_text("# edited\n" + findings.read_text(encoding="utf-8"), encoding="utf-8")
    assert api.Session(root).knowledge.digest != knowledge.digest


def test_html_and_markdown_name_the_knowledge_base(knowledge, nn_result):
    html = api.draft(nn_result, knowledge, "html", "en")
    assert f'<meta name="knowledge" content="1.0 sha256:{knowledge.digest}">' in html
    md = api.draft(nn_result, knowledge, "md", "ru")
    assert md.startswith("# ")  # the title first; the knowledge base closes the file
    closing = f"<!-- База знаний: версия 1.0, контрольная сумма sha256:{knowledge.digest} -->"
    assert md.endswith(closing + "\n")


@pytest.mark.slow  # two consultant drafts, one of them Word
def test_the_consultant_annex_and_the_word_properties_name_the_knowledge_base(knowledge, nn_result):
    line = f"Knowledge base: version 1.0, digest sha256:{knowledge.digest}"
    assert line in api.draft(nn_result, knowledge, "md", "en", audience="consultant")
    document = docx.Document(
        io.BytesIO(api.draft(nn_result, knowledge, "docx", "en", audience="consultant"))
    )
    assert any(line in p.text for p in document.paragraphs)
    assert document.core_properties.identifier == f"knowledge 1.0 sha256:{knowledge.digest}"
