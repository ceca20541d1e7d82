"""engine/authoring/schema_ids.py: how many typical authoring mistakes the editor schemas alone
catch (issue 23 item 4).

Each mistake is one edit of a small, valid knowledge document; an editor wired to the schemas
(.vscode/settings.json) marks it when the generated schema rejects the edited document. The list
is what a methodologist actually got wrong (issue 23: 25 mistakes, 6 caught before); the ones the
schemas cannot see (the meaning of rules, duplicates, wording) are `kb check`'s business and are
listed too, so the measure stays honest. Schemas are validated with jsonschema (a dev dependency).
"""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from engine.authoring.schema import all_schemas
from tests.conftest import ROOT

RULE = {
    "id": "zz_rule",
    "title": {"en": "A rule", "ru": "Правило"},
    "when": [{"indicator": "direction_export", "op": "le", "value": 1}],
    "then": {"recommend": "rg_export_trade_missions"},
    "sources": ["p_methodology"],
    "basis": "proposal",
}
PARTNER_DOC = "partners"
SCENARIO = {
    "name": "zz",
    "assessment": "../../examples/nizhny-novgorod.yaml",
    "expect": {"recommendations": {"present": ["co_partner_cluster"]}},
}


def _rule(**changes: Any) -> dict[str, Any]:
    return {"rules": [RULE | changes]}


def _cond(**cond: Any) -> dict[str, Any]:
    return _rule(when=[cond])


# (name, schema, document with the mistake) — the mistakes the schemas catch
CAUGHT = {
    "misspelt indicator": ("rules", _cond(indicator="direction_exprot", op="le", value=1)),
    "misspelt measure": (
        "rules",
        _cond(measure="bench_status_direction_exprot", op="eq", value="weak"),
    ),
    "misspelt finding in a condition": ("rules", _cond(finding="weakness.exprot")),
    "misspelt finding derived": ("rules", _rule(then={"finding": "weakness.exprot"})),
    "unknown recommendation": ("rules", _rule(then={"recommend": "rg_export_missions"})),
    "postpone names a finding": ("rules", _rule(then={"postpone": "weakness.export"})),
    "unknown source": ("rules", _rule(sources=["p_methodolgy"])),
    "threshold as a string": ("rules", _cond(indicator="direction_export", op="le", value="1")),
    "threshold outside the scale": ("rules", _cond(indicator="direction_export", op="le", value=9)),
    "measure value not among its values": (
        "rules",
        _cond(measure="bench_status_direction_export", op="eq", value="poor"),
    ),
    "boolean indicator compared with a word": (
        "rules",
        _cond(indicator="has_intl_working_group", op="eq", value="yes"),
    ),
    "misspelt operator": ("rules", _cond(indicator="direction_export", op="lte", value=1)),
    "misspelt key": ("rules", {"rules": [{**RULE, "wehn": RULE["when"]}]}),
    "basis not a basis": ("rules", _rule(basis="ours")),
    "scenario expects an unknown recommendation": (
        "scenario",
        SCENARIO | {"expect": {"recommendations": {"present": ["co_partner_clusters"]}}},
    ),
    "scenario status on an unknown id": (
        "scenario",
        SCENARIO | {"expect": {"recommendations": {"new": ["org_intl_group"]}}},
    ),
}

# mistakes only `kb check` finds: their documents are valid under the schemas
MISSED = {
    "contradictory conditions": (
        "rules",
        _rule(
            when=[
                {"indicator": "direction_export", "op": "ge", "value": 3},
                {"indicator": "direction_export", "op": "le", "value": 1},
            ]
        ),
    ),
    "duplicate rule id": ("rules", {"rules": [RULE, RULE]}),
    "a title in one language only": ("rules", _rule(title={"en": "A rule"})),
    "a placeholder naming an untested indicator": (
        "rules",
        _rule(because={"en": "{activity_smes} is low", "ru": "{activity_smes} мало"}),
    ),
}


@pytest.fixture(scope="module")
def validators(knowledge) -> dict[str, Draft202012Validator]:
    schemas = json.loads(json.dumps(all_schemas(knowledge)))
    registry = Registry().with_resources(
        (name, Resource.from_contents(s, default_specification=DRAFT202012))
        for name, s in schemas.items()
    )
    return {
        name.removesuffix(".schema.json"): Draft202012Validator(s, registry=registry)
        for name, s in schemas.items()
    }


def _errors(validators, schema: str, doc: Any) -> list[str]:
    return [e.message for e in validators[schema].iter_errors(copy.deepcopy(doc))]


def test_the_unedited_documents_are_valid(validators):
    assert _errors(validators, "rules", _rule()) == []
    assert _errors(validators, "scenario", SCENARIO) == []


@pytest.mark.parametrize("name", sorted(CAUGHT))
def test_the_schemas_catch_the_mistake(validators, name):
    schema, doc = CAUGHT[name]
    assert _errors(validators, schema, doc), f"{name}: the schema accepts it"


@pytest.mark.parametrize("name", sorted(MISSED))
def test_the_schemas_do_not_see_the_mistake_kb_check_does(validators, name):
    schema, doc = MISSED[name]
    assert _errors(validators, schema, doc) == [], f"{name}: now caught; move it to CAUGHT"


def test_the_measure_of_mistakes_caught():
    # issue 23 measured 6 of 25 before the ids, descriptions and value types
    assert (len(CAUGHT), len(CAUGHT) + len(MISSED)) == (16, 20)


def test_the_editor_settings_map_every_knowledge_schema():
    settings = json.loads((ROOT / ".vscode" / "settings.json").read_text(encoding="utf-8"))
    mapped = settings["yaml.schemas"]
    for path in mapped:
        assert (ROOT / path).is_file(), path
    names = {p.removeprefix("./schemas/") for p in mapped}
    expected = {p.name for p in (ROOT / "schemas").glob("*.schema.json")}
    # the JSON answers (why, what-if, sensitivity, result) are outputs, not files an author edits
    assert expected - names == {
        "result.schema.json",
        "why.schema.json",
        "why-not.schema.json",
        "what-if.schema.json",
        "sensitivity.schema.json",
    }
