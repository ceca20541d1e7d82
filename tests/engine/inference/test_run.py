"""engine/inference/run.py: the status of a made measure after its `running:` check (holds →
continue, unknown → conditional instead of new, false → unchanged), recorded in the result."""

from __future__ import annotations

from typing import Any

import yaml

from engine import api
from engine.inference.run import running_check
from engine.inference.trace import Result
from engine.knowledge.conditions import truth
from engine.knowledge.models import Any_, Atom
from tests.conftest import shared_session

SESSION = shared_session()
K = SESSION.knowledge
WEAK_EXPORT = {"cluster_name": "Inline", "direction_export": 0}


def run(**values: Any) -> Result:
    text = yaml.safe_dump({**WEAK_EXPORT, **values}).encode("utf-8")
    return api.run(api.load_bytes(text, "inline.yaml", K), SESSION)


def test_running_holds_gives_continue_and_records_the_value():
    result = run(foreign_fairs_participations_last_year=2)
    check = result.running["rg_foreign_fairs"]
    assert (check.holds, check.before, check.status) == (True, "new", "continue")
    assert result.status["rg_foreign_fairs"] == "continue"
    [c] = check.decisive
    assert (c.subject, c.actual, c.holds) == ("foreign_fairs_participations_last_year", 2, True)


def test_running_unknown_turns_new_into_conditional():
    result = run()
    check = result.running["rg_foreign_fairs"]
    assert (check.holds, check.status) == (None, "conditional")
    assert check.unknown == ("foreign_fairs_participations_last_year",)


def test_running_false_leaves_new():
    result = run(foreign_fairs_participations_last_year=0)
    check = result.running["rg_foreign_fairs"]
    assert (check.holds, check.status) == (False, "new")


def test_a_conditional_measure_that_demonstrably_runs_is_continued():
    result = run(foreign_fairs_participations_last_year=2)
    result.status["rg_foreign_fairs"] = "conditional"  # as if a rule had made it on a blank
    check = running_check(result, "rg_foreign_fairs", K)
    assert check is not None and check.status == "continue"


def test_unknown_running_leaves_a_conditional_measure_conditional():
    result = run()
    result.status["rg_foreign_fairs"] = "conditional"
    check = running_check(result, "rg_foreign_fairs", K)
    assert check is not None and (check.before, check.status) == ("conditional", "conditional")


def test_an_entry_without_running_is_not_checked():
    result = run()
    unchecked = [r for r in result.recommendations if K.recommendation[r].running is None]
    assert unchecked, "the example makes organizational changes, which declare no `running:`"
    assert not any(r in result.running for r in unchecked)


def _truth(cond: Any, values: dict[str, Any]) -> Any:
    return truth(cond, lambda a: values.get(a.subject), [])


def test_truth_is_three_valued():
    gt = Atom(indicator="trade_missions_last_year", op="gt", value=0)
    yes = Atom(indicator="rg_uses_trade_representations", op="is_true")
    either = Any_(any=[gt, yes])
    assert _truth(gt, {}) is None  # a blank is unknown, not "no"
    assert _truth(gt, {"trade_missions_last_year": 0}) is False
    assert _truth(either, {"trade_missions_last_year": 0}) is None
    assert _truth(either, {"trade_missions_last_year": 0, "rg_uses_trade_representations": True})
    assert _truth(either, {"rg_uses_trade_representations": True}) is True  # one true part decides
    both = {"trade_missions_last_year": 0, "rg_uses_trade_representations": False}
    assert _truth(either, both) is False
    missing = Atom(indicator="trade_missions_last_year", op="is_missing")
    assert _truth(missing, {}) is True  # about the blank itself: decided


def test_each_conditions_reading_agrees_with_the_record_on_generated_clusters():
    """The firing record's conditions, read through each branch's plan: a `not` holds exactly
    when no earlier firing made its finding or recommendation, and a condition on an indicator
    or a measure is the knowledge's own test on the value the cluster gave."""
    import random

    from bench.synthetic import random_assessment
    from engine.inference.run import Runner
    from engine.knowledge.conditions import holds

    runner, rng, nots = Runner(K), random.Random(41), 0
    for _ in range(25):
        result = runner.run(random_assessment(K, rng))
        made: set[tuple[str, str]] = set()
        for f in result.firings:
            for c in f.conditions:
                if c.negated:
                    nots += 1
                    assert c.holds == ((c.kind, c.subject) not in made), (f.rule, c)
                elif c.kind in ("indicator", "measure"):
                    source = result.assessment if c.kind == "indicator" else result.measures
                    atom = Atom(**{c.kind: c.subject}, op=c.op, value=c.value)
                    assert c.actual == _plain(source.get(c.subject))
                    assert c.holds is holds(atom, c.actual) is True
            made |= {(d.kind, d.id) for d in f.declared if d.kind in ("finding", "recommendation")}
    assert nots > 0


def _plain(value: Any) -> Any:
    return [_plain(v) for v in value] if isinstance(value, (list, tuple)) else value
