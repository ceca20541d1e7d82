"""engine/program builds one document without a language; `localize` puts it into words (issue 18)."""

from __future__ import annotations

import ast
from pathlib import Path

from engine import api
from engine.program.document import build_document
from engine.program.model import build_program
from engine.text.message import Locale, localize

PROGRAM = Path(__file__).resolve().parents[3] / "engine" / "program"


def _functions() -> list[tuple[str, ast.FunctionDef]]:
    out = []
    for path in sorted(PROGRAM.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef):
                out.append((f"{path.name}:{node.lineno} {node.name}", node))
    return out


def test_no_function_of_engine_program_takes_a_language():
    taking = [
        where
        for where, fn in _functions()
        if any(a.arg == "lang" for a in fn.args.args + fn.args.kwonlyargs)
    ]
    assert taking == []


def test_no_function_of_engine_program_is_longer_than_80_lines():
    long = [where for where, fn in _functions() if (fn.end_lineno or 0) - fn.lineno + 1 > 80]
    assert long == []


def test_one_record_is_worded_in_both_languages(nn_result, knowledge):
    record = build_document(build_program(nn_result, knowledge), nn_result, knowledge, "client")
    ru = localize(record, Locale("ru"))
    en = localize(record, Locale("en"))
    assert ru["lang"] == "ru" and en["lang"] == "en"
    assert ru["front"]["title"] != en["front"]["title"]
    assert [p["id"] for p in ru["plan"]] == [p["id"] for p in en["plan"]]
    # wording the record does not change it: the same record gives the same words again, and
    # the words are what the renderers get from api.program_view
    assert localize(record, Locale("ru")) == ru
    assert api.program_view(nn_result, knowledge, "en", "client") == en
    assert api.program_view(nn_result, knowledge, "ru", "client") == ru


def test_russian_typography_is_applied_once_at_the_end(nn_result, knowledge):
    record = build_document(build_program(nn_result, knowledge), nn_result, knowledge, "client")
    typeset = localize(record, Locale("ru"))
    plain = localize(record, Locale("ru", typography=False))
    # the dash of the plan's dates ("I кв. 2014 — IV кв. 2016") is non-breaking only when typeset
    spans = [p["when"] for p in typeset["plan"] if "—" in p["when"]]
    assert spans and all("\u00a0— " in w for w in spans)
    assert any(" — " in p["when"] for p in plain["plan"])
