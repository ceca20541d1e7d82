"""A measure's derivation: how `engine.measures.compute` worked out its value, the record every
explanation of a measure reads (its inputs, its formula in words, the scoring.yaml setting)."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any

from engine.text.strings import strings


@dataclass(frozen=True)
class Derivation:
    """How a measure was computed: the formula is a key of templates/strings.yaml (`f_…`) and
    its parameters, so it reads in the document's language."""

    id: str
    value: Any
    formula_key: str
    params: dict[str, Any] = field(default_factory=dict)
    inputs: dict[str, Any] = field(default_factory=dict)
    setting: str = ""  # knowledge file:line of the setting used

    def formula(self, lang: str = "en") -> str:
        """The formula in words, in `lang`, from its key in templates/strings.yaml."""

        return strings()[lang][f"f_{self.formula_key}"].format(**self.params)

    def as_dict(self) -> dict[str, Any]:
        """The derivation as JSON data, with its formula in both languages."""
        return {
            "id": self.id,
            "value": self.value,
            "formula": self.formula("en"),
            "formula_text": {lang: self.formula(lang) for lang in ("ru", "en")},
            "inputs": dict(self.inputs),
            "setting": self.setting,
        }


def derivation(*values: Any) -> Derivation:
    """`Derivation(*values)` (all six fields, in order), stored in the instance's dict at once:
    the generated frozen `__init__` calls `object.__setattr__` once per field (~80 measures a
    cluster). tests/engine/measures/test_derivation.py compares the two."""
    d = object.__new__(Derivation)
    vars(d).update(zip(_FIELDS, values, strict=True))
    return d


_FIELDS = tuple(f.name for f in fields(Derivation))
