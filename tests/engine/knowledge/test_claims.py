"""engine/knowledge/verify/claims.py: a general text never states a property of this cluster, and
a mean always names its survey (issue 19 item 6). Each test restores, in a copy of the shipped
knowledge, a defect the shipped texts had."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from engine.knowledge.read import read_knowledge
from engine.knowledge.verify.checks import verify
from tests.conftest import ROOT


def _copy(tmp_path: Path) -> Path:
    root = tmp_path / "knowledge"
    shutil.copytree(ROOT / "knowledge", root, ignore=shutil.ignore_patterns("scenarios"))
    return root


def _edit(root: Path, file: str, old: str, new: str) -> None:
    path = root / file
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    path.write_text(text.replace(old, new), encoding="utf-8")


def _problems(root: Path, code: str) -> list:
    k, problems = read_knowledge(root)
    assert k is not None, problems
    return [p for p in problems + verify(k) if p.code == code]


@pytest.mark.slow  # ~1 s: run by CI's slow pass, kept out of the default suite's budget
def test_shipped_texts_claim_nothing_about_the_cluster_and_source_every_mean(tmp_path):
    root = _copy(tmp_path)
    assert _problems(root, "cluster-claim") == []
    assert _problems(root, "unsourced-mean") == []


def test_events_rationale_building_on_contacts_a_weak_cluster_lacks_is_refused(tmp_path):
    # co_international_events is made when events are WEAK; its rationale said the opposite
    root = _copy(tmp_path)
    _edit(
        root,
        "recommendations.yaml",
        "mean 2.75): a cluster below that mean has fewer such contacts than most, and regular "
        "events are\n        the cheapest way to build them.",
        "mean 2.75), so the cluster can build on existing contacts.",
    )
    found = _problems(root, "cluster-claim")
    assert len(found) == 1
    p = found[0]
    assert p.file.endswith("recommendations.yaml") and p.line > 0
    assert "co_international_events" in p.message and "the cluster can" in p.message
    assert "because" in p.hint


def test_universities_as_a_ready_channel_is_refused_in_both_languages(tmp_path):
    root = _copy(tmp_path)
    _edit(
        root,
        "recommendations.yaml",
        "how such links start. In",
        "how such links start, which makes joint programs a ready channel for human capital. In",
    )
    _edit(
        root,
        "recommendations.yaml",
        "становится началом таких связей.",
        "становится началом таких связей, поэтому совместные программы – готовый канал.",
    )
    found = _problems(root, "cluster-claim")
    assert sorted(p.path.rsplit(".", 1)[-1] for p in found) == ["en", "ru"]
    assert all("co_joint_education" in p.message for p in found)


def test_a_claim_inside_a_variant_on_findings_is_allowed(tmp_path):
    # a variant is chosen on the findings that make it true: the claim has its evidence
    root = _copy(tmp_path)
    _edit(
        root,
        "recommendations.yaml",
        "  - id: co_joint_education\n",
        "  - id: co_joint_education\n"
        "    variants:\n"
        "      - if: [capacity.universities_active]\n"
        "        rationale: {en: The cluster already has active universities., "
        "ru: У кластера уже есть активные вузы.}\n",
    )
    assert _problems(root, "cluster-claim") == []


def test_a_mean_without_its_survey_is_refused_in_a_because(tmp_path):
    root = _copy(tmp_path)
    _edit(
        root,
        "rules/diagnosis.yaml",
        "is rated {activity_smes} of 4, against the mean of {benchmark:activity_smes} in the "
        "survey of Russian clusters.",
        "is rated {activity_smes} of 4, against a mean of 2.",
    )
    found = _problems(root, "unsourced-mean")
    assert len(found) == 1
    assert found[0].file.endswith("diagnosis.yaml") and found[0].path.endswith("because.en")


def test_a_bad_claim_pattern_is_a_located_error(tmp_path):
    root = _copy(tmp_path)
    _edit(root, "program.yaml", '      - "\\\\bready channel"', '      - "(unclosed"')
    k, _ = read_knowledge(root)
    assert k is not None
    bad = [p for p in verify(k) if p.code == "bad-pattern"]
    assert len(bad) == 1 and bad[0].file.endswith("program.yaml") and bad[0].line > 0
