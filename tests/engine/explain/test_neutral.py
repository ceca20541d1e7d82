"""engine/explain builds its records without a language (issue 18): no function takes one, and
one record is put into either language at the end."""

from __future__ import annotations

import ast
import json
from pathlib import Path

from engine import api
from engine.explain.why_not import not_made
from engine.program.why_plan import why_record
from engine.render.explain_text import explanation_words
from engine.text.message import Locale, localize

EXPLAIN = Path(__file__).resolve().parents[3] / "engine" / "explain"


def test_no_function_of_engine_explain_takes_a_language():
    taking = []
    for path in sorted(EXPLAIN.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                args = node.args.posonlyargs + node.args.args + node.args.kwonlyargs
                if any(a.arg == "lang" for a in args):
                    taking.append(f"{path.name}:{node.lineno} {node.name}")
    assert taking == []


def test_one_record_serves_both_languages(nn_result, knowledge):
    record = why_record(nn_result, "co_sme_internationalization", knowledge)
    before = repr(record)
    ru, en = explanation_words(record, "ru"), explanation_words(record, "en")
    assert repr(record) == before  # putting it into words leaves the record as it was
    assert ru["lang"] == "ru" and en["lang"] == "en"
    assert ru["subject"]["id"] == en["subject"]["id"] == "co_sme_internationalization"
    assert ru["subject"]["label"] != en["subject"]["label"]
    assert en == api.why(nn_result, "co_sme_internationalization", knowledge, "en")
    json.dumps(ru, ensure_ascii=False)  # every leaf became a plain value


def test_the_not_made_list_is_worded_at_the_end(nn_result, knowledge):
    items = not_made(nn_result, knowledge)
    ru = localize(items, Locale("ru"))
    en = localize(items, Locale("en"))
    assert [x["id"] for x in ru] == [x["id"] for x in en]
    assert all(isinstance(x["reason"], str) and x["reason"] for x in ru + en)
    assert ru[0]["reason"] != en[0]["reason"]
