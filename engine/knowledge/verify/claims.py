"""The experts' own words count (issue 19 item 6): a rationale states this cluster's values, and a
survey mean is only ever introduced as a survey's.

- A catalogue text of a measure (its `text` and `rationale`, not a `variant` chosen on findings
  nor a `condition`, which is conditional by nature) is printed for every cluster the measure is
  made for and names no value, so it may not state a property of this cluster ("so the cluster
  can build on existing contacts", "a ready channel" where its universities score 1). Such a claim
  belongs to a rule's `because`, with the values the rule tested, or to a variant on the findings
  that make it true.
- In any text, a sentence that calls a number a mean names the survey or study it comes from.

What reads as a claim or a mean is data: `claim_check` of program.yaml, by language.
"""

from __future__ import annotations

import re
from typing import Any

from engine.knowledge.base import Lang, Text
from engine.knowledge.claim_model import ClaimCheck
from engine.knowledge.verify.references import Checker

PROGRAM = "program.yaml"
MEAN = "unsourced-mean"
RECS = "recommendations.yaml"
LANGS: tuple[Lang, ...] = ("en", "ru")
# a sentence ends at . ! ? before a capital, a quote or a placeholder (not inside "2.0")
SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-ZА-ЯЁ«\"{(])")


class _Patterns:
    """The compiled expressions of `claim_check`, by language; bad ones are reported."""

    def __init__(self, c: Checker, cc: ClaimCheck) -> None:
        self.claims: dict[str, list[re.Pattern[str]]] = {}
        self.mean: dict[str, re.Pattern[str] | None] = {}
        self.survey: dict[str, re.Pattern[str] | None] = {}
        for lang in LANGS:
            self.claims[lang] = [
                p
                for i, x in enumerate(cc.cluster_claims.get(lang, []))
                if (p := _compile(c, ("claim_check", "cluster_claims", lang, i), x)) is not None
            ]
            where = ("claim_check", "mean_words", lang)
            self.mean[lang] = _compile(c, where, cc.mean_words.get(lang))
            where = ("claim_check", "survey_words", lang)
            self.survey[lang] = _compile(c, where, cc.survey_words.get(lang))


def _compile(c: Checker, path: tuple[Any, ...], expr: str | None) -> re.Pattern[str] | None:
    """The expression compiled case-insensitively, or None (reported) when it does not compile."""
    if not expr:
        return None
    try:
        return re.compile(expr, re.IGNORECASE)
    except re.error as e:
        c.add(PROGRAM, path, f"not a regular expression: {e}", code="bad-pattern")
        return None


def sentences(text: str) -> list[str]:
    """The sentences of a text, decimals kept whole."""
    return [s for s in SENTENCE.split(text) if s.strip()]


def check_claims(c: Checker) -> None:
    """Report catalogue texts that state a property of this cluster, and unsourced means."""
    cc = c.k.program.claim_check
    if cc is None:
        return
    pats = _Patterns(c, cc)
    for i, r in enumerate(c.k.recommendations.recommendations):
        base = ("recommendations", i)
        for field in ("text", "rationale"):
            _claims(c, pats, base + (field,), getattr(r, field), r.id)
        texts: list[tuple[tuple[Any, ...], Text | None]] = [
            (base + (f,), getattr(r, f)) for f in ("text", "rationale", "condition")
        ]
        for j, v in enumerate(r.variants):
            texts += [(base + ("variants", j, f), getattr(v, f)) for f in ("text", "rationale")]
        for path, t in texts:
            _means(c, pats, t, lambda lang, msg, p=path: c.add(RECS, p + (lang,), msg, code=MEAN))
    for site in c.k.rules:
        because = site.rule.because

        def report(lang: str, msg: str, site: Any = site) -> None:
            c.problems.append(site.located.problem(site.path + ("because", lang), msg, code=MEAN))

        _means(c, pats, because, report)


def _claims(c: Checker, pats: _Patterns, path: tuple[Any, ...], t: Text | None, rid: str) -> None:
    """A catalogue text's sentences that state a property of this cluster."""
    for lang in LANGS:
        for sentence in sentences(getattr(t, lang, None) or ""):
            hit = next((m for p in pats.claims[lang] if (m := p.search(sentence))), None)
            if hit is None:
                continue
            c.add(
                RECS,
                path + (lang,),
                f"measure {rid!r} claims a property of this cluster («{hit.group(0)}») in a text "
                f"printed for every cluster it is made for: «{sentence.strip()}»",
                hint="state it in the `because` of the rule that tests it (with its {value}), "
                "or in a variant on the findings that make it true; keep the general text general",
                code="cluster-claim",
            )


def _means(c: Checker, pats: _Patterns, t: Text | None, report: Any) -> None:
    """Sentences that call a number a mean without naming its survey."""
    for lang in LANGS:
        mean, survey = pats.mean[lang], pats.survey[lang]
        if mean is None or survey is None:
            continue
        for sentence in sentences(getattr(t, lang, None) or ""):
            if mean.search(sentence) and not survey.search(sentence):
                report(
                    lang,
                    f"a mean without its survey: «{sentence.strip()}» — say whose mean it is "
                    "(the survey or study), or that it is this system's reference",
                )
