"""engine/program/document.py and the two audiences: the client's document carries no engine
syntax (ids, paths, rule numbers, conditions, English tags, ISO codes); the consultant's keeps the
reasons. Checked on the worked example in ru and en, in every format, and on other examples."""

from __future__ import annotations

import html
import io
import re

import pytest
from docx import Document

from engine import api
from tests.conftest import EXAMPLES

ENGINE_SYNTAX = [
    (re.compile(r"\b[a-z]+(?:_[a-z0-9]+)+\b"), "snake_case id"),
    (re.compile(r"knowledge/|\.yaml:\d+"), "knowledge path"),
    (re.compile(r"\(R\d+(?:, R\d+)*\)"), "rule number"),
    (re.compile(r"\(требуется|\(required"), "condition"),
    (re.compile("←"), "arrow of a chain"),
    (re.compile(r"Почему:|Why:"), "why line"),
    (re.compile(r"I_кластера|I_cluster|K больше|K above"), "engine symbol"),
    (re.compile(r"cluster-intl"), "tool name"),
    (re.compile(r"\(\s*(DE|FR|ES|AT|RU|BY|KZ)\b"), "ISO country code"),
]
RU_ONLY = [
    (re.compile(r"\b(automotive|petrochemicals|aerospace|wood|furniture)\b"), "English tag"),
    (re.compile(r"\bKPI\b"), "KPI in Russian"),
]


def visible_text(fmt: str, data: str | bytes) -> str:
    if fmt == "docx":
        d = Document(io.BytesIO(data))  # type: ignore[arg-type]
        cells = [c.text for t in d.tables for r in t.rows for c in r.cells]
        heads = [p.text for s in d.sections for p in s.header.paragraphs]
        return "\n".join([p.text for p in d.paragraphs] + cells + heads)
    text = str(data)
    if fmt == "html":
        text = re.sub(r"<style>.*?</style>", "", text, flags=re.S)
        text = html.unescape(re.sub(r"<[^>]+>", " ", text))
    return text.replace("\\_", "_")


def leaks(text: str, lang: str, names: tuple[str, ...] = ()) -> list[str]:
    rules = ENGINE_SYNTAX + (RU_ONLY if lang == "ru" else [])
    # URLs of the bibliography are addresses, not ids; a partner's own name is a proper name
    # ("Chongqing automotive industry cluster"), not a sector tag
    body = re.sub(r"https?://\S+", "", text)
    for name in sorted(names, key=len, reverse=True):
        body = body.replace(name, "")
    return [f"{what}: {m.group(0)!r}" for rx, what in rules for m in [rx.search(body)] if m]


@pytest.mark.parametrize("lang", ["ru", "en"])
@pytest.mark.parametrize("fmt", ["md", "html", "docx"])
def test_client_document_of_the_example_shows_no_engine_syntax(nn_result, knowledge, lang, fmt):
    data = api.draft(nn_result, knowledge, fmt, lang)
    names = tuple(p.name for p in knowledge.partners.partners)
    assert leaks(visible_text(fmt, data), lang, names) == []


@pytest.mark.parametrize("lang", ["ru", "en"])
@pytest.mark.parametrize("fmt", ["md", "docx"])
def test_consultant_document_keeps_the_reasons(nn_result, knowledge, lang, fmt):
    text = visible_text(fmt, api.draft(nn_result, knowledge, fmt, lang, audience="consultant"))
    assert "org_intl_working_group" in text  # the measure's id in the reasons annex
    assert re.search(r"knowledge/rules/\w+\.yaml:\d+", text)
    assert ("Почему:" if lang == "ru" else "Why:") in text
    assert ("Приложение Б" if lang == "ru" else "Annex B") in text
    assert ("Приложение Г" if lang == "ru" else "Annex D") in text


@pytest.mark.slow
@pytest.mark.parametrize("name", ["mature-cluster.yaml", "nascent-cluster.yaml"])
@pytest.mark.parametrize("lang", ["ru", "en"])
def test_client_document_of_other_clusters_shows_no_engine_syntax(knowledge, name, lang, session):
    result = api.evaluate(EXAMPLES / name, session)
    for fmt in ("md", "docx"):
        text = visible_text(fmt, api.draft(result, knowledge, fmt, lang))
        names = tuple(p.name for p in knowledge.partners.partners)
        assert leaks(text, lang, names) == []


def test_swot_reads_as_sentences_with_the_score_and_the_survey_mean(nn_result, knowledge):
    text = str(api.draft(nn_result, knowledge, "md", "ru"))
    assert "Экспорт\u00a0— слабая сторона: 1 балл из 4 при среднем по опросу 1,6" in text


def test_action_plan_lists_every_measure_once_with_calendar_quarters(nn_result, knowledge):
    view = api.program_view(nn_result, knowledge, "ru")
    plan = view["plan"]
    assert [p["no"] for p in plan] == list(range(1, len(nn_result.recommendations) + 1))
    assert {p["id"] for p in plan} == set(nn_result.recommendations)
    assert view["period"]["label"] == "2014–2016"
    assert plan[0]["start"] == "I кв. 2014"
    assert all(p["responsible"] and p["funding"] for p in plan)
    # each measure once in detail and once in the plan: no by-actor table any more
    text = str(api.draft(nn_result, knowledge, "md", "ru"))
    title = plan[0]["title"]
    assert text.count(title) <= 3  # detail heading, plan row, priority list of the summary


def test_client_names_replace_the_neutral_terms(knowledge, tmp_path, session):
    src = (EXAMPLES / "nizhny-novgorod.yaml").read_text(encoding="utf-8")
    src += "regional_ministry_name: Министерство инвестиций Нижегородской области\n"
    path = tmp_path / "named.yaml"
    path.write_text(src, encoding="utf-8")
    result = api.evaluate(path, session)
    view = api.program_view(result, knowledge, "ru")
    rows = {p["id"]: p for p in view["plan"]}
    assert (
        rows["rg_foreign_fairs"]["responsible"] == "Министерство инвестиций Нижегородской области"
    )
    en = api.program_view(result, knowledge, "en")
    assert en["front"]["cluster"].startswith("Nizhny Novgorod Industrial Innovation Cluster")
    text = visible_text("docx", api.draft(result, knowledge, "docx", "en"))
    assert "Нижегородский" not in text


def test_bibliography_has_one_numbered_entry_per_work(nn_result, knowledge):
    view = api.program_view(nn_result, knowledge, "ru")
    bib = view["bibliography"]
    assert [b["no"] for b in bib] == list(range(1, len(bib) + 1))
    assert sum("Исланкина, Е. А. Разработка механизма" in b["text"] for b in bib) == 1
    assert all("дата обращения" in b["text"] for b in bib if "URL:" in b["text"])
    assert "[1]" in view["method_annex"][0]


def test_unknown_audience_is_a_usage_error(nn_result, knowledge):
    with pytest.raises(api.UsageError, match="--audience"):
        api.draft(nn_result, knowledge, "md", "ru", audience="board")


@pytest.mark.slow  # the default suite stays under 90 s; CI runs the slow ones
def test_cli_draft_takes_the_audience(cli, nn_path):
    code, out, _ = cli("draft", nn_path, "--audience", "consultant", "--lang", "en")
    assert code == 0 and "Annex B. Reasons of the measures" in out
    code, out, _ = cli("draft", nn_path, "--lang", "en")
    assert code == 0 and "Annex B." not in out


def test_a_cluster_without_baselines_says_when_targets_come_and_shows_no_bare_dashes(
    knowledge, session
):
    """Regression, drafted off the example (a Kazakh food cluster with a partial questionnaire):
    the summary's key targets and the passport's results were empty, and blank counts read
    "— —"."""
    text = (
        "cluster_name: Food cluster\nregion_name: Region\ncountry: KZ\nassessment_year: 2024\n"
        "self_assessment_level: 3\nactivity_smes: 2\ndirection_export: 3\ndirection_science: 1\n"
    )
    result = api.evaluate_bytes(text.encode("utf-8"), "kz.yaml", session)
    view = api.program_view(result, knowledge, "en")
    assert view["summary"]["targets"] and view["passport"]["results"]
    assert all(x.strip() for x in view["summary"]["targets"])
    md = str(api.draft(result, knowledge, "md", "en"))
    assert "— —" not in md and "no data" in md


@pytest.mark.slow  # ~1 s: run by CI's slow pass, kept out of the default suite's budget
def test_a_cluster_without_a_council_is_not_approved_by_one(knowledge, session):
    """A program whose first measure forms the Cluster Council cannot be approved by that
    Council: the Mexican aerospace suppliers' title page said so. Its members' general meeting
    approves it; a cluster with a Council (or none said) keeps the Council."""
    base = "cluster_name: Approval test\ncountry: MX\nself_assessment_level: 3\n"
    for council, by in (
        ("false", "general meeting"),
        ("true", "Cluster Council"),
        (None, "Cluster Council"),
    ):
        text = base + (f"has_cluster_council: {council}\n" if council else "")
        result = api.evaluate_bytes(text.encode(), "approval.yaml", session)
        for fmt in ("md", "html", "docx"):
            out = visible_text(fmt, api.draft(result, knowledge, fmt, "en"))
            approval = next(x for x in out.splitlines() if "APPROVED by decision of the" in x)
            assert f"APPROVED by decision of the {by}" in approval, (council, fmt, approval)
        ru = api.draft(result, knowledge, "md", "ru")
        assert ("общего собрания участников" in ru) == (council == "false")


def test_the_parts_the_knowledge_alone_decides_read_as_built_afresh(knowledge):
    """The matrix's rows, the abbreviations of each set of countries, the monitoring stages and
    the method notes are built once per knowledge base and put into words once per locale: in
    every language, for many countries, the words are those of the parts built anew, and stay so
    once the locale's memo holds them."""
    from engine.program import back_matter as bm
    from engine.program.leaves import SortedByText, tx
    from engine.program.model import _method_notes, _monitoring
    from engine.text.message import Locale, Msg, localize

    d = knowledge.document
    countries = ["", "RU", "BY", "KZ", "DE", "XX", *sorted(knowledge.countries.countries)[:60]]
    bodies = {b.id: f"body {b.id}" for b in d.bodies}
    in_matrix = [b.id for b in d.bodies if any(b.id in f.roles for f in d.functions)]
    plain_matrix = {
        "bodies": [bodies[b] for b in in_matrix],
        "rows": [
            {
                "label": tx(f.label),
                "roles": [Msg(f"role_{f.roles[b]}") if b in f.roles else "" for b in in_matrix],
            }
            for f in d.functions
        ],
        "legend": [Msg(f"role_{r}_legend") for r in ("lead", "approve", "take_part", "informed")],
        "note": Msg(
            "matrix_basis_proposal"
            if all(f.basis == "proposal" for f in d.functions)
            else "matrix_basis_mixed"
        ),
    }
    sets = set()
    for lang in ("ru", "en"):
        loc = Locale(lang)
        for _ in range(2):  # built and put into words, then from the memos
            for c in countries:
                shared = bm.abbreviations(knowledge, c)
                assert bm.abbreviations(knowledge, c) is shared
                sets.add(id(shared))
                chosen = [x for x in d.abbreviations if not x.countries or c in x.countries]
                items = tuple({"short": tx(x.short), "full": tx(x.full)} for x in chosen)
                assert localize(shared, loc) == localize(SortedByText(items, "short"), Locale(lang))
            fresh = Locale(lang)
            assert localize(bm.matrix_view(knowledge, bodies), loc) == localize(plain_matrix, fresh)
            monitoring = _monitoring(knowledge)
            assert localize(knowledge.derived(_monitoring), loc) == localize(monitoring, fresh)
            notes = list(_method_notes(knowledge))
            assert localize(knowledge.derived(_method_notes), loc) == localize(notes, fresh)
    assert len(sets) > 1, "countries differ in their abbreviations"
