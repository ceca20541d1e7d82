"""The knowledge base translated into CLIPS, so the same advice can run on the reference engine.

`export_clips` writes deftemplates (one per indicator group, one for the derived measures, and
finding / recommended / postponed / fired) and one defrule per AND-branch of every rule, with the
salience experta uses (`engine.knowledge.graph.strata`). `deffacts` / `fact_strings` give the facts of one
assessment. The translation follows `engine.knowledge.conditions` exactly (each operator's
CLIPS form is in its record there):

- a blank value ("no information") is the symbol `nil`; for a list indicator, the multifield
  `(nil)`. Text values are CLIPS strings, so the text "nil" is not blank;
- numeric tests are guarded so that a blank never satisfies them: `(and (numberp ?x) (<= ?x 2))`;
- equality follows Python's (`1 = 1.0`, `true = 1`); `not:` becomes a `not` pattern.

No import of clipspy here: the output is text. tests/engine/authoring/test_clips.py runs it with clipspy
and requires the same findings, recommendations and postponements as experta.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from engine.assessment.validate import Assessment
from engine.errors import UsageError
from engine.knowledge.conditions import OPERATORS, branches
from engine.knowledge.graph import strata
from engine.knowledge.measure_ids import measure_catalogue
from engine.knowledge.models import Atom, Knowledge, Not_
from engine.measures import Measures

_SYMBOL = re.compile(r"^[A-Za-z][A-Za-z0-9_.\-]*$")
_INT64 = 2**63 - 1

# templates of the derived facts; `fired` records each rule branch that fired (for comparison)
_DERIVED = [
    ("finding", "A conclusion a rule derived.", ["id"]),
    ("recommended", "A recommendation a rule made.", ["id"]),
    ("postponed", "A recommendation the program postpones (the readiness gate).", ["id"]),
    ("fired", "A rule branch that fired.", ["rule", "branch"]),
]


def group_template(group: str) -> str:
    """The CLIPS deftemplate name that holds the indicators of one group."""
    return f"indicators_{group}"


def _symbol(name: str, what: str) -> str:
    if not _SYMBOL.match(name):
        raise UsageError(f"{what} {name!r} cannot be a CLIPS name; use letters, digits and _")
    return name


def _string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _number(x: int | float) -> str:
    if isinstance(x, int) and -_INT64 <= x <= _INT64:
        return str(x)
    x = float(x)
    text = repr(x)
    return text if any(c in text for c in ".en") else text + ".0"


def literal(value: Any) -> str:
    """A Python value as a CLIPS constant (None → nil, bool → TRUE/FALSE, text → string)."""
    if value is None:
        return "nil"
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, (int, float)):
        return _number(value)
    if isinstance(value, str):
        return _string(value)
    raise ValueError(f"no CLIPS constant for {value!r}")


def _eq(var: str, x: Any) -> str:
    """CLIPS test equal to Python's `v == x` for a value v that is not None."""
    if isinstance(x, bool):
        return f"(or (eq {var} {literal(x)}) (and (numberp {var}) (= {var} {int(x)})))"
    if isinstance(x, (int, float)):
        parts = [f"(and (numberp {var}) (= {var} {_number(x)}))"]
        if x == 1:
            parts.append(f"(eq {var} TRUE)")
        elif x == 0:
            parts.append(f"(eq {var} FALSE)")
        return _or(parts)
    if isinstance(x, str):
        return f"(eq {var} {_string(x)})"
    raise ValueError(f"cannot compare with {x!r} in CLIPS")


def _or(tests: list[str]) -> str:
    # CLIPS' `or` takes at least two arguments
    if not tests:
        return "FALSE"
    return tests[0] if len(tests) == 1 else "(or " + " ".join(tests) + ")"


def _as_list(value: Any) -> list[Any]:
    return list(value) if isinstance(value, (list, tuple)) else [value]


class _Parts(dict[str, str]):
    """The pieces an operator's CLIPS form names, each built only when the form uses it (an
    `{eq}` of a list value, say, has no CLIPS form)."""

    def __init__(self, var: str, value: Any, multislot: bool) -> None:
        super().__init__(var=var)
        self.value, self.multislot = value, multislot

    def __missing__(self, key: str) -> str:
        var, value = self["var"], self.value
        if key == "known":
            return f"(not (member$ nil {var}))" if self.multislot else f"(neq {var} nil)"
        if key == "eq":
            return _eq(var, value)
        if key == "any_of":
            return _or([_eq(var, x) for x in _as_list(value)])
        if key == "member":
            return _member(var, value)
        if key == "number":
            return _number(value)
        raise KeyError(key)


def constraint(op: str, value: Any, var: str, multislot: bool = False) -> str:
    """The CLIPS predicate of `op value` on variable `var`: the operator's CLIPS form in
    engine.knowledge.conditions.OPERATORS, filled in."""
    operator = OPERATORS.get(op)
    if operator is None:
        raise ValueError(f"unknown operator {op!r}")
    form = operator.clips_list if multislot else operator.clips
    if form is None:
        raise ValueError(f"operator {op!r} does not apply to a list")
    return form.format_map(_Parts(var, value, multislot))


def _member(var: str, value: Any) -> str:
    if isinstance(value, str):
        return f"(member$ {_string(value)} {var})"
    return "FALSE"  # list items are always text


def _list_indicators(k: Knowledge) -> set[str]:
    return {i.id for i in k.indicators.indicators if i.type == "list"}


def _measure_slots(k: Knowledge) -> list[str]:
    return sorted(measure_catalogue(k))


def deftemplates(k: Knowledge) -> list[str]:
    """The deftemplates: one per indicator group, one for the measures, one per derived fact."""
    lists = _list_indicators(k)
    out = []
    for g in k.indicators.groups:
        slots = []
        for ind in k.indicators.indicators:
            if ind.group != g.id:
                continue
            name = _symbol(ind.id, "indicator")
            slots.append(
                f"  (multislot {name} (default nil))"
                if ind.id in lists
                else f"  (slot {name} (default nil))"
            )
        out.append(
            f"(deftemplate {_symbol(group_template(g.id), 'group')}\n"
            f"  {_string('Indicators of group ' + g.id + '.')}\n" + "\n".join(slots) + ")"
        )
    slots = [f"  (slot {_symbol(m, 'measure')} (default nil))" for m in _measure_slots(k)]
    out.append(
        '(deftemplate measures\n  "The derived measures of one cluster."\n' + "\n".join(slots) + ")"
    )
    for name, doc, fields in _DERIVED:
        out.append(
            f"(deftemplate {name} {_string(doc)} " + " ".join(f"(slot {f})" for f in fields) + ")"
        )
    return out


def _rule_name(rule_id: str, order: int, branch: int) -> str:
    safe = re.sub(r"[^A-Za-z0-9_.\-]", "_", rule_id)
    return f"r{order:05d}-b{branch}-{safe}"


def defrule(site: Any, b: int, branch: list[Any], salience: int, k: Knowledge) -> str:
    """One AND-branch `b` of a rule site as a CLIPS defrule, with its salience.

    It asserts `fired` and the findings, recommendations and postponements of the rule."""
    lists = _list_indicators(k)
    per_group: dict[str, dict[str, list[Atom]]] = {}
    measures: dict[str, list[Atom]] = {}
    positives: list[str] = []
    negatives: list[str] = []
    for cond in branch:
        if isinstance(cond, Not_):
            a = cond.not_
            tmpl = "finding" if a.subject_kind == "finding" else "recommended"
            negatives.append(f"  (not ({tmpl} (id {_string(a.subject)})))")
            continue
        a = cond
        if a.subject_kind == "indicator":
            group = k.indicator[a.subject].group
            per_group.setdefault(group, {}).setdefault(a.subject, []).append(a)
        elif a.subject_kind == "measure":
            measures.setdefault(a.subject, []).append(a)
        else:
            tmpl = "finding" if a.subject_kind == "finding" else "recommended"
            positives.append(f"  ({tmpl} (id {_string(a.subject)}))")

    def constraints(fields: dict[str, list[Atom]], multi: set[str]) -> str:
        parts = []
        for name in sorted(fields):
            is_multi = name in multi
            var = f"?{name}"
            tests = "".join(
                f"&:{constraint(a.op or '', a.value, var, is_multi)}" for a in fields[name]
            )
            parts.append(f"({name} {'$' if is_multi else ''}{var}{tests})")
        return " ".join(parts)

    patterns = [
        f"  ({group_template(g)} {constraints(per_group[g], lists)})" for g in sorted(per_group)
    ]
    if measures:
        patterns.append(f"  (measures {constraints(measures, set())})")
    patterns += positives + negatives
    then = site.rule.then
    actions = [f"  (assert (fired (rule {_string(site.rule.id)}) (branch {b})))"]
    actions += [f"  (assert (finding (id {_string(f)})))" for f in then.finding]
    actions += [f"  (assert (recommended (id {_string(r)})))" for r in then.recommend]
    actions += [f"  (assert (postponed (id {_string(r)})))" for r in then.postpone]
    title = site.rule.title.get("en")
    return (
        f"(defrule {_rule_name(site.rule.id, site.order, b)}\n"
        f"  {_string(f'rules/{Path(site.file).name}:{site.line}: {title}')}\n"
        f"  (declare (salience {salience}))\n"
        + "\n".join(patterns)
        + ("\n" if patterns else "")
        + "  =>\n"
        + "\n".join(actions)
        + ")"
    )


def export_clips(k: Knowledge) -> str:
    """The whole knowledge base as a CLIPS program (deterministic text)."""

    levels = strata(k)
    top = max(levels.values(), default=0)
    blocks = [
        ";; cluster-intl knowledge base translated to CLIPS by `cluster-intl kb export-clips`.",
        ";; Blank (no information) is the symbol nil; for a list indicator the multifield (nil).",
        ";; Text values are strings. Salience = stratum order, as in the experta engine.",
        ";; Load, assert the facts of an assessment (see --assessment), then (run).",
        ";; Not translated: after the rules, the engine leaves out a measure that does not fit the",
        ";; cluster's kind (applies_to) or serves a direction the experts closed; CLIPS lists it.",
        "",
    ]
    blocks += [t + "\n" for t in deftemplates(k)]
    for site in k.rules:
        for b, branch in enumerate(branches(site.rule.when)):
            blocks.append(defrule(site, b, branch, top - levels[site.rule.id], k) + "\n")
    return "\n".join(blocks)


def fact_values(
    assessment: Assessment, measures: Measures, k: Knowledge
) -> list[tuple[str, dict[str, Any]]]:
    """(template, slot values) of every fact of one assessment, plain Python values."""
    lists = _list_indicators(k)
    out: list[tuple[str, dict[str, Any]]] = []
    for g in k.indicators.groups:
        slots: dict[str, Any] = {}
        for ind in k.indicators.indicators:
            if ind.group == g.id:
                value = assessment.values.get(ind.id)
                slots[ind.id] = list(value) if ind.id in lists and value is not None else value
        out.append((group_template(g.id), slots))
    out.append(("measures", {m: measures.values.get(m) for m in _measure_slots(k)}))
    return out


def _slot_text(name: str, value: Any, multislot: bool) -> str:
    if multislot:
        items = ["nil"] if value is None else [literal(v) for v in value]
        return f"({name}{''.join(' ' + i for i in items)})"
    return f"({name} {literal(value)})"


def fact_strings(assessment: Assessment, measures: Measures, k: Knowledge) -> list[str]:
    """The facts of one assessment as CLIPS text, ready for `(assert ...)` / `assert_string`."""
    lists = _list_indicators(k)
    out = []
    for template, slots in fact_values(assessment, measures, k):
        body = " ".join(
            _slot_text(n, v, template != "measures" and n in lists) for n, v in slots.items()
        )
        out.append(f"({template} {body})")
    return out


def deffacts(assessment: Assessment, measures: Measures, k: Knowledge) -> str:
    """A `deffacts` block with the facts of one assessment; `(reset)` then `(run)` in CLIPS."""
    facts = "\n".join("  " + f for f in fact_strings(assessment, measures, k))
    return f"(deffacts assessment\n  {_string('Assessment ' + assessment.source)}\n{facts})\n"
