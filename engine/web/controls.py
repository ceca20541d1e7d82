"""The what-if panel: a control per indicator that fits its scale, and the form read back as the
CLI's `--set ID=VALUE` items (only the indicators whose value differs from the assessment's)."""

from __future__ import annotations

import json
from typing import Any

from starlette.datastructures import FormData

FIELD = "v."  # form field of an indicator's value
LIST_MARK = "l."  # present when a list's checkboxes were on the form (none checked is a value)
MAX_CHOICES = 20


def controls(indicators: list[dict[str, Any]], values: dict[str, Any]) -> list[dict[str, Any]]:
    """Indicators grouped as in the knowledge base, each with its control and current value."""
    groups: dict[str, dict[str, Any]] = {}
    for ind in indicators:
        g = groups.setdefault(
            ind["group"], {"id": ind["group"], "label": ind["group_label"], "items": []}
        )
        g["items"].append({**ind, "control": kind(ind), "value": values.get(ind["id"])})
    return list(groups.values())


def kind(ind: dict[str, Any]) -> str:
    """The control an indicator gets in the what-if panel: bool, enum, checks (a list with
    choices), tags, text, choice (a small integer scale) or number."""
    t, lo, hi = ind["type"], ind["min"], ind["max"]
    if t == "bool":
        return "bool"
    if t == "enum":
        return "enum"
    if t == "list":
        return "checks" if ind["choices"] else "tags"
    if t == "str":
        return "text"
    if (
        t in ("int", "score")
        and lo is not None
        and hi is not None
        and float(lo).is_integer()
        and float(hi).is_integer()
        and hi - lo <= MAX_CHOICES
    ):
        return "choice"
    return "number"


def options(ind: dict[str, Any]) -> list[dict[str, Any]]:
    """The numbers of a small integer scale, each with its anchor text where the scale has one."""
    return [
        {"value": n, "label": ind["anchors"].get(n, "")}
        for n in range(int(ind["min"]), int(ind["max"]) + 1)
    ]


def _number(raw: str) -> Any:
    text = raw.strip().replace(",", ".").replace(" ", "")
    try:
        return int(text)
    except ValueError:
        pass
    try:
        return float(text)
    except ValueError:
        return raw  # not a number: the engine says so, located like a --set


def read(form: FormData, ind: dict[str, Any], control: str) -> tuple[bool, Any]:
    """(present on the form, value); a blank control is None ("no information")."""
    iid = ind["id"]
    if control == "checks":
        if LIST_MARK + iid not in form:
            return False, None
        return True, [str(v) for v in form.getlist(FIELD + iid)]
    if FIELD + iid not in form:
        return False, None
    raw = str(form[FIELD + iid])
    if raw.strip() == "":
        return True, None
    if control == "bool":
        return True, {"true": True, "false": False}.get(raw, raw)
    if control == "tags":
        # one item a line: items may hold commas ("GAZ Group, SIBUR ...")
        return True, [part.strip() for part in raw.splitlines() if part.strip()]
    if control in ("choice", "number"):
        return True, _number(raw)
    return True, raw


def same(a: Any, b: Any) -> bool:
    """Whether a form value equals the assessment's (numbers by value, lists as sets of strings),
    so an untouched control is no change."""
    if isinstance(a, bool) or isinstance(b, bool):
        return a is b
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return float(a) == float(b)
    if isinstance(a, (list, tuple)) or isinstance(b, (list, tuple)):
        return sorted(map(str, a or [])) == sorted(map(str, b or []))
    return bool(a == b)


def form_sets(
    form: FormData, indicators: list[dict[str, Any]], values: dict[str, Any]
) -> list[str]:
    """The changed indicators as `ID=VALUE` (VALUE as YAML, which JSON values are)."""
    out = []
    for ind in indicators:
        control = kind(ind)
        present, value = read(form, ind, control)
        if not present:
            continue
        base = values.get(ind["id"])
        if control == "checks" and base is None and value == []:
            continue  # nothing ticked on a blank list: still blank
        if same(base, value):
            continue
        out.append(encode(ind["id"], value))
    return out


def encode(iid: str, value: Any) -> str:
    """A change as `ID=VALUE`, the value as JSON (which YAML reads); blank when None."""
    if value is None:
        return f"{iid}="
    return f"{iid}={json.dumps(value, ensure_ascii=False)}"
