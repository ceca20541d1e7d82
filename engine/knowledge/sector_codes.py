"""The sector codes of knowledge/sectors.yaml, read for the checks that name a sector (the partner
catalogue's `sectors:`). The file lists its sectors either as a mapping keyed by code or as a list
of items with an `id` (or `code`); a knowledge base without the file has no known codes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from engine.files.strict_yaml import load_yaml_file
from engine.knowledge.base import Text

SECTORS_FILE = "sectors.yaml"


def sector_codes(root: Path) -> frozenset[str] | None:
    """The sector codes the knowledge base defines, or None where it has no sectors.yaml."""
    path = root / SECTORS_FILE
    if not path.is_file():
        return None
    data: Any = load_yaml_file(path).data
    items = data.get("sectors") if isinstance(data, dict) else data
    if isinstance(items, dict):
        return frozenset(str(k) for k in items)
    codes = set()
    for item in items or []:
        if isinstance(item, dict):
            code = item.get("id", item.get("code"))
            if code:
                codes.add(str(code))
        elif isinstance(item, str):
            codes.add(item)
    return frozenset(codes)


def sector_labels(root: Path) -> dict[str, Text]:
    """The ru/en labels sectors.yaml gives its codes (an item's `label: {ru, en}`), if any."""
    path = root / SECTORS_FILE
    if not path.is_file():
        return {}
    data: Any = load_yaml_file(path).data
    items = data.get("sectors") if isinstance(data, dict) else data
    pairs = items.items() if isinstance(items, dict) else ((None, x) for x in items or [])
    out: dict[str, Text] = {}
    for key, item in pairs:
        if not isinstance(item, dict):
            continue
        code = key or item.get("id", item.get("code"))
        label = item.get("label")
        if code and isinstance(label, dict) and label.get("ru") and label.get("en"):
            out[str(code)] = Text(ru=str(label["ru"]), en=str(label["en"]))
    return out
