"""A rule's `because` (the sentence the client reads) may quote a number only where its conditions
hold it: a threshold they test, a bound of a tested score's scale (or of a score the sentence
names as a `{placeholder}`: "{activity_smes} of 4"), or a tested status's benchmark and distances. A number left behind when a threshold moved ("below 2" after the rule became
`lt 2.5`) tells the client something the rule no longer does."""

from __future__ import annotations

import re

from engine.knowledge.models import Atom, RuleSite
from engine.knowledge.verify.references import Checker, atoms_with_paths, num_text
from engine.knowledge.verify.wording import PLACEHOLDER, base_measure

# a number standing alone: 2, 2.5 (en), 2,5 (ru); not part of a word, an id or a longer number
NUMBER = re.compile(r"(?<![\w.,])\d+(?:[.,]\d+)?(?![\w]|[.,]\d)")


def quoted(text: str) -> list[float]:
    """The numbers a text quotes outside its placeholders."""
    bare = PLACEHOLDER.sub(" ", text)
    return [float(m.group().replace(",", ".")) for m in NUMBER.finditer(bare)]


def _scale_bounds(c: Checker, indicator: str) -> set[float]:
    ind = c.k.indicator.get(indicator)
    if ind is None:
        return set()
    lo, hi = ind.min, ind.max
    if ind.type == "score" and ind.scale in c.k.indicators.scales:
        sc = c.k.indicators.scales[ind.scale]
        lo, hi = sc.min, sc.max
    return {float(x) for x in (lo, hi) if x is not None}


def held(c: Checker, atoms: list[Atom]) -> set[float]:
    """The numbers a rule's conditions hold: values, scale bounds, benchmark settings."""
    out: set[float] = set()
    rule = c.k.scoring.benchmark_rule
    for a in atoms:
        for v in a.value if isinstance(a.value, list) else [a.value]:
            if isinstance(v, (int, float)) and not isinstance(v, bool):
                out.add(float(v))
        subject = base_measure(a.subject) if a.subject_kind == "measure" else a.subject
        out |= _scale_bounds(c, subject)
        bench = c.k.scoring.benchmarks.get(subject)
        if bench is not None and a.subject_kind == "measure":
            out |= {bench.value, rule.weak_distance, rule.strong_distance}
    return out


def check_quoted_numbers(c: Checker) -> None:
    """Report each number a rule's `because` quotes that its conditions no longer hold."""
    for site in c.k.rules:
        because = site.rule.because
        if because is None:
            continue
        atoms = [a for a, _, _ in atoms_with_paths(site)]
        allowed = held(c, atoms)
        tests = ", ".join(
            _test_text(a) for a in atoms if a.subject_kind in ("indicator", "measure")
        )
        for lang in ("en", "ru"):
            text = getattr(because, lang) or ""
            named = {float(x) for m in PLACEHOLDER.finditer(text) for x in _named_bounds(c, m)}
            stale = [x for x in quoted(text) if x not in allowed | named]
            for x in dict.fromkeys(stale):
                _report(c, site, lang, x, tests)


def _named_bounds(c: Checker, m: re.Match[str]) -> set[float]:
    """The scale bounds of an indicator a `{placeholder}` names (none for `{country:...}` and
    `{benchmark:...}`)."""
    return set() if m.group(1) else _scale_bounds(c, m.group(2))


def _test_text(a: Atom) -> str:
    value = num_text(a.value) if isinstance(a.value, (int, float)) else a.value
    return f"{a.subject} {a.op}" + (f" {value}" if value is not None else "")


def _report(c: Checker, site: RuleSite, lang: str, x: float, tests: str) -> None:
    c.problems.append(
        site.located.problem(
            site.path + ("because", lang),
            f"`because` quotes {num_text(x)}, which rule {site.rule.id!r} no longer tests "
            f"(its conditions: {tests or 'none on values'})",
            hint="quote the threshold the rule tests, or name the value as a {placeholder}",
            code="stale-number",
        )
    )
