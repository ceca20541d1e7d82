"""engine/knowledge/verify/resources.py: `kb check` refuses a measure with no cost model, an
unknown measure id, a cost without basis or sources, and two measures with one deliverable."""

from __future__ import annotations

import shutil

from engine import api
from tests.conftest import ROOT


def _check(tmp_path, edit):
    root = tmp_path / "knowledge"
    shutil.copytree(ROOT / "knowledge", root)
    path = root / "resources.yaml"
    path.write_text(edit(path.read_text(encoding="utf-8")), encoding="utf-8")
    return [p for p in api.check_knowledge(root) if p.severity == "error"]


def _one(problems, text):
    hits = [p for p in problems if text in p.message]
    assert len(hits) == 1, [p.message for p in problems]
    assert hits[0].file.endswith("resources.yaml") and hits[0].line > 0
    return hits[0]


def test_the_shipped_resources_are_clean(tmp_path):
    assert _check(tmp_path, lambda s: s) == []


def test_a_measure_without_an_entry_is_refused(tmp_path):
    def drop(s: str) -> str:
        head, rest = s.split("  co_partner_cluster:\n", 1)
        return head + rest[rest.index("  co_multilingual_website:") :]

    _one(_check(tmp_path, drop), "measure 'co_partner_cluster' has no cost model")


def test_an_unknown_measure_id_is_refused_with_a_suggestion(tmp_path):
    p = _one(
        _check(tmp_path, lambda s: s.replace("  co_partner_cluster:\n", "  co_partner_clustr:\n")),
        "unknown measure 'co_partner_clustr'",
    )
    assert "co_partner_cluster" in p.hint


def test_a_cost_without_basis_or_sources_is_refused(tmp_path):
    old = "    basis: derived\n    sources: [cost_cgi_2017_call, da_escp4i]\n"

    def strip(s: str) -> str:
        head, tail = s.split("  co_partner_cluster:\n", 1)
        assert tail.startswith("    cost:") and old in tail
        return head + "  co_partner_cluster:\n" + tail.replace(old, "", 1)

    problems = _check(tmp_path, strip)
    _one(problems, "a cost needs its `basis`")
    _one(problems, "a cost needs its `sources`")


def test_two_measures_with_one_deliverable_are_refused(tmp_path):
    same = 'result: {ru: "Одно и то же", en: "The same"}'

    def twice(s: str) -> str:
        lines = s.split("\n")
        idx = [i for i, x in enumerate(lines) if x.strip().startswith("result:")][:2]
        for i in idx:
            lines[i] = "    " + same
        return "\n".join(lines)

    _one(_check(tmp_path, twice), "result (en) repeats the result of")


def test_a_rate_without_its_source_is_refused(tmp_path):
    def unsourced(s: str) -> str:
        head, tail = s.split("  KZT:\n", 1)
        return head + "  KZT:\n" + tail.replace("    source: fx_nbk_2024_04_24\n", "", 1)

    _one(_check(tmp_path, unsourced), "the rate of KZT needs its `source` and `date`")
