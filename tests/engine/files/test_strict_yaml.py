"""Strict YAML: positions kept, duplicates, tags, aliases, bad bytes rejected with file:line:col."""

import pytest

from engine.errors import InputError
from engine.files.strict_yaml import decode, load_yaml_text


def problems(text: str) -> list[str]:
    with pytest.raises(InputError) as exc:
        load_yaml_text(text, "a.yaml")
    return [p.format() for p in exc.value.problems]


def codes(text: str) -> list[str]:
    with pytest.raises(InputError) as exc:
        load_yaml_text(text, "a.yaml")
    return [p.code for p in exc.value.problems]


def decode_codes(raw: bytes) -> list[str]:
    with pytest.raises(InputError) as exc:
        decode(raw, "x.yaml")
    return [p.code for p in exc.value.problems]


def test_positions_of_keys_and_values():
    loc = load_yaml_text("a: 1\nb:\n  c: [1, 2]\n", "a.yaml")
    assert loc.data == {"a": 1, "b": {"c": [1, 2]}}
    assert loc.key_pos(("b", "c")) == (3, 3)
    assert loc.pos(("b", "c", 1)) == (3, 10)


def test_duplicate_key_names_both_lines():
    assert problems("a: 1\nb: 2\na: 3\n") == [
        "a.yaml:3:1: a: duplicate key 'a' (first defined on line 1)"
    ]
    assert codes("a: 1\nb: 2\na: 3\n") == ["duplicate-key"]


def test_python_tag_is_refused_not_executed():
    text = "a: !!python/object/apply:os.system ['echo hacked']\n"
    assert codes(text) == ["yaml-tag"]
    assert problems(text)[0].startswith("a.yaml:1:4")


def test_alias_bomb_is_refused():
    bomb = "a: &a [x, x]\nb: &b [*a, *a]\nc: &c [*b, *b]\nd: [*c, *c]\n"
    found = codes(bomb)
    assert found and set(found) == {"yaml-alias"}


def test_syntax_error_is_located():
    assert codes("a: [1, 2\nb: 3\n") == ["yaml-syntax"]
    assert problems("a: [1, 2\nb: 3\n")[0].startswith("a.yaml:")


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("a: 1\n<<: {b: 2}\n", "yaml-merge-key"),
        ("? [a]\n: 1\n", "complex-key"),
        ("a: .inf\n", "not-finite"),
        ("a: " + "9" * 400 + "\n", "number-too-large"),
        ('a: "\\e"\n', "bad-character"),
        ("a: \x07\n", "bad-character"),
    ],
)
def test_each_refusal_has_its_code(text, code):
    assert codes(text) == [code]


def test_binary_and_wrong_encoding_are_refused():
    assert decode_codes(b"\x00\x01\x02") == ["encoding"]
    assert decode_codes("имя: кластер".encode("cp1251")) == ["encoding"]
    with pytest.raises(InputError, match="binary"):
        decode(b"\x00\x01\x02", "x.yaml")


def test_utf8_bom_is_accepted():
    assert decode("\ufeffa: 1".encode("utf-8"), "x.yaml") == "a: 1"


def test_deep_nesting_is_refused():
    assert codes("a: " + "[" * 60 + "]" * 60 + "\n")[:1] == ["too-deep"]
