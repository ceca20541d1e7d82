"""engine/program/diagnosis.py: the diagnosis is one record without a language, put into words
once; the strengths and weaknesses are the engine's findings only."""

from __future__ import annotations

from engine import api
from engine.program.diagnosis import diagnosis_record
from engine.text.message import Locale, localize


def test_one_diagnosis_record_is_worded_in_both_languages(nn_result, knowledge):
    record = diagnosis_record(nn_result, knowledge)
    ru = localize(record, Locale("ru", typography=False))
    en = localize(record, Locale("en", typography=False))
    assert ru["model"]["label"] != en["model"]["label"]
    assert ru["index"]["value"] == en["index"]["value"] == nn_result.measures.get("index")
    assert [x["id"] for x in ru["strengths"]] == [x["id"] for x in en["strengths"]]
    # what `assess` and /api/assess answer is this record in words, untypeset
    assert api.diagnosis(nn_result, knowledge, "en") == en
    assert api.diagnosis(nn_result, knowledge, "ru") == ru


def test_the_diagnosis_lists_only_what_the_engine_found(nn_result, knowledge):
    record = diagnosis_record(nn_result, knowledge)
    found = [x["id"] for x in record["strengths"] + record["weaknesses"]]
    assert found
    assert all(f in nn_result.findings for f in found)
