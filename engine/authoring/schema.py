"""JSON Schema for editors (`kb schema`): every knowledge file kind, scenarios and assessments.

Knowledge files and scenarios: the pydantic models' own schemas, so they cannot drift from what
`read_knowledge` accepts. Assessments: generated from `knowledge/indicators.yaml`, one property per
indicator with its type, allowed values and range (optionally with its provenance). The result of
`draft --format json`: `engine.program.result_model`. The committed copies live in `schemas/`; a
test fails when they are stale.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from pydantic import BaseModel, TypeAdapter

from engine.assessment.overrides import OVERRIDES_KEY, kpi_targets_key
from engine.assessment.validate import VALUE_BASES
from engine.authoring.scenarios import Scenario, ScenarioList
from engine.authoring.schema_ids import add_ids
from engine.errors import OutputExistsError, UsageError
from engine.explain.shapes import SHAPES
from engine.explain.shapes import json_schema as output_schema
from engine.files.atomic import Inputs, check_target, write_atomic
from engine.knowledge.models import FILES, Indicator, Knowledge, RulesFile
from engine.program.result_model import result_schema

DIALECT = "https://json-schema.org/draft/2020-12/schema"


def _model_schema(model: type[BaseModel] | Any, title: str, description: str) -> dict[str, Any]:
    adapter = model if isinstance(model, TypeAdapter) else TypeAdapter(model)
    body = adapter.json_schema(by_alias=True)
    return {"$schema": DIALECT, **body, "title": title, "description": description}


def knowledge_schemas() -> dict[str, dict[str, Any]]:
    """One schema per knowledge file kind, keyed by the schema's file name."""
    out: dict[str, dict[str, Any]] = {}
    for key, (name, model) in FILES.items():
        out[f"{key}.schema.json"] = _model_schema(
            model, f"cluster-intl knowledge: {name}", f"The file knowledge/{name}."
        )
    rules = _model_schema(
        RulesFile,
        "cluster-intl knowledge: rules/*.yaml",
        "A rule file under knowledge/rules/: rules deriving findings and recommendations.",
    )
    # the models accept shorthands before validation: `then: {recommend: one_id}` and a single
    # condition written as a mapping under `when`
    defs = rules["$defs"]
    for key in ("finding", "recommend", "postpone"):
        prop = defs["Then"]["properties"][key]
        defs["Then"]["properties"][key] = {
            "anyOf": [{"type": "string"}, prop],
            "title": prop.get("title", key),
        }
    when = defs["Rule"]["properties"]["when"]
    defs["Rule"]["properties"]["when"] = {"anyOf": [when, when["items"]], "title": "When"}
    out["rules.schema.json"] = rules
    return dict(sorted(out.items()))


def scenario_schema() -> dict[str, Any]:
    """The JSON Schema of a scenario file (one scenario or a `scenarios:` list), its `assessment`
    an inline mapping or a file path."""
    schema = _model_schema(
        TypeAdapter(Scenario | ScenarioList),
        "cluster-intl scenario: knowledge/scenarios/*.yaml",
        "One scenario, or `scenarios:` with a list, for `kb test`.",
    )
    props = schema["$defs"]["Scenario"]["properties"]
    props["assessment"] = {
        "description": props["assessment"].get("description", ""),
        "anyOf": [
            {"type": "string", "description": "An assessment file, relative to this one."},
            {"$ref": "assessment.schema.json"},
        ],
    }
    props["changes"] = {
        "description": props["changes"].get("description", ""),
        "$ref": "assessment.schema.json#/$defs/changes",
    }
    return schema


def assessment_schema(k: Knowledge) -> dict[str, Any]:
    """The assessment format: one property per indicator; blank (null) means no information."""
    props = {ind.id: _indicator_schema(ind, k) for ind in k.indicators.indicators}
    props[OVERRIDES_KEY] = _overrides_schema(k)
    own = {OVERRIDES_KEY}
    targets_key = kpi_targets_key(k)
    if targets_key is not None:
        props[targets_key] = _kpi_targets_schema(k)
        own.add(targets_key)
    required = [ind.id for ind in k.indicators.indicators if ind.required]
    schema = {
        "$schema": DIALECT,
        "title": "cluster-intl assessment",
        "description": "One cluster assessment: indicator id → value (knowledge/indicators.yaml). "
        "A blank value (null) means no information.",
        "type": "object",
        "additionalProperties": False,
        "required": required,
        "properties": props,
        "$defs": {
            "changes": {
                "type": "object",
                "additionalProperties": False,
                "properties": {i: {"$ref": f"#/properties/{i}"} for i in props if i not in own},
            }
        },
    }
    schema["properties"] = {**props, "variant": VARIANT_SCHEMA, k.formats.key: _format_schema(k)}
    return schema


def _format_schema(k: Knowledge) -> dict[str, Any]:
    """The optional `format:` line: one of the formats knowledge/formats.yaml knows."""
    f = k.formats
    return {
        "description": "The format the file is written in (knowledge/formats.yaml); without it, "
        "a field of an earlier format is read as the last format that had it. "
        "`cluster-intl migrate` writes the current one.",
        "type": "string",
        "enum": [f"{f.prefix}{v.version}" for v in f.formats],
        "default": f"{f.prefix}{f.current}",
    }


# a what-if variant's record (engine/assessment/variant.py): never an indicator
VARIANT_SCHEMA: dict[str, Any] = {
    "description": "A what-if variant (not for approval): the file it came from, the date it was "
    "saved, the changed values",
    "type": "object",
    "additionalProperties": False,
    "required": ["derived_from"],
    "properties": {
        "derived_from": {"type": "string", "minLength": 1},
        "date": {"type": ["string", "null"]},
        "changes": {
            "type": "array",
            "items": {
                "type": "object",
                "additionalProperties": False,
                "required": ["indicator"],
                "properties": {"indicator": {"type": "string"}, "from": {}, "to": {}},
            },
        },
    },
}


def _overrides_schema(k: Knowledge) -> dict[str, Any]:
    """The consultant's amounts: measure id -> {year: thousands of the cluster's currency}."""
    year = {"type": "object", "additionalProperties": {"type": "number", "minimum": 0}}
    return {
        "title": "Budget overrides",
        "description": "The consultant's amounts by measure and year (a calendar year of the "
        "program or a program year 1, 2...), in thousands of the cluster's currency; they replace "
        "the estimate of knowledge/resources.yaml.",
        "type": ["object", "null"],
        "additionalProperties": False,
        "properties": dict.fromkeys(k.recommendation, year),
    }


def _kpi_targets_schema(k: Knowledge) -> dict[str, Any]:
    """The consultant's own final KPI targets: KPI id -> value (a share at most 100)."""
    props = {
        kid: {
            "type": "number",
            "minimum": 0,
            **({"maximum": 100} if kpi.quantity == "share" else {}),
        }
        for kid, kpi in k.kpi.items()
    }
    return {
        "title": "KPI targets",
        "description": "The consultant's own final target of any KPI (knowledge/kpis.yaml ids); "
        "it replaces the target rule, on a straight path from the baseline.",
        "type": ["object", "null"],
        "additionalProperties": False,
        "properties": props,
    }


def _indicator_schema(ind: Indicator, k: Knowledge) -> dict[str, Any]:
    """A plain value, or the same value with its provenance ({value, basis, source})."""
    plain = _plain_schema(ind, k)
    head = {"title": plain.pop("title"), "description": plain.pop("description")}
    with_basis = {
        "type": "object",
        "additionalProperties": False,
        "required": ["value"],
        "properties": {
            "value": plain,
            "basis": {"enum": [*VALUE_BASES, None]},
            "source": {"type": ["string", "null"]},
        },
    }
    return head | {"anyOf": [plain, with_basis]}


def _plain_schema(ind: Indicator, k: Knowledge) -> dict[str, Any]:
    label = ind.label
    desc = " / ".join(x for x in (label.en, label.ru) if x)
    if ind.question and ind.question.en:
        desc += f" — {ind.question.en}"
    s: dict[str, Any] = {"title": label.en or label.ru or ind.id, "description": desc}
    nullable = not ind.required
    lo, hi = ind.min, ind.max
    if ind.type == "score" and ind.scale in k.indicators.scales:
        scale = k.indicators.scales[ind.scale]
        lo, hi = scale.min, scale.max
    if ind.type in ("int", "float", "score"):
        s["type"] = ["integer" if ind.type == "int" else "number"] + (["null"] if nullable else [])
        if lo is not None:
            s["minimum"] = _num(lo)
        if hi is not None:
            s["maximum"] = _num(hi)
    elif ind.type == "bool":
        s["type"] = ["boolean", "null"] if nullable else "boolean"
    elif ind.type == "enum":
        s["enum"] = list(ind.values or []) + ([None] if nullable else [])
    elif ind.type == "list":
        item: dict[str, Any] = (
            {"enum": list(ind.values)} if ind.values is not None else {"type": ["string", "number"]}
        )
        s["anyOf"] = [{"type": "array", "items": item}, item] + (
            [{"type": "null"}] if nullable else []
        )
    else:
        s["type"] = ["string", "null"] if nullable else "string"
        if ind.required:
            s["minLength"] = 1
    return s


def _num(x: float) -> int | float:
    return int(x) if float(x).is_integer() else x


def all_schemas(k: Knowledge) -> dict[str, dict[str, Any]]:
    """Every schema `kb schema` writes, keyed by file name, in a stable order."""
    out = knowledge_schemas()
    out["scenario.schema.json"] = scenario_schema()
    out["assessment.schema.json"] = assessment_schema(k)
    for name in SHAPES:  # the versioned JSON answers of why, why-not and what-if
        out[f"{name}.schema.json"] = output_schema(name)
    out["result.schema.json"] = result_schema()
    add_ids(out, k)
    return dict(sorted(out.items()))


def dump(schema: dict[str, Any]) -> str:
    """One schema as the JSON text written to its file."""
    return json.dumps(schema, ensure_ascii=False, indent=2) + "\n"


def dumps(schemas: dict[str, dict[str, Any]]) -> str:
    """All schemas by file name as one JSON text (what `kb schema` prints without an output
    folder)."""
    return json.dumps(schemas, ensure_ascii=False, indent=2) + "\n"


def write_schemas(
    schemas: dict[str, dict[str, Any]], out_dir: Path, *, inputs: Inputs, force: bool = False
) -> list[Path]:
    """Write each schema to out_dir; refuse (before writing anything) to overwrite without force,
    or to replace one of the command's `inputs`."""

    if out_dir.exists() and not out_dir.is_dir():
        raise UsageError(f"{out_dir}: is not a directory")
    if not out_dir.parent.is_dir():
        raise UsageError(f"{out_dir.parent}: directory does not exist")
    targets = [out_dir / name for name in schemas]
    existing = [p for p in targets if os.path.lexists(p)]
    if existing and not force:
        raise OutputExistsError(
            f"{existing[0]}: already exists; use --force to overwrite "
            f"({len(existing)} schema file(s) would be replaced)"
        )
    for path in existing:  # an input, a link or a FIFO is refused before anything is written
        check_target(path, force=force, inputs=inputs)
    out_dir.mkdir(exist_ok=True)
    for path, schema in zip(targets, schemas.values(), strict=False):
        # without --force each file is still created exclusively: a concurrent run fails
        write_atomic(path, dump(schema), force=force, inputs=inputs)
    return targets
