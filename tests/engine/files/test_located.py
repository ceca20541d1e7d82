"""engine/files/located.py: a pickled `Located` (the knowledge cache) keeps its data and positions
packed until first used, and then answers exactly as the original."""

from __future__ import annotations

import pickle

import pytest

from engine.files.located import Located
from engine.files.strict_yaml import load_yaml_text

TEXT = "rules:\n  - id: a\n    when: [x, y]\n  - id: b\n    then: {finding: f}\n"


def test_a_pickled_copy_answers_as_the_original():
    original = load_yaml_text(TEXT, "rules.yaml")
    copy = pickle.loads(pickle.dumps(original))
    assert "_packed" in copy.__dict__  # nothing unpacked yet
    assert copy.file == "rules.yaml" and "_packed" in copy.__dict__  # the name is not packed
    assert copy.pos(("rules", 1, "then", "finding")) == original.pos(
        ("rules", 1, "then", "finding")
    )
    assert "_packed" not in copy.__dict__  # unpacked once, on first use
    assert copy == original
    assert copy.data == original.data and copy.key_positions == original.key_positions
    problem = copy.problem(("rules", 0, "when", 1), "bad", key=False)
    assert (problem.file, problem.line) == ("rules.yaml", 3)


def test_a_copy_pickled_again_before_use_stays_the_same():
    original = load_yaml_text(TEXT, "rules.yaml")
    twice = pickle.loads(pickle.dumps(pickle.loads(pickle.dumps(original))))
    assert twice == original


def test_a_missing_attribute_is_still_an_attribute_error():
    copy = pickle.loads(pickle.dumps(Located({"a": 1}, "x.yaml", {(): (1, 1)})))
    with pytest.raises(AttributeError):
        copy.nothing  # noqa: B018
    assert copy.positions == {(): (1, 1)}
