"""engine/text/message.py `localize`: the fast walk gives what the plain rules say, node for node.

The reference below is the walk as the module's docstring states it (one isinstance test after
another, every container walked wherever it appears); the real one chooses a treatment once per
type and puts a container held in several places into words once.
"""

from __future__ import annotations

import copy
import dataclasses
import gc
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

import pytest

from engine import api
from engine.program.document import build_document
from engine.program.model import build_program
from engine.text.bilingual import Text
from engine.text.message import Cat, Known, Loc, Locale, Msg, Num, Once, Rendered, localize
from engine.text.typography import typeset
from tests.conftest import EXAMPLES


def reference(tree: Any, loc: Locale) -> Any:
    """`localize` by its documented rules, nothing shared, nothing remembered."""
    if isinstance(tree, str):
        return typeset(tree) if loc.typesets else tree
    if isinstance(tree, Loc | Text):
        text = loc.param(tree)
        return typeset(text) if loc.typesets else text
    if isinstance(tree, Rendered):
        return _reference_rendered(tree, loc)
    if isinstance(tree, Mapping):
        return {k: reference(v, loc) for k, v in tree.items()}
    if isinstance(tree, list):
        return [reference(v, loc) for v in tree]
    if isinstance(tree, tuple):
        return tuple(reference(v, loc) for v in tree)
    if dataclasses.is_dataclass(tree) and not isinstance(tree, type):
        return {f.name: reference(getattr(tree, f.name), loc) for f in dataclasses.fields(tree)}
    return tree


def _reference_rendered(tree: Rendered, loc: Locale) -> Any:
    # a Rendered record calls `localize` on its parts itself; the Document is the one whose
    # parts are the bulk of a program, so it is walked here by the reference
    from engine.program.document import Document

    if isinstance(tree, Document):
        return {**reference(tree.program, loc), **reference(tree.parts, loc)}
    return tree.localized(loc)


class Shout(str):
    """A str subclass: still a text."""


class Pair(tuple):
    """A tuple subclass: comes out a plain tuple."""


@dataclass
class Row:
    name: Any
    values: list[Any]


class Upper(Rendered):
    def localized(self, loc: Locale) -> Any:
        return {"lang": loc.lang}


@pytest.mark.parametrize("lang", ["ru", "en"])
def test_every_kind_of_node_as_the_rules_say(lang):
    shared = {"title": Msg("title"), "n": Num(1234.5)}
    items = [shared, shared]
    tree = {
        "text": 'Кластер "Волга" - 2020',
        "sub": Shout("ещё текст - да"),
        "msg": Msg("title"),
        "cat": Cat(("a", Num(2.5), Text(ru="три", en="three")), " / "),
        "bilingual": Text(ru="Текст", en=None),
        "pair": Pair(("x", Msg("title"))),
        "tuple": ("y", 1, None),
        "row": Row(Text(ru="ряд", en="row"), [1.5, True, None, items]),
        "proxy": MappingProxyType({"k": Msg("title")}),
        "rendered": Upper(),
        "items": items,
        "again": items,
        "class": Row,
        "number": 3,
        "flag": False,
    }
    loc = Locale(lang)
    got = localize(tree, loc)
    assert got == reference(tree, loc)
    assert type(got["pair"]) is tuple and type(got["row"]) is dict
    assert type(got["proxy"]) is dict and got["class"] is Row
    # a container held twice is put into words once: the result shares it
    assert got["items"] is got["again"] and got["items"][0] is got["items"][1]


def test_sharing_gives_the_same_words_as_copies():
    shared = [Msg("title"), {"x": Num(0.5)}]
    record = {"a": shared, "b": {"c": shared}}
    copied = {"a": copy.deepcopy(shared), "b": {"c": copy.deepcopy(shared)}}
    for lang in ("ru", "en"):
        assert localize(record, Locale(lang)) == localize(copied, Locale(lang))


def test_a_known_list_is_put_into_words_once_per_locale():
    """A list the knowledge alone decides (a batch worker's measure sources) is said once per
    locale and shared by every later record; another locale says it in its own words."""
    known = Known([{"citation": Msg("title"), "n": Num(1234.5)}])
    ru, en = Locale("ru"), Locale("en")
    first = localize({"sources": known}, ru)
    again = localize({"other": [known]}, ru)
    assert again["other"][0] is first["sources"]
    assert first["sources"] == reference([*known], ru)
    assert localize(known, en) == reference([*known], en) != first["sources"]
    assert type(first["sources"]) is list


def test_the_batch_shares_each_measures_sources_across_clusters(session, knowledge):
    """The sources of a measure are one list of the knowledge base's, in two clusters' records."""
    a = build_program(api.evaluate(EXAMPLES / "nizhny-novgorod.yaml", session), knowledge)
    b = build_program(api.evaluate(EXAMPLES / "nascent-cluster.yaml", session), knowledge)
    common = {r["id"] for r in a["recommendations"]} & {r["id"] for r in b["recommendations"]}
    assert common
    for rid in common:
        ra = next(r for r in a["recommendations"] if r["id"] == rid)
        rb = next(r for r in b["recommendations"] if r["id"] == rid)
        assert isinstance(ra["sources"], Known) and ra["sources"] is rb["sources"]


@pytest.mark.parametrize("name", ["nizhny-novgorod.yaml", "nascent-cluster.yaml"])
@pytest.mark.parametrize("audience", ["client", "consultant"])
def test_a_whole_document_in_words_as_the_rules_say(session, knowledge, name, audience):
    result = api.evaluate(EXAMPLES / name, session)
    document = build_document(build_program(result, knowledge), result, knowledge, audience)
    for lang in ("ru", "en"):
        for typography in (True, False):
            loc = Locale(lang, typography=typography)
            assert localize(document, loc) == reference(document, loc)


def test_a_text_of_a_checked_dict_equals_the_validated_one():
    from engine.text.bilingual import Text

    for d in ({"ru": "а", "en": "a"}, {"ru": "только", "en": None}, {"en": "only"}):
        built, checked = Text.of(d), Text(**d)
        assert built == checked and hash(built) == hash(checked)
        assert built.get("en") == checked.get("en") and built.get("ru") == checked.get("ru")


def test_a_drafted_document_leaves_no_cyclic_garbage(session, knowledge):
    """The record, the result and the words are freed when last used: localize's walk held
    itself (its treatments are closures over it) and every source it shared, and the reasons of
    a measure recursed through a closure that held the result, so each batch cluster's whole
    document model waited for the cyclic collector (a tenth of a batch cluster's time)."""

    def draft() -> None:
        result = api.evaluate(EXAMPLES / "nizhny-novgorod.yaml", session)
        document = build_document(build_program(result, knowledge), result, knowledge)
        assert localize(document, Locale("ru"))["recommendations"]

    draft()  # first-use caches (some leave garbage once) filled
    enabled = gc.isenabled()
    gc.disable()
    try:
        gc.collect()
        draft()
        assert gc.collect() == 0
    finally:
        if enabled:
            gc.enable()


def test_one_locale_over_many_clusters_says_what_fresh_ones_say(session, knowledge):
    """A locale keeps the treatment it chose for each type of node (for all its walks, as a
    batch worker's locale does): generated clusters in words through one locale equal the rules
    applied with a fresh locale each."""
    import random

    from bench.synthetic import random_assessment

    rng = random.Random(18)
    for lang in ("ru", "en"):
        kept = Locale(lang)
        for i in range(4):
            result = session.runner.run(random_assessment(knowledge, rng, name=f"g{i}"))
            document = build_document(build_program(result, knowledge), result, knowledge)
            assert localize(document, kept) == reference(document, Locale(lang)), (lang, i)
        assert len(kept.treatments) > 8  # the record's types were added to the plain ones


def test_a_once_leaf_is_put_into_words_once_per_locale():
    """A leaf the knowledge alone decides (a bibliography entry) is said once per locale, typeset
    as any leaf, and every later record shows the same words; another locale says its own."""
    leaf = Once(Cat((Msg("title"), " — ", Num(1234.5))))
    ru, en = Locale("ru"), Locale("en")
    first = localize({"a": leaf}, ru)
    assert first == reference({"a": leaf}, ru)
    assert ru.memo[id(leaf)][0] is leaf
    assert localize([leaf], ru)[0] is first["a"]
    assert localize(leaf, en) == reference(leaf, en) != first["a"]
    assert leaf != Once(leaf.inner)  # equal only to itself: never found by its value
