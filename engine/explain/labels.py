"""Words for ids and values: indicator, finding, recommendation and measure labels, values by
their labels, one condition in words. The words come from knowledge/ and templates/strings.yaml."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from engine.inference.trace import CondCheck
from engine.knowledge.base import Text
from engine.knowledge.models import Knowledge
from engine.text.numbers import decimal
from engine.text.strings import strings

TERCILES = ("top", "middle", "bottom")
STATUSES = ("weak", "typical", "strong", "leads", "follows", "agree", "disagree")


@lru_cache(maxsize=8)
def _word_labels(prefix: str, values: tuple[str, ...], lang: str) -> dict[str, Text]:
    """Measure values worded by templates/strings.yaml (`<prefix><value>`), built once."""
    w = strings()[lang]
    return {v: Text(ru=w[prefix + v], en=w[prefix + v]) for v in values}


def text_pair(t: Text | None) -> dict[str, str | None] | None:
    return None if t is None else {"ru": t.ru, "en": t.en}


def fmt_value(v: Any, lang: str) -> str:
    w = strings()[lang]
    if v is None:
        return w["w_blank"]
    if isinstance(v, bool):
        return w["w_yes"] if v else w["w_no"]
    if isinstance(v, float):
        text = f"{v:.2f}".rstrip("0").rstrip(".")
        return decimal(text, lang)
    if isinstance(v, (list, tuple)):
        return ", ".join(fmt_value(x, lang) for x in v) if v else w["w_empty_list"]
    return str(v)


def subject_label(kind: str, subject: str, k: Knowledge, lang: str) -> str:
    if kind == "indicator" and subject in k.indicator:
        return k.indicator[subject].label.get(lang)
    if kind == "finding" and subject in k.finding:
        f = k.finding[subject]
        prefix = strings()[lang].get(f"finding_kind_{f.kind}")
        return (prefix + ": " if prefix else "") + f.label.get(lang)
    if kind == "recommendation" and subject in k.recommendation:
        return k.recommendation[subject].title.get(lang)
    if kind == "measure":
        return measure_label(subject, k, lang)
    return subject


def measure_label(mid: str, k: Knowledge, lang: str) -> str:
    w = strings()[lang]
    if f"measure_{mid}" in w:
        return w[f"measure_{mid}"]
    if mid in k.partial:
        return k.partial[mid].label.get(lang)
    if mid in k.regional:
        return k.regional[mid].label.get(lang)
    prefixes = ("gap_", "tercile_", "bench_gap_", "bench_status_", "helix_leads_", "helix_")
    for prefix in prefixes:
        if mid.startswith(prefix):
            rest = mid[len(prefix) :]
            helix = k.scoring.helix.labels.get(rest) if prefix.startswith("helix_") else None
            inner = (
                k.partial[rest].label.get(lang)
                if rest in k.partial
                else k.indicator[rest].label.get(lang)
                if rest in k.indicator
                else helix.get(lang)
                if helix
                else rest
            )
            return w[f"measure_prefix_{prefix}"] + inner
    return mid


def describe_check(c: CondCheck | dict[str, Any], k: Knowledge, lang: str) -> str:
    """One condition in words: 'SME activity = 1 (required ≤ 2)'."""
    d = c.as_dict() if isinstance(c, CondCheck) else c
    label = subject_label(d["kind"], d["subject"], k, lang)
    w = strings()[lang]
    if d["kind"] in ("finding", "recommendation"):
        if d["negated"]:
            return w["w_not"] + label
        return label
    op = w[f"op_{d['op']}"]
    actual = value_text(d["kind"], d["subject"], d["actual"], k, lang)
    if d["op"] in ("is_true", "is_false", "is_missing", "is_known", "is_empty", "not_empty"):
        req = op
    else:
        req = f"{op} {value_text(d['kind'], d['subject'], d['value'], k, lang)}"
    return f"{label} = {actual} ({w['w_required']} {req})"


def value_text(kind: str, subject: str, value: Any, k: Knowledge, lang: str) -> str:
    """A value as a reader says it: enum values and bands by their labels, not their ids."""
    labels: dict[str, Text] = {}
    if kind == "indicator" and subject in k.indicator:
        labels = k.indicator[subject].value_labels
    elif kind == "measure":
        s = k.scoring
        if subject == "model":
            labels = s.helix.models
        elif subject == "index_band":
            labels = {b.id: b.label for b in s.index.bands}
        elif subject == "ratio_band":
            labels = {b.id: b.label for b in s.ratio.bands}
        elif subject == "self_band":
            labels = s.self_assessment.bands
        elif subject.startswith("tercile_"):
            labels = _word_labels("tercile_", TERCILES, lang)
        elif subject.startswith(("bench_status_", "helix_leads_")) or subject in (
            "level_agreement",
        ):
            labels = _word_labels("status_", STATUSES, lang)
    if labels:
        if isinstance(value, (list, tuple)):
            return ", ".join(
                labels[v].get(lang) if v in labels else fmt_value(v, lang) for v in value
            ) or fmt_value(value, lang)
        if isinstance(value, str) and value in labels:
            return labels[value].get(lang)
    return fmt_value(value, lang)


NUMERIC_OPS = {"eq", "ne", "lt", "le", "gt", "ge"}


SCORE_KEYS = ("index", "index_band", "model", "ratio", "ratio_band", "self_band")


def ui_strings(lang: str) -> dict[str, str]:
    """The UI strings of templates/strings.yaml in one language."""
    # jinja2 only when text is rendered

    return strings()[lang]


def bench_value(v: float, lang: str) -> str:
    """Survey means keep one decimal (2.0, not 2): they are means, not scale points."""
    text = f"{v:.1f}" if float(v).is_integer() else fmt_value(float(v), lang)
    return decimal(text, lang)


def source_views(
    ids: list[str], k: Knowledge, lang: str, empty: str | None
) -> list[dict[str, Any]]:
    """Each known source of `ids` as a citation; `empty` stands for a missing section or URL."""
    out = []
    for sid in ids:
        s = k.source.get(sid)
        if s is None:
            continue
        citation, section = s.reference(lang)
        out.append(
            {
                "id": sid,
                "kind": s.kind,
                "citation": citation,
                "section": section or empty,
                "url": s.url or empty,
            }
        )
    return out
