"""engine/render/jinja.py: the environment's `md` filter keeps a memo of the strings it escaped;
a document rendered with it equals the one rendered with the plain `md_escape`, over generated
clusters whose documents share most of their texts (the memo's hits) and differ in the rest."""

from __future__ import annotations

import random

import pytest

from bench.synthetic import random_assessment
from engine import api
from engine.render import jinja
from engine.render.jinja import environment, md_escape


@pytest.mark.parametrize("value", ["a_b", "x\ny", "plain", 1, True, 1.0, None, "1", "True"])
def test_the_filter_says_what_md_escape_says(value):
    md = environment().filters["md"]
    for _ in range(2):  # the second time from the memo (strings) or not (the rest)
        assert md(value) == md_escape(value)
    # 1, 1.0 and True are equal keys for a plain memo: each keeps its own words
    assert [md(v) for v in (1, True, 1.0)] == ["1", "True", "1.0"]


def test_documents_rendered_with_the_memo_equal_those_without(session, monkeypatch):
    k = session.knowledge
    rng = random.Random(18)
    env = environment()
    for lang in ("ru", "en"):
        memo = jinja._md_filter()
        for i in range(5):
            result = session.runner.run(random_assessment(k, rng, name=f"g{i}"))
            monkeypatch.setitem(env.filters, "md", md_escape)
            plain = api.draft(result, k, "md", lang)
            monkeypatch.setitem(env.filters, "md", memo)
            assert api.draft(result, k, "md", lang) == plain, (lang, i)


def test_a_full_memo_is_emptied_and_still_says_what_md_escape_says():
    md = jinja._md_filter()
    texts = [f"t_{i}" for i in range(8192 * 2 + 10)]
    assert [md(t) for t in texts] == [md_escape(t) for t in texts]
    assert [md(t) for t in texts[:10]] == [md_escape(t) for t in texts[:10]]
