"""engine/authoring/schema.py: the committed JSON Schemas are current, and the shipped files
satisfy them.

No JSON Schema library is a dependency, so a small validator below covers the keywords the
generated schemas use (type, enum, const, anyOf/oneOf/allOf, $ref within and across files,
properties, additionalProperties, required, items, prefixItems, minimum/maximum, minLength).
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from engine.authoring.schema import all_schemas, dump
from engine.files.strict_yaml import load_yaml_file
from tests.conftest import ROOT

SCHEMAS = ROOT / "schemas"


def test_committed_schemas_are_current(knowledge, request):
    generated = all_schemas(knowledge)
    # the schemas list the knowledge base's ids: a new measure or source makes them stale, and
    # the one documented refresh command (`uv run pytest --update-golden`) rewrites them too
    if request.config.getoption("--update-golden") and not os.environ.get("CI"):
        for old in SCHEMAS.glob("*.schema.json"):
            if old.name not in generated:
                old.unlink()
        for name, schema in generated.items():
            (SCHEMAS / name).write_text(dump(schema), encoding="utf-8")
    committed = {p.name for p in SCHEMAS.glob("*.json")}
    assert committed == set(generated), (
        "regenerate: uv run cluster-intl kb schema -o schemas --force"
    )
    for name, schema in generated.items():
        assert (SCHEMAS / name).read_text(encoding="utf-8") == dump(schema), (
            f"schemas/{name} is stale; regenerate: uv run cluster-intl kb schema -o schemas --force"
        )


# --- a small validator ------------------------------------------------------------------------

TYPES = {
    "object": lambda v: isinstance(v, dict),
    "array": lambda v: isinstance(v, list),
    "string": lambda v: isinstance(v, str),
    "integer": lambda v: (
        (isinstance(v, int) and not isinstance(v, bool))
        or (isinstance(v, float) and v.is_integer())
    ),
    "number": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
    "boolean": lambda v: isinstance(v, bool),
    "null": lambda v: v is None,
}


class Validator:
    def __init__(self, name: str) -> None:
        self.root_name = name
        self.docs: dict[str, Any] = {}

    def doc(self, name: str) -> Any:
        if name not in self.docs:
            self.docs[name] = json.loads((SCHEMAS / name).read_text(encoding="utf-8"))
        return self.docs[name]

    def errors(self, value: Any) -> list[str]:
        out: list[str] = []
        self.check(value, self.doc(self.root_name), self.root_name, "$", out)
        return out

    def resolve(self, ref: str, current: str) -> tuple[Any, str]:
        name, _, pointer = ref.partition("#")
        name = name or current
        node = self.doc(name)
        for part in filter(None, pointer.split("/")):
            node = node[part]
        return node, name

    def check(self, v: Any, s: Any, doc: str, at: str, out: list[str]) -> None:
        if s is True or s == {}:
            return
        if "$ref" in s:
            target, tdoc = self.resolve(s["$ref"], doc)
            self.check(v, target, tdoc, at, out)
        if "anyOf" in s or "oneOf" in s:
            options = s.get("anyOf") or s.get("oneOf")
            if not any(self._ok(v, o, doc, at) for o in options):
                out.append(f"{at}: matches none of the alternatives")
        for sub in s.get("allOf", []):
            self.check(v, sub, doc, at, out)
        if "type" in s:
            kinds = s["type"] if isinstance(s["type"], list) else [s["type"]]
            if not any(TYPES[t](v) for t in kinds):
                out.append(f"{at}: {v!r} is not of type {kinds}")
                return
        if "enum" in s and v not in s["enum"]:
            out.append(f"{at}: {v!r} not in {s['enum']}")
        if "const" in s and v != s["const"]:
            out.append(f"{at}: {v!r} != {s['const']!r}")
        if isinstance(v, (int, float)) and not isinstance(v, bool):
            if "minimum" in s and v < s["minimum"]:
                out.append(f"{at}: {v} < {s['minimum']}")
            if "maximum" in s and v > s["maximum"]:
                out.append(f"{at}: {v} > {s['maximum']}")
        if isinstance(v, str) and len(v) < s.get("minLength", 0):
            out.append(f"{at}: too short")
        if isinstance(v, dict):
            props = s.get("properties", {})
            for key in s.get("required", []):
                if key not in v:
                    out.append(f"{at}: missing {key!r}")
            for key, item in v.items():
                key = str(key)  # YAML allows integer keys; JSON has strings only
                if key in props:
                    self.check(item, props[key], doc, f"{at}.{key}", out)
                elif s.get("additionalProperties") is False:
                    out.append(f"{at}: unexpected {key!r}")
                elif isinstance(s.get("additionalProperties"), dict):
                    self.check(item, s["additionalProperties"], doc, f"{at}.{key}", out)
        if isinstance(v, list):
            prefix = s.get("prefixItems", [])
            for i, item in enumerate(v):
                sub = prefix[i] if i < len(prefix) else s.get("items")
                if sub is not None:
                    self.check(item, sub, doc, f"{at}[{i}]", out)

    def _ok(self, v: Any, s: Any, doc: str, at: str) -> bool:
        trial: list[str] = []
        self.check(v, s, doc, at, trial)
        return not trial


def _data(path: Path) -> Any:
    return load_yaml_file(path).data


KNOWLEDGE_FILES = [
    (f"{name}.schema.json", ROOT / "knowledge" / f"{name}.yaml")
    for name in (
        "indicators",
        "scoring",
        "findings",
        "recommendations",
        "kpis",
        "sources",
        "partners",
        "program",
        "resources",
        "formats",
    )
]
KNOWLEDGE_FILES += [
    ("rules.schema.json", p) for p in sorted((ROOT / "knowledge" / "rules").glob("*.yaml"))
]
KNOWLEDGE_FILES += [
    ("scenario.schema.json", p) for p in sorted((ROOT / "knowledge" / "scenarios").glob("*.yaml"))
]
KNOWLEDGE_FILES += [
    ("assessment.schema.json", p) for p in sorted((ROOT / "examples").rglob("*.yaml"))
]


@pytest.mark.parametrize(
    "schema,path", KNOWLEDGE_FILES, ids=[str(p.relative_to(ROOT)) for _, p in KNOWLEDGE_FILES]
)
def test_shipped_files_satisfy_their_schema(schema, path):
    assert Validator(schema).errors(_data(path)) == []


def test_the_schemas_reject_what_the_loader_rejects():
    rules = Validator("rules.schema.json")
    bad_field = {
        "rules": [
            {"id": "x", "title": {"en": "x"}, "when": [], "then": {"finding": "f"}, "sorces": []}
        ]
    }
    assert any("unexpected 'sorces'" in e for e in rules.errors(bad_field))
    bad_op = {
        "rules": [
            {
                "id": "x",
                "title": {"en": "x"},
                "when": [{"indicator": "direction_export", "op": "greater", "value": 3}],
                "then": {"finding": "f"},
            }
        ]
    }
    assert rules.errors(bad_op)
    assessment = Validator("assessment.schema.json")
    assert assessment.errors({"cluster_name": "X", "direction_export": 9})
    assert assessment.errors({"cluster_name": "X", "activity_smez": 1})
    assert assessment.errors({"direction_export": 1})  # cluster_name is required
    assert assessment.errors({"cluster_name": "X", "funding_source": "state"})
    assert assessment.errors({"cluster_name": "X", "platform_memberships": ["nope"]})
    assert assessment.errors({"cluster_name": "X", "num_foreign_partner_clusters": 1.5})
    assert assessment.errors({"cluster_name": "X", "activity_smes": 1, "extra": None})
    assert assessment.errors({"cluster_name": "X", "activity_smes": None}) == []
    scenario = Validator("scenario.schema.json")
    assert scenario.errors(
        {"assessment": {"cluster_name": "X"}, "changes": {"geo_europa": 1}, "expect": {}}
    )
    assert scenario.errors({"assessment": "a.yaml", "expect": {}}) == []


@pytest.mark.slow  # ~1 s: run by CI's slow pass, kept out of the default suite's budget
def test_kb_schema_writes_a_directory_and_refuses_to_overwrite(tmp_path, cli, knowledge):
    out = tmp_path / "schemas"
    code, _, err = cli("kb", "schema", "-o", str(out))
    assert code == 0, err
    assert sorted(p.name for p in out.iterdir()) == sorted(all_schemas(knowledge))
    code, _, err = cli("kb", "schema", "-o", str(out))
    assert code == 2 and "already exists" in err
    code, _, err = cli("kb", "schema", "-o", str(out), "--force")
    assert code == 0, err


def test_kb_schema_prints_every_schema_without_o(cli):
    code, out, _ = cli("kb", "schema")
    assert code == 0
    assert "assessment.schema.json" in json.loads(out)
