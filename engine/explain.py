"""Explanations read from the firing record (never recomputed by a second code path).

`justify` follows a recommendation or finding back through the firings that declared it, down to
the assessment's own indicators (with their position in the assessment file) and the derived
measures (with their derivation). `describe_*` turn the same data into text in Russian or English.
"""

from __future__ import annotations

from typing import Any

from engine.conditions import OP_WORDS
from engine.inference import CondCheck, Firing, Result
from engine.knowledge import Knowledge, Text


def justify(result: Result, kind: str, ident: str, knowledge: Knowledge,
            _seen: frozenset[str] = frozenset()) -> list[dict[str, Any]]:
    """Every firing that declared (kind, ident), each with its conditions explained recursively."""
    key = f"{kind}:{ident}"
    if key in _seen:
        return []
    seen = _seen | {key}
    out = []
    for f in result.producers(kind, ident):
        out.append(_firing_view(f, result, knowledge, seen))
    return out


def _firing_view(f: Firing, result: Result, k: Knowledge, seen: frozenset[str]) -> dict[str, Any]:
    site = k.rule[f.rule]
    conds = []
    for c in f.conditions:
        view: dict[str, Any] = c.as_dict()
        if c.kind in ("finding", "recommendation") and not c.negated:
            view["because"] = justify(result, c.kind, c.subject, k, seen)
        elif c.kind == "indicator":
            view["at"] = result.assessment.where(c.subject)
        elif c.kind == "measure":
            d = result.measures.derivations.get(c.subject)
            if d:
                view["derivation"] = _derivation_view(d.as_dict(), result, k)
        conds.append(view)
    return {"rule": f.rule, "where": f.where, "seq": f.seq, "branch": f.branch,
            "title": _text(site.rule.title), "sources": list(site.rule.sources),
            "proposal": site.rule.proposal, "conditions": conds,
            "declared": [d.as_dict() for d in f.declared]}


def _derivation_view(d: dict[str, Any], result: Result, k: Knowledge) -> dict[str, Any]:
    """A measure's derivation, following measure inputs to their own derivations."""
    inputs = []
    for name, value in d["inputs"].items():
        item: dict[str, Any] = {"id": name, "value": value}
        if name in k.indicator:
            item["kind"] = "indicator"
            item["at"] = result.assessment.where(name)
        elif name in result.measures.derivations and name != d["id"]:
            item["kind"] = "measure"
            item["derivation"] = _derivation_view(result.measures.derivations[name].as_dict(),
                                                  result, k)
        inputs.append(item)
    return {**d, "inputs": inputs}


def _text(t: Text | None) -> dict[str, str | None] | None:
    return None if t is None else {"ru": t.ru, "en": t.en}


# --- text -------------------------------------------------------------------------------------

YES_NO = {"ru": ("да", "нет"), "en": ("yes", "no")}
BLANK = {"ru": "нет информации", "en": "no information"}


def fmt_value(v: Any, lang: str) -> str:
    if v is None:
        return BLANK[lang]
    if isinstance(v, bool):
        return YES_NO[lang][0 if v else 1]
    if isinstance(v, float):
        text = f"{v:.2f}".rstrip("0").rstrip(".")
        return text.replace(".", ",") if lang == "ru" else text
    if isinstance(v, (list, tuple)):
        return ", ".join(fmt_value(x, lang) for x in v) if v else ("пусто" if lang == "ru" else
                                                                   "none")
    return str(v)


def subject_label(kind: str, subject: str, k: Knowledge, lang: str) -> str:
    if kind == "indicator" and subject in k.indicator:
        return k.indicator[subject].label.get(lang)
    if kind == "finding" and subject in k.finding:
        f = k.finding[subject]
        prefix = FINDING_KIND_WORDS.get(f.kind)
        return (prefix.get(lang) + ": " if prefix else "") + f.label.get(lang)
    if kind == "recommendation" and subject in k.recommendation:
        return k.recommendation[subject].title.get(lang)
    if kind == "measure":
        return measure_label(subject, k, lang)
    return subject


FINDING_KIND_WORDS: dict[str, Text] = {
    "strength": Text(en="strength", ru="сильная сторона"),
    "weakness": Text(en="weakness", ru="слабая сторона"),
    "opportunity": Text(en="opportunity", ru="возможность"),
    "threat": Text(en="threat", ru="угроза"),
}

MEASURE_WORDS: dict[str, Text] = {
    "index": Text(en="internationalization index, %", ru="индекс интернационализации, %"),
    "index_band": Text(en="level band", ru="уровень"),
    "coverage": Text(en="partial indicators with data", ru="частных показателей с данными"),
    "coverage_share": Text(en="coverage, %", ru="полнота данных, %"),
    "region_index": Text(en="region's level, %", ru="уровень региона, %"),
    "cluster_matched_index": Text(en="cluster's level on region-matched indicators, %",
                                  ru="уровень кластера по показателям, сопоставимым с регионом, %"),
    "ratio": Text(en="cluster/region ratio K", ru="соотношение кластер/регион K"),
    "ratio_band": Text(en="position against the region", ru="положение относительно региона"),
    "model": Text(en="internationalization model", ru="модель интернационализации"),
    "self_band": Text(en="self-assessment band", ru="группа по самооценке"),
}


def measure_label(mid: str, k: Knowledge, lang: str) -> str:
    if mid in MEASURE_WORDS:
        return MEASURE_WORDS[mid].get(lang)
    if mid in k.partial:
        return k.partial[mid].label.get(lang)
    if mid in k.regional:
        return k.regional[mid].label.get(lang)
    for prefix, en, ru in (("gap_", "gap to the region, p.p.: ", "разрыв с регионом, п.п.: "),
                           ("tercile_", "rank among the cluster's indicators: ",
                            "место среди показателей кластера: "),
                           ("bench_gap_", "difference from the survey mean: ",
                            "отклонение от среднего по опросу: "),
                           ("helix_", "helix score: ", "оценка спирали: ")):
        if mid.startswith(prefix):
            rest = mid[len(prefix):]
            inner = (k.partial[rest].label.get(lang) if rest in k.partial else
                     k.indicator[rest].label.get(lang) if rest in k.indicator else rest)
            return (ru if lang == "ru" else en) + inner
    return mid


def describe_check(c: CondCheck | dict[str, Any], k: Knowledge, lang: str) -> str:
    """One condition in words: 'SME activity = 1 (required ≤ 2)'."""
    d = c.as_dict() if isinstance(c, CondCheck) else c
    label = subject_label(d["kind"], d["subject"], k, lang)
    if d["kind"] in ("finding", "recommendation"):
        if d["negated"]:
            return ("нет: " if lang == "ru" else "not: ") + label
        return label
    op = OP_WORDS[d["op"]].get(lang)
    actual = value_text(d["kind"], d["subject"], d["actual"], k, lang)
    if d["op"] in ("is_true", "is_false", "is_missing", "is_known", "is_empty", "not_empty"):
        req = op
    else:
        req = f"{op} {value_text(d['kind'], d['subject'], d['value'], k, lang)}"
    word = "требуется" if lang == "ru" else "required"
    return f"{label} = {actual} ({word} {req})"


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
            labels = TERCILE_WORDS
    if labels:
        if isinstance(value, (list, tuple)):
            return ", ".join(labels[v].get(lang) if v in labels else fmt_value(v, lang)
                             for v in value) or fmt_value(value, lang)
        if isinstance(value, str) and value in labels:
            return labels[value].get(lang)
    return fmt_value(value, lang)


TERCILE_WORDS: dict[str, Text] = {
    "top": Text(en="top third", ru="верхняя треть"),
    "middle": Text(en="middle third", ru="средняя треть"),
    "bottom": Text(en="bottom third", ru="нижняя треть"),
}


def short_reasons(result: Result, rec_id: str, k: Knowledge, lang: str,
                  limit: int = 3) -> list[dict[str, str]]:
    """One line per justification: rule title, then the decisive values, one level of findings."""
    lines = []
    for view in justify(result, "recommendation", rec_id, k)[:limit]:
        lines.append(_line(view, k, lang))
    return lines


def _line(view: dict[str, Any], k: Knowledge, lang: str) -> dict[str, str]:
    parts = []
    for c in view["conditions"]:
        text = describe_check(c, k, lang)
        because = c.get("because") or []
        if because:
            inner = "; ".join(describe_check(cc, k, lang) for cc in because[0]["conditions"]
                              if cc["kind"] in ("indicator", "measure"))
            if inner:
                text += f" ← {inner}"
        parts.append(text)
    title = Text(**view["title"]).get(lang)
    if not parts:
        text = f"{title} — " + ("применяется всегда" if lang == "ru" else "always applies")
    else:
        text = f"{title}: " + "; ".join(parts)
    return {"text": text, "rule": view["rule"], "where": view["where"]}
