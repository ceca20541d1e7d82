"""engine/knowledge/verify/: every problem of a deliberately broken knowledge base is found and
located.

Each case under tests/fixtures/broken/ patches a copy of the fixture knowledge base
tests/fixtures/knowledge/ (a frozen copy of the shipped one, so that a knowledge-only change, a line
inserted at the top of partners.yaml, moves no golden line number; see the README there); the
messages `kb check` adds to those of the pristine copy must equal the golden file
tests/golden/kb_check/<case>.txt.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from engine.errors import UNCLASSIFIED, Problem
from engine.files.strict_yaml import load_yaml_file
from engine.knowledge.read import read_knowledge
from engine.knowledge.verify.checks import verify
from engine.knowledge.verify.logic import Logic
from engine.knowledge.verify.values import (
    Span,
    Values,
    complement,
    meet_spans,
    spans_of,
    spans_text,
)
from tests.conftest import ROOT

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "broken"
# the frozen knowledge base the cases patch: fixed lines, whatever the live knowledge/ becomes
FIXTURE_KNOWLEDGE = FIXTURES.parent / "knowledge"
CASES = sorted(p.name for p in FIXTURES.iterdir() if (p / "case.yaml").is_file())


def copy_knowledge(dest: Path) -> Path:
    """A copy of the fixture knowledge base (tests/fixtures/knowledge/) at dest/knowledge."""
    root = dest / "knowledge"
    shutil.copytree(FIXTURE_KNOWLEDGE, root)
    return root


def apply_case(root: Path, case: str) -> None:
    case_dir = FIXTURES / case
    overlay = case_dir / "knowledge"
    if overlay.is_dir():
        for src in sorted(overlay.rglob("*")):
            if src.is_file():
                target = root / src.relative_to(overlay)
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(src, target)
    spec = load_yaml_file(case_dir / "case.yaml").data
    for edit in spec.get("edits") or []:
        path = root / edit["file"]
        text = path.read_text(encoding="utf-8")
        anchor = edit.get("replace", edit.get("after"))
        assert text.count(anchor) == 1, f"{case}: anchor {anchor!r} must occur once in {path.name}"
        if "replace" in edit:
            text = text.replace(anchor, edit["with"])
        else:
            text = text.replace(anchor, anchor + edit["insert"])
        path.write_text(text, encoding="utf-8")


@pytest.fixture(scope="module")
def baseline(tmp_path_factory) -> set[str]:
    """What kb check prints for the pristine copy (its warnings are not the cases' business)."""
    from typer.testing import CliRunner

    import cli as cli_module

    tmp = tmp_path_factory.mktemp("pristine")
    copy_knowledge(tmp)
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(tmp)
        result = CliRunner().invoke(cli_module.app, ["kb", "check", "--knowledge", "knowledge"])
    assert result.exit_code == 0, result.stdout
    return set(result.stdout.splitlines())


# every broken case copies the fixture knowledge base and checks it (about 0.4 s each): CI runs them
# with the slow tests; test_cli_kb keeps kb check's own output in the default suite
@pytest.mark.slow
@pytest.mark.parametrize("case", CASES)
def test_broken_case_is_detected_and_located(case, tmp_path, monkeypatch, cli, golden, baseline):
    root = copy_knowledge(tmp_path)
    apply_case(root, case)
    monkeypatch.chdir(tmp_path)
    code, out, err = cli("kb", "check", "--knowledge", "knowledge")
    # a problem folded under an earlier error is indented; the pristine copy's are not new
    new = [line for line in out.splitlines() if line.removeprefix("    ") not in baseline]
    assert new, f"{case}: kb check found nothing new"
    for line in new:
        if re.fullmatch(
            r"\d+ more problems (may follow from the errors above:|not shown; .*)", line
        ):
            continue
        line = line.removeprefix("    ")  # folded under the error it may follow from
        assert line.startswith("knowledge/"), line
        where = line.split(": ", 1)[0]
        assert where.count(":") == 2 and all(x.isdigit() for x in where.split(":")[1:]), line
    golden(f"kb_check/{case}.txt", "\n".join(new) + "\n")
    has_error = any(": error: " in line for line in new)
    assert code == (1 if has_error else 0), err
    assert "Traceback" not in out + err


# The kinds of problem each case adds, by their codes (the golden files above hold the wording),
# side effects included (a rule added for a case may also slip past the gate). The logic checks
# (rule_checks.py), wording.py and document.py do not give codes yet: UNCLASSIFIED is left out.
CODES = {
    "duplicate_finding_recommendation_id": {"duplicate-id"},
    "duplicate_key": {"duplicate-key"},
    "duplicate_rule_id": {"duplicate-id", "gate-not-held"},
    "exclusive_overlap": {"exclusive-overlap"},
    "gate_not_held": {"gate-not-held"},
    "id_with_quote": {"bad-id"},
    "instrument_unknown_refs": {"unknown-finding", "unknown-source"},
    "item_without_basis": {"missing-basis"},
    "measure_without_applicability": {"missing-applicability", "unknown-kind", "unknown-sector"},
    "missing_translation": {"missing-translation"},
    "op_type_mismatch": {"type-mismatch"},
    "partner_unknown_country": {"unknown-country"},
    "partner_unknown_sector": {"unknown-sector"},
    "partner_without_checked": {"partner-checked"},
    "partner_without_source": {"partner-source", "unknown-source"},
    "platform_bad_status": {"schema"},
    "platform_status_unsupported": {"platform-status", "unknown-actor"},
    "proposal_citing_dissertation_only": {"missing-source", "proposal-cites-source"},
    "recommend_on_blank_finding": {"gate-not-held", "recommends-on-blank"},
    "recommend_on_is_missing": {"recommends-on-blank"},
    "recommendation_without_kpi": {"no-kpi"},
    "rule_without_source": {"missing-basis"},
    "running_bad_condition": {"running-reads-advice", "type-mismatch", "unknown-indicator"},
    "schema_error": {"missing-field", "schema", "unknown-field"},
    "stale_number": {"stale-number"},
    "threshold_as_string": {"bad-value"},
    "threshold_outside_scale": {"outside-scale"},
    "underived_finding": {"gate-not-held", "underived-finding"},
    "unknown_reference": {
        "unknown-finding",
        "unknown-indicator",
        "unknown-measure",
        "unknown-recommendation",
        "unknown-source",
    },
    "unknown_setting": {
        "missing-label",
        "unknown-finding",
        "unknown-indicator",
        "unlisted-direction",
    },
    "unreachable_recommendation": {"unreachable-recommendation"},
    "yaml_syntax": {"yaml-syntax"},
}


def _coded(root: Path) -> set[tuple[str, str]]:
    """(problem without its folder, code) of every problem `kb check` finds under root."""
    k, problems = read_knowledge(root)
    problems = problems + (verify(k) if k is not None else [])
    # messages show the file relative to the working directory (`../tmpab12/knowledge/...` when
    # the repository itself sits in /tmp, as in tests/test_knowledge_loop.py): cut the folder
    # whatever form it takes
    folder = re.compile(rf"^.*?{re.escape(root.name)}/")
    return {(folder.sub("", p.format(with_severity=True), count=1), p.code) for p in problems}


@pytest.fixture(scope="module")
def pristine_codes(tmp_path_factory) -> set[tuple[str, str]]:
    return _coded(copy_knowledge(tmp_path_factory.mktemp("pristine_codes")))


@pytest.mark.slow
@pytest.mark.parametrize("case", sorted(CODES))
def test_broken_case_gives_problems_of_its_kind(case, tmp_path, pristine_codes):
    root = copy_knowledge(tmp_path)
    apply_case(root, case)
    new = _coded(root) - pristine_codes
    assert {code for _, code in new} - {UNCLASSIFIED} == CODES[case]


def test_every_case_has_a_golden_file():
    golden_dir = ROOT / "tests" / "golden" / "kb_check"
    assert sorted(p.stem for p in golden_dir.glob("*.txt")) == CASES


def test_shipped_knowledge_has_no_errors(cli, monkeypatch):
    monkeypatch.chdir(ROOT)
    code, out, err = cli("kb", "check")
    assert code == 0, out
    assert ": error: " not in out
    assert "0 errors" in err


@pytest.mark.slow  # ~1 s: run by CI's slow pass, kept out of the default suite's budget
def test_strict_turns_warnings_into_errors(tmp_path, monkeypatch, cli):
    root = copy_knowledge(tmp_path)
    apply_case(root, "recommendation_without_kpi")
    monkeypatch.chdir(tmp_path)
    code, out, _ = cli("kb", "check", "--knowledge", "knowledge")
    assert code == 0
    assert re.search(
        r"warning: recommendations\[\d+\]\.id: recommendation 'rg_foreign_fairs' has no KPI", out
    )
    code, _, _ = cli("kb", "check", "--knowledge", "knowledge", "--strict")
    assert code == 1


def _problems(root: Path) -> list[Problem]:
    k, problems = read_knowledge(root)
    assert k is not None, problems
    return problems + verify(k)


def _add_rules(root: Path, text: str) -> None:
    (root / "rules" / "zz_added.yaml").write_text("rules:\n" + text, encoding="utf-8")


def test_adding_a_duplicate_of_a_shipped_rule_is_reported(tmp_path):
    root = copy_knowledge(tmp_path)
    _add_rules(
        root,
        """
  - id: capacity_partner_clusters_again
    title: {en: "Partner clusters", ru: "Кластеры-партнеры"}
    when:
      - {indicator: num_foreign_partner_clusters, op: ge, value: 1}
    then: {finding: capacity.has_partner_clusters}
    sources: [s0_nn_cluster_measures]
""",
    )
    msgs = [p.message for p in _problems(root)]
    assert (
        "rule 'capacity_partner_clusters_again' duplicates rule 'capacity_partner_clusters' "
        f"({_where(root, 'capacity_partner_clusters')}): same conditions, same conclusion" in msgs
    )


def test_adding_a_self_contradicting_rule_is_reported_as_an_error(tmp_path):
    root = copy_knowledge(tmp_path)
    _add_rules(
        root,
        """
  - id: levels_cannot_both_hold
    title: {en: "Low and high", ru: "Низкий и высокий"}
    when:
      - {indicator: self_assessment_level, op: eq, value: 2}
      - any:
          - {indicator: self_assessment_level, op: ge, value: 5}
          - {measure: self_band, op: eq, value: developed}
      - {measure: self_band, op: ne, value: developed}
    then: {recommend: org_readiness_mandate}
    proposal: true
""",
    )
    errors = [p for p in _problems(root) if p.severity == "error"]
    assert len(errors) == 1
    assert errors[0].message.startswith("rule 'levels_cannot_both_hold' can never fire: ")
    assert errors[0].file.endswith("zz_added.yaml") and errors[0].line > 1


def test_a_rule_needing_a_finding_under_a_rule_that_can_fire_is_fine(tmp_path):
    # a chain of three findings through `any:` is unfolded without false alarms
    root = copy_knowledge(tmp_path)
    _add_rules(
        root,
        """
  - id: science_led_commercialization
    title: {en: "Science-led and knowledge not commercialized", ru: "Наука и коммерциализация"}
    when:
      - {finding: threat.knowledge_not_commercialized}
      - {finding: model.science_led}
    then: {recommend: co_partner_research_centres, priority: high}
    proposal: true
""",
    )
    assert [p for p in _problems(root) if p.severity == "error"] == []


def _where(root: Path, rule_id: str) -> str:
    k, _ = read_knowledge(root)
    assert k is not None
    return k.rule[rule_id].where


# --- the value-set logic on its own -----------------------------------------------------------


def test_spans_merge_and_complement():
    assert spans_of([Span(0, 1), Span(1, 2, True, False)], False) == (Span(0, 2),)
    assert spans_of([Span(0, 1), Span(2, 3)], True) == (Span(0, 3),)  # integers 0..3, no hole
    assert spans_of([Span(0, 1, False, True), Span(1, 2, True, False)], False) == (
        Span(0, 1, False, True),
        Span(1, 2, True, False),
    )
    assert complement((Span(0, 1),), False) == (
        Span(-float("inf"), 0, False, True),
        Span(1, float("inf"), True, False),
    )
    assert meet_spans((Span(3, float("inf")),), (Span(-float("inf"), 1),), False) == ()
    # on integers, > 1 and < 2 is empty; on reals it is not
    assert (
        meet_spans((Span(1, float("inf"), True),), (Span(-float("inf"), 2, False, True),), True)
        == ()
    )
    assert meet_spans(
        (Span(1, float("inf"), True),), (Span(-float("inf"), 2, False, True),), False
    ) == (Span(1, 2, True, True),)
    assert spans_text((Span(0, 2, False, True), Span(4, 4))) == "≥ 0 and < 2; = 4"


def test_values_within_and_meet():
    le2 = Values("num", none=False, spans=(Span(0, 2),))
    le16 = Values("num", none=False, spans=(Span(0, 1.6),))
    assert le16.within(le2) and not le2.within(le16)
    blank = Values("num", none=True, spans=())
    assert not blank.within(le2) and blank.meet(le2).is_empty()
    yes = Values("items", none=False, items=frozenset({True}), cofinite=False)
    no = Values("items", none=False, items=frozenset({False}), cofinite=False)
    assert yes.meet(no).is_empty()
    not_a = Values("items", none=False, items=frozenset({"a"}), cofinite=True)
    only_b = Values("items", none=False, items=frozenset({"b"}), cofinite=False)
    assert only_b.within(not_a) and not not_a.within(only_b)
    contains_x = Values("list", none=False, required=frozenset({"x"}), spans=(Span(0, 1e9),))
    not_empty = Values("list", none=False, spans=(Span(1, float("inf")),))
    empty = Values("list", none=False, spans=(Span(0, 0),))
    assert contains_x.within(not_empty)
    assert contains_x.meet(empty).is_empty()


def test_logic_unfolds_findings_to_indicators(knowledge):
    lg = Logic(knowledge)
    grounds = lg.derivations(("finding", "weakness.export"))
    assert grounds
    subjects = {key for g in grounds for key, _ in g.values}
    # the one weak/strong rule is a measure of direction_export (scoring.yaml benchmark_rule)
    assert ("measure", "bench_status_direction_export") in subjects
    # every ground way to the recommendation goes through a rule that derives weakness.export
    # or weakness.marketing
    recs = lg.derivations(("recommendation", "rg_joint_advertising"))
    assert recs and all(
        g.via & {"weakness_export_score", "weakness_export_share", "weakness_marketing_score"}
        for g in recs
    )


def test_a_rule_that_another_rule_needs_is_not_called_redundant(tmp_path):
    # B needs what A concludes (through the finding A derives): A is not redundant because of B
    root = copy_knowledge(tmp_path)
    _add_rules(
        root,
        """
  - id: a_trade_missions
    title: {en: "Many trade missions", ru: "Много миссий"}
    when:
      - {indicator: trade_missions_last_year, op: ge, value: 5}
    then: {finding: opportunity.eaeu_cis_markets, recommend: rg_regional_channels}
    proposal: true
  - id: b_markets_channels
    title: {en: "Markets call for channels", ru: "Рынки и каналы"}
    when:
      - {finding: opportunity.eaeu_cis_markets}
      - {indicator: trade_missions_last_year, op: ge, value: 5}
    then: {recommend: rg_regional_channels}
    proposal: true
""",
    )
    msgs = [p.message for p in _problems(root)]
    assert not any("'a_trade_missions' is redundant" in m for m in msgs)
    # b adds nothing: whenever it fires, a has fired with the same recommendation
    assert any(
        m.startswith(
            "rule 'b_markets_channels' is redundant: whenever it fires, rule 'a_trade_missions'"
        )
        for m in msgs
    )


@pytest.mark.slow  # the default suite stays under 90 s; CI runs the slow ones
def test_a_declared_conflict_resolved_with_not_is_accepted(tmp_path):
    root = copy_knowledge(tmp_path)
    recs = root / "recommendations.yaml"
    text = recs.read_text(encoding="utf-8")
    anchor = "  - id: rg_regional_channels\n"
    recs.write_text(
        text.replace(anchor, anchor + "    conflicts_with: [rg_flagship_positioning]\n"),
        encoding="utf-8",
    )
    # the shipped rules cannot give both: one needs K < 0.8, the other K >= 1.2
    assert not [p for p in _problems(root) if "conflicting" in p.message]
    _add_rules(
        root,
        """
  - id: flagship_for_everyone
    title: {en: "Flagship", ru: "Флагман"}
    when:
      - {indicator: is_pilot_innovative_cluster, op: is_true}
    then: {recommend: rg_flagship_positioning}
    proposal: true
""",
    )
    conflicts = [p for p in _problems(root) if "conflicting" in p.message]
    assert [p.severity for p in conflicts] == ["error"]
    assert "'flagship_for_everyone' and 'rg_channels'" in conflicts[0].message
    (root / "rules" / "zz_added.yaml").write_text(
        (root / "rules" / "zz_added.yaml")
        .read_text(encoding="utf-8")
        .replace(
            "      - {indicator: is_pilot_innovative_cluster, op: is_true}\n",
            "      - {indicator: is_pilot_innovative_cluster, op: is_true}\n"
            "      - not: {recommendation: rg_regional_channels}\n",
        ),
        encoding="utf-8",
    )
    assert not [p for p in _problems(root) if "conflicting" in p.message]


def test_a_broken_rule_file_comes_first_with_its_consequences_folded(tmp_path, monkeypatch, cli):
    # issue 23: one unreadable rule file printed dozens of "can never fire" errors before its own
    root = copy_knowledge(tmp_path)
    rules = root / "rules" / "diagnosis.yaml"
    text = rules.read_text(encoding="utf-8")
    rules.write_text(text.replace("then: {finding: strength.export}", "then: {finding: x", 1))
    monkeypatch.chdir(tmp_path)
    code, out, err = cli("kb", "check", "--knowledge", "knowledge")
    lines = out.splitlines()
    assert code == 1
    assert lines[0].startswith("knowledge/rules/diagnosis.yaml:") and "YAML syntax" in lines[0]
    assert re.fullmatch(r"\d+ more problems may follow from the errors above:", lines[1])
    assert all(line.startswith("    ") for line in lines[2:-1]), lines
    assert lines[-1].startswith("    ") and "not shown" in lines[-1]
    assert re.match(r"1 errors, 0 warnings \(\d+ more may follow from them\)", err)


def test_exclusive_findings_from_one_status_never_overlap_whatever_the_distances(tmp_path):
    # the status is weak, typical or strong, weak decided first: moving the distances so that
    # "weak" and "strong" would meet must not be reported as an overlap
    root = copy_knowledge(tmp_path)
    scoring = root / "scoring.yaml"
    text = scoring.read_text(encoding="utf-8")
    scoring.write_text(text.replace("  strong_distance: 0.5\n", "  strong_distance: -0.9\n"))
    assert not [p for p in _problems(root) if p.code == "exclusive-overlap"]


def test_an_unknown_finding_in_excludes_is_reported_with_a_suggestion(tmp_path):
    root = copy_knowledge(tmp_path)
    findings = root / "findings.yaml"
    text = findings.read_text(encoding="utf-8")
    findings.write_text(text.replace("[weakness.marketing]", "[weakness.marketting]", 1))
    (problem,) = [p for p in _problems(root) if p.code == "unknown-finding"]
    assert problem.file.endswith("findings.yaml") and problem.path.endswith(".excludes[0]")
    assert "'weakness.marketting'" in problem.message and "weakness.marketing" in problem.hint
