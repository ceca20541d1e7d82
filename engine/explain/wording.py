"""The wording of a measure for the cluster at hand, read from the firing record.

A measure's catalogue entry says what to do and why in general terms; the rules that made it say
why it applies here (`because`, with `{id}` placeholders for the values they tested), the first
`variant` whose findings were made adapts the text to the inputs (no body named that the
assessment says does not exist), and `{country:key}` names the institution of the cluster's
country (knowledge/document.yaml `country_profiles`).
"""

from __future__ import annotations

import re
from operator import attrgetter
from typing import Any

from engine.explain.labels import value_text
from engine.explain.leaves import PLACEHOLDER, Filled, InSentence, Stripped, placeholders
from engine.inference.applicability import kind_fits
from engine.inference.trace import ClusterKind, Firing, Result
from engine.knowledge.base import Text
from engine.knowledge.document_model import CountryProfile
from engine.knowledge.models import Knowledge, RecommendationDef, Variant
from engine.knowledge.sector_model import AppliesTo
from engine.text.message import Num, Once, cat

__all__ = ["PLACEHOLDER", "fill", "measure_wording"]
DEFAULT_COUNTRY = "default"
MEMO_MAX = 4096  # answers a memo of this module keeps per knowledge base before it starts again
_SEQ = attrgetter("seq")  # a firing's place in the record


def country_of(result: Result, k: Knowledge) -> str:
    """The cluster's ISO country code, upper case, or "" when the assessment leaves it blank."""
    value = result.assessment.get(k.partners.country_indicator)
    return str(value).strip().upper() if value else ""


def country_profile(country: str, k: Knowledge) -> CountryProfile | None:
    """The profile of the country, or the `default` one for a country the knowledge lacks."""
    profiles = k.document.country_profiles
    return profiles.get(country) or profiles.get(DEFAULT_COUNTRY)


def institution(key: str, country: str, k: Knowledge) -> Text | str:
    """The name of the institution `key` in the cluster's country (the default profile's when the
    country has none); the placeholder itself when no profile names it."""
    profile = country_profile(country, k)
    if profile is None or key not in profile.institutions:
        default = k.document.country_profiles.get(DEFAULT_COUNTRY)
        if default is None or key not in default.institutions:
            return "{country:" + key + "}"  # kb check reports it; never a silent blank
        return default.institutions[key].name or ""
    return profile.institutions[key].name or ""


class Blank(Exception):
    """A placeholder of a `because` names a blank: the sentence is no reason and is left out."""


def fill(
    text: Text | str | None,
    result: Result,
    k: Knowledge,
    values: dict[str, tuple[str, Any]] | None = None,
    *,
    strict: bool = False,
) -> Filled:
    """Replace the placeholders of `text`: `values` first (what a firing saw), then the facts.

    With `strict`, a blank value raises Blank (a reason never reads "no data").
    """
    found = placeholders(text)
    if not found:  # most knowledge texts: nothing to look up
        return Filled(text)
    seen = values or {}

    def sub(m: re.Match[str]) -> Any:
        name = m.group(2)
        if m.group(1) == "country":
            return institution(name, country_of(result, k), k)
        if m.group(1) == "benchmark":
            bench = k.scoring.benchmarks.get(name)
            return Num(bench.value) if bench else "{benchmark:" + name + "}"
        if name in seen:
            kind, value = seen[name]
        elif name in k.indicator:
            kind, value = "indicator", result.assessment.get(name)
        else:
            kind, value = "measure", result.measures.values.get(name)
        if strict and value is None:
            raise Blank(name)
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return Num(value)  # "3,200" / "3 200", as the rest of the document
        shown = value_text(kind, name, value, k)
        if isinstance(value, str):
            return InSentence(shown, value)  # a label inside a sentence: "symbolic (tacit)"
        return shown

    return Filled(text, tuple((m.group(0), sub(m)) for m in found))


def firing_values(f: Firing) -> dict[str, tuple[str, Any]]:
    """The values a firing tested, by indicator or measure id."""
    return {
        c.subject: (c.kind, c.actual) for c in f.conditions if c.kind in ("indicator", "measure")
    }


def because_sentences(result: Result, kind: str, ident: str, k: Knowledge) -> list[Filled]:
    """The `because` of the rules that made (kind, ident), in firing order, each once.

    A rule without its own `because` lends the sentences of the rules that made the findings it
    rests on, so a diagnosis worded once serves every measure built on it.
    """
    out: list[Filled] = []
    _because(result, k, kind, ident, frozenset(), out)
    return out


def _because(
    result: Result, k: Knowledge, kind: str, ident: str, seen: frozenset[str], out: list[Filled]
) -> None:
    # a function of its own, not a closure calling itself: that closure held the result in a
    # reference cycle, left for the cyclic collector after every cluster
    key = f"{kind}:{ident}"
    if key in seen:
        return
    plain = k.derived(_plain_because)
    for f in sorted(result.producers(kind, ident), key=_SEQ):
        sentence = plain.get(f.rule)  # most: a sentence naming no value, one for every firing
        if sentence is None:
            rule = k.rule[f.rule].rule
            if rule.because is None:
                for c in f.conditions:
                    if c.kind == "finding" and not c.negated:
                        _because(result, k, "finding", c.subject, seen | {key}, out)
                continue
            try:
                sentence = fill(rule.because, result, k, firing_values(f), strict=True)
            except Blank:
                continue  # the branch that fired did not see this value
        if sentence not in out:
            out.append(sentence)


def _plain_because(k: Knowledge) -> dict[str, Filled]:
    """The `because` of each rule whose sentence names no value, as `fill` words it: the
    knowledge's alone, built once per knowledge base (a cluster's measures read ~30 of them, and
    each was filled again with the values its firing saw, read for nothing)."""
    return {
        rid: Filled(s.rule.because)
        for rid, s in k.rule.items()
        if s.rule.because is not None and not placeholders(s.rule.because)
    }


def variant_for(r: RecommendationDef, result: Result, k: Knowledge) -> Variant | None:
    """The first variant of the measure whose findings were all made and whose `for:` fits the
    cluster's kind (its sector codes, output, market, knowledge base)."""
    if not r.variants:  # most measures: no set of the findings made to build
        return None
    made = set(result.findings)
    for v in r.variants:
        if not all(f in made for f in v.if_):
            continue
        if v.for_ is not None and (result.kind is None or not _fits(v.for_, result.kind, k)):
            continue
        return v
    return None


def _fits(cond: AppliesTo, kind: ClusterKind, k: Knowledge) -> bool:
    """`kind_fits`, each answer kept for the knowledge base by the condition and the kind: a
    cluster asks it again for every title of a measure with sector variants (~25 times), and
    the kinds of a batch's clusters repeat (at most `MEMO_MAX` answers: the kinds are many)."""
    memo = k.derived(_fits_memo)
    key = (id(cond), kind)  # the condition is the knowledge's: its id stays its own
    hit = memo.get(key)
    if hit is None:
        if len(memo) >= MEMO_MAX:  # a long batch or a server's session meets kinds without end
            memo.clear()
        hit = memo[key] = kind_fits(cond, kind, k)
    return hit


def _fits_memo(k: Knowledge) -> dict[tuple[int, ClusterKind], bool]:
    """The answers of `kind_fits` given so far, by condition and kind: a memo per knowledge base."""
    return {}


def variant_title(result: Result, rid: str, k: Knowledge) -> Text:
    """A measure's title for this cluster: its variant's (a tourism cluster's, a Russian region's
    ministry), else the catalogue's."""
    r = k.recommendation[rid]
    v = variant_for(r, result, k) if r.variants else None
    return v.title if v is not None and v.title is not None else r.title


def measure_wording(result: Result, rid: str, k: Knowledge) -> dict[str, Any]:
    """Text, general rationale, condition and the reasons of this cluster for one measure."""
    fixed = k.derived(_fixed_wordings).get(rid)
    if fixed is None:
        return _wording(result, rid, k)
    # a measure without variants whose texts name no value: only its `because` is the cluster's
    text, general, condition, title = fixed
    because = because_sentences(result, "recommendation", rid, k)
    return {
        "text": text,
        "general_rationale": general,
        "because": because,
        "rationale": _rationale(because, general, k),
        "condition": condition,
        "title": title,
        "variant": [],
    }


Fixed = tuple[Text | str, Text | str, Text | str, Text]


def _fixed_wordings(k: Knowledge) -> dict[str, Fixed]:
    """The text, general rationale, condition and title of each measure without variants whose
    texts have no placeholders, as `_wording` words them (the texts themselves): the knowledge's
    alone, built once per knowledge base (shared; never changed), where each cluster filled them
    again."""
    out: dict[str, Fixed] = {}
    for r in k.recommendations.recommendations:
        texts = (r.text, r.rationale, r.condition)
        if r.variants or any(placeholders(t) for t in (*texts, r.title)):
            continue
        text, general, condition = ("" if t is None else t for t in texts)
        out[r.id] = (text, general, condition, r.title)
    return out


def _wording(result: Result, rid: str, k: Knowledge) -> dict[str, Any]:
    """`measure_wording` worked out for the cluster: the variant's texts, each filled."""
    r = k.recommendation[rid]
    v = variant_for(r, result, k)

    def pick(field: str) -> Text | None:
        chosen: Text | None = getattr(v, field) if v is not None else None
        return chosen if chosen is not None else getattr(r, field)

    def text_of(field: str) -> Any:
        t = pick(field)
        return _filled(t, result, k) if t is not None else ""

    because = because_sentences(result, "recommendation", rid, k)
    general = text_of("rationale")
    return {
        "text": text_of("text"),
        "general_rationale": general,
        "because": because,
        "rationale": _rationale(because, general, k),
        "condition": text_of("condition"),
        "title": _filled(pick("title"), result, k),
        "variant": (list(v.if_) + (["for"] if v.for_ is not None else [])) if v is not None else [],
    }


def _filled(text: Text | None, result: Result, k: Knowledge) -> Any:
    """`fill`, or the knowledge text itself where it names no value (the same words): a text is
    put into words once per language, a `Filled` leaf again in every cluster (~40 measure
    texts and titles a cluster, typeset each time)."""
    filled = fill(text, result, k)
    return filled if filled.subs or text is None else text


def _rationale(because: list[Filled], general: Any, k: Knowledge) -> Any:
    """The measure's rationale: its reasons for this cluster, then the general one. Where every
    part is the knowledge's own (reasons naming no value, a text without placeholders), it is one
    leaf per knowledge base for those parts, put into words once per language (a rationale is
    the longest text of a measure, typeset in every cluster that showed it)."""
    parts = (*because, general)
    text = Stripped(cat(parts, " "))
    if any(b.subs for b in because) or isinstance(general, Filled):
        return text  # a value of this cluster's in it
    made = k.derived(_rationales)
    key = tuple(map(id, parts))
    hit = made.get(key)
    # the parts are kept with the leaf: an id is theirs while they live (and the knowledge's do)
    if hit is None or any(a is not b for a, b in zip(hit[0], parts, strict=True)):
        hit = made[key] = (parts, Once(text))
    return hit[1]


def _rationales(k: Knowledge) -> dict[tuple[int, ...], tuple[tuple[Any, ...], Once]]:
    """The rationales made of the knowledge's own parts so far, by the ids of their parts: a memo
    per knowledge base."""
    return {}
