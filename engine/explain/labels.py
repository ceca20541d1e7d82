"""Words for ids and values: indicator, finding, recommendation and measure labels, values by
their labels, one condition in words. The words come from knowledge/ and templates/strings.yaml."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from engine.explain.leaves import Decimal
from engine.inference.trace import CondCheck
from engine.knowledge.base import Text
from engine.knowledge.conditions import OPERATORS
from engine.knowledge.models import Knowledge
from engine.text.message import ByLang, Loc, Msg, Value, cat
from engine.text.strings import strings

TERCILES = ("top", "middle", "bottom")
STATUSES = ("weak", "typical", "strong", "mixed", "leads", "follows", "agree", "disagree")


def _word_labels(prefix: str, values: tuple[str, ...]) -> dict[str, Msg]:
    """Measure values worded by templates/strings.yaml (`<prefix><value>`)."""
    return {v: Msg(prefix + v) for v in values}


def _has_string(key: str) -> bool:
    """Whether templates/strings.yaml holds `key` (every language holds the same keys)."""
    return key in strings()["en"]


def text_pair(t: Text | None) -> dict[str, str | None] | None:
    """A knowledge text as its two languages (the JSON answers carry both), or None."""
    return None if t is None else {"ru": t.ru, "en": t.en}


def fmt_value(v: Any) -> Value:
    """A value as a reader says it: blank, yes/no, two decimals at most, a list."""
    return Value(v)


def subject_label(kind: str, subject: str, k: Knowledge) -> Any:
    """The label a reader knows an id by: an indicator's label, a finding with its kind, a
    recommendation's title, a measure's words; the id itself otherwise."""
    if kind == "indicator" and subject in k.indicator:
        return k.indicator[subject].label
    if kind == "finding" and subject in k.finding:
        f = k.finding[subject]
        key = f"finding_kind_{f.kind}"
        return cat([Msg(key), ": ", f.label]) if _has_string(key) else f.label
    if kind == "recommendation" and subject in k.recommendation:
        return k.recommendation[subject].title
    if kind == "measure":
        return measure_label(subject, k)
    return subject


def measure_label(mid: str, k: Knowledge) -> Any:
    """A measure's words: its own strings key, its partial or regional indicator's label, or its
    family's wording built from the indicator or helix it is about."""
    if _has_string(f"measure_{mid}"):
        return Msg(f"measure_{mid}")
    if mid in k.partial:
        return k.partial[mid].label
    if mid in k.regional:
        return k.regional[mid].label
    prefixes: tuple[str, ...] = ("gap_", "tercile_", "bench_gap_", "bench_status_", "verdict_")
    prefixes += ("helix_leads_", "helix_")
    for prefix in prefixes:
        if mid.startswith(prefix):
            rest = mid[len(prefix) :]
            helix = k.scoring.helix.labels.get(rest) if prefix.startswith("helix_") else None
            inner = (
                k.scoring.areas[rest]
                if prefix == "verdict_" and rest in k.scoring.areas
                else k.partial[rest].label
                if rest in k.partial
                else k.indicator[rest].label
                if rest in k.indicator
                else helix
                if helix
                else rest
            )
            return cat([Msg(f"measure_prefix_{prefix}"), inner])
    return mid


def check_parts(c: CondCheck | dict[str, Any], k: Knowledge) -> dict[str, Any]:
    """One condition's parts: its subject's label, the value seen and what was required."""
    d = c.as_dict() if isinstance(c, CondCheck) else c
    label = subject_label(d["kind"], d["subject"], k)
    if d["kind"] in ("finding", "recommendation"):
        return {"label": label, "negated": bool(d["negated"])}
    operator = OPERATORS[d["op"]]
    op = Msg(operator.words)
    actual = value_text(d["kind"], d["subject"], d["actual"], k)
    if operator.value == "none":
        req: Any = op
    else:
        req = cat([op, " ", value_text(d["kind"], d["subject"], d["value"], k)])
    return {"label": label, "actual": actual, "required": req}


def describe_check(c: CondCheck | dict[str, Any], k: Knowledge) -> Msg | Any:
    """One condition in words: 'SME activity = 1 (required ≤ 2)'."""
    p = check_parts(c, k)
    if "required" not in p:
        return cat([Msg("w_not"), p["label"]]) if p["negated"] else p["label"]
    return Msg(
        "w_check",
        label=p["label"],
        actual=p["actual"],
        required=cat([Msg("w_required"), " ", p["required"]]),
    )


def value_text(kind: str, subject: str, value: Any, k: Knowledge) -> Any:
    """A value as a reader says it: enum values and bands by their labels, not their ids."""
    labels = _value_labels(kind, subject, k)
    if labels:
        if isinstance(value, (list, tuple)):
            if not value:
                return Value(value)
            return cat((labels[v] if v in labels else Value(v) for v in value), ", ")
        if isinstance(value, str) and value in labels:
            return labels[value]
    return Value(value)


def _value_labels(kind: str, subject: str, k: Knowledge) -> Mapping[str, Text | Msg]:
    if kind == "indicator" and subject in k.indicator:
        if k.indicator[subject].lookup:  # a country or market: its name, not its code
            return k.countries.labels
        return k.indicator[subject].value_labels
    if kind != "measure":
        return {}
    s = k.scoring
    if subject == "model":
        return s.helix.models
    if subject == "index_band":
        return {b.id: b.label for b in s.index.bands}
    if subject == "ratio_band":
        return {b.id: b.label for b in s.ratio.bands}
    if subject == "self_band":
        return s.self_assessment.bands
    if subject.startswith("tercile_"):
        return _word_labels("tercile_", TERCILES)
    statused = ("bench_status_", "verdict_", "helix_leads_")
    if subject.startswith(statused) or subject == "level_agreement":
        return _word_labels("status_", STATUSES)
    return {}


# the comparisons with one value (eq, ne, lt, le, gt, ge), from the operator table
NUMERIC_OPS = frozenset(name for name, o in OPERATORS.items() if o.value == "scalar")


SCORE_KEYS = ("index", "index_band", "model", "ratio", "ratio_band", "self_band")


def bench_value(v: float) -> Loc:
    """Survey means keep one decimal (2.0, not 2): they are means, not scale points."""
    return Decimal(f"{v:.1f}") if float(v).is_integer() else Value(float(v))


def source_views(ids: list[str], k: Knowledge, empty: Any = None) -> list[dict[str, Any]]:
    """Each known source of `ids` as a citation; `empty` stands for a missing section or URL."""
    out = []
    for sid in ids:
        s = k.source.get(sid)
        if s is None:
            continue
        (ru, ru_section), (en, en_section) = s.reference("ru"), s.reference("en")
        section: Any = empty
        if ru_section or en_section:
            section = ByLang(ru=ru_section or empty, en=en_section or empty)
        out.append(
            {
                "id": sid,
                "kind": s.kind,
                "citation": ByLang(ru=ru, en=en),
                "section": section,
                "url": s.url or empty,
            }
        )
    return out
