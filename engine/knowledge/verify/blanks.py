"""Blanks are unknown: a rule that tests `is_missing` may make a data request or a conditional
measure ("if not yet created, create ..."), never a plain new measure. A finding derived on a
blank carries the blank with it: a rule recommending a new measure on that finding is refused too.
"""

from __future__ import annotations

from engine.knowledge.models import RuleSite
from engine.knowledge.verify.references import Checker, atoms_with_paths


def _blank_atoms(site: RuleSite) -> list[tuple[str, tuple]]:
    """The positive `is_missing` conditions of a rule: (subject, YAML path)."""
    return [
        (a.subject, path)
        for a, negated, path in atoms_with_paths(site)
        if not negated and a.op == "is_missing" and a.subject_kind in ("indicator", "measure")
    ]


def blank_findings(c: Checker) -> dict[str, str]:
    """Finding -> the blank it may rest on (an indicator or measure id), followed through chains."""
    rests: dict[str, str] = {}
    changed = True
    while changed:
        changed = False
        for site in c.k.rules:
            if not site.rule.then.finding:
                continue
            blank = next((s for s, _ in _blank_atoms(site)), None)
            if blank is None:
                blank = next(
                    (
                        rests[a.subject]
                        for a, negated, _ in atoms_with_paths(site)
                        if not negated and a.subject_kind == "finding" and a.subject in rests
                    ),
                    None,
                )
            if blank is None:
                continue
            for fid in site.rule.then.finding:
                if fid not in rests:
                    rests[fid] = blank
                    changed = True
    return rests


def check_blanks(c: Checker) -> None:
    """Report rules recommending a new measure on a blank, or on a finding made on a blank."""
    rests = blank_findings(c)
    for site in c.k.rules:
        then = site.rule.then
        if not then.recommend or then.status == "conditional":
            continue
        for subject, path in _blank_atoms(site):
            c.problems.append(
                site.located.problem(
                    path + ("op",),
                    f"rule {site.rule.id!r} recommends (status {then.status}) on a blank: "
                    f"`is_missing` on {subject!r} may only make a data request or a conditional "
                    "measure; test a known value, or declare `then: {status: conditional}`",
                    code="recommends-on-blank",
                )
            )
        for a, negated, path in atoms_with_paths(site):
            if not negated and a.subject_kind == "finding" and a.subject in rests:
                c.problems.append(
                    site.located.problem(
                        path + ("finding",),
                        f"rule {site.rule.id!r} recommends (status {then.status}) on finding "
                        f"{a.subject!r}, which may rest on a blank ({rests[a.subject]!r} "
                        "is_missing); derive the finding from known values, or declare "
                        "`then: {status: conditional}`",
                        code="recommends-on-blank",
                    )
                )
