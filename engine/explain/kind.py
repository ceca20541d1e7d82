"""The cluster's kind and a measure's applicability in words: the `why-not` of a measure that
does not apply to the cluster, read from the run's record (`Result.excluded`)."""

from __future__ import annotations

from typing import Any

from engine.inference.trace import ClusterKind, KindCheck, Result
from engine.knowledge.models import Knowledge
from engine.text.message import Msg, cat


def kind_values(dim: str, values: tuple[str, ...] | list[str], k: Knowledge) -> Any:
    """Values of one dimension of a kind as the reader says them (labels of the knowledge)."""
    if not values:
        return Msg("kind_unknown")
    labels: dict[str, Any] = {}
    if dim == "sectors":
        labels = {s.id: s.label for s in k.sectors.sectors}
    elif dim in ("output", "market"):
        labels = dict(getattr(k.sectors.kinds, dim))
    elif dim in k.indicator:
        labels = dict(k.indicator[dim].value_labels)
    return cat((labels.get(v) or v for v in values), ", ")


def kind_view(kind: ClusterKind, k: Knowledge) -> Any:
    """The cluster's kind in one line: sectors; output; market; knowledge base."""
    parts = []
    for dim in ("sectors", "output", "market", "knowledge_base"):
        raw = getattr(kind, dim)
        values = (raw,) if isinstance(raw, str) else (raw or ())
        parts.append(cat([Msg(f"kind_{dim}"), ": ", kind_values(dim, values, k)]))
    return cat(parts, "; ")


def needs_line(c: KindCheck, k: Knowledge) -> Any:
    """One unmet key of `applies_to:`: what the cluster is and what the measure is for."""
    return Msg(
        "x_kind_needs",
        dimension=Msg(f"kind_{c.dimension}"),
        actual=kind_values(c.dimension, c.actual, k),
        required=kind_values(c.dimension, c.required, k),
    )


def not_applicable_view(result: Result, rid: str, k: Knowledge) -> dict[str, Any] | None:
    """Why a measure a rule made does not apply, or None when it was not excluded."""
    app = result.excluded.get(rid)
    if app is None or result.kind is None:
        return None
    return {
        "where": app.where,
        "kind": kind_view(result.kind, k),
        "failing": [needs_line(c, k) for c in app.failing],
        "checks": [c.as_dict() for c in app.checks],
    }
