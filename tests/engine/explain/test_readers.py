"""The explanations serve two readers (issue 18): the rule author reads rule ids and `file:line`
locations (the default, unchanged), policy staff read plain sentences with labels instead."""

from __future__ import annotations

import re

import pytest

from engine import api
from engine.knowledge.measure_ids import measure_catalogue
from tests.conftest import EXAMPLES

CLUSTERS = [EXAMPLES / "nizhny-novgorod.yaml", EXAMPLES / "corpus" / "kazakh-petrochemicals.yaml"]
SETS = ["activity_smes=4", "has_intl_working_group=true", "direction_export=0"]
LOCATOR = re.compile(r"\.yaml:\d")


def knowledge_ids(k):
    """Ids of knowledge/ that a reader could not mistake for a word (they hold `_` or `.`)."""
    ids = [*k.rule, *k.recommendation, *k.finding, *k.indicator, *measure_catalogue(k)]
    return sorted({i for i in ids if "_" in i or "." in i}, key=len, reverse=True)


def ids_in(text: str, ids: list[str]) -> list[str]:
    return [i for i in ids if re.search(rf"(?<![\w.]){re.escape(i)}(?![\w])", text)]


def texts(result, s, lang, reader):
    """why of three recommendations made, why-not of two not made, one what-if: as `reader` reads."""
    k = s.knowledge
    made = list(result.recommendations)[:3]
    missing = [r.id for r in k.recommendations.recommendations if r.id not in made][:2]
    out = {f"why {r}": api.why_text(api.why(result, r, k, lang, reader), reader) for r in made}
    for r in missing:
        out[f"why-not {r}"] = api.why_not_text(api.why_not(result, r, s, lang, reader), reader)
    out["what-if"] = api.what_if_text(api.what_if(result, SETS, s, lang, reader), reader)
    return out


@pytest.mark.parametrize("path", CLUSTERS, ids=lambda p: p.stem)
@pytest.mark.parametrize("lang", ["ru", "en"])
def test_policy_text_names_no_id_and_no_location_while_the_author_text_does(
    knowledge, path, lang, session
):
    result = api.evaluate(path, session)
    ids = knowledge_ids(knowledge)
    policy = texts(result, session, lang, "policy")
    author = texts(result, session, lang, "author")
    required = "(требуется" if lang == "ru" else "(required"
    for name, text in policy.items():
        assert text.strip(), name
        assert ids_in(text, ids) == [], (name, text)
        assert not LOCATOR.search(text), (name, text)
        assert required not in text, (name, text)
    for name in [n for n in author if n.startswith("why ")]:
        assert ids_in(author[name], ids), name  # the rule ids and the recommendation's own id
        assert LOCATOR.search(author[name]), name
    assert any(required in text for text in author.values())


def test_policy_why_keeps_the_chain_in_plain_sentences(knowledge, nn_result):
    text = api.why_text(
        api.why(nn_result, "co_sme_internationalization", knowledge, "en", "policy"), "policy"
    )
    assert "against the benchmark: International activity of SMEs: weak" in text
    assert 'survey mean of clusters for "International activity of SMEs": 2' in text
    assert "International activity of SMEs: 1" in text  # the input, by its label
    assert "survey of 16 clusters, international activity of cluster actors" in text  # citation


def test_policy_what_if_reads_scores_by_their_labels(knowledge, nn_result, session):
    # anchors and SMEs at 4 make business lead (the anchors weigh most, issue 21)
    changes = ["activity_smes=4", "activity_anchor_enterprises=4"]
    d = api.what_if(nn_result, changes, session, "en", "policy")
    text = api.what_if_text(d, "policy")
    assert "Business-led (anchor-driven) model" in text and "business_led" not in text
    author = api.what_if_text(api.what_if(nn_result, changes, session, "en"))
    assert "business_led" in author


@pytest.mark.slow  # ~1 s: run by CI's slow pass, kept out of the default suite's budget
def test_the_cli_takes_the_reader(cli):
    code, out, err = cli(
        "why",
        EXAMPLES / "nizhny-novgorod.yaml",
        "co_sme_internationalization",
        "--lang",
        "en",
        "--reader",
        "policy",
    )
    assert code == 0, err
    assert "co_sme_weak" not in out and ".yaml:" not in out
    code, out, err = cli(
        "why-not", EXAMPLES / "nizhny-novgorod.yaml", "co_joint_rd_projects", "--reader", "policy"
    )
    assert code == 0, err
    assert "weakness.science" not in out and ".yaml:" not in out
    code, out, err = cli("why", EXAMPLES / "nizhny-novgorod.yaml", "co_sme_internationalization")
    assert code == 0 and "co_sme_weak" in out  # the author's text stays the default


@pytest.mark.slow  # heavy; .ci/run runs it (-m slow)
def test_policy_answers_keep_the_documented_shapes(knowledge, nn_result, session):
    from engine.explain.shapes import adapter

    for lang in ("ru", "en"):
        for ident in ("co_sme_internationalization", "index", "activity_smes"):
            adapter("why").validate_python(api.why(nn_result, ident, knowledge, lang, "policy"))
        adapter("why-not").validate_python(
            api.why_not(nn_result, "co_joint_rd_projects", session, lang, "policy")
        )
        adapter("what-if").validate_python(api.what_if(nn_result, SETS, session, lang, "policy"))
