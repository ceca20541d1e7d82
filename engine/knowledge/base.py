"""The base of every knowledge model: closed frozen models, ru/en texts, and provenance (`basis`)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, model_validator

from engine.text.bilingual import Text

__all__ = ["Text"]  # re-exported: the knowledge models and their readers import it from here

Lang = Literal["ru", "en"]


SubjectKind = Literal["indicator", "measure", "finding", "recommendation"]  # what a condition tests


# what a rule's `then` declares; `excluded`: a recommendation that does not apply to the cluster
DeclaredKind = Literal["finding", "recommendation", "postponed", "excluded"]


FactKind = Literal["indicators", "measures", "finding", "recommendation"]  # what a firing matched


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)


Basis = Literal["source", "derived", "proposal"]


class Provenance(Strict):
    """A knowledge item that says where it comes from (`kb check` requires `basis`)."""

    basis: Basis | None = None
    proposal: bool = False

    @model_validator(mode="before")
    @classmethod
    def _proposal_is_basis(cls, data: Any) -> Any:
        if isinstance(data, dict):
            if data.get("proposal") is True and data.get("basis") is None:
                data = {**data, "basis": "proposal"}
            elif data.get("basis") == "proposal" and "proposal" not in data:
                data = {**data, "proposal": True}
        return data


def localized(value: Text | str | None, lang: str) -> str:
    """A field that is either one string for both languages or a ru/en text, in `lang`."""
    return value.get(lang) if isinstance(value, Text) else value or ""
