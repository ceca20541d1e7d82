"""api.assessment_yaml: a saved variant reads back to exactly the values it was saved with."""

from __future__ import annotations

import json

import pytest

from engine import api
from engine.web import forms
from tests.conftest import EXAMPLES


@pytest.mark.parametrize("path", sorted(EXAMPLES.glob("*.yaml")), ids=lambda p: p.name)
def test_every_example_round_trips(path, knowledge):
    a = api.load(path, knowledge)
    back = api.load_bytes(forms.assessment_yaml(a, knowledge).encode("utf-8"), "v.yaml", knowledge)
    assert back.values == a.values


@pytest.mark.parametrize(
    "name",
    [
        "yes",
        "null",
        "123",
        "a: b",
        "- x",
        "#hash",
        "'quoted'",
        'say "hi"',
        "{{ 7*7 }}",
        "два\nстроки",
        "  spaced  ",
        "…",
    ],
)
def test_text_that_looks_like_yaml_stays_text(name, knowledge, nn_result, session):
    v = api.variant(nn_result, [f"cluster_name={json.dumps(name)}"], session)
    text = forms.assessment_yaml(v.assessment, knowledge)
    back = api.load_bytes(text.encode("utf-8"), "v.yaml", knowledge)
    assert back.get("cluster_name") == v.assessment.get("cluster_name")
    assert back.values == v.assessment.values
