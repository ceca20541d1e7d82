"""The firing record as views: the firings that produced a conclusion, each condition with its
value, down through findings and derived measures to the assessment's own indicators."""

from __future__ import annotations

from typing import Any

from engine.explain.labels import describe_check, text_pair
from engine.inference.trace import Firing, Result
from engine.knowledge.base import Text
from engine.knowledge.models import Knowledge
from engine.text.message import ByLang, Cat, Msg, cat


def justify(
    result: Result, kind: str, ident: str, knowledge: Knowledge, _seen: frozenset[str] = frozenset()
) -> list[dict[str, Any]]:
    """Every firing that declared (kind, ident), each with its conditions explained recursively."""
    key = f"{kind}:{ident}"
    if key in _seen:
        return []
    seen = _seen | {key}
    out = []
    for f in result.producers(kind, ident):
        out.append(_firing_view(f, result, knowledge, seen))
    return out


def _firing_view(f: Firing, result: Result, k: Knowledge, seen: frozenset[str]) -> dict[str, Any]:
    site = k.rule[f.rule]
    conds = []
    for c in f.conditions:
        view: dict[str, Any] = c.as_dict()
        if c.kind in ("finding", "recommendation") and not c.negated:
            view["because"] = justify(result, c.kind, c.subject, k, seen)
        elif c.kind == "indicator":
            view["at"] = result.assessment.where(c.subject)
        elif c.kind == "measure":
            d = result.measures.derivations.get(c.subject)
            if d:
                view["derivation"] = derivation_view(d.as_dict(), result, k)
        conds.append(view)
    return {
        "rule": f.rule,
        "where": f.where,
        "seq": f.seq,
        "branch": f.branch,
        "title": text_pair(site.rule.title),
        "sources": list(site.rule.sources),
        "proposal": site.rule.proposal,
        "conditions": conds,
        "declared": [d.as_dict() for d in f.declared],
    }


def formula_in(d: dict[str, Any]) -> ByLang:
    """The formula of a derivation record (Derivation.as_dict) in words, its expression where
    the knowledge words it in no language."""
    words = d.get("formula_text", {})
    return ByLang(ru=words.get("ru") or d["formula"], en=words.get("en") or d["formula"])


def derivation_view(d: dict[str, Any], result: Result, k: Knowledge) -> dict[str, Any]:
    """A measure's derivation, following measure inputs to their own derivations."""
    inputs = []
    for name, value in d["inputs"].items():
        item: dict[str, Any] = {"id": name, "value": value}
        if name in k.indicator:
            item["kind"] = "indicator"
            item["at"] = result.assessment.where(name)
        elif name in result.measures.derivations and name != d["id"]:
            item["kind"] = "measure"
            item["derivation"] = derivation_view(
                result.measures.derivations[name].as_dict(), result, k
            )
        inputs.append(item)
    return {**d, "inputs": inputs}


def short_reasons(
    result: Result, rec_id: str, k: Knowledge, limit: int = 3
) -> list[dict[str, Any]]:
    """One line per justification: rule title, then the decisive values, one level of findings."""
    lines = []
    for view in justify(result, "recommendation", rec_id, k)[:limit]:
        lines.append(line_view(view, k))
    return lines


def line_view(view: dict[str, Any], k: Knowledge) -> dict[str, Any]:
    """One justification as one line: the rule's title, then its conditions in words, each with
    the values one level down that made its finding."""
    parts = []
    for c in view["conditions"]:
        text = describe_check(c, k)
        because = c.get("because") or []
        if because:
            inner = [
                describe_check(cc, k)
                for cc in because[0]["conditions"]
                if cc["kind"] in ("indicator", "measure")
            ]
            if inner:
                text = cat([text, " ← ", cat(inner, "; ")])
        parts.append(text)
    title = Text.of(view["title"])
    if not parts:
        line = cat([title, " — ", Msg("w_always_applies")])
    else:
        line = cat([title, ": ", cat(parts, "; ")])
    return {"text": line, "rule": view["rule"], "where": view["where"]}


def running_where(rid: str, k: Knowledge) -> str:
    """`file:line` of a recommendation's `running:` condition."""
    located = k.located.get("recommendations.yaml")
    if located is None:
        return "recommendations.yaml"
    i = next(n for n, r in enumerate(k.recommendations.recommendations) if r.id == rid)
    return f"{located.file}:{located.pos(('recommendations', i, 'running'))[0]}"


def running_unknown(result: Result, rid: str) -> bool:
    """The measure is conditional because the assessment leaves blank whether it already runs."""
    check = result.running.get(rid)
    return check is not None and check.holds is None and check.status != check.before


def running_line(result: Result, rid: str, k: Knowledge) -> Cat | None:
    """'already runs: trade missions = 3 → continue', from the recorded check; None when the
    check changed nothing."""
    check = result.running.get(rid)
    if check is None or (check.holds is not True and check.status == check.before):
        return None
    key = "w_running_holds" if check.holds else "w_running_unknown"
    values = cat((describe_check(c, k) for c in check.decisive), "; ")
    return cat([Msg(key), ": ", values, " → ", Msg("w_running_then_" + check.status)])


def running_reasons(result: Result, rid: str, k: Knowledge) -> list[dict[str, Any]]:
    """The `running:` check as one more reason line (rule: `<id>.running`), when it set the status."""
    line = running_line(result, rid, k)
    if line is None:
        return []
    return [{"text": line, "rule": f"{rid}.running", "where": running_where(rid, k)}]
