"""Golden files of the drafted example program: Markdown and HTML, Russian and English, and JSON.

Regenerate only on purpose with `uv run pytest tests/test_golden.py --update-golden`, then review
the diff; CI never regenerates them.
"""

from __future__ import annotations

import pytest

from tests.conftest import ROOT


@pytest.mark.parametrize("fmt", ["md", "html"])
@pytest.mark.parametrize("lang", ["ru", "en"])
def test_draft_example_matches_golden(cli, golden, monkeypatch, fmt, lang):
    monkeypatch.chdir(ROOT)
    code, out, err = cli("draft", "examples/nizhny-novgorod.yaml", "--format", fmt, "--lang", lang)
    assert code == 0, err
    golden(f"nizhny-novgorod.{lang}.{fmt}", out)


def test_json_result_matches_golden(cli, golden, monkeypatch):
    monkeypatch.chdir(ROOT)
    code, out, err = cli("draft", "examples/nizhny-novgorod.yaml", "--format", "json")
    assert code == 0, err
    golden("nizhny-novgorod.json", out)
