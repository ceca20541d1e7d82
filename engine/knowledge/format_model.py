"""The formats of an assessment file (knowledge/formats.yaml): the versions, and each field an
earlier format had that the current one renamed or removed, with what the reader does with it
(engine/assessment/formats.py applies it; `cluster-intl migrate` rewrites the file)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from engine.knowledge.base import Provenance, Strict, Text

# renamed: the value moves to `into`; merged: the same question asked twice (`into` wins when both
# are given); dropped: no longer read; refused: cannot be mapped (the file must be edited)
Action = Literal["renamed", "merged", "dropped", "refused"]

NOTICE_KEYS = (
    "moved",
    "duplicate",
    "conflict",
    "dropped",
    "blank",
    "refused",
    "both_names",
    "not_in_declared",
    "hint",
    "use_into",
    "remove_it",
    "later_format",
    "bad_format",
    "annex_intro",
    "kept_as_comment",
)


class FormatVersion(Strict):
    """One format of the assessment file: its number and the releases that wrote it."""

    version: int = Field(ge=1)
    releases: str
    label: Text


class FieldChange(Strict):
    """A field of an earlier format renamed or removed: the last format that has it, what the
    reader does with it, the commit that changed it and why."""

    field: str
    last_format: int = Field(ge=1)
    action: Action
    into: str | None = None
    what_to_do: Text | None = None
    commit: str
    date: str
    reason: Text


class FormatsFile(Provenance):
    """knowledge/formats.yaml."""

    sources: list[str] = Field(default_factory=list)
    key: str
    prefix: str
    current: int = Field(ge=1)
    formats: list[FormatVersion]
    changes: list[FieldChange] = Field(default_factory=list)
    notices: dict[str, Text]

    def change(self, field: str) -> FieldChange | None:
        """The change record of an earlier format's field, or None."""
        return next((c for c in self.changes if c.field == field), None)

    def notice(self, key: str, lang: str, **params: object) -> str:
        """A notice text of `notices` in `lang`, its `{name}` parameters filled."""
        return self.notices[key].get(lang).format(**{k: str(v) for k, v in params.items()})
