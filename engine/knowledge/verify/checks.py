"""Second validation pass over the knowledge base: meaning, not structure.

Cross-references (indicators, measures, findings, recommendations, sources, KPIs), operators that do
not fit the indicator's type, thresholds outside the scale, duplicate ids (naming both places),
missing translations and sources; then the logic of the rules: rules that can never fire, redundant
rules, pairs of rules giving conflicting advice, cycles in chaining, and gaps (weak values no advice
addresses). Every problem is located. `kb check` prints them all; `load_knowledge` refuses to run
on any error.
"""

from __future__ import annotations

from dataclasses import replace

from engine.errors import Problem
from engine.knowledge.conditions import branch_problems
from engine.knowledge.models import Knowledge
from engine.knowledge.verify.blanks import check_blanks
from engine.knowledge.verify.claims import check_claims
from engine.knowledge.verify.countries import check_countries
from engine.knowledge.verify.document import check_document
from engine.knowledge.verify.exclusive import check_excludes
from engine.knowledge.verify.formats import check_formats
from engine.knowledge.verify.gate import check_gate
from engine.knowledge.verify.provenance import check_provenance
from engine.knowledge.verify.quoted_numbers import check_quoted_numbers
from engine.knowledge.verify.references import Checker
from engine.knowledge.verify.resources import check_resources
from engine.knowledge.verify.rule_checks import LogicChecks
from engine.knowledge.verify.running import check_running
from engine.knowledge.verify.schedule_checks import check_schedule
from engine.knowledge.verify.sectors import check_sectors
from engine.knowledge.verify.settings import check_settings
from engine.knowledge.verify.wording import check_wording


def verify(knowledge: Knowledge) -> list[Problem]:
    """Every meaning problem of a structurally valid knowledge base, sorted by position."""
    c = Checker(knowledge)
    c.duplicates()
    c.indicators()
    c.scoring()
    c.rules()
    for rule_id, problem in branch_problems(knowledge.rules):  # past the cap: left out below
        c.problems.append(problem)
        c.broken.add(rule_id)
    c.catalogue()
    check_running(c)
    check_schedule(c)
    check_sectors(c)
    check_settings(c)
    check_document(c)
    check_resources(c)
    check_countries(c)
    check_formats(c)
    check_provenance(c)
    check_blanks(c)
    check_wording(c)
    check_quoted_numbers(c)
    check_claims(c)
    check_gate(c)
    check_excludes(c)
    before = len(c.problems)
    LogicChecks(c, c.broken).run()
    if c.broken:  # the logic left those rules out: what it finds may follow from their errors
        c.problems[before:] = [replace(p, follows=True) for p in c.problems[before:]]
    if not any("cycle through negation" in p.message for p in c.problems):
        c.negation_cycles()  # the stratifier's own view, in case the graph check missed one
    return sorted(set(c.problems), key=lambda p: (p.file, p.line, p.col, p.message))
