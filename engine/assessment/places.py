"""Pipeline step 2b (part): the assessment's country and target markets, typed as codes or as
any Russian/English name or alias, resolved through `knowledge/countries.yaml` at load.

A country becomes its ISO 3166-1 alpha-2 code; a target market becomes a country code or, where
it names a world region or a grouping ("Western Asia", "ЕАЭС"), that area's id. An unknown name
is a Flaw that lists the nearest country names."""

from __future__ import annotations

from typing import Any

from engine.errors import Flaw
from engine.knowledge.models import Knowledge


def resolve_places(lookup: str, value: Any, k: Knowledge) -> tuple[Any, Flaw | None]:
    """The value with every place resolved (`country`: one code; `market`: codes or area ids),
    or the first unknown name as a Flaw with the nearest names."""
    if isinstance(value, list):
        out: list[str] = []
        for item in value:
            code, err = _one(lookup, str(item), k)
            if err is not None:
                return None, err
            if code and code not in out:
                out.append(code)
        return out, None
    return _one(lookup, str(value), k)


def _one(lookup: str, word: str, k: Knowledge) -> tuple[str | None, Flaw | None]:
    cat = k.countries
    if not word.strip():
        return None, None
    code = cat.code_of(word)
    if code is None and lookup == "market":
        code = cat.area_of(word)
    if code is not None:
        return code, None
    near = cat.nearest(word)
    what = "country" if lookup == "country" else "country, world region or grouping"
    return None, Flaw(
        f"unknown {what} {word!r}" + (f"; nearest: {', '.join(near)}" if near else ""),
        f"unknown-{lookup}",
        got=word,
        nearest=", ".join(near),
    )
