"""The work a batch cluster skips or does once gives the same documents: the program without the
consultant's reasons (`build_program(reasons=False)`, a client's document never shows them), each rule's
AND-branches expanded when the knowledge is read, and an id's kind looked up directly."""

from __future__ import annotations

import pytest

from engine import api
from engine.explain.why import id_kind, id_kinds
from engine.knowledge.conditions import branches
from engine.program.data_requests import data_requests
from engine.program.document import build_document
from engine.program.model import build_program
from engine.render.formats import render as render_format
from engine.text.message import Locale, localize
from tests.conftest import EXAMPLES

NAMES = ["nizhny-novgorod.yaml", "nascent-cluster.yaml"]


@pytest.fixture(scope="module")
def results(session):
    return [api.evaluate(EXAMPLES / name, session) for name in NAMES]


@pytest.mark.parametrize(("fmt", "lang"), [("md", "ru"), ("md", "en"), ("html", "ru")])
def test_a_client_document_is_the_same_without_the_reasons(knowledge, results, fmt, lang):
    for result in results:
        record = build_program(result, knowledge, reasons=False)
        assert record["not_made"] == []
        assert all(r["why"] == r["chain"] == r["because"] == [] for r in record["recommendations"])
        assert all(i.why == [] for items in record["swot"].values() for i in items)
        assert all(x["why"] == [] for x in record["gate"]["postponed"])
        view = localize(build_document(record, result, knowledge), Locale(lang))
        data = render_format(
            "program", fmt, view=lambda v=view: v, data=lambda: None, template=lambda: None
        )
        assert data == api.draft(result, knowledge, fmt, lang)


def test_the_consultants_document_still_has_the_reasons(knowledge, results):
    record = build_program(results[0], knowledge)
    assert record["not_made"], "the worked example leaves some recommendations out"
    assert all(r["why"] and r["chain"] for r in record["recommendations"])
    assert any(i.why for items in record["swot"].values() for i in items)
    text = api.draft(results[0], knowledge, "md", "en", audience="consultant")
    assert all(f"(`{x['id']}`)" in text for x in record["not_made"])
    assert all(f"(`{w['rule']}`)" in text for r in record["recommendations"] for w in r["why"])


def test_each_rule_keeps_its_branches_as_read(knowledge, results):
    assert all(site.branches == branches(site.rule.when) for site in knowledge.rules)
    saved = [site.branches for site in knowledge.rules]
    try:
        fresh = [data_requests(r, knowledge) for r in results]
        for site in knowledge.rules:
            site.branches = None  # a site built without them: expanded on the spot
        assert [data_requests(r, knowledge) for r in results] == fresh
    finally:
        for site, kept in zip(knowledge.rules, saved, strict=True):
            site.branches = kept


def test_an_ids_kind_is_the_one_the_whole_table_gives(knowledge, results):
    for result in results:
        table = id_kinds(result, knowledge)
        assert all(id_kind(ident, result, knowledge) == kind for ident, kind in table.items())
        assert id_kind("no_such_id", result, knowledge) is None


def test_a_measures_kpis_shared_by_every_document_are_its_own(knowledge, results):
    """Each measure's KPI labels and ids, built once per knowledge base, read as built anew."""
    from engine.program.model import _measure_kpis

    shared = knowledge.derived(_measure_kpis)
    for r in knowledge.recommendations.recommendations:
        ids = [x for x in r.kpis if x in knowledge.kpi]
        assert shared[r.id][1] == ids
        assert list(shared[r.id][0]) == [knowledge.kpi[x].label for x in ids]
    for result in results:
        for rec in build_program(result, knowledge, reasons=False)["recommendations"]:
            assert rec["kpis"] is shared[rec["id"]][0]


def test_the_sources_shared_by_every_record_read_as_built_anew(knowledge, results):
    """Each source's citation, built once per knowledge base and shared, is the one built for the
    ids at hand (unknown ids left out, repeated ones repeated), in both languages; every record's
    sources are the shared ones."""
    import random

    from engine.explain.labels import source_views
    from engine.program.sections import _source_dict, sources_view

    rng = random.Random("sources")
    ids = [*knowledge.source, "no_such_source"]
    for _ in range(200):
        some = rng.sample(ids, rng.randint(0, 12)) + rng.sample(ids, 2)
        shared = sources_view(some, knowledge)
        assert shared == source_views(some, knowledge, empty="")
        for lang in ("ru", "en"):
            plain = localize(source_views(some, knowledge, empty=""), Locale(lang))
            assert localize(shared, Locale(lang)) == plain
    for result in results:
        record = build_program(result, knowledge, reasons=False)
        shared = knowledge.derived_each
        assert all(s is shared(_source_dict, s["id"]) for s in record["sources"])


def test_the_shared_continue_wordings_read_as_built_anew(session, knowledge):
    """A measure that continues is cited by a "continue" title (and text) built once per
    knowledge base and shared: over generated clusters, each reads as the one built anew, in both
    languages, and two clusters citing the same measure share it."""
    import random

    from bench.synthetic import random_assessment
    from engine.explain.wording import measure_wording, variant_title
    from engine.program.provenance import continued_title, continued_wording, measure_title

    rng = random.Random("continued")
    seen: dict[tuple[str, int], object] = {}
    checked = 0
    for i in range(12):
        result = session.runner.run(random_assessment(knowledge, rng, name=f"c{i}"))
        for rid, status in result.status.items():
            if status != "continue":
                continue
            r = knowledge.recommendation[rid]
            words = measure_wording(result, rid, knowledge)
            shared = [measure_title(result, rid, knowledge)]
            shared += continued_wording(words["title"], words["text"], r, knowledge).values()
            plain = [continued_title(variant_title(result, rid, knowledge), r)]
            plain += continued_wording(words["title"], words["text"], r).values()
            for lang in ("ru", "en"):
                assert localize(shared, Locale(lang)) == localize(plain, Locale(lang)), rid
            key = (rid, id(variant_title(result, rid, knowledge)))
            assert seen.setdefault(key, shared[0]) is shared[0]
            checked += 1
    assert checked > 20


@pytest.mark.parametrize(("fmt", "lang"), [("md", "ru"), ("html", "en")])
def test_a_page_is_the_same_without_the_kpis_measure_titles(knowledge, results, fmt, lang):
    """The batch leaves out the titles of each KPI's measures where its pages never read them
    (`KpiRow.recommendations` in the renderer's unread fields): the same page, the same record
    otherwise."""
    from engine.render.formats import get_format

    renderer = get_format(fmt, "program").renderers["program"]
    assert "recommendations" in renderer.unread_records()["KpiRow"]
    for result in results:
        full = build_program(result, knowledge, reasons=False)
        record = build_program(result, knowledge, reasons=False, kpi_titles=False)
        assert all(x["recommendations"] == [] for x in record["kpis"])
        assert any(x["recommendations"] for x in full["kpis"])
        for x in full["kpis"]:
            x["recommendations"] = []
        assert record == full
        view = localize(build_document(record, result, knowledge), Locale(lang))
        data = render_format(
            "program", fmt, view=lambda v=view: v, data=lambda: None, template=lambda: None
        )
        assert data == api.draft(result, knowledge, fmt, lang)


def test_a_markdown_program_is_the_same_without_the_charts_layout(knowledge, results):
    """The batch builds no charts' layout for a format that never reads it (Markdown: "charts"
    in its renderer's unread keys): the record is the same otherwise, and so is the page."""
    from engine.render.formats import get_format

    assert "charts" in get_format("md", "program").renderers["program"].unread
    assert "charts" not in get_format("html", "program").renderers["program"].unread
    for result in results:
        full = build_program(result, knowledge, reasons=False)
        record = build_program(result, knowledge, reasons=False, charts=False)
        assert record["charts"] == {} and full["charts"]
        assert {**full, "charts": {}} == record
        view = localize(build_document(record, result, knowledge), Locale("en"))
        data = render_format(
            "program", "md", view=lambda v=view: v, data=lambda: None, template=lambda: None
        )
        assert data == api.draft(result, knowledge, "md", "en")
