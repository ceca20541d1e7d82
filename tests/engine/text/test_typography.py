"""engine/text/typography.py: one rule set for Russian text, checked over every Russian string of
the knowledge base and the templates' strings."""

from __future__ import annotations

from typing import Any

import pytest

from engine.text.strings import strings
from engine.text.typography import NBSP, typeset, violations


def russian_strings(value: Any) -> list[str]:
    from pydantic import BaseModel

    from engine.knowledge.base import Text

    out: list[str] = []
    if isinstance(value, Text):
        return [value.ru] if value.ru else []
    if isinstance(value, BaseModel):
        for name in type(value).model_fields:
            out += russian_strings(getattr(value, name))
    elif isinstance(value, dict):
        for v in value.values():
            out += russian_strings(v)
    elif isinstance(value, (list, tuple)):
        for v in value:
            out += russian_strings(v)
    return out


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("партнера и Партнеры", "партнёра и Партнёры"),
        ('это "тест"', "это «тест»"),
        ("кластер - драйвер", f"кластер{NBSP}— драйвер"),
        ("кластер – драйвер", f"кластер{NBSP}— драйвер"),
        ("отклонение -0,6", "отклонение \u22120,6"),
        ("11,7 %", f"11,7{NBSP}%"),
        ("40000 руб.", f"40{NBSP}000 руб."),
        ("KPI кластера", "КПЭ кластера"),
        ("коллективные товарные знаки", "коллективные знаки"),
        ("2014–2016 годы", "2014–2016 годы"),
        ("knowledge/rules/x.yaml:12 org_intl", "knowledge/rules/x.yaml:12 org_intl"),
    ],
)
def test_rules(raw, expected):
    assert typeset(raw) == expected
    assert typeset(expected) == expected  # idempotent


def test_every_russian_string_of_the_knowledge_base_and_templates_is_clean_once_typeset(knowledge):
    texts = russian_strings(
        [
            knowledge.indicators,
            knowledge.scoring,
            knowledge.findings,
            knowledge.recommendations,
            knowledge.kpis,
            knowledge.sources,
            knowledge.partners,
            knowledge.program,
            knowledge.document,
            [r.rule for r in knowledge.rules],
        ]
    ) + list(strings()["ru"].values())
    assert len(texts) > 500
    bad = [v for s in texts for v in violations(typeset(s))]
    assert bad == []
    # ё is consistent: no stem of the rule set is left without it
    joined = " ".join(typeset(s) for s in texts).lower()
    for e_form in ("партнер", "отстает", "расчет"):
        assert f" {e_form}" not in joined


def test_the_russian_document_is_typeset(nn_result, knowledge):
    from engine import api

    text = str(api.draft(nn_result, knowledge, "md", "ru"))
    assert "партнера" not in text and "KPI" not in text
    assert f"3{NBSP}200" in text  # thousands separated
    import re

    assert not re.search(r"\S - \S", text) and '"' not in text


def _every_rule(text: str) -> str:
    """The rules applied in turn without the quick tests that skip them (what `typeset` must
    give)."""
    from engine.text import typography as ty

    rules = ty._rules()
    for yo in rules.yo:
        text = yo(text)
    for _found, pattern, repl in rules.terms:
        text = pattern.sub(repl, text)
    text = ty._CURLY.sub("«\\1»", ty._QUOTES.sub("«\\1»", text))
    text = ty._MINUS.sub(f"\\1{ty.MINUS}", ty._DASH.sub(f"{NBSP}— ", text))
    text = ty._PERCENT.sub(f"\\1{NBSP}\\2", text)
    text = ty._NUMBER_SIGN.sub(f"№{NBSP}", text)
    return ty._BIG.sub(ty._group, text)


def test_the_quick_tests_skip_only_rules_that_would_change_nothing():
    samples = [
        'KPI-12345 -5 "a" “b” 10 % № 5 партнеры коллективные товарные знаки побратимы',
        "xKPI KPIs KPI, ОТЧЕТ Учет еще объем -1 a - b -3 (-7) 1234 12345,6 123456 1.23456",
        "бизнес-ориентированная модель — 2014–2016 годы: 40000 руб., 0,5 ‰ и 3 %",
        "Соглашений кластера с зарубежными кластерами: 954. Партнеры - 2 (+15 %); отчет: 123456.",
        "Где бизнес ведет через якорные предприятия; «кластер — регион» -0,5 и 3,5 балла из 4",
        "Исланкина Е. А. ... дис. ... канд. экон. наук: 08.00.05. СПб., 2014. 232 с. № 5",
        "",
        "-",
        "12345",
        "еще",
        "Еще",
        "ЕЩЕ",
        "Σ σ ς",
        "ᲂтчет",
        'KPI-12345 -5 "a" 10 % trade_retail',
        "Cluster 934",
    ]
    for text in samples:
        assert typeset.__wrapped__(text) == _every_rule(text), text


def test_an_ascii_text_skips_the_yo_rules_only_when_no_yo_word_is_ascii():
    import re

    from engine.text import typography as ty

    rules = ty._rules()
    assert not rules.yo_ascii
    for text in ("KPI 12345 -5", "Cluster 934", "trade_retail", "", "PARTNER"):
        assert not rules.may_yo(text) and rules.yo_any.search(text) is None
    # a rule set with an ASCII word: an ASCII text goes through the words as any other
    pattern = re.compile("abc", re.IGNORECASE)
    ascii_rules = ty._Rules((), (), ("abc",), pattern, yo_ascii=True)
    assert ascii_rules.may_yo("xABCx") and not ascii_rules.may_yo("xyz")
