"""What-if: rerun the inference with changed indicators (`what-if`), and search the smallest change
of one input indicator that makes a recommendation fire (the second half of `why-not`).

Both rerun the real engine (one reused `Runner`); nothing here decides whether a rule fires.
The search only *proposes* candidate values, cheaply: it groups them by the truth values they give
to the conditions the target depends on (its "cone" of rules), so each distinct outcome is rerun
once, and keeps only the values whose rerun really produces the target.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from engine.assessment.formats import unknown_hint, unknown_suggestion
from engine.assessment.validate import check_value, with_changes
from engine.errors import InputError, Problem, kind_of
from engine.explain.justify import justify, line_view, running_line, running_where
from engine.explain.labels import SCORE_KEYS, describe_check, measure_label, subject_label
from engine.explain.why import head
from engine.explain.why_not import reason_lines, why_not_data
from engine.files.strict_yaml import load_yaml_text
from engine.inference.run import Runner
from engine.inference.trace import Result
from engine.knowledge.models import Knowledge
from engine.text.message import Msg, cat

if TYPE_CHECKING:  # a shape for the type checker only: a draft never imports the shapes
    from engine.explain.shapes import WhatIfData

SCHEMA_WHAT_IF = "cluster-intl/what-if/1"

# Shares (in %) tried for the raw inputs of a partial indicator before the boundaries are
# bisected; the exact thresholds come from the rules and the scoring settings, not from here.


# --- which indicators feed which measure (read from scoring.yaml) ---------------------------------


# --- the search -----------------------------------------------------------------------------------


# --- what-if --------------------------------------------------------------------------------------


def parse_sets(items: list[str], k: Knowledge) -> dict[str, Any]:
    """`ID=VALUE` pairs; VALUE is read as a YAML scalar or list (`4`, `true`, `[a, b]`, empty for
    blank). Every malformed item is reported, naming the --set."""

    problems: list[Problem] = []
    out: dict[str, Any] = {}
    for item in items:
        if "=" not in item:
            problems.append(
                Problem(
                    file="--set",
                    path=item,
                    message=("expected ID=VALUE, for example --set direction_export=4"),
                )
            )
            continue
        key, raw = (x.strip() for x in item.split("=", 1))
        if not key:
            problems.append(
                Problem(file="--set", path=item, message="the indicator id is missing before '='")
            )
            continue
        if key in out:
            problems.append(Problem(file="--set", path=key, message="given more than once"))
            continue
        try:
            value = load_yaml_text(raw, f"--set {key}").data
        except InputError as exc:
            problems.append(
                Problem(
                    file="--set",
                    path=key,
                    message=(f"cannot read the value {raw!r}: {exc.problems[0].message}"),
                    hint="quote text, write lists as [a, b]",
                )
            )
            continue
        if isinstance(value, dict):
            problems.append(
                Problem(
                    file="--set",
                    path=key,
                    message=(f"{raw!r} is a mapping; give one value or a list [a, b]"),
                    hint="quote a value that contains ': '",
                )
            )
            continue
        if key not in k.indicator:
            problems.append(
                Problem(
                    file="--set",
                    path=key,
                    message=f"unknown indicator {key!r}",
                    hint=unknown_hint(key, k, list(k.indicator)),
                    code="unknown-indicator",
                    params=(
                        ("id", key),
                        ("suggestion", unknown_suggestion(key, k, list(k.indicator))),
                    ),
                )
            )
            continue
        if value is not None:
            _, err = check_value(k.indicator[key], value, k)
            if err:
                problems.append(Problem(file="--set", path=key, message=err, **kind_of(err)))
                continue
        out[key] = value
    if problems:
        raise InputError(problems)
    return out


def _short(result: Result, kind: str, ident: str, k: Knowledge) -> list[dict]:
    return [line_view(v, k) for v in justify(result, kind, ident, k)[:3]]


def _status_reasons(old: Result, new: Result, rid: str, k: Knowledge) -> list[dict[str, Any]]:
    """Why a measure made in both runs changed its status: the `running:` check of the new run
    (shown to run, or blank), else what it read when it no longer shows the measure runs, then
    the rules that made it."""
    lines: list[dict[str, Any]] = []
    line = running_line(new, rid, k)
    check = new.running.get(rid)
    if line is None and check is not None and rid in old.running:
        was = old.running[rid]
        if was.status != check.status and was.holds is not check.holds:
            values = cat((describe_check(c, k) for c in check.conditions), "; ")
            key = "w_running_unknown" if check.holds is None else "w_running_not"
            line = cat([Msg(key), ": ", values])
    if line is not None:
        lines.append({"text": line, "rule": f"{rid}.running", "where": running_where(rid, k)})
    return lines + _short(new, "recommendation", rid, k)


def _status_moves(old: Result, new: Result, k: Knowledge) -> list[dict[str, Any]]:
    """The measures made before and after whose status moved (new, continue, conditional)."""
    return [
        {
            "id": rid,
            "label": subject_label("recommendation", rid, k),
            "from": old.status[rid],
            "to": new.status[rid],
            "reasons": _status_reasons(old, new, rid, k),
        }
        for rid in new.recommendations
        if rid in old.status and old.status[rid] != new.status.get(rid, old.status[rid])
    ]


def _postponements(old: Result, new: Result, k: Knowledge) -> dict[str, list[dict[str, Any]]]:
    """Postponements added (with the rule that postpones now) and lifted (with the rule that
    postponed before and no longer fires)."""

    def view(res: Result, rid: str) -> dict[str, Any]:
        return {
            "id": rid,
            "label": subject_label("recommendation", rid, k),
            "reasons": _short(res, "postponed", rid, k),
        }

    return {
        "added": [view(new, p) for p in new.postponed if p not in old.postponed],
        "removed": [view(old, p) for p in old.postponed if p not in new.postponed],
    }


def what_if_data(
    result: Result, changes: dict[str, Any], k: Knowledge, runner: Runner
) -> WhatIfData:
    """Rerun with `changes` and compare: recommendations and findings added and removed, status
    changes (new, continue, conditional) and postponements, each with its reasons, and the
    scores that moved."""
    a2 = with_changes(result.assessment, changes, k)
    new = runner.run(a2)
    data = head(SCHEMA_WHAT_IF, result)
    data["changes"] = [
        {
            "indicator": i,
            "label": subject_label("indicator", i, k),
            "from": result.assessment.get(i),
            "to": a2.get(i),
            "at": result.assessment.where(i),
        }
        for i in changes
    ]

    def removed(kind: str, ident: str) -> dict[str, Any]:
        d = why_not_data(new, ident, k, search=False)
        return {
            "id": ident,
            "label": subject_label(kind, ident, k),
            "reasons": reason_lines(d["rules"], d["postponed_by"], d),
        }

    def added(kind: str, ident: str) -> dict[str, Any]:
        return {
            "id": ident,
            "label": subject_label(kind, ident, k),
            "reasons": _short(new, kind, ident, k),
        }

    data["recommendations"] = {
        "added": [
            added("recommendation", r)
            for r in new.recommendations
            if r not in result.recommendations
        ],
        "removed": [
            removed("recommendation", r)
            for r in result.recommendations
            if r not in new.recommendations
        ],
    }
    data["findings"] = {
        "added": [added("finding", f) for f in new.findings if f not in result.findings],
        "removed": [removed("finding", f) for f in result.findings if f not in new.findings],
    }
    data["postponed"] = {
        "added": [p for p in new.postponed if p not in result.postponed],
        "removed": [p for p in result.postponed if p not in new.postponed],
    }
    data["status"] = _status_moves(result, new, k)
    data["postponements"] = _postponements(result, new, k)
    data["scores"] = [
        {
            "id": key,
            "label": measure_label(key, k),
            "from": result.measures.get(key),
            "to": new.measures.get(key),
        }
        for key in SCORE_KEYS + ("coverage",)
        if result.measures.get(key) != new.measures.get(key)
    ]
    data["changed"] = bool(
        data["recommendations"]["added"]
        or data["recommendations"]["removed"]
        or data["findings"]["added"]
        or data["findings"]["removed"]
        or data["postponed"]["added"]
        or data["postponed"]["removed"]
        or data["status"]
        or data["scores"]
    )
    return cast("WhatIfData", data)  # the documented shape; tests validate it
