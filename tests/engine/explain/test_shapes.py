"""The explanations' JSON answers match their documented shapes (engine/explain/shapes.py, and the
schemas generated from them), on every example and kinds of subject, in both languages."""

from __future__ import annotations

import json

import pytest

from engine import api
from engine.explain.shapes import adapter, json_schema
from tests.conftest import EXAMPLES, ROOT


def answers(session, lang):
    knowledge = session.knowledge
    for path in sorted(EXAMPLES.glob("*.yaml")):
        r = api.evaluate(path, session)
        subjects = r.recommendations[:3] + r.findings[:2] + ["index", "model", "activity_smes"]
        for ident in subjects:
            yield "why", api.why(r, ident, knowledge, lang)
        made = set(r.recommendations)
        not_made = [x.id for x in knowledge.recommendations.recommendations if x.id not in made]
        for ident in not_made[:2]:
            yield "why-not", api.why_not(r, ident, session, lang)
        yield "what-if", api.what_if(r, ["direction_export=4", "activity_smes="], session, lang)


@pytest.mark.slow  # heavy; .ci/run runs it (-m slow)
@pytest.mark.parametrize("lang", ["ru", "en"])
def test_every_answer_has_its_documented_shape(session, lang):
    seen = set()
    for name, data in answers(session, lang):
        adapter(name).validate_python(json.loads(api.to_json(data)))
        seen.add(name)
    assert seen == {"why", "why-not", "what-if"}


def test_an_undocumented_key_is_refused(knowledge, nn_result):
    data = json.loads(api.to_json(api.why(nn_result, "index", knowledge, "en")))
    data["surprise"] = 1
    with pytest.raises(ValueError, match="surprise"):
        adapter("why").validate_python(data)


@pytest.mark.parametrize("name", ["why", "why-not", "what-if", "sensitivity"])
def test_the_committed_schema_is_current(name):
    committed = json.loads((ROOT / "schemas" / f"{name}.schema.json").read_text(encoding="utf-8"))
    assert committed == json_schema(name), (
        "regenerate with: uv run cluster-intl kb schema -o schemas --force"
    )
