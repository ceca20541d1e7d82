"""The answers for policy staff (`--reader policy`): the values of inputs, changes and scores by
their labels ("balanced" reads "Balanced (triple-helix) model"), measures by their titles. The
author's answers keep the raw values of the documented shapes."""

from __future__ import annotations

from typing import Any, TypeVar, cast

from engine.explain.labels import subject_label, value_text
from engine.knowledge.models import Knowledge

Answer = TypeVar("Answer")


def _labelled(
    item: dict[str, Any], kind: str, ident: str, keys: tuple[str, ...], k: Knowledge
) -> dict[str, Any]:
    return {**item, **{key: value_text(kind, ident, item[key], k) for key in keys if key in item}}


def _derivation(d: dict[str, Any], k: Knowledge) -> dict[str, Any]:
    inputs = []
    for i in d["inputs"]:
        if i["kind"] == "indicator":
            i = _labelled(i, "indicator", i["id"], ("value",), k)
        elif i.get("derivation"):
            i = {**i, "derivation": _derivation(i["derivation"], k)}
        inputs.append(i)
    return {**d, "inputs": inputs}


def policy_why(data: Answer, k: Knowledge) -> Answer:
    """A `why` answer whose input values read as labels."""
    d = cast(dict[str, Any], data)
    out = {
        **d,
        "indicators": [_labelled(i, "indicator", i["id"], ("value",), k) for i in d["indicators"]],
    }
    subj = d["subject"]
    if subj["kind"] in ("indicator", "measure") and "value" in d:
        out["value"] = value_text(subj["kind"], subj["id"], d["value"], k)
    if d.get("derivation"):
        out["derivation"] = _derivation(d["derivation"], k)
    return cast(Answer, out)


def policy_why_not(data: Answer, k: Knowledge) -> Answer:
    """A `why-not` answer whose proposed changes read as labels."""
    d = cast(dict[str, Any], data)
    changes = [_labelled(c, "indicator", c["indicator"], ("from", "to"), k) for c in d["changes"]]
    return cast(Answer, {**d, "changes": changes})


def policy_what_if(data: Answer, k: Knowledge) -> Answer:
    """A `what-if` answer whose changed values and scores read as labels, and whose postponed
    measures are named by their titles."""
    d = cast(dict[str, Any], data)
    postponed = {
        side: [subject_label("recommendation", rid, k) for rid in d["postponed"][side]]
        for side in ("added", "removed")
    }
    return cast(
        Answer,
        {
            **d,
            "changes": [
                _labelled(c, "indicator", c["indicator"], ("from", "to"), k) for c in d["changes"]
            ],
            "scores": [_labelled(s, "measure", s["id"], ("from", "to"), k) for s in d["scores"]],
            "postponed": postponed,
        },
    )
