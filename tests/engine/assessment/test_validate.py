"""engine/assessment/validate.py: one value per indicator type, checked and normalised; a whole
assessment with every problem located; what-if changes validated like the file."""

from __future__ import annotations

import pytest

from engine.assessment.validate import check_value, validate_mapping, with_changes
from engine.errors import InputError
from engine.files.strict_yaml import load_yaml_text


def check(knowledge, ident, value):
    return check_value(knowledge.indicator[ident], value, knowledge)


def first_of_type(knowledge, t):
    return next(i.id for i in knowledge.indicators.indicators if i.type == t)


def test_a_score_inside_its_scale_is_kept_and_outside_is_refused(knowledge):
    assert check(knowledge, "activity_smes", 3) == (3, None)
    assert check(knowledge, "activity_smes", 7) == (None, "7 is out of scale; allowed 0..4")


def test_numbers_refuse_text_booleans_and_non_finite_values(knowledge):
    assert check(knowledge, "activity_smes", "3")[1] == "expected a number, got text '3'"
    assert check(knowledge, "activity_smes", True)[1].startswith("expected a number")
    assert check(knowledge, "activity_smes", float("nan"))[1] == "expected a finite number"


def test_an_int_indicator_takes_a_whole_float_and_refuses_a_fraction(knowledge):
    ident = "assessment_year"
    assert check(knowledge, ident, 2013.0) == (2013, None)
    assert check(knowledge, ident, 2013.5)[1] == "expected a whole number, got 2013.5"


def test_enum_values_are_closed_and_a_near_miss_gets_a_suggestion(knowledge):
    assert check(knowledge, "funding_source", "mixed") == ("mixed", None)
    value, err = check(knowledge, "funding_source", "mixd")
    assert value is None and "choose one of" in err and "did you mean 'mixed'?" in err


def test_booleans_are_true_or_false_only(knowledge):
    ident = first_of_type(knowledge, "bool")
    assert check(knowledge, ident, False) == (False, None)
    assert check(knowledge, ident, "no")[1] == "expected true or false, got text 'no'"


def test_a_list_takes_one_string_as_one_item_and_refuses_nested_values(knowledge):
    ident = first_of_type(knowledge, "list")
    allowed = knowledge.indicator[ident].values
    # the specialization takes sector codes only (an unknown word is an error of its own)
    sector = ident == knowledge.sectors.indicator
    item = allowed[0] if allowed else ("tourism" if sector else "anything")
    assert check(knowledge, ident, item) == ([item], None)
    assert check(knowledge, ident, [[item]])[1] == "list items must be plain values"


def test_every_problem_of_an_assessment_is_located(knowledge):
    text = "cluster_name: X\nactivity_smes: 9\nactivty_smes: 1\nfunding_source: state\n"
    with pytest.raises(InputError) as exc:
        validate_mapping(
            load_yaml_text(text, "a.yaml").data, load_yaml_text(text, "a.yaml"), knowledge
        )
    lines = str(exc.value).splitlines()
    assert "a.yaml:2:16: activity_smes: 9 is out of scale; allowed 0..4" in lines
    assert any(line.startswith("a.yaml:3:1: activty_smes: unknown indicator") for line in lines)
    assert any(line.startswith("a.yaml:4:17: funding_source:") for line in lines)


def test_a_blank_is_kept_as_unknown_not_as_zero_or_false(knowledge):
    text = "cluster_name: X\nregion_name: R\nactivity_smes:\n"
    located = load_yaml_text(text, "b.yaml")
    a = validate_mapping(located.data, located, knowledge)
    assert a.get("activity_smes") is None
    assert a.where("activity_smes") == "b.yaml:3"


def test_changes_are_validated_like_the_file(nn_result, knowledge):
    changed = with_changes(nn_result.assessment, {"activity_smes": 4}, knowledge)
    assert changed.get("activity_smes") == 4
    assert nn_result.assessment.get("activity_smes") != 4
    with pytest.raises(InputError, match="activity_smes: 9 is out of scale"):
        with_changes(nn_result.assessment, {"activity_smes": 9}, knowledge)


def test_what_validation_derives_once_per_knowledge_base_is_the_plain_computation(knowledge):
    """The per-knowledge memo (`_shape`, `_changes_by_field`) against what each assessment
    computed before, and generated assessments missing required answers reported as before."""
    import random

    import yaml

    from bench.synthetic import random_values
    from engine.assessment.formats import _changes_by_field
    from engine.assessment.overrides import OVERRIDES_KEY, kpi_targets_key
    from engine.assessment.validate import VARIANT_KEY, _shape

    k = knowledge
    shape = _shape(k)
    own = {OVERRIDES_KEY, kpi_targets_key(k)}
    assert shape.own == own
    assert shape.keys == (
        {*k.indicator, *(x for x in own if x), VARIANT_KEY, k.formats.key}
        | {c.field for c in k.formats.changes}
    )
    assert list(shape.blank.items()) == [(i.id, None) for i in k.indicators.indicators]
    assert shape.required == tuple(i.id for i in k.indicators.indicators if i.required)
    order = list(k.sectors.code)
    assert sorted(shape.sector_rank, key=shape.sector_rank.__getitem__) == order
    changes = _changes_by_field(k)
    for name in [*k.indicator, *(c.field for c in k.formats.changes), "nothing_of_the_kind"]:
        assert changes.get(name) is k.formats.change(name)
    rng = random.Random(7)
    for n in range(12):
        values = random_values(k, rng)
        dropped = rng.sample(sorted(shape.required), min(n % 3, len(shape.required)))
        for rid in dropped:
            values.pop(rid, None)
        located = load_yaml_text(yaml.safe_dump(values, allow_unicode=True), "g.yaml")
        if not dropped:
            assert validate_mapping(located.data, located, k).values.keys() == k.indicator.keys()
            continue
        with pytest.raises(InputError) as exc:
            validate_mapping(located.data, located, k)
        missing = [p.params for p in exc.value.problems if p.code == "missing-required"]
        expected = [i.id for i in k.indicators.indicators if i.required and i.id in dropped]
        assert missing == [(("id", rid),) for rid in expected]


def test_each_indicators_field_check_agrees_with_check_value(knowledge):
    """The per-indicator checks built once (`field_check`, the batch's fast path) give what
    `check_value` gives, value, type and message, for answers inside, at and beyond the bounds
    and of every other kind."""
    from engine.assessment.validate import field_check

    inf = float("inf")
    samples = [0, 1, 3, 4, 5, -1, 7, 100, 10**30, -(10**30), 0.0, 2.5, 3.0, 4.0, -0.5, 1e9]
    samples += [float("nan"), inf, -inf, True, False, "3", "yes", "", "Russia", "RU"]
    samples += [[], ["a"], {"x": 1}]
    for ind in knowledge.indicators.indicators:
        if ind.lookup or ind.type == "list":
            continue  # `check_value` itself (a place's name is looked up, slowly when unknown)
        fast = field_check(ind, knowledge)
        choices = list(ind.values or [])
        for value in samples + choices[:2]:
            got, want = fast(value), check_value(ind, value, knowledge)
            assert got == want or (got[1] is not None and str(got[1]) == str(want[1])), (
                ind.id,
                value,
            )
            assert type(got[0]) is type(want[0]), (ind.id, value)
