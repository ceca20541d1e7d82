"""Strict YAML: positions kept, duplicates, tags, aliases, bad bytes rejected with file:line:col."""

import pytest

from engine.errors import InputError
from engine.files.strict_yaml import decode, load_yaml_text


def problems(text: str) -> list[str]:
    with pytest.raises(InputError) as exc:
        load_yaml_text(text, "a.yaml")
    return [p.format() for p in exc.value.problems]


def test_positions_of_keys_and_values():
    loc = load_yaml_text("a: 1\nb:\n  c: [1, 2]\n", "a.yaml")
    assert loc.data == {"a": 1, "b": {"c": [1, 2]}}
    assert loc.key_pos(("b", "c")) == (3, 3)
    assert loc.pos(("b", "c", 1)) == (3, 10)


def test_duplicate_key_names_both_lines():
    assert problems("a: 1\nb: 2\na: 3\n") == [
        "a.yaml:3:1: a: duplicate key 'a' (first defined on line 1)"
    ]


def test_python_tag_is_refused_not_executed():
    msgs = problems("a: !!python/object/apply:os.system ['echo hacked']\n")
    assert len(msgs) == 1 and "not allowed" in msgs[0] and msgs[0].startswith("a.yaml:1:4")


def test_alias_bomb_is_refused():
    bomb = "a: &a [x, x]\nb: &b [*a, *a]\nc: &c [*b, *b]\nd: [*c, *c]\n"
    msgs = problems(bomb)
    assert msgs and all("aliases" in m for m in msgs)


def test_syntax_error_is_located():
    msgs = problems("a: [1, 2\nb: 3\n")
    assert len(msgs) == 1
    assert msgs[0].startswith("a.yaml:") and "YAML syntax error" in msgs[0]


def test_binary_and_wrong_encoding_are_refused():
    with pytest.raises(InputError, match="binary"):
        decode(b"\x00\x01\x02", "x.yaml")
    with pytest.raises(InputError, match="UTF-8"):
        decode("имя: кластер".encode("cp1251"), "x.yaml")


def test_utf8_bom_is_accepted():
    assert decode("\ufeffa: 1".encode("utf-8"), "x.yaml") == "a: 1"


def test_deep_nesting_is_refused():
    msgs = problems("a: " + "[" * 60 + "]" * 60 + "\n")
    assert msgs and "nesting" in msgs[0]
