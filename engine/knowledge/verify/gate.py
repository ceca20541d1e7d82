"""The readiness gate holds every outward measure back the same way.

A rule that postpones measures (`then.postpone`) does so on a finding (the gate). Every other rule
that makes one of those measures must test `not: {finding: <that gate>}`; otherwise the program
would postpone a measure in one place and schedule it in another.
"""

from __future__ import annotations

from engine.knowledge.models import Atom
from engine.knowledge.verify.references import Checker, atoms_with_paths


def check_gate(c: Checker) -> None:
    """Report rules making a postponed measure without testing that its readiness gate is absent."""
    gates: dict[str, list[tuple[str, set[str]]]] = {}  # measure -> [(rule, gate findings)]
    for site in c.k.rules:
        then = site.rule.then
        if not then.postpone:
            continue
        findings = {
            a.subject
            for a, negated, _ in atoms_with_paths(site)
            if not negated and isinstance(a, Atom) and a.subject_kind == "finding"
        }
        for rid in then.postpone:
            gates.setdefault(rid, []).append((site.rule.id, findings))
    for site in c.k.rules:
        then = site.rule.then
        negated = {
            a.subject for a, neg, _ in atoms_with_paths(site) if neg and a.subject_kind == "finding"
        }
        for j, rid in enumerate(then.recommend):
            for gate_rule, findings in gates.get(rid, []):
                if gate_rule == site.rule.id or not findings or findings & negated:
                    continue
                shown = sorted(findings)[0]
                path = site.path + ("then", "recommend") + ((j,) if len(then.recommend) > 1 else ())
                c.problems.append(
                    site.located.problem(
                        path,
                        f"rule {site.rule.id!r} makes {rid!r}, which rule {gate_rule!r} postpones "
                        f"on {shown!r}, without testing it: the program would schedule a measure "
                        f"the gate holds back",
                        hint=f"add `- not: {{finding: {shown}}}` to its `when`",
                        code="gate-not-held",
                    )
                )
