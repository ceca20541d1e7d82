"""A measure's derivation built by `derivation` is the one the generated dataclass `__init__`
builds."""

from __future__ import annotations

import dataclasses
import random

import pytest

from bench.synthetic import random_assessment
from engine.measures import compute
from engine.measures.derivation import Derivation, derivation


def test_derivation_builds_what_the_generated_init_builds(knowledge):
    rng = random.Random(31)
    seen = 0
    for _ in range(10):
        for d in compute(random_assessment(knowledge, rng), knowledge).derivations.values():
            stock = Derivation(*(getattr(d, f.name) for f in dataclasses.fields(Derivation)))
            assert type(d) is Derivation and d == stock
            assert list(vars(d).items()) == list(vars(stock).items())
            assert d.as_dict() == stock.as_dict()
            seen += 1
    assert seen > 100
    d = derivation("x", 1.0, "share", {"num": "a"}, {"a": 1}, "scoring.yaml:3")
    assert d == Derivation("x", 1.0, "share", {"num": "a"}, {"a": 1}, "scoring.yaml:3")
    with pytest.raises(dataclasses.FrozenInstanceError):
        d.value = 2  # type: ignore[misc]


def test_derivation_needs_every_field():
    with pytest.raises(ValueError):
        derivation("x", 1.0, "share")
