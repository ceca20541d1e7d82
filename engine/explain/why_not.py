"""`why-not`: every rule that could make a recommendation, each condition met or not, the
findings never derived, the blocking rules, and the smallest changes that would make it."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, cast

from engine.explain.justify import justify
from engine.explain.kind import not_applicable_view
from engine.explain.labels import subject_label
from engine.explain.search import minimal_changes
from engine.explain.why import Builder, head, resolve_id, subject_view
from engine.explain.wording import variant_title
from engine.inference.run import Runner
from engine.inference.trace import Result
from engine.knowledge.graph import producers_of
from engine.knowledge.models import Knowledge
from engine.text.message import Msg, cat

if TYPE_CHECKING:  # a shape for the type checker only: a draft never imports the shapes
    from engine.explain.shapes import WhyNotData

SCHEMA_WHY_NOT = "cluster-intl/why-not/1"
NOTE_INDICATOR = "restrictions_note"  # the experts' reason for restricted_directions


def why_not_data(
    result: Result,
    ident: str,
    k: Knowledge,
    *,
    search: bool = True,
    runner: Runner | None = None,
) -> WhyNotData:
    """Why a recommendation (or finding) was not made: every rule that could produce it, each
    branch and condition re-read against the final facts, then the smallest single changes."""
    kind = resolve_id(ident, result, k, ("recommendation", "finding"), "why-not")
    data = head(SCHEMA_WHY_NOT, result)
    data["subject"] = subject_view(kind, ident, result, k)
    made = ident in (result.recommendations if kind == "recommendation" else result.findings)
    data["made"] = made
    data["not_applicable"] = not_applicable_view(result, ident, k) if not made else None
    b = Builder(result, k)
    if made:
        data.update(
            {
                "rules": [],
                "postponed_by": [],
                "restricted_by": [],
                "restriction_note": None,
                "changes": [],
                "no_change": None,
                "search": None,
                "sources": [],
            }
        )
        return cast("WhyNotData", data)  # the documented shape; tests validate it
    key = f"{kind}:{ident}"
    data["rules"] = [b.analyse(site, frozenset({key})) for site in producers_of(kind, ident, k)]
    data["postponed_by"] = (
        [b.node(v) for v in justify(result, "postponed", ident, k)]
        if kind == "recommendation"
        else []
    )
    restricted = result.restricted.get(ident, []) if kind == "recommendation" else []
    data["restricted_by"] = [
        b.node(v) for fid in restricted for v in justify(result, "finding", fid, k)
    ]
    note = result.assessment.get(NOTE_INDICATOR) if restricted else None
    data["restriction_note"] = str(note) if note else None
    data["changes"], data["no_change"], data["search"] = [], None, None
    if search and data["not_applicable"] is None:  # no input change makes it fit the trade
        if runner is None:
            raise ValueError("the search reruns the rules: give the session's runner")
        found = minimal_changes(result, kind, ident, k, runner)
        data["changes"] = [_change_view(c, result, k) for c in found["changes"]]
        data["search"] = found["stats"]
        if not found["changes"]:
            data["no_change"] = _no_change(data, found["stats"])
    data["sources"] = b.sources()
    return cast("WhyNotData", data)  # the documented shape; tests validate it


def _change_view(c: dict[str, Any], result: Result, k: Knowledge) -> dict[str, Any]:
    iid = c["indicator"]
    return {
        "indicator": iid,
        "label": subject_label("indicator", iid, k),
        "from": c["from"],
        "to": c["to"],
        "at": result.assessment.where(iid),
        "distance": c["distance"],
        "rules": c["rules"],
        "also_added": c["also_added"],
        "also_removed": c["also_removed"],
    }


def _no_change(data: dict[str, Any], stats: dict[str, Any]) -> dict[str, Any]:
    """Why no single change exists: no rule at all, the search limit, or every rule needs more."""
    if data.get("restricted_by"):  # the experts' list, not the cluster's values, leaves it out
        return {"reason": "restricted"}
    if not data["rules"]:
        return {"reason": "no_rule"}
    if stats.get("truncated"):
        return {"reason": "limit", "runs": stats["runs"]}
    rule, branch = closest_branch(data["rules"])
    unmet = [c for c in (branch or {}).get("conditions", []) if not c["holds"]]
    if unmet and all(c.get("blocked_by") for c in unmet):
        c = unmet[0]
        return {
            "reason": "blocked",
            "rule": rule["rule"],
            "finding": c["subject"],
            "label": c["label"],
            "by": [n["rule"] for n in c["blocked_by"]],
            "rules": ", ".join(n["rule"] for n in c["blocked_by"]),
        }
    return {"reason": "needs_several", "rule": rule["rule"], "unsatisfied": len(unmet)}


def closest_branch(
    rules: Sequence[Mapping[str, Any]],
) -> tuple[Mapping[str, Any], Mapping[str, Any] | None]:
    """The rule branch with the fewest unsatisfied conditions (first in knowledge order on ties)."""
    best: tuple[int, Mapping[str, Any], Mapping[str, Any] | None] | None = None
    for r in rules:
        for br in r["branches"]:
            if best is None or br["unsatisfied"] < best[0]:
                best = (br["unsatisfied"], r, br)
    assert best is not None
    return best[1], best[2]


def failing_conditions(data: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Every unsatisfied condition or blocking rule named anywhere in a why-not answer."""
    out: list[dict[str, Any]] = []

    def walk(rules: list[dict[str, Any]]) -> None:
        for r in rules:
            for br in r["branches"]:
                for c in br["conditions"]:
                    if not c["holds"]:
                        out.append(c)
                    walk(c.get("because_not") or [])

    walk(data.get("rules") or [])
    return out


def reason_line(
    rules: Sequence[Mapping[str, Any]],
    postponed_by: Sequence[Mapping[str, Any]],
    depth: int = 0,
) -> dict[str, Any]:
    """The closest rule's failing conditions in one line, findings followed one level down."""
    prefix: list[Any] = []
    if postponed_by:
        prefix = [Msg("x_postponed_by", rule=postponed_by[0]["rule"]), "; "]
    if not rules:
        return {"text": cat([*prefix, Msg("x_no_rule")]), "rule": None, "where": None}
    rule, branch = closest_branch(rules)
    line = _rule_line(rule, branch, depth)
    return {**line, "text": cat([*prefix, line["text"]])}


def restricted_line(d: Mapping[str, Any]) -> dict[str, Any] | None:
    """The line saying which experts' restriction left a made measure out, quoting their note;
    None when no restriction did."""
    if not d.get("restricted_by"):
        return None
    n = d["restricted_by"][0]
    note = d.get("restriction_note")
    tail = [" — ", Msg("x_restriction_note", note=note)] if note else []
    return {
        "text": cat([Msg("x_restricted_by", rule=n["rule"]), ": ", n["title"], *tail]),
        "rule": n["rule"],
        "where": n["where"],
    }


def reason_lines(
    rules: Sequence[Mapping[str, Any]],
    postponed_by: Sequence[Mapping[str, Any]],
    restricted: Mapping[str, Any] | None = None,
) -> list[dict[str, Any]]:
    """One line per rule that could have produced it (each with its closest branch); a measure
    the experts' restriction left out says that alone (`restricted`: the why-not data)."""
    if restricted is not None and (line := restricted_line(restricted)) is not None:
        return [line]
    if not rules:
        return [reason_line(rules, postponed_by)]
    lines = [_rule_line(r, closest_branch([r])[1], 0) for r in rules]
    if postponed_by:
        p = postponed_by[0]
        lines.insert(
            0,
            {
                "text": cat([Msg("x_postponed_by", rule=p["rule"]), ": ", p["title"]]),
                "rule": p["rule"],
                "where": p["where"],
            },
        )
    return lines


def _rule_line(
    rule: Mapping[str, Any], branch: Mapping[str, Any] | None, depth: int
) -> dict[str, Any]:
    parts = [
        _failing_text(c, depth) for c in (branch or {}).get("conditions", []) if not c["holds"]
    ]
    return {
        "text": cat([rule["title"], ": ", cat(parts, "; ")]),
        "rule": rule["rule"],
        "where": rule["where"],
    }


def _failing_text(c: dict[str, Any], depth: int) -> Any:
    if c["kind"] in ("finding", "recommendation"):
        if c["negated"]:
            by = ", ".join(n["rule"] for n in c.get("blocked_by") or [])
            return Msg("x_blocked", label=c["label"], rules=by)
        text = cat([c["label"], " — ", Msg("x_not_derived")])
        inner = c.get("because_not") or []
        if inner and depth < 2:
            _, br = closest_branch(inner)
            leaves = [
                _failing_text(x, depth + 1)
                for x in (br or {}).get("conditions", [])
                if not x["holds"]
            ]
            if leaves:
                text = cat([text, " ← ", cat(leaves, "; ")])
        return text
    return c["text"]


def not_made(result: Result, k: Knowledge) -> list[dict[str, Any]]:
    """Every recommendation of the knowledge base not made, with a one-line reason (no search)."""
    out = []
    for rec in k.recommendations.recommendations:
        if rec.id in result.recommendations:
            continue
        d = why_not_data(result, rec.id, k, search=False)
        line = restricted_line(d) or reason_line(d["rules"], d["postponed_by"])
        na = d["not_applicable"]
        if na is not None:
            needs = cat(na["failing"], "; ")
            line = {**line, "text": Msg("x_not_applicable_line", needs=needs), "where": na["where"]}
        out.append(
            {
                "id": rec.id,
                "title": variant_title(result, rec.id, k),
                "reason": line["text"],
                "rule": line["rule"],
                "where": line["where"],
                "postponed": rec.id in result.postponed,
            }
        )
    return out


def not_made_json(result: Result, k: Knowledge) -> list[dict[str, Any]]:
    """The language-free form of `not_made` for the machine-readable result."""
    out = []
    for rec in k.recommendations.recommendations:
        if rec.id in result.recommendations:
            continue
        d = why_not_data(result, rec.id, k, search=False)
        entry: dict[str, Any] = {
            "id": rec.id,
            "postponed": rec.id in result.postponed,
            "restricted_by": result.restricted.get(rec.id, []),
            "rule": None,
            "failing": [],
            "not_applicable": d["not_applicable"]["checks"] if d["not_applicable"] else None,
        }
        if d["rules"] and not entry["restricted_by"]:
            rule, br = closest_branch(d["rules"])
            entry["rule"] = rule["rule"]
            entry["failing"] = [
                {
                    "kind": c["kind"],
                    "subject": c["subject"],
                    "op": c["op"],
                    "value": c["value"],
                    "actual": c["actual"],
                    "negated": c["negated"],
                    **(
                        {"blocked_by": [n["rule"] for n in c["blocked_by"]]}
                        if c.get("blocked_by")
                        else {}
                    ),
                }
                for c in (br or {}).get("conditions", [])
                if not c["holds"]
            ]
        out.append(entry)
    return out
