"""Issue 18: the document and the explanations are built without a language; at most 5 functions
of engine/program/ and engine/explain/ take one (today none does). A language is a `lang`
parameter; the records' own `words(self, loc)` methods are the one step that puts them into words
at rendering (`localize` with a `Locale`), which the issue asks for, so a `Locale` is not counted."""

from __future__ import annotations

import ast
from pathlib import Path

from tests.conftest import ROOT

LANGUAGE_PARAMS = {"lang", "language", "lang_code"}


def taking_a_language(files: list[Path]) -> list[str]:
    """`file:line name` of every function with a parameter that names a language."""
    out = []
    for path in files:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                a = node.args
                names = {x.arg for x in [*a.posonlyargs, *a.args, *a.kwonlyargs]}
                if names & LANGUAGE_PARAMS:
                    out.append(f"{path.name}:{node.lineno} {node.name}")
    return out


def test_at_most_five_functions_of_program_and_explain_take_a_language():
    files = [p for d in ("program", "explain") for p in (ROOT / "engine" / d).rglob("*.py")]
    assert len(files) > 30
    found = taking_a_language(files)
    assert len(found) <= 5, found


def test_the_scan_finds_a_function_taking_a_language(tmp_path):
    src = tmp_path / "m.py"
    src.write_text("def view(result, lang):\n    pass\n\ndef plain(result):\n    pass\n")
    assert taking_a_language([src]) == ["m.py:1 view"]
