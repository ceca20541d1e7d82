"""`kb export-clips`: the CLIPS translation gives the same advice as the experta engine.

The differential test runs experta (engine.inference) and CLIPS (clipspy, the exported program)
on 500 generated assessments and requires identical findings, recommendations, postponements and
even the same set of rule branches fired.
"""

from __future__ import annotations

import random
import re
from pathlib import Path

import clips
import pytest

from bench.clipsrun import ClipsRunner
from bench.synthetic import random_assessment, synthetic_knowledge
from engine.assessment.validate import Assessment
from engine.authoring.clips import constraint, deffacts, export_clips, literal
from engine.inference.run import Runner
from engine.knowledge.conditions import OPERATORS, predicate
from engine.measures import compute


def _compare(runner: Runner, crunner: ClipsRunner, a: Assessment) -> int:
    m = compute(a, runner.knowledge)
    ours = runner.run(a, m)
    theirs = crunner.run(a, m)
    assert theirs.findings == set(ours.findings), a.values
    # the rules' advice: the engine then leaves out what does not fit the cluster's kind or
    # serves a closed direction (not part of the CLIPS program, whose header says so)
    left_out = set(ours.restricted) | set(ours.excluded)
    assert set(ours.recommendations) == theirs.recommendations - left_out, a.values
    assert theirs.postponed == set(ours.postponed), a.values
    assert theirs.fired == {(f.rule, f.branch) for f in ours.firings}, a.values
    return len(ours.recommendations)


@pytest.mark.slow  # heavy differential / many-run check: CI runs it (-m slow)
def test_500_generated_assessments_give_the_same_advice_in_clips(knowledge, session):
    runner = session.runner
    crunner = ClipsRunner(knowledge)
    rng = random.Random(20240601)
    recs = 0
    try:
        for i in range(500):
            a = random_assessment(knowledge, rng, blank=(0.05, 0.2, 0.5, 0.9)[i % 4])
            recs += _compare(runner, crunner, a)
    finally:
        crunner.close()
    assert recs > 1000  # the cases exercise the rules, not only the empty program


@pytest.mark.slow  # heavy differential / many-run check: CI runs it (-m slow)
def test_a_synthetic_base_of_200_rules_gives_the_same_advice_in_clips(tmp_path):
    from engine.knowledge.load import load_knowledge

    k = load_knowledge(synthetic_knowledge(tmp_path / "kb", 200, seed=11))
    runner, crunner = Runner(k), ClipsRunner(k)
    rng = random.Random(5)
    try:
        for _ in range(60):
            _compare(runner, crunner, random_assessment(k, rng))
    finally:
        crunner.close()


# --- the operator table, value by value ---------------------------------------------------------

SCALARS = [None, True, False, 0, 1, 2, 1.5, 3.0, -1, "top", "1", "nil", ""]
LISTS = [None, (), ("a",), ("a", "b"), ("b", "c", "d")]
OPERANDS = {
    "eq": [0, 1, 2, 1.5, True, False, "top", "1"],
    "ne": [0, 1, 2, True, "top"],
    "lt": [0, 1, 1.5, 2],
    "le": [0, 1, 2],
    "gt": [0, 1, 1.5],
    "ge": [0, 1, 3],
    "in": [[1, 2], ["top", "1"], [True], []],
    "not_in": [[1, 2], ["top"], [False, 0]],
    "is_true": [None],
    "is_false": [None],
    "is_missing": [None],
    "is_known": [None],
    # list operators on a single value: never true (a scalar is not a list)
    "contains": ["a", "top"],
    "not_contains": ["a"],
    "is_empty": [None],
    "not_empty": [None],
    "count_ge": [0, 1],
    "count_lt": [1],
}
LIST_OPERANDS = {
    "contains": ["a", "z"],
    "not_contains": ["a", "z"],
    "is_empty": [None],
    "not_empty": [None],
    "count_ge": [0, 1, 2],
    "count_lt": [1, 2, 3],
    "is_missing": [None],
    "is_known": [None],
}


@pytest.fixture(scope="module")
def env():
    e = clips.Environment()
    e.build("(defglobal ?*v* = nil)")  # a variable, as in a rule (constants are type-checked)
    yield e
    e.clear()


def _clips_holds(env, op, x, v, multislot):
    if multislot:
        value = "(create$ nil)" if v is None else "(create$ " + " ".join(map(literal, v)) + ")"
    else:
        value = literal(v)
    env.eval(f"(bind ?*v* {value})")
    result = env.eval(constraint(op, x, "?*v*", multislot))
    return result != clips.Symbol("FALSE")  # CLIPS truth: anything but FALSE


def test_every_operator_means_in_clips_what_it_means_in_python(env):
    checked = 0
    for op, xs in OPERANDS.items():
        for x in xs:
            for v in SCALARS:
                assert _clips_holds(env, op, x, v, False) == predicate(op, x)(v), (op, x, v)
                checked += 1
    for op, xs in LIST_OPERANDS.items():
        for x in xs:
            for v in LISTS:
                assert _clips_holds(env, op, x, v, True) == predicate(op, x)(v), (op, x, v)
                checked += 1
    assert checked > 500


def test_the_comparison_covers_every_operator_of_the_table():
    assert set(OPERANDS) == set(OPERATORS)
    assert set(LIST_OPERANDS) == {n for n, op in OPERATORS.items() if op.clips_list is not None}


def test_an_operator_without_a_list_form_is_refused_on_a_list():
    with pytest.raises(ValueError, match="does not apply to a list"):
        constraint("lt", 2, "?v", multislot=True)
    with pytest.raises(ValueError, match="unknown operator"):
        constraint("approx", 2, "?v")


def test_blank_never_satisfies_a_numeric_test(env):
    for op in ("lt", "le", "gt", "ge", "eq", "ne"):
        assert not _clips_holds(env, op, 0, None, False)


# --- the exported text --------------------------------------------------------------------------


def test_salience_and_branches_mirror_the_experta_engine(knowledge, session):
    text = export_clips(knowledge)
    runner = session.runner
    found = re.findall(
        r'\(defrule r\d+-b(\d+)-\S+\n  ".*"\n  \(declare \(salience (-?\d+)\)\)'
        r'(?:.|\n)*?\(assert \(fired \(rule "([^"]+)"\)',
        text,
    )
    assert len(found) == len(runner._saliences)
    for branch, salience, rule in found:
        assert runner._saliences[(rule, int(branch))] == int(salience)
    assert "(not (finding (id " in text


@pytest.mark.slow  # heavy differential / many-run check: CI runs it (-m slow)
def test_export_is_deterministic_across_hash_seeds(tmp_path):
    import os
    import subprocess
    import sys

    root = Path(__file__).resolve().parents[3]
    outs = set()
    for seed in ("0", "7"):
        out = subprocess.run(
            [sys.executable, "-c", "import cli; cli.main()", "kb", "export-clips"],
            cwd=root,
            env=dict(os.environ, PYTHONHASHSEED=seed),
            capture_output=True,
            text=True,
            check=True,
        )
        outs.add(out.stdout)
    assert len(outs) == 1 and "(deftemplate measures" in outs.pop()


def test_text_values_survive_the_trip_to_clips(knowledge, nn_result):
    name = 'Кластер "A\\B"\nline two; (paren) nil <script>'
    values = dict(nn_result.assessment.values, cluster_name=name, specialization=["nil", "x y"])
    a = Assessment(
        source='weird "file".yaml\n(defrule evil => (assert (finding (id "x"))))', values=values
    )
    program = export_clips(knowledge) + "\n" + deffacts(a, compute(a, knowledge), knowledge)
    runner = ClipsRunner(knowledge, program)
    try:
        runner.env.reset()
        facts = {f.template.name: f for f in runner.env.facts()}
        ident = facts["indicators_identification"]
        assert ident["cluster_name"] == name
        assert list(ident["specialization"]) == ["nil", "x y"]  # strings, not the blank symbol
        assert ident["region_name"] == clips.Symbol("nil") or ident["region_name"]
        assert not any("evil" in r.name for r in runner.env.rules())  # text never becomes code
    finally:
        runner.close()


def test_cli_writes_the_program_and_refuses_to_overwrite(cli, tmp_path, nn_path):
    out = tmp_path / "kb.clp"
    code, _, err = cli("kb", "export-clips", "-o", out, "--assessment", nn_path)
    assert code == 0, err
    text = out.read_text(encoding="utf-8")
    assert "(defrule " in text and "(deffacts assessment" in text
    out.write_text("keep me", encoding="utf-8")
    code, _, err = cli("kb", "export-clips", "-o", out)
    assert code == 2 and "--force" in err and out.read_text(encoding="utf-8") == "keep me"
    code, _, _ = cli("kb", "export-clips", "-o", out, "--force")
    assert code == 0 and out.read_text(encoding="utf-8") != "keep me"
    env = clips.Environment()
    try:
        env.load(str(out))  # a valid CLIPS program
        assert len(list(env.rules())) >= len(text.split("(defrule ")) - 1
    finally:
        env.clear()
