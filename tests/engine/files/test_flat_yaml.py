"""The flat reader (engine/files/flat_yaml.py) gives what the YAML parser gives, or declines."""

import random

import pytest
from yaml.nodes import ScalarNode

from engine.errors import InputError
from engine.files.flat_yaml import read_flat
from engine.files.strict_yaml import _KIND, FLAT_SCHEMA, load_yaml_text


def outcome(text: str, flat: bool) -> object:
    """Everything a read gives: typed data, positions in order, or the problems' messages."""
    try:
        loc = load_yaml_text(text, "a.yaml", flat=flat)
    except InputError as exc:
        return [p.format() for p in exc.problems]
    typed = repr(loc.data) + repr(_types(loc.data))
    return typed, list(loc.positions.items()), list(loc.key_positions.items())


def _types(data: object) -> object:
    if isinstance(data, dict):
        return {k: _types(v) for k, v in data.items()}
    if isinstance(data, list):
        return [_types(v) for v in data]
    return type(data).__name__


TAKEN = [
    "a: 1\n",
    "a: 1\nb: -2\nc: 0.5\nd: true\ne: False\nf: null\ng: ~\nh: text with  spaces\n",
    "a:\nb: 2",
    "a:\n- x\n- 'NO'\n-   \"y\"\nb:",
    "a:\n  - x\n  - 3\nb: []\nc: {}\n",
    "a:   x  \nb: C#\nc: O'Brien\nd: a, b [c] {d}\ne: Кластер 93\nf: -x\n",
    "# head\n\na: 1\n# c\n\nb: 2\n",
    "a:\n\n- x\n# c\n- y\n",
    "a: 010\nb: 1e5\nc: 33:34\nd: 2024-01-01\ne: NO\nf: yes\ng: .5\nh: +1\n",
    "_c: 2\nTrue_x: 3\nnull_x: 4\nx1: 5\n",
    "a: ''\nb: \"\"\n",
]

DECLINED = [
    "",
    "# only a comment\n",
    "a: 1\na: 2\n",
    "true: 1\n",
    "null: 1\n",
    "a: 1 # c\n",
    "a: b: c\n",
    "a: b:\n",
    "a: [1, 2]\n",
    "a: {b: 1}\n",
    "a:\n  b: 1\n",
    "a: x\n  y\n",
    "a:\n- x\n  y\n",
    "a:\n  - x\n - y\n",
    "a: x\n- y\n",
    "- x\n",
    "a:\n-\n",
    "a:\n- - x\n",
    "a:\n- b: 1\n",
    "a: 'it''s'\n",
    '"a": 1\n',
    'a: "x\\ty"\n',
    "a: \tx\n",
    "a: 1\r\nb: 2\r\n",
    "a: &x 1\nb: *x\n",
    "a: !!str 1\n",
    "a: |\n  x\n",
    "a: >\n  x\n",
    "a: .inf\n",
    "a: 1234567890123456789012\n",
    "a: <<\n",
    "---\na: 1\n",
    "a: 1\n...\n",
    "%YAML 1.1\n---\na: 1\n",
    "a: x\u0085y\n",
    "a: x\u2028y\n",
    "a: \ufeffx\n",
    "\ufeffa: 1\n",
    "a: x\x07\n",
    "# \x07\na: 1\n",
    "a: -\n",
    "a: ? x\n",
    "a: @x\n",
    "a: `x`\n",
    "a: %x\n",
    "  # indented comment\na: 1\n",
    "? a\n: 1\n",
    "a : 1\n",
    "a:b\n",
    "1: a\n",
    "a-b: 1\n",
    "ключ: 1\n",
    "a:\n- x\n  # c\n",
]


@pytest.mark.parametrize("text", TAKEN)
def test_the_flat_shapes_are_read_as_the_parser_reads_them(text):
    assert read_flat(text, FLAT_SCHEMA) is not None
    assert outcome(text, True) == outcome(text, False)


@pytest.mark.parametrize("text", DECLINED)
def test_any_other_shape_is_left_to_the_parser(text):
    assert read_flat(text, FLAT_SCHEMA) is None
    assert outcome(text, True) == outcome(text, False)


# pieces of lines: most inside the flat shape, some just outside it
_KEYS = ["a", "b", "c_d", "e-f", "g", "h", "i", "j", "k", "l"]
_ODD_KEYS = ["true", "Null", "1"]
_VALUES = [
    "1",
    "-2",
    "0.5",
    "1e3",
    ".5",
    "+7",
    "010",
    "true",
    "FALSE",
    "null",
    "~",
    "x",
    "x y",
    "'NO'",
    '"q"',
    "[]",
    "{}",
    "-x",
    "C#",
    "a:b",
    "Кластер",
    "O'Brien",
]
_ODD_VALUES = [
    "a: b",
    "a #b",
    "x:",
    "'a'b'",
    "[1]",
    "99999999999999999999",
    ".nan",
    "<<",
    "&a x",
    "*a",
    "!x",
    "-",
    "- x",
]


def _random_text(rng: random.Random) -> str:
    def key() -> str:
        return rng.choice(_ODD_KEYS if rng.random() < 0.03 else _KEYS)

    def value() -> str:
        return rng.choice(_ODD_VALUES if rng.random() < 0.03 else _VALUES)

    lines = []
    for _ in range(rng.randint(1, 8)):
        shape = rng.random()
        if shape < 0.5:
            lines.append(f"{key()}: {value()}")
        elif shape < 0.65:
            lines.append(f"{key()}:")
        elif shape < 0.95:
            indent = rng.choice(["", "", "", "  ", "  ", " "])
            lines.append(f"{indent}-{rng.choice([' ', ' ', '  '])}{value()}")
        else:
            lines.append(rng.choice(["", "# c", "  ", "  x", "a: 1  "]))
    return "\n".join(lines) + rng.choice(["", "\n"])


def test_random_texts_read_alike():
    rng = random.Random(18)
    taken = 0
    for _ in range(150):
        text = _random_text(rng)
        assert outcome(text, True) == outcome(text, False), text
        taken += read_flat(text, FLAT_SCHEMA) is not None
    assert taken > 30  # the flat reader took a fair share of them, not none


@pytest.mark.parametrize(
    "word",
    [
        "",
        "~",
        "null",
        "Null",
        "NULL",
        "nULL",
        "true",
        "True",
        "TRUE",
        "tRUE",
        "false",
        "FALSE",
        "0",
        "-1",
        "+1",
        "010",
        "1_000",
        "0x1F",
        "0o7",
        "1.",
        ".5",
        "-.5",
        "1e5",
        "1E+5",
        "1e",
        ".inf",
        "-.Inf",
        "+.INF",
        ".nan",
        ".NaN",
        "-.nan",
        "<<",
        "<",
        "yes",
        "NO",
        "33:34",
        "2024-01-01",
        "x",
        "-x",
        "1 2",
        "Кластер",
    ],
)
def test_the_schema_as_one_pattern_gives_the_resolvers_tag(word):
    from engine.files.strict_yaml import _CoreResolver

    tag = _CoreResolver().resolve(ScalarNode, word, (True, False))
    kind = _KIND.fullmatch(word)
    assert (kind.lastgroup if kind else "str") == tag.rsplit(":", 1)[-1]
