"""engine/knowledge/verify/resources.py: `kb check` refuses a measure with no cost model, an
unknown measure id, a cost without basis or sources, two measures with one deliverable and a
currency rate without its source; each refusal is located in resources.yaml. One copy of the
knowledge base carries every breakage (one `kb check` run keeps the suite fast)."""

from __future__ import annotations

import shutil

from engine import api
from tests.conftest import ROOT


def _entry(s: str, rid: str) -> tuple[str, str, str]:
    """(before, the entry of `rid` in `measures:`, after)."""
    start = s.index(f"\n  {rid}:\n") + 1
    end = s.index("\n  ", s.index("\n", start) + 1)
    while s[end + 3] == " ":  # the entry's own lines are indented deeper
        end = s.index("\n  ", end + 1)
    return s[:start], s[start : end + 1], s[end + 1 :]


def _break(s: str) -> str:
    before, entry, after = _entry(s, "co_partner_cluster")
    s = before + after  # no entry at all
    before, entry, after = _entry(s, "co_multilingual_website")
    s = before + entry.replace("co_multilingual_website:", "co_multilingual_websit:") + after
    before, entry, after = _entry(s, "co_cluster_community")
    entry = "\n".join(
        x for x in entry.split("\n") if not x.lstrip().startswith(("basis", "sources"))
    )
    s = before + entry + after
    before, entry, after = _entry(s, "co_benchmarking")
    same = 'result: {ru: "Совет кластера сформирован, положение о Совете утверждено участниками", en: "X"}'
    entry = "\n".join(
        "    " + same if x.lstrip().startswith("result:") else x for x in entry.split("\n")
    )
    s = before + entry + after
    head, tail = s.split("  KZT:\n", 1)
    return head + "  KZT:\n" + tail.replace("    source: fx_nbk_2024_04_24\n", "", 1)


def test_kb_check_refuses_each_breakage_of_resources_at_its_place(tmp_path):
    root = tmp_path / "knowledge"
    shutil.copytree(ROOT / "knowledge", root)
    path = root / "resources.yaml"
    path.write_text(_break(path.read_text(encoding="utf-8")), encoding="utf-8")
    errors = [p for p in api.check_knowledge(root) if p.severity == "error"]
    expected = [
        "measure 'co_partner_cluster' has no cost model",
        "unknown measure 'co_multilingual_websit'",
        "measure 'co_multilingual_website' has no cost model",
        "a cost needs its `basis`",
        "a cost needs its `sources`",
        "result (ru) repeats the result of 'org_cluster_council'",
        "the rate of KZT needs its `source` and `date`",
    ]
    for text in expected:
        hits = [p for p in errors if text in p.message]
        assert len(hits) == 1, (text, [p.message for p in errors])
        assert hits[0].file.endswith("resources.yaml") and hits[0].line > 0
    assert len(errors) == len(expected), [p.message for p in errors]
    suggestion = next(p for p in errors if "co_multilingual_websit'" in p.message)
    assert "co_multilingual_website" in suggestion.hint


def test_kb_check_refuses_a_share_of_a_cost_for_an_instrument_that_does_not_pay(tmp_path):
    """An instrument with `pays: false` (export credit insurance) never gets an amount: a split
    weight or the fallback source naming it is an error at its place, not silently ignored."""
    from engine.knowledge.verify.resources import SUPPORT_ONLY

    root = tmp_path / "knowledge"
    shutil.copytree(ROOT / "knowledge", root)
    path = root / "resources.yaml"
    s = path.read_text(encoding="utf-8")
    s = s.replace("fallback_source: cluster_org_budget", "fallback_source: ru_exiar", 1)
    marked = s.replace(
        '    result: {ru: "Менеджер', '    split: {ru_exiar: 2}\n    result: {ru: "Менеджер', 1
    )
    assert marked != s
    s = marked
    path.write_text(s, encoding="utf-8")
    hits = [p for p in api.check_knowledge(root) if p.code == SUPPORT_ONLY]
    assert [h.severity for h in hits] == ["error", "error"], [h.message for h in hits]
    lines = s.splitlines()
    assert {lines[h.line - 1].split(":")[0].strip() for h in hits} == {"fallback_source", "split"}
