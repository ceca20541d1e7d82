"""`kb impact`: which clusters' advice a knowledge change moves. Every assessment (the examples,
the corpus, any given) is run on the base knowledge and on the current one; the two machine-
readable results are compared: findings, measures with their status, KPIs and partners."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from engine.errors import ClusterIntlError
from engine.knowledge.models import Knowledge
from engine.resources import display_path

# a side of the comparison: the result's parts by id (finding -> "", measure -> its status, KPI ->
# its baseline and targets, partner -> its name), or the message of the error that stopped it
Side = dict[str, dict[str, Any]] | str
Run = Callable[[Path, Knowledge], dict[str, Any]]
PARTS = ("findings", "measures", "kpis", "partners")


def parts(data: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The parts of a JSON result that a knowledge change can move, keyed by id."""
    return {
        "findings": dict.fromkeys(data["findings"], ""),
        "measures": {r["id"]: r["status"] for r in data["recommendations"]},
        "kpis": {
            x["id"]: {"baseline": x["baseline"], "targets": x["targets"]} for x in data["kpis"]
        },
        "partners": {c["id"]: c["name"] for c in data["partners"]["candidates"]},
    }


def side(path: Path, k: Knowledge, run: Run) -> Side:
    """One assessment's parts under one knowledge base, or why it could not be run."""
    try:
        return parts(run(path, k))
    except ClusterIntlError as exc:
        return str(exc).splitlines()[0]


def diff(old: dict[str, Any], new: dict[str, Any]) -> dict[str, list[Any]]:
    """Ids added, removed, and those whose value changed (with both values)."""
    return {
        "added": [{"id": i, "value": new[i]} for i in sorted(new.keys() - old.keys())],
        "removed": [{"id": i, "value": old[i]} for i in sorted(old.keys() - new.keys())],
        "changed": [
            {"id": i, "from": old[i], "to": new[i]}
            for i in sorted(old.keys() & new.keys())
            if old[i] != new[i]
        ],
    }


def cluster_impact(path: Path, base: Knowledge, current: Knowledge, run: Run) -> dict[str, Any]:
    """What the change moves for one assessment (an error on either side is reported as such)."""
    before, after = side(path, base, run), side(path, current, run)
    out: dict[str, Any] = {"source": display_path(path)}
    if isinstance(before, str) or isinstance(after, str):
        errors = {"base": before, "current": after}
        out["errors"] = {k: v for k, v in errors.items() if isinstance(v, str)}
        out["changed"] = before != after
        return out
    for part in PARTS:
        out[part] = diff(before[part], after[part])
    out["changed"] = any(out[p][kind] for p in PARTS for kind in ("added", "removed", "changed"))
    return out


def impact(
    base: Knowledge, current: Knowledge, assessments: list[Path], run: Run
) -> dict[str, Any]:
    """The impact of going from `base` to `current` over the assessments, with a summary."""
    clusters = [cluster_impact(p, base, current, run) for p in assessments]
    totals = {
        f"{part}_{kind}": sum(len(c[part][kind]) for c in clusters if part in c)
        for part in PARTS
        for kind in ("added", "removed", "changed")
    }
    return {
        "base": {"root": display_path(base.root), **base.identity()},
        "current": {"root": display_path(current.root), **current.identity()},
        "clusters": clusters,
        "summary": {
            "assessments": len(clusters),
            "changed": sum(1 for c in clusters if c["changed"]),
            **totals,
        },
    }


def _entry(part: str, kind: str, x: dict[str, Any]) -> str:
    if kind == "changed":
        if part == "kpis":
            return f"~{x['id']}"
        return f"~{x['id']} ({x['from']} → {x['to']})"
    sign = "+" if kind == "added" else "−"
    return f"{sign}{x['id']}" + (f" ({x['value']})" if part == "measures" else "")


def summary_line(s: dict[str, Any]) -> str:
    """One line: how many clusters change, and by how many findings, measures, KPIs, partners."""
    counts = "; ".join(
        f"{part} +{s[f'{part}_added']} −{s[f'{part}_removed']} ~{s[f'{part}_changed']}"
        for part in PARTS
    )
    return f"{s['changed']} of {s['assessments']} clusters change: {counts}"


def impact_text(view: dict[str, Any]) -> str:
    """The impact as text: one block per cluster that changes, then the summary line."""
    lines = [f"base: {view['base']['root']} ({view['base']['digest'][:12]})"]
    lines.append(f"current: {view['current']['root']} ({view['current']['digest'][:12]})")
    for c in view["clusters"]:
        if not c["changed"]:
            continue
        lines.append(c["source"])
        for where, message in c.get("errors", {}).items():
            lines.append(f"  {where}: {message}")
        for part in PARTS if "errors" not in c else ():
            entries = [
                _entry(part, kind, x)
                for kind in ("added", "removed", "changed")
                for x in c[part][kind]
            ]
            if entries:
                lines.append(f"  {part}: " + ", ".join(entries))
    lines.append(summary_line(view["summary"]))
    return "\n".join(lines) + "\n"


def default_assessments(examples: Path) -> list[Path]:
    """The examples and the corpus: every assessment YAML under examples/."""
    return sorted(examples.rglob("*.yaml"))
