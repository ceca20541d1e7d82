"""The library facade: the whole pipeline as plain functions, used by `cli.py` and the tests."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from engine.assessment import Assessment, load_assessment
from engine.errors import UsageError
from engine.inference import Result, infer
from engine.knowledge import Knowledge, load_knowledge

_KNOWLEDGE: dict[tuple[str, str, tuple[tuple[str, int, int], ...]], Knowledge] = {}


def _fingerprint(root: Path) -> tuple[tuple[str, int, int], ...]:
    """Name, size and mtime of every knowledge file: an edited file means a reload."""
    out = []
    for path in sorted(root.rglob("*.yaml")):
        try:
            st = path.stat()
        except OSError:
            continue
        out.append((str(path.relative_to(root)), st.st_size, st.st_mtime_ns))
    return tuple(out)


def knowledge(root: Path | None = None) -> Knowledge:
    """Load and verify the knowledge base; reused while none of its files changes."""
    from engine.knowledge import bundled_root

    base = (root or bundled_root("knowledge")).resolve()
    # the working directory is part of the key: messages show paths relative to it
    key = (str(base), os.getcwd(), _fingerprint(base) if base.is_dir() else ())
    if key not in _KNOWLEDGE:
        from engine import cache

        _KNOWLEDGE.clear()
        digest = cache.files_digest(base) if base.is_dir() else None
        _KNOWLEDGE[key] = cache.cached("knowledge", digest, lambda: load_knowledge(root))
    return _KNOWLEDGE[key]


def run(assessment: Assessment, k: Knowledge) -> Result:
    return infer(assessment, k)


def evaluate(path: Path, k: Knowledge) -> Result:
    return infer(load_assessment(path, k), k)


def draft(result: Result, k: Knowledge, fmt: str, lang: str) -> str | bytes:
    """Render the program of an inference result in one format and language."""
    from engine import program, render

    if lang not in ("ru", "en"):
        raise UsageError(f"--lang: {lang!r} is not supported; use ru or en")
    if fmt == "json":
        return render.to_json(program.result_json(result, k))
    view = program.build_program(result, k, lang)
    if fmt in ("md", "html"):
        return render.render(view, fmt)
    if fmt == "docx":
        from engine import docx

        return docx.render_docx(view)
    raise UsageError(f"--format: {fmt!r} is not supported; use md, html, docx or json")


def diagnosis(result: Result, k: Knowledge, lang: str) -> dict[str, Any]:
    """The diagnosis alone: level, index with coverage, model, ratio, strengths, weaknesses."""
    from engine.program import build_program

    view = build_program(result, k, lang)
    c = view["current"]
    m = result.measures.values
    return {
        "cluster": view["cluster"]["name"],
        "self_assessment": {
            "level": c["self_assessment"]["level"],
            "label": c["self_assessment"]["label"],
            "band": c["self_assessment"]["band"],
        },
        "index": {
            "value": m.get("index"),
            "band": m.get("index_band"),
            "band_label": c["index"]["band"],
            "coverage": m.get("coverage"),
            "of": c["index"]["of"],
        },
        "model": {
            "id": m.get("model"),
            "label": c["model"]["label"],
            "helices": {h: m.get(f"helix_{h}") for h in k.scoring.helix.helices},
        },
        "ratio": {
            "value": m.get("ratio"),
            "band": m.get("ratio_band"),
            "band_label": c["ratio"]["band"],
            "region_index": m.get("region_index"),
        },
        "strengths": [
            {"id": f["finding"], "label": f["text"]}
            for f in view["swot"]["strengths"]
            if f["origin"] == "engine"
        ],
        "weaknesses": [
            {"id": f["finding"], "label": f["text"]}
            for f in view["swot"]["weaknesses"]
            if f["origin"] == "engine"
        ],
        "readiness_gate": view["gate"]["closed"],
        "data_gaps": {
            "count": view["data_gaps"]["count"],
            "of": view["data_gaps"]["of"],
            "confidence": view["data_gaps"]["level"],
        },
    }
