"""Whose each claim is, in the renderers (issue 21's attribution review, the items it left): the
summary's model name, the band of an intermediate self-assessment level, the responsibility matrix
and the risk register each say they are the system's, and a source never prints its section twice.
Checked on the example and on clusters of other trades and countries."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from engine import api
from tests.conftest import ROOT

CLUSTERS = [
    ROOT / "examples" / "nizhny-novgorod.yaml",
    ROOT / "tests" / "fixtures" / "unseen" / "armenian-it.yaml",
    ROOT / "tests" / "fixtures" / "unseen" / "chilean-mining.yaml",
]


def _text(session, path: Path, lang: str, audience: str = "client") -> str:
    result = api.evaluate(path, session)
    out = api.draft(result, session.knowledge, "md", lang, audience=audience)
    assert isinstance(out, str)
    return out


def _section(text: str, heading: str) -> str:
    """The text from a heading (any level) to the next heading of level 2."""
    start = text.index(heading)
    end = text.find("\n## ", start + len(heading))
    return text[start : end if end > 0 else len(text)]


@pytest.mark.parametrize("path", CLUSTERS, ids=lambda p: p.stem)
@pytest.mark.parametrize("lang", ["ru", "en"])
def test_the_matrix_and_the_risks_say_they_are_the_systems_proposal(session, path, lang):
    text = _text(session, path, lang)
    ru = lang == "ru"
    matrix = _section(
        text, "### Распределение ответственности" if ru else "### Responsibility matrix"
    )
    assert ("рис. 28" if ru else "Fig. 28") in matrix
    assert ("предложение системы" if ru else "this system's proposal") in matrix
    risks = _section(text, "## 9. Риски" if ru else "## 9. Risks")
    assert ("предложение системы" if ru else "this system's proposal") in risks


@pytest.mark.parametrize("lang", ["ru", "en"])
def test_the_summary_marks_the_model_name_as_the_systems(session, lang):
    # a working name, pointing at section 1 where its source is given; the summary itself never
    # talks like a tool (tests/engine/program/test_provenance_and_summary.py)
    text = _text(session, CLUSTERS[0], lang)
    mark = "рабочее название" if lang == "ru" else "a working name"
    summary = text.split("\n## ")[2]
    assert mark in summary


def test_an_intermediate_level_says_its_band_is_a_convention(session, tmp_path):
    # level 4 is one of the system's interpolated levels; level 5 is a source descriptor
    text = _text(session, CLUSTERS[0], "ru")
    assert "соглашение системы" in re.search(r"\*\*Уровень 4 —[^\n]*", text).group(0)
    five = tmp_path / "five.yaml"
    five.write_text(
        re.sub(
            r"(?m)^self_assessment_level:.*$",
            "self_assessment_level: 5",
            CLUSTERS[0].read_text(encoding="utf-8"),
        ),
        encoding="utf-8",
    )
    line = re.search(r"\*\*Уровень 5 —[^\n]*", _text(session, five, "ru")).group(0)
    assert "соглашение системы" not in line


@pytest.mark.parametrize("lang", ["ru", "en"])
def test_no_source_prints_its_section_twice(session, lang):
    text = _text(session, CLUSTERS[0], lang, audience="consultant")
    lines = [ln for ln in text.splitlines() if ln.startswith("- ") and ("§" in ln)]
    assert lines
    for ln in lines:
        for cited in ln.split("; "):
            numbers = re.findall(r"(?:§|Разд\. )(\d+(?:\.\d+)*)", cited)
            assert len(numbers) == len(set(numbers)), cited


def test_no_shipped_source_repeats_its_section_in_citation_and_locator(knowledge):
    for s in knowledge.sources.sources:
        for lang in ("ru", "en"):
            citation, locator = s.reference(lang)
            lead = re.match(r"§\s*(\d+(?:\.\d+)*)", locator or "")
            if lead:
                assert not re.search(
                    rf"(?:§|Разд\.\s*){re.escape(lead.group(1))}(?!\d)", citation
                ), (s.id, lang)
