"""The facade of the explanations (`why`, `why-not`, `what-if`): language-neutral records from
engine/explain, put into words for the reader (a rule author or policy staff)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from engine.assessment.validate import blank
from engine.errors import InputError, Problem
from engine.explain.policy import policy_what_if, policy_why, policy_why_not
from engine.explain.what_if import parse_sets, what_if_data
from engine.explain.why_not import why_not_data
from engine.inference.trace import Result
from engine.knowledge.models import Knowledge
from engine.program.why_plan import why_record
from engine.render.explain_policy import (
    render_what_if_policy,
    render_why_not_policy,
    render_why_policy,
)
from engine.render.explain_text import (
    explanation_words,
    render_what_if,
    render_why,
    render_why_not,
)
from engine.session import Session

if TYPE_CHECKING:  # the shapes, for the type checker only
    from engine.explain.shapes import WhatIfData, WhyData, WhyNotData


def why(result: Result, ident: str, k: Knowledge, lang: str, reader: str = "author") -> WhyData:
    """Why a recommendation, finding or measure holds: the chain down to the indicators.
    `reader`: "author" (rule ids, file:line) or "policy" (plain sentences)."""
    data = why_record(result, ident, k)  # with the schedule and KPI targets of a measure made
    if reader == "policy":
        data = policy_why(data, k)
    return explanation_words(data, lang, reader)


def why_text(data: WhyData, reader: str = "author") -> str:
    """A why answer as terminal text for its reader (author or policy)."""
    return render_why_policy(data) if reader == "policy" else render_why(data)


def why_not(
    result: Result, ident: str, s: Session, lang: str, reader: str = "author"
) -> WhyNotData:
    """Why a recommendation was not made, with the smallest verified changes that would make it."""
    k = s.knowledge
    data = why_not_data(result, ident, k, runner=s.runner)
    if reader == "policy":
        data = policy_why_not(data, k)
    return explanation_words(data, lang, reader)


def why_not_text(data: WhyNotData, reader: str = "author") -> str:
    """A why-not answer as terminal text for its reader (author or policy)."""
    return render_why_not_policy(data) if reader == "policy" else render_why_not(data)


def set_changes(sets: list[str], k: Knowledge) -> dict[str, Any]:
    """`ID=VALUE` changes, read and checked: a required indicator is never blanked."""
    changes = parse_sets(sets, k)
    problems = [
        Problem(file="--set", path=key, message=f"{key!r} is required; it cannot be blank")
        for key, value in changes.items()
        if k.indicator[key].required and blank(value)
    ]
    if problems:
        raise InputError(problems)
    return changes


def what_if(
    result: Result, sets: list[str], s: Session, lang: str, reader: str = "author"
) -> WhatIfData:
    """Rerun with changed indicators (`ID=VALUE`, VALUE in YAML) and say what moved and why."""
    k = s.knowledge
    data = what_if_data(result, set_changes(sets, k), k, s.runner)
    if reader == "policy":
        data = policy_what_if(data, k)
    return explanation_words(data, lang, reader)


def what_if_text(data: WhatIfData, reader: str = "author") -> str:
    """A what-if answer as terminal text for its reader (author or policy)."""
    return render_what_if_policy(data) if reader == "policy" else render_what_if(data)
