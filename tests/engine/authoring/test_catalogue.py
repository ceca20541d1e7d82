"""engine/authoring/catalogue.py: the generated catalogue names everything, in both languages,
safely."""

from __future__ import annotations

import re
import shutil

import pytest
from markupsafe import escape

from engine import api
from engine.authoring.catalogue import build_catalogue, chaining_graph, mermaid, render_catalogue
from engine.render.jinja import md_escape
from engine.text.strings import strings
from tests.conftest import ROOT


@pytest.mark.parametrize("lang", ["ru", "en"])
@pytest.mark.parametrize("fmt", ["md", "html"])
def test_catalogue_names_every_rule_recommendation_and_indicator(knowledge, fmt, lang):
    text = render_catalogue(knowledge, fmt, lang)
    for site in knowledge.rules:
        assert site.rule.id in text
        assert site.where in text
    for rec in knowledge.recommendations.recommendations:
        assert rec.id in text
        start = rec.rationale.get(lang)[:40]
        assert (str(escape(start)) if fmt == "html" else md_escape(start)) in text
    for ind in knowledge.indicators.indicators:
        assert ind.id in text
    for kpi in knowledge.kpis.kpis:
        if any(kpi.id in r.kpis for r in knowledge.recommendations.recommendations):
            assert kpi.id in text
    assert text == render_catalogue(knowledge, fmt, lang)  # deterministic


def test_rule_in_plain_language(knowledge):
    view = build_catalogue(knowledge, "en", strings()["en"])
    rules = {r["id"]: r for f in view["rule_files"] for r in f["rules"]}
    org = rules["weakness_organization"]
    cut = knowledge.scoring.benchmarks["activity_cluster_org"].value - (
        knowledge.scoring.benchmark_rule.weak_distance
    )
    assert org["when"].startswith(
        "(against the benchmark: International activity of the cluster organization = weak "
        f"(≤ {cut:g}) or "
    )
    assert org["when"].endswith("and not “strength: Organizational development”")
    assert (
        "(Working group on international activity is no and International manager is no)"
        in org["when"]
    )
    assert rules["org_monitoring_always"]["when"] == "always"
    gate = rules["gate_first_steps"]["then"]
    assert gate[0].startswith("recommend: “") and any(x.startswith("postpone: ") for x in gate)
    assert gate[-1] == "priority: high"
    partner = rules["co_partner_cluster_none"]["when"]
    assert " and not “Readiness gate" in partner


def test_a_finding_shows_its_formula_with_the_scores_a_status_stands_for(knowledge):
    # issue 23 item 8: "weak" alone hid the threshold the author had to look up in scoring.yaml
    s = knowledge.scoring
    weak = s.benchmarks["direction_export"].value - s.benchmark_rule.weak_distance
    strong = s.benchmarks["direction_export"].value + s.benchmark_rule.strong_distance
    for lang, dec in (("en", "."), ("ru", ",")):
        view = build_catalogue(knowledge, lang, strings()[lang])
        findings = {f["id"]: f for f in view["findings"]}
        formula = findings["weakness.export"]["formula"]
        assert [r["id"] for r in formula] == ["weakness_export_score", "weakness_export_share"]
        assert f"(≤ {weak:g})".replace(".", dec) in formula[0]["when"]
        strength = findings["strength.export"]["formula"][0]["when"]
        assert f"(≥ {strong:g})".replace(".", dec) in strength
    md = render_catalogue(knowledge, "md", "en")
    assert f"`weakness_export_score`: against the benchmark: Export = weak (≤ {weak:g})" in md


def test_a_measure_shows_the_conditions_of_each_rule_that_makes_it(knowledge):
    view = build_catalogue(knowledge, "en", strings()["en"])
    rec = next(r for r in view["recommendations"] if r["id"] == "co_sme_internationalization")
    rules = {r["id"]: r for f in view["rule_files"] for r in f["rules"]}
    assert rec["produced_by"] and all(
        p["when"] == rules[p["id"]]["when"] for p in rec["produced_by"]
    )
    html = render_catalogue(knowledge, "html", "en")
    first = rec["produced_by"][0]
    assert f"<br>When: {escape(first['when'])}</li>" in html


def test_recommendation_lists_its_kpis_and_producing_rules(knowledge):
    view = build_catalogue(knowledge, "en", strings()["en"])
    rec = next(r for r in view["recommendations"] if r["id"] == "co_sme_internationalization")
    assert [k["id"] for k in rec["kpis"]] == knowledge.recommendation[rec["id"]].kpis
    assert all(k["target"] for k in rec["kpis"])
    assert {p["id"] for p in rec["produced_by"]} == {
        s.rule.id for s in knowledge.rules if rec["id"] in s.rule.then.recommend
    }


def test_diagram_chains_findings_into_recommendations(knowledge):
    graph = chaining_graph(knowledge)
    edges = {(e["from"], e["to"]): e for e in graph["edges"]}
    assert ("finding:weakness.export", "recommendation:rg_export_trade_missions") in edges
    assert edges[("finding:gate.not_ready", "recommendation:co_partner_cluster")]["negated"]
    text = mermaid(graph)
    assert text.startswith("flowchart LR\n")
    assert "  f_weakness_export --> r_rg_export_trade_missions" in text
    assert "  f_gate_not_ready -. not .-> r_co_partner_cluster" in text
    md = render_catalogue(knowledge, "md", "en")
    assert "```mermaid\nflowchart LR\n" in md


def test_html_is_offline_and_escapes_knowledge_text(tmp_path):
    root = tmp_path / "knowledge"
    shutil.copytree(ROOT / "knowledge", root, ignore=shutil.ignore_patterns("scenarios"))
    rules = root / "rules" / "readiness.yaml"
    text = rules.read_text(encoding="utf-8")
    old = 'title: {en: "Internationalization is not in the plans"'
    assert text.count(old) == 1
    rules.write_text(
        text.replace(old, 'title: {en: "<script>alert(1)</script> {{ 7*7 }}"'), encoding="utf-8"
    )
    s = api.Session(root)
    k = s.knowledge
    html = render_catalogue(k, "html", "en")
    assert "<script" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; {{ 7*7 }}" in html
    assert not re.search(r'(src|href)="(https?:)?//', html), "nothing may be fetched"
    assert "<svg" in html and html.count('<g class="node') == len(chaining_graph(k)["nodes"])
    md = render_catalogue(k, "md", "en")
    assert "\\<script\\>" in md and "<script>" not in md


def test_kb_docs_cli_writes_md_or_html(tmp_path, cli):
    out = tmp_path / "catalogue.html"
    code, _, err = cli("kb", "docs", "-o", str(out), "--lang", "en")
    assert code == 0, err
    assert out.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    code, _, err = cli("kb", "docs", "-o", str(out))
    assert code == 2 and "already exists" in err
    code, stdout, _ = cli("kb", "docs", "--lang", "ru")
    assert code == 0 and stdout.startswith("# Каталог базы знаний")
