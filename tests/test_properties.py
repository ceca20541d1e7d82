"""Property-based tests (hypothesis) through the command line.

Valid assessments drawn from knowledge/indicators.yaml (every indicator within its type and scale,
some blank) always give a complete program: Markdown renders, every recommendation has a firing
that made it and appears in the document, and every rule in the trace is listed in `rules_fired`.
Invalid ones (out of scale, wrong type, an unknown key close to a real one) always give exit 2
and a located message naming the field, and write nothing.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine.files.characters import is_noncharacter
from engine.knowledge.models import Indicator
from tests.conftest import shared_session

SESSION = shared_session()
K = SESSION.knowledge
# Examples per property: a quick default for `uv run pytest`; .ci/run asks for more
# (CLUSTER_INTL_PROPERTY_EXAMPLES), so CI explores further than a local run.
EXAMPLES = int(os.environ.get("CLUSTER_INTL_PROPERTY_EXAMPLES", "15"))
SETTINGS = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.function_scoped_fixture,
    ],
)  # cli: stateless
# control characters, lone surrogates and noncharacters are refused in text
# (docs/trust-and-speed.md)
TEXT = st.text(
    st.characters(blacklist_categories=("Cs", "Cc")).filter(lambda c: not is_noncharacter(c)),
    max_size=25,
)


def _bounds(ind: Indicator) -> tuple[float | None, float | None]:
    if ind.type == "score" and ind.scale:
        scale = K.indicators.scales[ind.scale]
        return scale.min, scale.max
    return ind.min, ind.max


def places(ind: Indicator, k: Any) -> st.SearchStrategy[Any]:
    """A country (a code or a name, either language) or a list of markets (countries, groupings,
    M49 regions): the catalogue's names, which the assessment resolves to codes."""
    cat = k.countries
    country = st.sampled_from(sorted(cat.countries)) | st.sampled_from(
        sorted({n for c in cat.countries.values() for n in (c.name.ru, c.name.en) if n})
    )
    if ind.type != "list":
        return country
    return st.lists(country | st.sampled_from(sorted([*cat.groupings, *cat.regions])), max_size=4)


def value_of(ind: Indicator) -> st.SearchStrategy[Any]:
    lo, hi = _bounds(ind)
    if ind.lookup:
        return places(ind, K)
    if ind.type == "str":
        # a required text of spaces only is a blank (refused), so valid ones have a letter
        return TEXT.filter(str.strip) if ind.required else TEXT
    if ind.type == "bool":
        return st.booleans()
    if ind.type == "enum":
        return st.sampled_from(ind.values or [])
    if ind.type == "list":
        items = st.sampled_from(ind.values) if ind.values else TEXT.filter(str.strip)
        if ind.id == K.sectors.indicator:  # sector codes or the words that resolve to them
            items = st.sampled_from(sorted(K.sectors.alias))
        return st.lists(items, max_size=6)
    if ind.type == "int" or (ind.type == "score" and ind.scale):
        ints = st.integers(
            int(lo if lo is not None else -(10**6)), int(hi if hi is not None else 10**9)
        )
        if ind.type == "int":
            return ints
        return st.one_of(ints, st.floats(lo, hi, allow_nan=False, allow_infinity=False))
    return st.floats(
        lo if lo is not None else -1e9,
        hi if hi is not None else 1e12,
        allow_nan=False,
        allow_infinity=False,
    )


@st.composite
def valid_assessments(draw: st.DrawFn) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for ind in K.indicators.indicators:
        choice = draw(st.sampled_from(["value", "value", "value", "absent", "null"]))
        if ind.required or choice == "value":
            out[ind.id] = draw(value_of(ind))
        elif choice == "null":
            out[ind.id] = None
    return out


def _run(cli, data: dict[str, Any], *args: str) -> tuple[int, str, str, Path]:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "cluster.yaml"
        path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
        out = Path(tmp) / "out" / "program"
        out.parent.mkdir()
        code, _stdout, stderr = cli("draft", path, *args, "-o", out)
        written = out.read_text(encoding="utf-8") if out.exists() else ""
        leftovers = sorted(p.name for p in out.parent.iterdir() if p != out)
        assert leftovers == []
        return code, written, stderr, path


@SETTINGS
@given(data=valid_assessments())
@pytest.mark.slow
def test_valid_assessments_give_a_complete_explained_program(cli, data):
    from engine.render.jinja import md_escape

    code, text, err, _ = _run(cli, data, "--format", "json")
    assert code == 0, err
    result = json.loads(text)
    fired = {f["rule"] for f in result["trace"]}
    assert set(result["rules_fired"]) == fired
    declared = {
        d["id"] for f in result["trace"] for d in f["declared"] if d["kind"] == "recommendation"
    }
    rec_ids = [r["id"] for r in result["recommendations"]]
    assert set(rec_ids) <= declared  # every recommendation was made by a recorded firing
    for r in result["recommendations"]:
        assert r["rules"] and set(r["rules"]) <= fired
    code, md, err, _ = _run(cli, data, "--format", "md", "--lang", "en")
    assert code == 0, err
    assert md.startswith("# ") and md.endswith("\n")
    statuses = {r["id"]: r["status"] for r in result["recommendations"]}
    for rid in rec_ids:
        rec = K.recommendation[rid]
        # the catalogue title, or a sector variant's own title (for: a trade or kind)
        titles = [rec.title.get("en")] + [v.title.get("en") for v in rec.variants if v.title]
        if statuses[rid] == "continue":  # "Continue and strengthen: run ..." or its own wording
            titles = (
                [rec.continued.title.get("en")]
                if rec.continued and rec.continued.title
                else [x[1:] for x in titles]
            )
        assert any(md_escape(x) in md for x in titles), rid


def _near(word: str) -> st.SearchStrategy[str]:
    """A misspelling of `word`: one character dropped, doubled or changed."""
    i = st.integers(0, len(word) - 1)
    return st.one_of(
        i.map(lambda n: word[:n] + word[n + 1 :]),
        i.map(lambda n: word[:n] + word[n] + word[n:]),
        st.tuples(i, st.sampled_from("xqz")).map(lambda t: word[: t[0]] + t[1] + word[t[0] + 1 :]),
    ).filter(lambda w: w not in K.indicator and w.strip() == w and w != "")


def _wrong(ind: Indicator) -> st.SearchStrategy[Any]:
    lo, hi = _bounds(ind)
    options: list[st.SearchStrategy[Any]] = []
    if ind.type in ("int", "float", "score"):
        options.append(st.sampled_from(["many", "3 or 4", True, [1, 2], {"a": 1}]))
        if hi is not None:
            options.append(st.integers(int(hi) + 1, int(hi) + 1000))
        if lo is not None:
            options.append(st.integers(int(lo) - 1000, int(lo) - 1))
        if ind.type == "int":
            options.append(st.sampled_from([0.5, 2.25]))
    elif ind.type == "bool":
        options.append(st.sampled_from(["maybe", 2, "да", [True], 0.5]))
    elif ind.type == "enum":
        options.append(TEXT.filter(lambda s: s not in (ind.values or [])))
    elif ind.type == "list":
        options.append(st.sampled_from([{"a": 1}, 5.5, [[1]], [None]]))
        if ind.values:
            options.append(
                st.lists(TEXT.filter(lambda s: s not in ind.values), min_size=1, max_size=3)
            )
        if ind.id == K.sectors.indicator:  # a word that is no sector code nor alias
            unknown = TEXT.filter(lambda s: bool(s.strip()) and K.sectors.resolve(s) is None)
            options.append(st.lists(unknown, min_size=1, max_size=3))
    else:
        options.append(st.sampled_from([{"a": 1}, [1, 2], True]))
    return st.one_of(options)


@st.composite
def invalid_assessments(draw: st.DrawFn) -> tuple[dict[str, Any], str, str]:
    data = draw(valid_assessments())
    ind = draw(st.sampled_from(K.indicators.indicators))
    if draw(st.booleans()):
        key = draw(_near(ind.id))
        data[key] = data.pop(ind.id, None) if ind.id in data else draw(value_of(ind))
        if ind.required:
            data[ind.id] = draw(value_of(ind))
        return data, key, "unknown indicator"
    data[ind.id] = draw(_wrong(ind))
    return data, ind.id, ""


@pytest.mark.slow  # heavy; .ci/run runs it (-m slow)
@SETTINGS
@given(case=invalid_assessments())
def test_invalid_assessments_give_exit_2_and_name_the_field(cli, case):
    data, field, expected = case
    code, written, err, path = _run(cli, data)
    assert code == 2 and written == ""
    assert "Traceback" not in err
    lines = err.strip().splitlines()
    assert lines and all(line.startswith(str(path)) or path.name in line for line in lines)
    assert len(lines) == 1, err  # one problem, one message
    named = [line for line in lines if f": {field}: " in line]
    assert named, (field, err)
    assert expected in named[0]
    assert any(":" in line.split(f": {field}: ")[0].replace(str(path), "") for line in named)
