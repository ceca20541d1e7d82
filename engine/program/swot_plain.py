"""The SWOT of the client's document in plain sentences (issue 12): a finding of the engine
becomes its label with the answer behind it (a score on its scale against the survey mean, a
yes/no, a list in words) instead of the engine's conditions, which the consultant keeps.
"""

from __future__ import annotations

from typing import Any

from engine.explain.wording import because_sentences
from engine.inference.trace import Result
from engine.knowledge.models import Knowledge
from engine.program.leaves import RStrip
from engine.program.model import SwotItem
from engine.text.message import Lower, Msg, Num, Plural, cat

BENCH_STATUS = "bench_status_"  # the measure ids engine/measures/ gives the weak/strong status


def _list_value(values: list[Any], ind: Any, k: Knowledge) -> Any:
    """A list answer in words: the labels of its items, or how many there are."""
    platforms = {p.id: p.name for p in k.partners.platforms}
    labels = []
    for x in values:
        x = str(x)
        label = ind.value_labels.get(x) or platforms.get(x) or k.partners.geographies.get(x)
        if ind.lookup:  # a country or market: its name (countries.yaml)
            label = k.countries.labels.get(x)
        if label is None:
            return Num(len(values))
        labels.append(label)
    return cat(labels, ", ")


def _score_sentence(v: Any, top: Any, bench: Any, mean_key: str) -> Any:
    text = Msg("swot_score", v=Num(v), points=Plural(v, "points_forms"), max=Num(top))
    if bench is None:
        return text
    if bench.kind == "constructed":  # the system's reference is never called a survey mean
        return cat([text, Msg("swot_reference", ref=Num(bench.value))])
    return cat([text, Msg(mean_key, mean=Num(bench.value))])


def _shown(v: Any, ind: Any, k: Knowledge) -> Any:
    """An answer inside a SWOT sentence; None: nothing to say."""
    if isinstance(v, bool):
        return Msg("word_yes" if v else "word_no")
    if isinstance(v, (list, tuple)):
        return _list_value(list(v), ind, k) if v else Msg("none_lower")
    if v is None:
        return None
    return Num(v) if isinstance(v, (int, float)) else str(v)


def swot_sentence(
    item: SwotItem,
    kind: str,
    result: Result,
    k: Knowledge,
    words: dict[str, Msg] | None = None,
) -> Any:
    """A finding as a sentence a client reads: the score, the scale and the survey mean."""
    if item.origin != "engine" or not item.finding:
        return item.text
    label = item.text
    mean = words.get("swot_mean") if words else None  # no default Msg built for each item
    mean_key = mean.key if mean is not None else "swot_mean"
    word = {"strengths": "swot_strength_word", "weaknesses": "swot_weakness_word"}.get(kind)
    for f in result.producers("finding", item.finding)[:1]:
        for c in f.conditions:
            subject, v = c.subject, c.actual
            if c.kind == "measure" and subject.startswith(BENCH_STATUS):
                # weak/strong against the survey mean: read the indicator the measure compares
                subject = subject[len(BENCH_STATUS) :]
                v = result.assessment.get(subject)
            elif c.kind != "indicator":
                continue
            if subject not in k.indicator:
                continue
            ind = k.indicator[subject]
            if ind.type == "score" and ind.scale in k.indicators.scales:
                top = k.indicators.scales[ind.scale].max
                text = _score_sentence(v, top, k.scoring.benchmarks.get(ind.id), mean_key)
                if word:
                    return cat([label, " — ", Msg(word), ": ", text])
                return cat([label, ": ", text])
            shown = _shown(v, ind, k)
            if shown is None:
                continue
            detail = cat([Lower(ind.label), " — ", shown])
            if word:
                return cat([label, " — ", Msg(word), ": ", detail])
            return cat([label, " (", detail, ")"])
    # a finding read from computed measures (a share's rank among the cluster's indicators): the
    # reason its rule gives, with the values the firing saw, rather than the bare label
    reasons = because_sentences(result, "finding", item.finding, k)[:1]
    if reasons and word:
        return cat([label, " — ", Msg(word), ": ", Lower(RStrip(reasons[0], "."))])
    if reasons:
        return cat([label, " (", Lower(RStrip(reasons[0], ".")), ")"])
    return label
