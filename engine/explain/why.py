"""Explanations read from the firing record (never recomputed by a second code path).

`justify` follows a recommendation or finding back through the firings that declared it, down to
the assessment's own indicators (with their position in the assessment file) and the derived
measures (with their derivation). The answers hold language-neutral texts (engine/text/message.py);
engine/render/explain_text.py puts them into words for one language and one reader.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from engine.errors import UsageError, suggest
from engine.explain.justify import (
    derivation_view,
    formula_in,
    justify,
    running_line,
    running_where,
)
from engine.explain.labels import (
    NUMERIC_OPS,
    describe_check,
    measure_label,
    source_views,
    subject_label,
    value_text,
)
from engine.explain.wording import measure_wording, variant_title
from engine.inference.trace import Result
from engine.knowledge.base import Text
from engine.knowledge.conditions import branches, holds
from engine.knowledge.graph import producers_of
from engine.knowledge.measure_ids import measure_catalogue
from engine.knowledge.models import Knowledge, Not_

if TYPE_CHECKING:  # a shape for the type checker only: a draft never imports the shapes
    from engine.explain.shapes import WhyData

# --- text -------------------------------------------------------------------------------------


# =============================================================================================
# Explanations for policy staff: `why`, `why-not`, the not-made list of the document.
#
# Each answer is built once: `why_data` / `why_not_data` return a dict of the documented shape of
# docs/explanations.md whose texts are not yet in a language; `explanation_words` (engine/render)
# puts it into words and `render_why` / `render_why_not` turn that into text. Nothing in the text
# is computed anew.
# =============================================================================================

SCHEMA_WHY = "cluster-intl/why/1"


def id_kinds(result: Result, k: Knowledge) -> dict[str, str]:
    """Every id an explanation command accepts, with its kind (first kind wins on a clash)."""

    kinds: dict[str, str] = {}
    for rid in k.recommendation:
        kinds.setdefault(rid, "recommendation")
    for fid in k.finding:
        kinds.setdefault(fid, "finding")
    for mid in list(measure_catalogue(k)) + sorted(result.measures.values):
        kinds.setdefault(mid, "measure")
    for iid in k.indicator:
        kinds.setdefault(iid, "indicator")
    return kinds


def id_kind(ident: str, result: Result, k: Knowledge) -> str | None:
    """The kind `id_kinds` gives `ident`, looked up without building the whole table (the
    document's annex asks once for every recommendation not made)."""
    if ident in k.recommendation:
        return "recommendation"
    if ident in k.finding:
        return "finding"
    if ident in result.measures.values or ident in measure_catalogue(k):
        return "measure"
    if ident in k.indicator:
        return "indicator"
    return None


def resolve_id(
    ident: str, result: Result, k: Knowledge, allowed: tuple[str, ...], command: str
) -> str:
    """The kind of `ident`; an unknown or unsupported id is a usage error with a suggestion."""

    kind = id_kind(ident, result, k)
    if kind is None:
        kinds = id_kinds(result, k)
        hint = suggest(ident, [i for i, kd in kinds.items() if kd in allowed])
        what = " or ".join(", ".join(allowed).rsplit(", ", 1))
        raise UsageError(
            f"{command}: unknown id {ident!r}: not a {what} of the knowledge base"
            + (f" ({hint})" if hint else "")
        )
    if kind not in allowed:
        raise UsageError(
            f"{command}: {ident!r} is a {kind}; {command} explains "
            + " or ".join(", ".join(allowed).rsplit(", ", 1))
            + " ids"
            + (" (use `why` for it)" if command == "why-not" else "")
        )
    return kind


def benchmark_for(
    kind: str, subject: str, op: str | None, value: Any, k: Knowledge
) -> dict[str, Any] | None:
    """The survey benchmark a condition's threshold comes from, found by matching the rule's
    threshold against scoring.benchmarks of that indicator (or a bench_gap_ / bench_status_
    measure, which is computed from the benchmark)."""
    indicator = subject
    if kind == "measure" and subject.startswith(("bench_gap_", "bench_status_")):
        indicator = subject.split("_", 2)[2]
    elif kind != "indicator" or op not in NUMERIC_OPS:
        return None
    b = k.scoring.benchmarks.get(indicator)
    if b is None:
        return None
    if kind == "indicator":
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return None
        if abs(float(value) - b.value) > 1e-9:
            return None
    located = k.located.get("scoring.yaml")
    setting = (
        f"{located.file}:{located.pos(('benchmarks', indicator))[0]}" if located else "scoring.yaml"
    )
    return {
        "indicator": indicator,
        "label": subject_label("indicator", indicator, k),
        "value": b.value,
        "kind": b.kind,
        "sources": list(b.sources),
        "proposal": b.proposal,
        "note": b.note or None,
        "setting": setting,
    }


def _source_views(ids: list[str], k: Knowledge) -> list[dict[str, Any]]:
    return source_views(ids, k, empty=None)


class Builder:
    """Turns firing-record views into the documented explanation shape, collecting the sources
    cited and the input indicators reached on the way."""

    def __init__(self, result: Result, k: Knowledge) -> None:
        self.result, self.k = result, k
        self.source_ids: list[str] = []
        self.leaves: dict[str, dict[str, Any]] = {}

    def cite(self, ids: list[str]) -> None:
        """Record sources the answer cites, each once, in the order first met."""
        for sid in ids:
            if sid not in self.source_ids:
                self.source_ids.append(sid)

    def leaf(self, iid: str, value: Any) -> str:
        """Record an input indicator the chain reached (first value kept) and return where the
        assessment gives it."""
        at = self.result.assessment.where(iid)
        self.leaves.setdefault(
            iid,
            {
                "id": iid,
                "label": subject_label("indicator", iid, self.k),
                "value": value,
                "at": at,
            },
        )
        return at

    def sources(self) -> list[dict[str, Any]]:
        """The sources cited on the way, as the answer lists them."""
        return _source_views(self.source_ids, self.k)

    def indicators(self) -> list[dict[str, Any]]:
        """The input indicators reached on the way, with their values and places in the
        assessment."""
        return list(self.leaves.values())

    def running_value(self, c: dict[str, Any]) -> dict[str, Any]:
        """One value a `running:` condition read, in the answer's shape, its indicator recorded
        as a leaf."""
        out = {
            "kind": c["kind"],
            "subject": c["subject"],
            "label": subject_label(c["kind"], c["subject"], self.k),
            "actual": c["actual"],
            "holds": c["holds"],
            "text": describe_check(c, self.k),
        }
        if c["kind"] == "indicator":
            out["at"] = self.leaf(c["subject"], c["actual"])
        return out

    # --- why: read from the firing record (justify) -------------------------------------------
    def node(self, view: dict[str, Any]) -> dict[str, Any]:
        """One firing of the chain in the answer's shape: rule, place, branch, title, sources and
        its conditions, followed down to what made them."""
        site = self.k.rule[view["rule"]]
        self.cite(view["sources"])
        return {
            "rule": view["rule"],
            "where": view["where"],
            "seq": view["seq"],
            "branch": view["branch"],
            "title": Text.of(view["title"]),
            "sources": list(view["sources"]),
            "proposal": view["proposal"],
            "note": site.rule.note or None,
            "always": not site.rule.when,
            "conditions": [self.cond(c) for c in view["conditions"]],
            "declared": view["declared"],
        }

    def cond(self, c: dict[str, Any]) -> dict[str, Any]:
        """One condition of a firing in the answer's shape: its words, value and benchmark, and
        the firings behind a finding or recommendation it required."""
        out: dict[str, Any] = {
            "kind": c["kind"],
            "subject": c["subject"],
            "label": subject_label(c["kind"], c["subject"], self.k),
            "op": c["op"],
            "value": c["value"],
            "actual": c["actual"],
            "negated": c["negated"],
            "holds": c["holds"],
            "text": describe_check(c, self.k),
        }
        if c["kind"] == "indicator":
            out["at"] = self.leaf(c["subject"], c["actual"])
        elif c["kind"] == "measure" and c.get("derivation"):
            out["derivation"] = self.derivation(c["derivation"])
        bench = benchmark_for(c["kind"], c["subject"], c["op"], c["value"], self.k)
        if bench:
            out["benchmark"] = bench
            self.cite(bench["sources"])
        if c["kind"] in ("finding", "recommendation") and not c["negated"]:
            out["because"] = [self.node(v) for v in c.get("because") or []]
        return out

    def derivation(self, d: dict[str, Any]) -> dict[str, Any]:
        """A measure's derivation in the answer's shape: formula, setting, bands, benchmark and
        its inputs, each followed down."""
        inputs = []
        for i in d["inputs"]:
            item: dict[str, Any] = {
                "id": i["id"],
                "kind": i.get("kind", "value"),
                "value": i["value"],
            }
            if item["kind"] == "indicator":
                item["label"] = subject_label("indicator", i["id"], self.k)
                item["at"] = self.leaf(i["id"], i["value"])
            elif item["kind"] == "measure":
                item["label"] = measure_label(i["id"], self.k)
                item["derivation"] = self.derivation(i["derivation"])
            else:
                item["label"] = i["id"]
            inputs.append(item)
        out = {
            "id": d["id"],
            "label": measure_label(d["id"], self.k),
            "value": d["value"],
            "value_text": value_text("measure", d["id"], d["value"], self.k),
            "formula": formula_in(d),
            "setting": d["setting"],
            "inputs": inputs,
        }
        bands = _bands(d["id"], self.k)
        if bands:
            out["bands"] = bands
        bench = benchmark_for("measure", d["id"], None, None, self.k)
        if bench:
            out["benchmark"] = bench
            self.cite(bench["sources"])
        return out

    # --- why-not: each condition of each rule re-read against the final facts -------------------
    def analyse(self, site: Any, seen: frozenset[str]) -> dict[str, Any]:
        """Why-not of one rule: each branch of its `when`, with every condition re-read against
        the final facts and the unsatisfied ones counted."""
        rule = site.rule
        self.cite(list(rule.sources))
        brs = []
        for b, branch in enumerate(branches(rule.when)):
            conds = [self.evaluate(c, seen) for c in branch]
            brs.append(
                {
                    "branch": b,
                    "satisfied": all(c["holds"] for c in conds),
                    "unsatisfied": sum(1 for c in conds if not c["holds"]),
                    "conditions": conds,
                }
            )
        return {
            "rule": rule.id,
            "where": site.where,
            "title": rule.title,
            "sources": list(rule.sources),
            "proposal": rule.proposal,
            "note": rule.note or None,
            "always": not rule.when,
            "fired": any(f.rule == rule.id for f in self.result.firings),
            "branches": brs,
        }

    def evaluate(self, cond: Any, seen: frozenset[str]) -> dict[str, Any]:
        """One condition re-read against the final facts: whether it holds, and for a finding or
        recommendation what blocked, made or would make it (`seen` stops a cycle)."""
        r = self.result
        negated = isinstance(cond, Not_)
        a = cond.not_ if negated else cond
        kind, subject = a.subject_kind, a.subject
        out: dict[str, Any] = {
            "kind": kind,
            "subject": subject,
            "label": subject_label(kind, subject, self.k),
            "op": a.op,
            "value": a.value,
            "negated": negated,
        }
        if kind in ("finding", "recommendation"):
            present = subject in (r.findings if kind == "finding" else r.recommendations)
            out["actual"] = present
            out["holds"] = (not present) if negated else present
            out["text"] = describe_check({**out, "actual": None}, self.k)
            if negated and present:
                out["blocked_by"] = [self.node(v) for v in justify(r, kind, subject, self.k)]
            elif present:
                out["derived_by"] = [
                    {"rule": f.rule, "where": f.where} for f in r.producers(kind, subject)
                ]
            elif not negated:
                key = f"{kind}:{subject}"
                out["because_not"] = (
                    []
                    if key in seen
                    else [
                        self.analyse(s, seen | {key}) for s in producers_of(kind, subject, self.k)
                    ]
                )
            return out
        actual = r.assessment.get(subject) if kind == "indicator" else r.measures.get(subject)
        if isinstance(actual, tuple):
            actual = list(actual)
        out["actual"] = actual
        out["holds"] = holds(a, actual)
        out["text"] = describe_check(out, self.k)
        if kind == "indicator":
            out["at"] = r.assessment.where(subject)
        else:
            d = r.measures.derivations.get(subject)
            if d is not None:
                out["derivation"] = self.derivation(derivation_view(d.as_dict(), r, self.k))
        bench = benchmark_for(kind, subject, a.op, a.value, self.k)
        if bench:
            out["benchmark"] = bench
            self.cite(bench["sources"])
        return out


def _bands(mid: str, k: Knowledge) -> list[dict[str, Any]]:
    s = k.scoring
    limits = s.index.bands if mid == "index_band" else s.ratio.bands if mid == "ratio_band" else []
    return [{"id": b.id, "below": b.below, "label": b.label} for b in limits]


def subject_view(kind: str, ident: str, result: Result, k: Knowledge) -> dict[str, Any]:
    """What the answer is about: kind, id, label and its status in this result (made, postponed,
    derived, computed, input, blank...)."""
    if kind == "recommendation":
        status = (
            "made"
            if ident in result.recommendations
            else "restricted"
            if ident in result.restricted
            else "postponed"
            if ident in result.postponed
            else "not_made"
        )
    elif kind == "finding":
        status = "derived" if ident in result.findings else "not_derived"
    elif kind == "measure":
        status = "computed" if result.measures.get(ident) is not None else "blank"
    else:
        status = "input" if result.assessment.get(ident) is not None else "blank"
    return {
        "kind": kind,
        "id": ident,
        "label": variant_title(result, ident, k)
        if kind == "recommendation" and ident in k.recommendation
        else subject_label(kind, ident, k),
        "status": status,
    }


def head(schema: str, result: Result) -> dict[str, Any]:
    """The first keys of an answer; `lang` is set when the answer is put into words."""
    return {
        "schema": schema,
        "lang": None,
        "assessment": result.assessment.source,
        "cluster": result.assessment.name,
    }


def why_data(result: Result, ident: str, k: Knowledge) -> WhyData:
    """How `ident` (recommendation, finding, measure or indicator) came about, from the record."""
    kind = resolve_id(
        ident, result, k, ("recommendation", "finding", "measure", "indicator"), "why"
    )
    b = Builder(result, k)
    data = head(SCHEMA_WHY, result)
    data["subject"] = subject_view(kind, ident, result, k)
    data["made"] = data["subject"]["status"] in ("made", "derived", "computed", "input")
    if kind == "recommendation":
        rec = k.recommendation[ident]
        if data["made"]:
            b.cite(list(rec.sources))
        words = measure_wording(result, ident, k)
        data["recommendation"] = {
            "title": variant_title(result, ident, k),
            "rationale": words["rationale"],
            "priority": result.priority.get(ident),
            "priority_label": (
                k.recommendations.priorities[result.priority[ident]]
                if ident in result.priority
                and result.priority[ident] in k.recommendations.priorities
                else None
            ),
            "actor": rec.actor,
            "direction": rec.direction,
            "proposal": rec.proposal,
            "postponed": ident in result.postponed,
            "sources": list(rec.sources),
        }
        if ident in result.status:
            data["recommendation"]["status"] = result.status[ident]
        check = result.running.get(ident)
        if check is not None:
            data["recommendation"]["running"] = {
                "holds": check.holds,
                "before": check.before,
                "status": check.status,
                "where": running_where(ident, k),
                "text": running_line(result, ident, k) or "",
                "values": [b.running_value(c.as_dict()) for c in check.conditions],
            }
    if kind in ("recommendation", "finding"):
        data["justifications"] = [b.node(v) for v in justify(result, kind, ident, k)]
    elif kind == "measure":
        d = result.measures.derivations.get(ident)
        data["value"] = result.measures.get(ident)
        data["derivation"] = b.derivation(derivation_view(d.as_dict(), result, k)) if d else None
    else:
        data["value"] = result.assessment.get(ident)
        data["at"] = b.leaf(ident, data["value"])
    if kind in ("measure", "indicator"):
        data["used_by"] = [
            {
                "rule": f.rule,
                "where": f.where,
                "seq": f.seq,
                "title": k.rule[f.rule].rule.title,
                "condition": describe_check(c, k),
                "declared": [x.as_dict() for x in f.declared],
            }
            for f in result.firings
            for c in f.conditions
            if c.kind == kind and c.subject == ident
        ]
    data["indicators"] = b.indicators()
    data["sources"] = b.sources()
    return cast("WhyData", data)  # the documented shape; tests validate it


# --- one line per recommendation not made (the document and what-if) ---------------------------


# --- text rendering (from the data above only) ---------------------------------------------------
