"""engine/program/summary.py and provenance.py, issue 21 items 5 and 6: the summary speaks about
the cluster (no convention or caveat of the system in it) and reconciles the self-assessment with
the index when they disagree; a proposal of the system is marked as such and never ends with the
dissertation's reference; the program's stages are marked as the system's reconstruction; the
worked example shows the dissertation's own 11,7 % beside the system's figure, with why."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from engine import api
from tests.conftest import EXAMPLES
from tests.test_blanks_properties import assessments, evaluate
from tests.test_properties import SETTINGS

S = api.Session()
K = S.knowledge
CLUSTERS = sorted(EXAMPLES.glob("*.yaml")) + sorted((EXAMPLES / "corpus").glob("*.yaml"))
# the system's own voice: its conventions and caveats (a self-assessment level "Systematic" is not)
TOOL_VOICE = re.compile(
    r"соглашени[ея] (?:этой )?систем|систем(?:а|ы|е|ой)\b|convention|\bsystem\b|cluster-intl",
    re.IGNORECASE,
)
SUMMARY = re.compile(r"\n## (?:Краткое изложение программы|Executive summary)\n(.*?)\n## ", re.S)


def summary_text(view: dict) -> str:
    s = view["summary"]
    return "\n".join(
        [s["level"], s["reconciliation"], *s["conclusions"], *[m["title"] for m in s["measures"]]]
        + list(s["targets"])
    )


@pytest.mark.slow  # every example and corpus cluster drafted twice; generated ones run by default
@pytest.mark.parametrize("path", CLUSTERS, ids=lambda p: p.stem)
def test_no_convention_of_the_system_in_the_summary(path: Path):
    result = api.evaluate(path, S)
    for lang in ("ru", "en"):
        md = api.draft(result, K, "md", lang, audience="client")
        found = SUMMARY.search(md)
        assert found, (path.name, lang)
        assert not TOOL_VOICE.search(found.group(1)), (path.name, lang, found.group(1))


@pytest.mark.slow  # heavy; .ci/run runs it (-m slow)
@SETTINGS
@given(assessments(), st.sampled_from(["ru", "en"]))
def test_no_summary_of_any_cluster_talks_like_a_tool(data, lang):
    result = evaluate(data)
    view = api.program_view(result, K, lang)
    text = summary_text(view)
    assert not TOOL_VOICE.search(text), text
    # and the reconciliation stands in it exactly when the two disagree
    disagree = result.measures.get("level_agreement") == "disagree"
    known = result.assessment.get(K.scoring.self_assessment.indicator) is not None
    assert bool(view["summary"]["reconciliation"]) == (disagree and known)


def test_the_summary_reconciles_self_assessment_and_index_when_they_disagree(nn_result):
    """Regression: "low" (self-assessment) and "high" (index) stood side by side in the summary
    and the reconciliation came three pages later."""
    assert nn_result.measures.get("level_agreement") == "disagree"
    for lang, said in (("ru", "расходятся"), ("en", "disagree")):
        view = api.program_view(nn_result, K, lang)
        rec = view["summary"]["reconciliation"]
        assert said in rec and view["current"]["scores"]["reconciliation"] in rec
        md = api.draft(nn_result, K, "md", lang, audience="client")
        summary = SUMMARY.search(md)
        assert summary and said in summary.group(1)
        assert "соглашение системы" not in md[: md.index("## 1.")]


def test_an_agreeing_cluster_gets_no_reconciliation_in_its_summary():
    for path in CLUSTERS:
        r = api.evaluate(path, S)
        if r.measures.get("level_agreement") == "agree":
            assert api.program_view(r, K, "en")["summary"]["reconciliation"] == ""
            return
    pytest.fail("no cluster of the examples has agreeing self-assessment and index")


def test_the_bands_convention_stands_in_the_client_method_annex(nn_result):
    for lang, said in (("ru", "соглашение этой системы"), ("en", "this system's convention")):
        annex = api.program_view(nn_result, K, lang)["method_annex"]
        assert any(said in x and re.search(r"\[\d+\]", x) for x in annex), annex


RATIONALE = re.compile(r"^- (?:Обоснование|Rationale): (.*)$", re.M)


@pytest.mark.parametrize("audience", ["client", "consultant"])
def test_a_proposal_is_marked_and_never_ends_with_the_dissertations_reference(nn_result, audience):
    """Regression: the system's proposals (the flagship positioning, the welcome services) ended
    with [1] and read as the dissertation's."""
    proposals = [r for r in nn_result.recommendations if K.recommendation[r].proposal]
    assert proposals
    for lang, mark in (
        ("ru", "*(предложение системы, а не диссертации)*"),
        ("en", "*(this system's proposal, not the dissertation's)*"),
    ):
        md = api.draft(nn_result, K, "md", lang, audience=audience)
        lines = RATIONALE.findall(md)
        marked = [x for x in lines if x.endswith(mark)]
        assert len(marked) == len(proposals), (lang, len(marked), len(proposals))
        assert all(not re.search(r"\[\d+(?:, \d+)*\]$", x) for x in marked)
        # a measure of the dissertation keeps its reference at the end, unmarked
        assert any(re.search(r"\[1\]$", x) for x in lines)


def test_the_stages_are_marked_as_the_systems_reconstruction(nn_result):
    """Regression: the stages followed «Это соответствует диссертации» with no mark."""
    for lang, said in (("ru", "реконструкция системы"), ("en", "the system's reconstruction")):
        for fmt in ("md", "html"):
            doc = html.unescape(api.draft(nn_result, K, fmt, lang, audience="client"))
            assert said in doc, (lang, fmt)


def test_the_example_shows_the_dissertations_level_beside_the_systems(nn_result):
    index = nn_result.measures.get("index")
    assert index is not None and round(index) != 12  # the two really differ
    for lang, beside in (
        (
            "ru",
            r"по расчёту источника \\\[(\d+)\\\] — 11,7 %, по расчёту системы — 14 %\. Цифры различаются, потому что",
        ),
        (
            "en",
            r"in the source \\\[(\d+)\\\] is 11\.7 %; the system computes 14 %\. They differ because",
        ),
    ):
        md = api.draft(nn_result, K, "md", lang, audience="client").replace("\xa0", " ")
        found = re.search(beside, md)
        assert found, lang
        no = found.group(1)
        references = md[md.index("\n## Список литературы" if lang == "ru" else "\n## References") :]
        bib = re.search(rf"^{no}\. (.*)$", references, re.M)
        assert bib and ("Исланкина" in bib.group(1) or "Islankina" in bib.group(1))


def test_a_level_reported_without_a_known_source_reads_plain(tmp_path):
    data = yaml.safe_load((EXAMPLES / "nizhny-novgorod.yaml").read_text(encoding="utf-8"))
    data["cluster_internationalization_pct_reported"] = {"value": 9.5, "source": "own estimate"}
    text = yaml.safe_dump(data, allow_unicode=True).encode("utf-8")
    r = api.run(api.load_bytes(text, "variant.yaml", K), S)
    md = api.draft(r, K, "md", "en", audience="client")
    assert "computed earlier outside the system (given in the assessment) is 9.5 %" in md
    assert "[?]" not in md and "\\[?\\]" not in md
    data["cluster_internationalization_pct_reported"] = None
    blank = yaml.safe_dump(data, allow_unicode=True).encode("utf-8")
    r = api.run(api.load_bytes(blank, "variant.yaml", K), S)
    assert "outside the system" not in api.draft(r, K, "md", "en", audience="client")


def test_a_measure_the_system_infers_says_so_after_its_references(nn_result):
    """A measure the dissertation does not recommend but the system infers from the cases it
    cites (basis: derived) reads as the system's inference, not the author's recommendation."""
    derived = [r for r in nn_result.recommendations if K.recommendation[r].basis == "derived"]
    assert derived
    md = api.draft(nn_result, K, "md", "en", audience="client")
    marked = [
        x
        for x in RATIONALE.findall(md)
        if x.endswith("*(the system's inference from the sources cited)*")
    ]
    assert len(marked) == len(derived)


def test_the_passports_funding_lists_each_instrument_once_in_order(knowledge):
    """`_distinct` by a dict gives what comparing each item with every one kept gives, on lists
    of instruments' names (knowledge texts, some repeated, some empty strings) of any order."""
    import random

    from engine.program.leaves import tx
    from engine.program.summary import _distinct

    def scan(items):
        out = []
        for x in items:
            if x not in out:
                out.append(x)
        return out

    made = {f.id for f in knowledge.findings.findings}
    names = [tx(i.name_for(made)) for i in knowledge.document.instruments]
    names += [tx(i.name_for(set())) for i in knowledge.document.instruments] + ["", ""]
    rng = random.Random("distinct")
    for _ in range(300):
        items = [rng.choice(names) for _ in range(rng.randint(0, 25))]
        assert _distinct(items) == scan(items)
