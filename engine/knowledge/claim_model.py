"""The model of `claim_check` in knowledge/program.yaml: what kb check reads as a claim about this
cluster and as a survey figure (engine/knowledge/verify/claims.py applies it)."""

from __future__ import annotations

from pydantic import Field

from engine.knowledge.base import Lang, Provenance, Text


class ClaimCheck(Provenance):
    """What `kb check` reads as a claim about this cluster and as a survey figure (issue 19):
    regular expressions by language. A catalogue text is printed for every cluster the measure
    is made for, so it may not state a property of this one; a number called a mean names its
    survey."""

    cluster_claims: dict[Lang, list[str]]
    mean_words: dict[Lang, str]
    survey_words: dict[Lang, str]
    sources: list[str] = Field(default_factory=list)
    note: Text | None = None
