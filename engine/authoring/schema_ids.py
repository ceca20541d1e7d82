"""Ids, descriptions and value types for the editor schemas (`kb schema`, issue 23 item 4).

The pydantic models say only "a string" where a rule names an indicator, a finding or a source;
an editor wired to such a schema offers no completion and catches no misspelt id. This step fills
the knowledge base's own ids into the schemas (`enum`, with each id's label as its
`markdownEnumDescriptions` for hover), and types a condition's `value` by the indicator or measure
it tests, so a threshold written as a string or a value outside an enum is marked in the editor.
"""

from __future__ import annotations

from typing import Any

from engine.knowledge.measure_ids import measure_catalogue
from engine.knowledge.models import Indicator, Knowledge
from engine.text.message import Text

# (schema file, model in $defs or "" for the root, property) → the kind of id it names
FIELDS: dict[tuple[str, str, str], str] = {
    ("rules", "Atom", "indicator"): "indicator",
    ("rules", "Atom", "measure"): "measure",
    ("rules", "Atom", "finding"): "finding",
    ("rules", "Atom", "recommendation"): "recommendation",
    ("rules", "Then", "finding"): "finding",
    ("rules", "Then", "recommend"): "recommendation",
    ("rules", "Then", "postpone"): "recommendation",
    ("rules", "Rule", "sources"): "source",
    ("recommendations", "Atom", "indicator"): "indicator",
    ("recommendations", "Atom", "measure"): "measure",
    ("recommendations", "Atom", "finding"): "finding",
    ("recommendations", "Atom", "recommendation"): "recommendation",
    ("recommendations", "RecommendationDef", "sources"): "source",
    ("recommendations", "RecommendationDef", "kpis"): "kpi",
    ("partners", "Partner", "country"): "country",
    ("partners", "Partner", "prior_links"): "country",
    ("partners", "Partner", "sectors"): "sector",
    ("partners", "Platform", "sectors"): "sector",
    ("partners", "Partner", "sources"): "source",
    ("partners", "Platform", "sources"): "source",
    ("indicators", "Indicator", "sources"): "source",
    ("kpis", "Target", "sources"): "source",
    ("kpis", "AboveBaseline", "sources"): "source",
    ("scoring", "HelixComponent", "indicator"): "indicator",
    ("scoring", "HelixComponent", "indicators"): "indicator",
    ("scoring", "SelfAssessment", "indicator"): "indicator",
    ("document", "Institution", "source"): "source",
    ("document", "Instrument", "countries"): "country",
    ("scenario", "Expect", "present"): "conclusion",
    ("scenario", "Expect", "absent"): "conclusion",
    ("scenario", "Expect", "new"): "recommendation",
    ("scenario", "Expect", "continue"): "recommendation",
    ("scenario", "Expect", "conditional"): "recommendation",
}

# kinds whose list in the knowledge base is not closed: a partner may be in a country that
# `countries` does not name yet
OPEN = {"country"}
COUNTRY_CODE = "^([A-Z]{2})?$"

WHAT = {
    "indicator": "An indicator of knowledge/indicators.yaml.",
    "measure": "A measure computed from the indicators (knowledge/scoring.yaml).",
    "finding": "A finding of knowledge/findings.yaml.",
    "recommendation": "A recommendation (a measure of the program) of knowledge/recommendations.yaml.",
    "source": "A source of knowledge/sources.yaml.",
    "kpi": "A KPI of knowledge/kpis.yaml.",
    "country": "An ISO 3166 alpha-2 country code (those of countries.yaml are offered).",
    "sector": "A sector code of knowledge/sectors.yaml (or one of its aliases).",
    "conclusion": "A finding, recommendation or KPI id (as the section says).",
}


def _en(text: Text | None) -> str:
    return (text.en or text.ru or "") if text is not None else ""


def id_tables(k: Knowledge) -> dict[str, dict[str, str]]:
    """Every kind of id the schemas list: id → its label (for hover), sorted by id."""
    tables = {
        "indicator": {i.id: _en(i.label) for i in k.indicators.indicators},
        "measure": {m: f"{kind} measure" for m, (kind, _) in measure_catalogue(k).items()},
        "finding": {f.id: _en(f.label) for f in k.findings.findings},
        "recommendation": {r.id: _en(r.title) for r in k.recommendations.recommendations},
        "source": {s.id: _en(s.citation)[:120] for s in k.sources.sources},
        "kpi": {x.id: _en(x.label) for x in k.kpis.kpis},
        "country": {c: _en(x.name) for c, x in k.countries.countries.items()},
        "sector": _sector_words(k),
    }
    tables["conclusion"] = tables["finding"] | tables["recommendation"] | tables["kpi"]
    return {kind: dict(sorted(t.items())) for kind, t in tables.items()}


def _sector_words(k: Knowledge) -> dict[str, str]:
    """The sector codes with their labels, and the aliases that resolve to them (what `kb check`
    accepts in a partner's or a platform's `sectors:`)."""
    out = {s.id: _en(s.label) for s in k.sectors.sectors}
    for s in k.sectors.sectors:
        for word in [*s.aliases.en, *s.aliases.ru]:
            if word not in out:
                out[word] = "alias of " + ", ".join(k.sectors.resolve(word) or [s.id])
    return out


def _with_ref(node: Any, ref: str) -> Any:
    """The node with every plain string in it (directly, in anyOf, in items) replaced by the
    reference to the id list."""
    if not isinstance(node, dict):
        return node
    if node.get("type") == "string" and "enum" not in node:
        return {"$ref": ref}
    out = dict(node)
    if "items" in out:
        out["items"] = _with_ref(out["items"], ref)
    if "anyOf" in out:
        out["anyOf"] = [_with_ref(x, ref) for x in out["anyOf"]]
    return out


def _id_def(kind: str, table: dict[str, str]) -> dict[str, Any]:
    """The schema of one kind of id: the closed list with each id's label for hover, or for an
    open list (countries: any ISO 3166 code may be named) a pattern offering the known ones."""
    if kind in OPEN:
        return {"type": "string", "pattern": COUNTRY_CODE, "examples": list(table)}
    return {
        "type": "string",
        "description": WHAT[kind],
        "enum": list(table),
        "markdownEnumDescriptions": list(table.values()),
    }


def add_ids(schemas: dict[str, dict[str, Any]], k: Knowledge) -> None:
    """Fill the ids of the knowledge base into the schemas, in place, with a description per
    field; then type each condition's `value` by what it tests."""
    tables = id_tables(k)
    for (file, model, prop), kind in FIELDS.items():
        schema = schemas.get(f"{file}.schema.json")
        if schema is None:
            continue
        body = schema["$defs"].get(model) if model else schema
        if body is None or prop not in body.get("properties", {}):
            continue
        schema["$defs"][f"{kind}_id"] = _id_def(kind, tables[kind])
        node = _with_ref(body["properties"][prop], f"#/$defs/{kind}_id")
        body["properties"][prop] = node | {"description": WHAT[kind]}
    for file in ("rules", "recommendations"):
        atom = schemas[f"{file}.schema.json"]["$defs"]["Atom"]
        atom["allOf"] = _value_types(k)
    for schema in schemas.values():  # a stable order of the definitions
        if "$defs" in schema:
            schema["$defs"] = dict(sorted(schema["$defs"].items()))


def _value_types(k: Knowledge) -> list[dict[str, Any]]:
    """One `if`/`then` per indicator and measure: the type (and values) its condition compares."""
    out = []
    for ind in k.indicators.indicators:
        out.append(_when("indicator", ind.id, _indicator_value(ind, k)))
    for name, (kind, values) in measure_catalogue(k).items():
        value: dict[str, Any] = {"type": "number"} if kind == "number" else {"type": "string"}
        if values:
            value = {"enum": list(values)}
        out.append(_when("measure", name, _or_list(value)))
    return out


def _when(subject: str, ident: str, value: dict[str, Any]) -> dict[str, Any]:
    return {
        "if": {"properties": {subject: {"const": ident}}, "required": [subject]},
        "then": {"properties": {"value": value}},
    }


def _or_list(value: dict[str, Any]) -> dict[str, Any]:
    """A value, or a list of such values (the `in` operator)."""
    return {"anyOf": [value, {"type": "array", "items": value}]}


def _indicator_value(ind: Indicator, k: Knowledge) -> dict[str, Any]:
    """What a condition may compare an indicator with: a number within its scale, a boolean,
    one of its values, or a list of them (`in`)."""
    if ind.type in ("int", "float", "score"):
        number: dict[str, Any] = {"type": "number"}
        lo, hi = ind.min, ind.max
        if ind.type == "score" and ind.scale in k.indicators.scales:
            lo, hi = k.indicators.scales[ind.scale].min, k.indicators.scales[ind.scale].max
        if lo is not None:
            number["minimum"] = lo
        if hi is not None:
            number["maximum"] = hi
        return _or_list(number)
    if ind.type == "bool":
        return {"type": "boolean"}
    if ind.type in ("enum", "list") and ind.values is not None:
        value = _or_list({"enum": list(ind.values)})
        if ind.type == "list":  # count_ge and count_lt compare the number of items
            value["anyOf"].append({"type": "integer", "minimum": 0})
        return value
    return _or_list({"type": ["string", "number"]})
