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


# --- issue 24, leftovers of trust ------------------------------------------------------------


@pytest.mark.parametrize("code", [0xFFFF, 0xFFFE, 0xFDD0, 0xFDEF, 0x1FFFF, 0x10FFFE])
def test_a_noncharacter_escape_no_longer_passes_into_documents(code):
    # "\uffff" decoded to U+FFFF, which XML forbids: it reached the program (and broke the .docx)
    escape = f"\\u{code:04X}" if code <= 0xFFFF else f"\\U{code:08X}"
    (line,) = problems(f'a: 1\ncluster_name: "A {escape} B"\n')
    assert line == (
        f"a.yaml:2:15: cluster_name: character U+{code:04X} (a Unicode noncharacter) is not "
        "allowed in text; remove it (or the escape that writes it)"
    )


@pytest.mark.parametrize("char", ["\ufdd0", "\U0001fffe", "\uffff"])
def test_a_raw_noncharacter_is_refused_and_called_by_its_name(char):
    (line,) = problems(f"a: 1\nb: x{char}y\n")
    assert line.startswith("a.yaml:2:5: ") and "U+" in line
    assert "(a Unicode noncharacter) is not allowed" in line


def test_characters_next_to_the_noncharacters_are_text():
    text = 'a: "\\uFDCF \\uFDF0 \\uFFFD \\U0001FFFD \\U00020000"\n'
    assert load_yaml_text(text, "a.yaml").data == {
        "a": "\ufdcf \ufdf0 \ufffd \U0001fffd \U00020000"
    }


def test_the_value_limit_no_longer_counts_comment_lines():
    # 100,000 lines of comments (with commas) and blank lines used to refuse a one-value file
    text = "# a, b\n" * 80_000 + "\n" * 30_000 + "a: 1\n"
    assert load_yaml_text(text, "a.yaml").data == {"a": 1}


def test_the_value_limit_says_what_it_counts():
    (line,) = problems("# note\n" * 10 + "- 1\n" * 100_001)
    assert line == (
        "a.yaml: too many values: 100001 lines of content and commas (blank and comment lines "
        "not counted); the limit is 100000"
    )


def test_an_unlocated_yaml_error_no_longer_quotes_the_file(monkeypatch):
    # such an error's text may carry a snippet of the file (`kb test /etc/shadow`)
    import yaml

    from engine.files import strict_yaml

    def failing(text):
        raise yaml.YAMLError('in "<file>": root:$6$SECRET')

    monkeypatch.setattr(strict_yaml, "_compose", failing)
    assert problems("a: 1\n") == ["a.yaml: YAML error (YAMLError)"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "1: a\n1.0: b\ntrue: c\n",
            [
                "a.yaml:2:1: 1.0: duplicate key 1.0 (first defined on line 1)",
                "a.yaml:3:1: [True]: duplicate key True (first defined on line 1)",
            ],
        ),
        (
            "~: 1\nnull: 2\n'': 3\n",
            ["a.yaml:2:1: None: duplicate key None (first defined on line 1)"],
        ),
        (
            "a:\n  b: 1\n  c: [x, {d: 2, d: 3}]\n",
            ["a.yaml:3:17: a.c[1].d: duplicate key 'd' (first defined on line 3)"],
        ),
        (
            '"\\e": 1\nok: "\\e"\n',
            [
                "a.yaml:1:1: character U+001B (a control character) is not allowed in text; "
                "remove it (or the escape that writes it)",
                "a.yaml:2:5: ok: character U+001B (a control character) is not allowed in text; "
                "remove it (or the escape that writes it)",
            ],
        ),
        ("!!str [a]: 1\nb: !!str [c, d]\n", ["a.yaml:1:1: mapping keys must be plain scalars"]),
        ("? !!str {a: 1}\n: 2\n", ["a.yaml:1:3: mapping keys must be plain scalars"]),
        (
            "<<: {a: 1}\nx: &a [1]\ny: *a\n",
            [
                "a.yaml:1:1: merge keys (<<) are not allowed",
                "a.yaml:2:4: y: YAML aliases (*name) are not allowed; write the value out",
            ],
        ),
    ],
)
def test_keys_the_builder_refuses_off_its_plain_text_path(text, expected):
    # plain text keys take a short path through the builder; every other key the full one
    assert problems(text) == expected


def test_the_core_resolver_gives_the_tags_of_pyyamls_generic_resolve():
    from yaml.nodes import MappingNode, ScalarNode, SequenceNode
    from yaml.resolver import BaseResolver

    from engine.files.strict_yaml import _CoreResolver

    # its short cuts hold only while the schema has no path and no wildcard resolvers
    assert not _CoreResolver.yaml_path_resolvers
    assert None not in _CoreResolver.yaml_implicit_resolvers
    resolver = _CoreResolver()
    words = [
        *("", "~", "null", "Null", "NULL", "nUll", "true", "True", "TRUE", "tRue", "false"),
        *("FALSE", "yes", "NO", "on", "0", "010", "-1", "+1", "1_000", "0x1F", "0o7", "33:34"),
        *("1.5", ".5", "5.", "1e5", "-1E-5", "+.inf", ".Inf", "-.INF", ".nan", ".NaN", ".", "-"),
        *("+", "<<", "<", "2026-12-07", "1.2.3", " 1", "1 ", "a", "Äb", "кластер", "#", "1e"),
    ]
    for word in words:
        for implicit in ((True, False), (False, True), (False, False), (True, True)):
            for kind in (ScalarNode, SequenceNode, MappingNode):
                value = word if kind is ScalarNode else None
                stock = BaseResolver.resolve(resolver, kind, value, implicit)
                assert resolver.resolve(kind, value, implicit) == stock, (word, implicit, kind)
