"""The diagnosis alone (`assess`, the web workspace and `/api/assess`): the self-assessed level,
the index with its coverage, the model, the ratio, the strengths and weaknesses the engine found,
the readiness gate and the data gaps, read from the program view; in no language until
`localize` (the terminal and JSON show it without typography).
"""

from __future__ import annotations

from typing import Any

from engine.inference.trace import Result
from engine.knowledge.models import Knowledge
from engine.program.model import ProgramView, SwotItem, build_program


def _found(items: list[SwotItem]) -> list[dict[str, Any]]:
    """The SWOT items the engine found (not those the assessment lists), by finding id."""
    return [{"id": x.finding, "label": x.text} for x in items if x.origin == "engine"]


def diagnosis_record(
    result: Result, k: Knowledge, program: ProgramView | None = None
) -> dict[str, Any]:
    """The diagnosis before words: raw measures beside the labels and bands of the program view
    (`program`: the result's program record when already built; only read here)."""
    record = program if program is not None else build_program(result, k)
    c = record["current"]
    m = result.measures.values
    gaps = record["data_gaps"]
    return {
        "cluster": record["cluster"]["name"],
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
        "strengths": _found(record["swot"]["strengths"]),
        "weaknesses": _found(record["swot"]["weaknesses"]),
        "readiness_gate": record["gate"]["closed"],
        "data_gaps": {"count": gaps["count"], "of": gaps["of"], "confidence": gaps["level"]},
    }
