"""A text a user reads in Russian and English: the leaf the knowledge base and the documents share.

It lives in the text stage, below the knowledge base, so that the words layer
(engine/text/message.py) can put it into a language without importing the knowledge models;
`engine.knowledge.base` re-exports it.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class Text(BaseModel):
    """A text a user reads, in Russian and English."""

    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)

    ru: str | None = None
    en: str | None = None

    def get(self, lang: str) -> str:
        """The text in `lang`, falling back to the other language when it is missing."""
        value = getattr(self, lang, None)
        if value:
            return value
        return self.en or self.ru or ""

    @classmethod
    def of(cls, texts: dict[str, str | None]) -> Text:
        """The text of a `{ru, en}` dict taken from a text already checked (a knowledge text in a
        view): built without the validator, whose schema pydantic would otherwise build on the
        first use in a process (a tenth of a cold draft)."""
        return cls.model_construct(None, **texts)
