"""A readable catalogue of the knowledge base (`kb docs`): a plain view model, rendered by Jinja.

Indicators with their scales, derived measures, findings, every rule in plain language with its
source, every recommendation with its rationale, KPIs and the rules that produce it, and a diagram
of how findings chain into recommendations (Mermaid text for Markdown, an inline SVG for HTML: no
script, nothing fetched). Read from the knowledge models only; no assessment is involved.
"""

from __future__ import annotations

import re
from collections import defaultdict
from typing import Any

from engine import __version__
from engine.errors import UsageError
from engine.explain.labels import measure_label, subject_label, value_text
from engine.knowledge.base import Text
from engine.knowledge.conditions import OPERATORS, iter_atoms
from engine.knowledge.measure_ids import measure_catalogue
from engine.knowledge.models import All_, Any_, Atom, Cond, Knowledge, Not_, RuleSite
from engine.knowledge.verify.exclusive import STATUS, status_spans
from engine.knowledge.verify.values import spans_text
from engine.render.jinja import environment
from engine.text.message import say
from engine.text.numbers import decimal
from engine.text.strings import strings

FORMATS = ("md", "html")
DOT = re.compile(r"(\d)\.(\d)")  # a decimal point between digits (Russian writes a comma)


def _t(text: Text | None, lang: str) -> str:
    return text.get(lang) if text is not None else ""


def _num(x: float | None, lang: str) -> str:
    if x is None:
        return ""
    s = str(int(x)) if float(x).is_integer() else str(x)
    return decimal(s, lang)


# --- conditions in words ------------------------------------------------------------------------


def condition_text(cond: Cond, k: Knowledge, lang: str, s: dict[str, str]) -> str:
    """One condition of a rule as a sentence fragment: 'SME activity ≤ 2'."""
    if isinstance(cond, Not_):
        return f"{s['k_not']} {_atom_text(cond.not_, k, lang, s)}"
    if isinstance(cond, Any_):
        return "(" + f" {s['k_or']} ".join(condition_text(c, k, lang, s) for c in cond.any) + ")"
    if isinstance(cond, All_):
        return "(" + f" {s['k_and']} ".join(condition_text(c, k, lang, s) for c in cond.all) + ")"
    return _atom_text(cond, k, lang, s)


def _atom_text(a: Atom, k: Knowledge, lang: str, s: dict[str, str]) -> str:
    kind = a.subject_kind
    label = say(subject_label(kind, a.subject, k), lang)
    if kind == "finding":
        return strings()[lang]["quoted"].format(text=label)
    if kind == "recommendation":
        return s["k_recommended"].format(label=label)
    op = a.op or ""
    operator = OPERATORS[op]
    words = strings()[lang][operator.words]
    if operator.value == "count":
        return s[f"k_{op}"].format(label=label, n=a.value)
    if operator.value == "none":
        return f"{label} {words}"
    value = say(value_text(kind, a.subject, a.value, k), lang)
    if isinstance(a.value, (int, float)) and not isinstance(a.value, bool):
        value = _num(a.value, lang)
    return f"{label} {words} {value}{_status_scores(a, k, lang)}"


def _status_scores(a: Atom, k: Knowledge, lang: str) -> str:
    """For a benchmark status (weak, typical, strong), the scores it stands for: ' (≤ 1.1)'."""
    if a.subject_kind != "measure" or not a.subject.startswith(STATUS) or a.op not in ("eq", "in"):
        return ""
    statuses = set(a.value if isinstance(a.value, list) else [a.value])
    spans = status_spans(k, a.subject.removeprefix(STATUS), {str(x) for x in statuses})
    if not spans:
        return ""
    text = spans_text(spans)
    if lang == "ru":
        text = DOT.sub(r"\1,\2", text)
    return f" ({text})"


def when_text(conds: list[Cond], k: Knowledge, lang: str, s: dict[str, str]) -> str:
    """A rule's `when` in words for the catalogue: its conditions joined by "and" ("always"
    without any), one condition without its brackets."""
    if not conds:
        return s["k_always"]
    parts = [condition_text(c, k, lang, s) for c in conds]
    return f" {s['k_and']} ".join(
        p[1:-1] if len(conds) == 1 and p.startswith("(") else p for p in parts
    )


def then_items(site: RuleSite, k: Knowledge, lang: str, s: dict[str, str]) -> list[str]:
    """What a rule does in words: the findings it derives, the recommendations it makes or
    postpones and the priority it sets."""
    t = site.rule.then
    out = [s["k_derive"].format(label=say(subject_label("finding", f, k), lang)) for f in t.finding]
    out += [s["k_recommend"].format(label=_rec_title(r, k, lang)) for r in t.recommend]
    out += [s["k_postpone"].format(label=_rec_title(r, k, lang)) for r in t.postpone]
    if t.priority:
        out.append(
            s["k_priority"].format(
                label=_t(k.recommendations.priorities.get(t.priority), lang) or t.priority
            )
        )
    return out


def _rec_title(rid: str, k: Knowledge, lang: str) -> str:
    rec = k.recommendation.get(rid)
    return _t(rec.title, lang) if rec else rid


# --- the view model -----------------------------------------------------------------------------


def _rule_index(
    k: Knowledge, lang: str, s: dict[str, str]
) -> tuple[dict[str, list[str]], dict[str, list[str]], dict[str, list[dict[str, str]]]]:
    """Which rules derive each finding, test each finding, and make each recommendation (with
    their conditions in words: a measure's conditions, a finding's formula)."""
    derived_by: dict[str, list[str]] = defaultdict(list)
    used_by: dict[str, list[str]] = defaultdict(list)
    produced_by: dict[str, list[dict[str, str]]] = defaultdict(list)
    for site in k.rules:
        when = when_text(site.rule.when, k, lang, s)
        for f in site.rule.then.finding:
            derived_by[f].append(site.rule.id)
            produced_by[f"finding:{f}"].append({"id": site.rule.id, "when": when})
        for r in site.rule.then.recommend:
            produced_by[r].append(
                {
                    "id": site.rule.id,
                    "where": site.where,
                    "title": _t(site.rule.title, lang),
                    "when": when,
                }
            )
        for atom, _ in iter_atoms(site.rule.when):
            if atom.subject_kind == "finding" and site.rule.id not in used_by[atom.subject]:
                used_by[atom.subject].append(site.rule.id)
    return derived_by, used_by, produced_by


def _indicator_view(ind: Any, k: Knowledge, lang: str, s: dict[str, str]) -> dict[str, Any]:
    benchmarks = k.scoring.benchmarks
    return {
        "id": ind.id,
        "label": _t(ind.label, lang),
        "question": _t(ind.question, lang),
        "type": _type_text(ind, k, lang, s),
        "unit": _t(ind.unit, lang),
        "choices": [
            {"id": v, "label": _t(ind.value_labels.get(v), lang)} for v in (ind.values or [])
        ],
        "benchmark": _num(benchmarks[ind.id].value, lang) if ind.id in benchmarks else "",
        "required": ind.required,
        "sources": list(ind.sources),
        "proposal": ind.proposal,
    }


def _groups(k: Knowledge, lang: str, s: dict[str, str]) -> list[dict[str, Any]]:
    return [
        {
            "id": g.id,
            "label": _t(g.label, lang),
            "indicators": [
                _indicator_view(ind, k, lang, s)
                for ind in k.indicators.indicators
                if ind.group == g.id
            ],
        }
        for g in k.indicators.groups
    ]


def _scales(k: Knowledge, lang: str) -> list[dict[str, Any]]:
    return [
        {
            "id": sid,
            "range": f"{_num(sc.min, lang)}–{_num(sc.max, lang)}",
            "no_information": sc.no_information,
            "anchors": [{"value": n, "label": _t(t, lang)} for n, t in sorted(sc.anchors.items())],
        }
        for sid, sc in k.indicators.scales.items()
    ]


def _measures(k: Knowledge, lang: str, s: dict[str, str]) -> list[dict[str, Any]]:
    return [
        {
            "id": mid,
            "label": say(measure_label(mid, k), lang),
            "allowed": ", ".join(say(value_text("measure", mid, v, k), lang) for v in allowed)
            if allowed
            else s["k_number"],
        }
        for mid, (_, allowed) in measure_catalogue(k).items()
    ]


def _findings(
    k: Knowledge,
    lang: str,
    derived_by: dict[str, list[str]],
    used_by: dict[str, list[str]],
    produced_by: dict[str, list[dict[str, str]]],
) -> list[dict[str, Any]]:
    return [
        {
            "id": f.id,
            "kind": strings()[lang].get(f"finding_kind_{f.kind}", f.kind),
            "label": _t(f.label, lang),
            "description": _t(f.description, lang),
            "derived_by": derived_by.get(f.id, []),
            # the formula: made when the conditions of one of these rules hold
            "formula": produced_by.get(f"finding:{f.id}", []),
            "used_by": used_by.get(f.id, []),
        }
        for f in k.findings.findings
    ]


def _rule_files(k: Knowledge, lang: str, s: dict[str, str]) -> list[dict[str, Any]]:
    rule_files: dict[str, list[dict[str, Any]]] = {}
    for site in k.rules:
        rule = site.rule
        rule_files.setdefault(site.file, []).append(
            {
                "id": rule.id,
                "where": site.where,
                "title": _t(rule.title, lang),
                "when": when_text(rule.when, k, lang, s),
                "then": then_items(site, k, lang, s),
                "sources": list(rule.sources),
                "proposal": rule.proposal,
                "basis": s[f"basis_{rule.basis}"] if rule.basis else s["k_no_basis"],
                "status": s[f"status_{rule.then.status}"] if rule.then.recommend else "",
                "note": _t(rule.note, lang),
            }
        )
    return [{"file": f, "rules": rs} for f, rs in rule_files.items()]


def _recommendations(
    k: Knowledge, lang: str, s: dict[str, str], produced_by: dict[str, list[dict[str, str]]]
) -> list[dict[str, Any]]:
    c = k.recommendations
    return [
        {
            "id": rec.id,
            "title": _t(rec.title, lang),
            "text": _t(rec.text, lang),
            "rationale": _t(rec.rationale, lang),
            "actor": _t(c.actors.get(rec.actor), lang) or rec.actor,
            "direction": _t(c.directions.get(rec.direction), lang),
            "priority": _t(c.priorities.get(rec.priority), lang),
            "timeframe": _t(rec.timeframe, lang),
            "kpis": [_kpi_view(kid, k, lang, s) for kid in rec.kpis],
            "produced_by": produced_by.get(rec.id, []),
            "sources": list(rec.sources),
            "proposal": rec.proposal,
            "basis": s[f"basis_{rec.basis}"] if rec.basis else s["k_no_basis"],
            "conflicts_with": list(rec.conflicts_with),
        }
        for rec in c.recommendations
    ]


def build_catalogue(k: Knowledge, lang: str, s: dict[str, str]) -> dict[str, Any]:
    """The view of the knowledge catalogue (`kb docs`): counts, groups, scales, measures,
    findings, recommendations and rules with who uses what, sources and the chaining graph."""
    derived_by, used_by, produced_by = _rule_index(k, lang, s)
    sources = [
        dict(
            zip(("citation", "section"), src.reference(lang), strict=False),
            id=src.id,
            url=src.url or "",
            kind=src.kind,
        )
        for src in k.sources.sources
    ]
    graph = chaining_graph(k)
    return {
        "lang": lang,
        "generator": f"cluster-intl {__version__}",
        "counts": {
            "indicators": len(k.indicators.indicators),
            "rules": len(k.rules),
            "findings": len(k.findings.findings),
            "recommendations": len(k.recommendations.recommendations),
            "kpis": len(k.kpis.kpis),
            "sources": len(k.sources.sources),
        },
        "groups": _groups(k, lang, s),
        "scales": _scales(k, lang),
        "measures": _measures(k, lang, s),
        "findings": _findings(k, lang, derived_by, used_by, produced_by),
        "rule_files": _rule_files(k, lang, s),
        "recommendations": _recommendations(k, lang, s, produced_by),
        "sources": sources,
        "mermaid": mermaid(graph),
        "svg": svg_layout(graph, k, lang),
    }


def _type_text(ind: Any, k: Knowledge, lang: str, s: dict[str, str]) -> str:
    lo, hi = ind.min, ind.max
    if ind.type == "score" and ind.scale in k.indicators.scales:
        sc = k.indicators.scales[ind.scale]
        lo, hi = sc.min, sc.max
    word = s.get(f"k_type_{ind.type}", ind.type)
    if lo is not None or hi is not None:
        word += (
            f" {_num(lo, lang)}–{_num(hi, lang)}"
            if lo is not None and hi is not None
            else (f" ≥ {_num(lo, lang)}" if lo is not None else f" ≤ {_num(hi, lang)}")
        )
    return word


def _kpi_view(kid: str, k: Knowledge, lang: str, s: dict[str, str]) -> dict[str, str]:
    kpi = k.kpi.get(kid)
    if kpi is None:
        return {"id": kid, "label": kid, "unit": "", "target": ""}
    t = kpi.target
    target = s[f"k_target_{t.kind}"].format(value=_num(t.value, lang))
    return {"id": kid, "label": _t(kpi.label, lang), "unit": _t(kpi.unit, lang), "target": target}


# --- how findings chain into recommendations ----------------------------------------------------


def chaining_graph(k: Knowledge) -> dict[str, Any]:
    """Nodes: findings and recommendations that rules chain; edges: condition -> conclusion."""
    edges: dict[tuple[str, str], dict[str, Any]] = {}
    for site in k.rules:
        t = site.rule.then
        targets = [("finding", f) for f in t.finding] + [("recommendation", r) for r in t.recommend]
        for atom, negated in iter_atoms(site.rule.when):
            if atom.subject_kind not in ("finding", "recommendation"):
                continue
            src = f"{atom.subject_kind}:{atom.subject}"
            for kind, ident in targets:
                key = (src, f"{kind}:{ident}")
                e = edges.setdefault(
                    key, {"from": src, "to": key[1], "negated": negated, "rules": []}
                )
                e["negated"] = e["negated"] and negated
                e["rules"].append(site.rule.id)
    nodes = sorted({n for e in edges for n in e})
    return {"nodes": nodes, "edges": [edges[key] for key in sorted(edges)]}


def _node_id(node: str) -> str:
    kind, ident = node.split(":", 1)
    return ("f_" if kind == "finding" else "r_") + re.sub(r"[^A-Za-z0-9_]", "_", ident)


def mermaid(graph: dict[str, Any]) -> str:
    """Mermaid flowchart text: findings as rounded boxes, recommendations as boxes;
    a dotted arrow where the rule needs the finding to be absent."""
    lines = ["flowchart LR"]
    for node in graph["nodes"]:
        kind, ident = node.split(":", 1)
        shape = f'(["{ident}"])' if kind == "finding" else f'["{ident}"]'
        lines.append(f"  {_node_id(node)}{shape}")
    for e in graph["edges"]:
        arrow = "-. not .->" if e["negated"] else "-->"
        lines.append(f"  {_node_id(e['from'])} {arrow} {_node_id(e['to'])}")
    return "\n".join(lines) + "\n"


NODE_H, ROW_H, COL_GAP, CHAR_W, PAD = 22, 28, 70, 6.6, 10


def _layers(graph: dict[str, Any], preds: dict[str, list[str]]) -> dict[str, int]:
    """The column of each node: its longest path from a node without predecessors; every
    recommendation right of every finding."""
    layer: dict[str, int] = {}

    def depth(n: str, seen: frozenset[str], floor: int) -> int:
        """Longest path from a node without predecessors; recommendations start at `floor`."""
        if n in layer:
            return layer[n]
        if n in seen:
            return 0
        start = floor if n.startswith("recommendation:") else 0
        d = max([start] + [depth(p, seen | {n}, floor) + 1 for p in preds.get(n, [])])
        layer[n] = d
        return d

    findings = [n for n in graph["nodes"] if n.startswith("finding:")]
    for n in findings:
        depth(n, frozenset(), 0)
    rec_floor = max((layer[n] for n in findings), default=-1) + 1
    for n in graph["nodes"]:
        depth(n, frozenset(), rec_floor)
    return layer


def _order_rows(columns: dict[int, list[str]], preds: dict[str, list[str]]) -> dict[str, float]:
    """Each column's nodes ordered by the mean row of their predecessors (few crossings)."""
    row: dict[str, float] = {}
    for col in sorted(columns):
        nodes = columns[col]
        nodes.sort(
            key=lambda n: (
                sum(row[p] for p in preds[n] if p in row)
                / max(1, len([p for p in preds[n] if p in row]))
                if any(p in row for p in preds[n])
                else -1,
                n,
            )
        )
        for i, n in enumerate(nodes):
            row[n] = i
    return row


def _svg_edges(graph: dict[str, Any], boxes: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    edges = []
    for e in graph["edges"]:
        a, b = boxes[e["from"]], boxes[e["to"]]
        x1, y1 = a["x"] + a["w"], a["y"] + NODE_H / 2
        x2, y2 = b["x"], b["y"] + NODE_H / 2
        if x2 <= x1:  # same or earlier column (should not happen in a stratified base)
            x2, y2 = b["x"] + b["w"], b["y"] + NODE_H / 2
        mid = (x1 + x2) / 2
        edges.append(
            {
                "d": f"M{x1:.1f},{y1:.1f} C{mid:.1f},{y1:.1f} {mid:.1f},{y2:.1f} {x2:.1f},{y2:.1f}",
                "negated": e["negated"],
                "rules": ", ".join(e["rules"]),
            }
        )
    return edges


def svg_layout(graph: dict[str, Any], k: Knowledge, lang: str) -> dict[str, Any]:
    """Positions for an inline SVG: longest-path layers left to right, rows ordered by the mean
    row of each node's predecessors (few crossings, stable)."""
    preds: dict[str, list[str]] = defaultdict(list)
    for e in graph["edges"]:
        preds[e["to"]].append(e["from"])
    layer = _layers(graph, preds)
    columns: dict[int, list[str]] = defaultdict(list)
    for n in graph["nodes"]:
        columns[layer[n]].append(n)
    row = _order_rows(columns, preds)
    widths = {
        c: max(len(n.split(":", 1)[1]) for n in ns) * CHAR_W + 2 * PAD for c, ns in columns.items()
    }
    x0: dict[int, float] = {}
    x = float(PAD)
    for c in sorted(columns):
        x0[c] = x
        x += widths[c] + COL_GAP
    boxes = {}
    for n in graph["nodes"]:
        kind, ident = n.split(":", 1)
        c = layer[n]
        fkind = k.finding[ident].kind if kind == "finding" and ident in k.finding else kind
        boxes[n] = {
            "id": ident,
            "label": say(subject_label(kind, ident, k), lang),
            "kind": fkind,
            "x": round(x0[c], 1),
            "y": PAD + row[n] * ROW_H,
            "w": round(widths[c], 1),
            "h": NODE_H,
        }
    height = PAD * 2 + max((len(ns) for ns in columns.values()), default=0) * ROW_H
    return {
        "width": round(x - COL_GAP + PAD, 1),
        "height": height,
        "nodes": [boxes[n] for n in graph["nodes"]],
        "edges": _svg_edges(graph, boxes),
    }


# --- rendering ------------------------------------------------------------------------------------


def render_catalogue(k: Knowledge, fmt: str, lang: str) -> str:
    """The knowledge catalogue as Markdown or HTML in one language; an unsupported format or
    language is a usage error."""
    if fmt not in FORMATS:
        raise UsageError(f"--format: {fmt!r} is not supported; use md or html")
    if lang not in ("ru", "en"):
        raise UsageError(f"--lang: {lang!r} is not supported; use ru or en")
    s = strings()[lang]
    view = build_catalogue(k, lang, s)
    text = environment().get_template(f"catalogue.{fmt}.j2").render(c=view, t=s)
    if fmt == "md":
        text = re.sub(r"\n{3,}", "\n\n", text).strip() + "\n"
    return text
