"""The wording of a measure follows the firing record: `because` sentences of the rules that made
it (with the values they saw), `variants` keyed on made findings, `{country:key}` institutions."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import pytest

from engine import api
from engine.explain.labels import value_text
from engine.explain.wording import because_sentences, fill, measure_wording
from engine.knowledge.base import Text
from engine.knowledge.document_model import UNPROFILED_COUNTRY
from engine.knowledge.models import Knowledge, Variant
from engine.text.message import Locale, localize, say

EXAMPLES = Path(__file__).resolve().parents[3] / "examples"


def changed(
    k: Knowledge, rules: dict[str, dict] | None = None, recs: dict[str, dict] | None = None
):
    """A copy of the knowledge with some rule and catalogue fields replaced (ids unchanged)."""
    rules, recs = rules or {}, recs or {}
    sites = [
        dataclasses.replace(s, rule=s.rule.model_copy(update=rules[s.rule.id]))
        if s.rule.id in rules
        else s
        for s in k.rules
    ]
    catalogue = k.recommendations.model_copy(
        update={
            "recommendations": [
                r.model_copy(update=recs[r.id]) if r.id in recs else r
                for r in k.recommendations.recommendations
            ]
        }
    )
    fields: dict[str, Any] = {f.name: getattr(k, f.name) for f in dataclasses.fields(k) if f.init}
    fields.update(rules=sites, recommendations=catalogue)
    return Knowledge(**fields)


def en(record: Any) -> Any:
    """A record of leaves in English words (no typography)."""
    return localize(record, Locale("en", typography=False))


def a_direct_firing(result, k):
    """A firing that made a measure and tested an indicator itself: (rule, rec, indicator)."""
    for f in result.firings:
        recs = [d.id for d in f.declared if d.kind == "recommendation"]
        inds = [c.subject for c in f.conditions if c.kind == "indicator" and not c.negated]
        if recs and inds and len(result.producers("recommendation", recs[0])) == 1:
            return f.rule, recs[0], inds[0]
    pytest.fail("the example has no measure made by one rule on an indicator")


def test_because_prints_the_value_the_firing_saw(knowledge, nn_result):
    rule, rec, ind = a_direct_firing(nn_result, knowledge)
    k = changed(
        knowledge,
        rules={rule: {"because": Text(ru=f"Значение: {{{ind}}}.", en=f"Value seen: {{{ind}}}.")}},
    )
    words = en(measure_wording(nn_result, rec, k))
    seen = next(
        c.actual
        for f in nn_result.firings
        if f.rule == rule
        for c in f.conditions
        if c.subject == ind
    )
    assert words["because"] == [f"Value seen: {say(fill('{' + ind + '}', nn_result, k), 'en')}."]
    assert words["rationale"].startswith("Value seen: ")
    assert words["rationale"].endswith(words["general_rationale"])
    assert seen is not None and "{" not in words["rationale"]


def test_a_rule_without_because_lends_the_sentence_of_its_finding(knowledge, nn_result):
    # co_sme_weak rests on the finding weakness.sme_internationalization
    firing = nn_result.producers("finding", "weakness.sme_internationalization")[0]
    tested = next(c for c in firing.conditions if c.kind in ("indicator", "measure"))
    k = changed(
        knowledge,
        rules={
            firing.rule: {
                "because": Text(ru=f"МСП: {{{tested.subject}}}.", en=f"SMEs: {{{tested.subject}}}.")
            }
        },
    )
    assert knowledge.rule["co_sme_weak"].rule.because is None
    sentences = en(because_sentences(nn_result, "recommendation", "co_sme_internationalization", k))
    value = say(value_text(tested.kind, tested.subject, tested.actual, k), "en")
    assert sentences == [f"SMEs: {value}."]
    assert value and "{" not in value


def _atoms(conds):
    for c in conds:
        for attr in ("any", "all"):
            if hasattr(c, attr):
                yield from _atoms(getattr(c, attr))
        if hasattr(c, "not_"):
            yield c.not_
        if hasattr(c, "subject"):
            yield c


def test_a_variant_replaces_the_text_only_when_its_findings_are_made(knowledge, nn_result):
    rec = nn_result.recommendations[0]
    made = nn_result.findings[0]
    missing = next(f.id for f in knowledge.findings.findings if f.id not in nn_result.findings)
    other = Text(ru="Иначе.", en="Otherwise.")
    k = changed(
        knowledge,
        recs={rec: {"variants": [Variant.model_validate({"if": [missing], "text": other})]}},
    )
    assert en(measure_wording(nn_result, rec, k))["text"] != "Otherwise."
    k = changed(
        knowledge,
        recs={
            rec: {
                "variants": [
                    Variant.model_validate({"if": [missing], "text": {"ru": "Нет.", "en": "No."}}),
                    Variant.model_validate({"if": [made], "text": other}),
                ]
            }
        },
    )
    words = en(measure_wording(nn_result, rec, k))
    assert words["text"] == "Otherwise."
    assert words["variant"] == [made]


@pytest.mark.parametrize(
    ("country", "expected"),
    [
        ("RU", "Russia's trade representations abroad"),
        ("KZ", "Kazakhstan's trading houses"),
        ("BY", "Belarus's diplomatic missions"),
        (UNPROFILED_COUNTRY, "the country's trade representations"),  # the default profile
    ],
)
def test_country_placeholders_name_the_institutions_of_the_clusters_country(
    knowledge, session, tmp_path, country, expected
):
    text = (EXAMPLES / "nizhny-novgorod.yaml").read_text(encoding="utf-8")
    assert text.count("country: RU\n") == 1
    path = tmp_path / "a.yaml"
    path.write_text(text.replace("country: RU\n", f"country: {country}\n"), encoding="utf-8")
    result = api.evaluate(path, session)
    filled = say(fill("Use {country:trade_representations}.", result, knowledge), "en")
    assert filled.startswith(f"Use {expected}")
    assert "{" not in filled


def test_every_part_of_a_program_cites_a_measure_by_the_title_of_its_heading(session, knowledge):
    """A variant's title (a tourism cluster's, a Russian region's ministry) is the measure's title
    everywhere in the program: the KPI table and the data requests cited the catalogue's base
    title beside a heading that said otherwise."""
    from engine.explain.wording import variant_for
    from engine.program.data_requests import catalogue_order, data_requests, data_requests_view
    from engine.program.model import build_program
    from engine.program.provenance import measure_title

    varied = cited = 0
    order = catalogue_order(knowledge)
    for path in [EXAMPLES / "nizhny-novgorod.yaml", *sorted((EXAMPLES / "corpus").glob("*.yaml"))]:
        result = api.evaluate(path, session)
        program = build_program(result, knowledge, reasons=False)
        heading = {r["id"]: en(r["title"]) for r in program["recommendations"]}
        for rid in heading:
            assert heading[rid] == en(measure_title(result, rid, knowledge)), (path.name, rid)
            v = variant_for(knowledge.recommendation[rid], result, knowledge)
            if v is not None and v.title is not None:
                assert en(v.title)[1:] in heading[rid]
                varied += 1
        pairs = [
            (rid, title)
            for row in program["kpis"]
            for rid, title in zip(row["recommendation_ids"], row["recommendations"], strict=True)
        ]
        requests = data_requests(result, knowledge)
        for ids, row in zip(requests, data_requests_view(result, knowledge), strict=True):
            ranked = sorted(ids["recommendations"], key=order.__getitem__)
            pairs += list(zip(ranked, row["recommendations"], strict=True))
        for rid, title in pairs:
            if rid in heading:
                assert en(title) == heading[rid], (path.name, rid)
                cited += 1
    assert varied >= 2 and cited > 50


def test_why_names_a_measure_by_the_title_the_program_gives_it(session, knowledge):
    """A policy reader asking why about a Russian region's ministry officer reads the heading of
    the program's measure, not the catalogue's neutral title (and a Kenyan cluster the neutral
    one); `why` and the document are built from the same variant."""
    from engine.api.explain import why, why_text

    for path, word in (
        (EXAMPLES / "nizhny-novgorod.yaml", "regional ministry"),
        (EXAMPLES.parent / "tests/fixtures/unseen/kenyan-horticulture.yaml", "regional authority"),
    ):
        result = api.evaluate(path, session)
        program = api.draft(result, knowledge, "md", "en")
        first = why_text(why(result, "org_ministry_contact", knowledge, "en"), "policy")
        title = first.splitlines()[0]
        assert word in title, title
        assert f"Name a responsible officer in the {word} that coordinates the cluster" in program


def test_a_measures_wording_built_once_is_the_one_filled_for_the_cluster(knowledge, nn_result):
    """A measure without variants and placeholders takes its texts from the knowledge base's
    memo: they read as the texts filled for the cluster."""
    from engine.explain import wording

    fixed = knowledge.derived(wording._fixed_wordings)
    for rid in nn_result.recommendations:
        fast = measure_wording(nn_result, rid, knowledge)
        assert fast == wording._wording(nn_result, rid, knowledge)
    assert fixed.keys() & set(nn_result.recommendations), "some measure takes the memo's wording"


def test_a_measures_leaves_made_once_read_as_filled_for_the_cluster(knowledge, nn_result):
    """The knowledge's own texts (no value in them), the rationale of the knowledge's own parts
    and each rule's value-free `because` say what filling them for the cluster says."""
    from engine.explain import wording
    from engine.explain.leaves import Filled, Stripped
    from engine.text.message import cat

    locales = [Locale("ru"), Locale("en")]  # each with its memo, as a batch worker's
    for rid in nn_result.recommendations:
        words = measure_wording(nn_result, rid, knowledge)
        r = knowledge.recommendation[rid]
        plain = Stripped(cat([*words["because"], words["general_rationale"]], " "))
        for loc in locales:
            assert localize(words["rationale"], loc) == localize(plain, loc)
            if not r.variants:
                assert localize(words["title"], loc) == localize(Filled(r.title), loc)
                assert localize(words["text"], loc) == localize(
                    fill(r.text, nn_result, knowledge), loc
                )
    for rid, sentence in knowledge.derived(wording._plain_because).items():
        because = knowledge.rule[rid].rule.because
        assert sentence == fill(because, nn_result, knowledge, {}, strict=True)


def test_the_kind_fits_memo_is_bounded_and_answers_as_kind_fits(knowledge, monkeypatch):
    from engine.explain import wording
    from engine.inference.applicability import kind_fits
    from engine.inference.trace import ClusterKind

    conds = [v.for_ for r in knowledge.recommendations.recommendations for v in r.variants]
    conds = [c for c in conds if c is not None]
    assert conds, "the knowledge base has sector variants"
    monkeypatch.setattr(wording, "MEMO_MAX", 4)
    memo = knowledge.derived(wording._fits_memo)
    memo.clear()
    outputs = [("goods",), ("services",), ()]
    kinds = [
        ClusterKind((s,), o, (), None) for s in list(knowledge.sectors.code)[:6] for o in outputs
    ]
    for kind in kinds:
        for cond in conds[:3]:
            assert wording._fits(cond, kind, knowledge) == kind_fits(cond, kind, knowledge)
            assert len(memo) <= 4
