"""The firing record's classes, whose `__init__` is written out, take the fields a generated
dataclass `__init__` takes and build records equal to what it builds."""

from __future__ import annotations

import dataclasses
import inspect
import random

import pytest

from engine.inference.trace import CondCheck, Declared, Firing, Matched, RunningCheck

RECORDS = [Matched, CondCheck, Declared, Firing, RunningCheck]


def _generated(cls: type) -> type:
    """The same class with dataclass's own generated `__init__`."""
    ns = {"__annotations__": dict(cls.__annotations__), "__module__": cls.__module__}
    for f in dataclasses.fields(cls):
        if f.default is not dataclasses.MISSING:
            ns[f.name] = f.default
    return dataclasses.dataclass(frozen=True)(type(cls.__name__, (), ns))


@pytest.mark.parametrize("cls", RECORDS)
def test_written_out_init_takes_the_fields_in_order_with_their_defaults(cls):
    params = list(inspect.signature(cls.__init__).parameters.values())[1:]
    fields = dataclasses.fields(cls)
    assert [p.name for p in params] == [f.name for f in fields]
    assert [p.default for p in params] == [
        inspect.Parameter.empty if f.default is dataclasses.MISSING else f.default for f in fields
    ]
    assert all(p.kind is inspect.Parameter.POSITIONAL_OR_KEYWORD for p in params)
    assert [p.name for p in params] == list(inspect.signature(_generated(cls)).parameters)


@pytest.mark.parametrize("cls", RECORDS)
def test_written_out_init_builds_what_the_generated_one_builds(cls):
    rng = random.Random(cls.__name__)
    plain = _generated(cls)
    names = [f.name for f in dataclasses.fields(cls)]
    for _ in range(50):
        values = [rng.choice([None, 0, 1, "x", (1, "y"), True, 2.5]) for _ in names]
        ours, theirs = cls(*values), plain(*values)
        assert vars(ours) == vars(theirs)
        assert ours == cls(**dict(zip(names, values, strict=True)))
        assert hash(ours) == hash(cls(*values))
        assert dataclasses.astuple(ours) == dataclasses.astuple(theirs)
        with pytest.raises(dataclasses.FrozenInstanceError):
            setattr(ours, names[0], 1)
    with pytest.raises(TypeError):
        cls()
