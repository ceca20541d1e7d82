"""The explanations for policy staff (`--reader policy`): the same answers as the author's text
(engine/render/explain_text.py), in plain sentences: labels instead of ids, no rule ids, no
`file:line` locations, no engine notation ("(required ...)", formulas, search statistics).

The answer is put into words for this reader first (`explanation_words(..., reader="policy")`),
so its condition texts already read "label: value"; nothing here is computed anew.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from engine.render.explain_text import _mark, _v, analysis_lines, plan_lines, ui_strings

READER = "policy"


def _head(d: Mapping[str, Any], key: str, s: dict[str, str]) -> list[str]:
    subj = d["subject"]
    return [
        f"{s[key]}: {subj['label']} — {s['x_status_' + subj['status']]}",
        f"{s['x_assessment']}: {d['cluster'] or d['assessment']}",
    ]


def render_why_policy(d: Mapping[str, Any]) -> str:
    """The `why` answer for policy staff: the same reasons in plain sentences, without rule ids,
    locations or formulas."""
    lang = d["lang"]
    s = ui_strings(lang, READER)
    subj = d["subject"]
    out = _head(d, "x_why", s)
    if "recommendation" in d:
        r = d["recommendation"]
        if r["priority"]:
            out.append(f"{s['priority']}: {r['priority_label'] or r['priority']}")
        out.append(f"{s['rationale']}: {r['rationale']}")
        run = r.get("running")
        if run is not None and run["text"]:
            out.append(f"{s['x_running']} {run['text']}")
        out.extend(plan_lines(r, s))
    if not d["made"] and subj["kind"] in ("recommendation", "finding"):
        out.append(s["x_see_why_not"].format(id="", assessment=""))
    out.append("")
    if subj["kind"] in ("recommendation", "finding"):
        if d["justifications"]:
            out.append(f"{s['policy_x_reasons']}:")
        for n, node in enumerate(d["justifications"], 1):
            _node(node, out, "", f"{n}.", lang)
    elif subj["kind"] == "measure":
        out.append(f"{subj['label']}: {_v(d['value'], lang)}")
        if d["derivation"]:
            _derivation(d["derivation"], out, "  ", lang)
    else:
        out.append(f"{subj['label']}: {_v(d['value'], lang)}")
    if d.get("used_by"):
        out += ["", f"{s['x_used_by']}:"]
        out += [f"  - {u['title']}: {u['condition']}" for u in d["used_by"]]
    _inputs(d["indicators"], out, s, lang)
    _sources(d["sources"], out, s)
    return "\n".join(out) + "\n"


def _inputs(indicators: list[dict[str, Any]], out: list[str], s: dict[str, str], lang: str) -> None:
    if indicators:
        out += ["", f"{s['x_inputs']}:"]
        out += [f"  - {i['label']}: {_v(i['value'], lang)}" for i in indicators]


def _sources(sources: list[dict[str, Any]], out: list[str], s: dict[str, str]) -> None:
    if sources:
        out += ["", f"{s['sources']}:"]
        out += [
            f"  - {src['citation']}" + (f" ({src['section']})" if src.get("section") else "")
            for src in sources
        ]


def _node(node: dict[str, Any], out: list[str], indent: str, num: str, lang: str) -> None:
    s = ui_strings(lang, READER)
    out.append(f"{indent}{num} {node['title']}")
    inner = indent + "   "
    if node["always"]:
        out.append(f"{inner}{s['x_always']}")
    for c in node["conditions"]:
        out.append(f"{inner}{_mark(c['holds'])} {c['text']}")
        _details(c, out, inner + "  ", lang)
        for n, child in enumerate(c.get("because") or [], 1):
            _node(child, out, inner + "  ", f"{n})", lang)
    if node["note"]:
        out.append(f"{inner}{s['x_note']}: {node['note']}")


def _details(c: dict[str, Any], out: list[str], indent: str, lang: str) -> None:
    """A condition's benchmark and the derivation of its measure."""
    if c.get("benchmark"):
        _benchmark(c["benchmark"], out, indent, lang)
    if c.get("derivation"):
        _derivation(c["derivation"], out, indent, lang)


def _benchmark(b: dict[str, Any], out: list[str], indent: str, lang: str) -> None:
    """The survey mean a threshold comes from (the threshold itself is in the condition)."""
    s = ui_strings(lang, READER)
    key = "x_benchmark_ref_constructed" if b.get("kind") == "constructed" else "x_benchmark_ref"
    out.append(indent + s[key].format(label=b["label"], value=_v(b["value"], lang)))
    if b.get("note"):
        out.append(f"{indent}  {b['note']}")


def _derivation(d: dict[str, Any], out: list[str], indent: str, lang: str) -> None:
    s = ui_strings(lang, READER)
    out.append(f"{indent}{s['derived_as']}: {d['label']} = {d['value_text']}")
    if d.get("bands"):
        limits = ", ".join(
            f"{b['label']}" + (f" < {_v(b['below'], lang)}" if b["below"] is not None else "")
            for b in d["bands"]
        )
        out.append(f"{indent}  {s['x_bands']}: {limits}")
    if d.get("benchmark"):
        _benchmark(d["benchmark"], out, indent + "  ", lang)
    for i in d["inputs"]:
        if i["kind"] == "measure" and i.get("derivation"):
            _derivation(i["derivation"], out, indent + "  ", lang)
        elif i["kind"] == "indicator":
            out.append(f"{indent}  {i['label']}: {_v(i['value'], lang)}")


def render_why_not_policy(d: Mapping[str, Any]) -> str:
    """The `why-not` answer for policy staff: what postponed the measure, what each rule that
    could make it lacks and the input changes that would make it, without rule ids or notation."""
    lang = d["lang"]
    s = ui_strings(lang, READER)
    out = _head(d, "x_why_not", s)
    if d["made"]:
        out.append(s["x_see_why"].format(id="", assessment=""))
        return "\n".join(out) + "\n"
    out += [f"{s['x_postponed_by'].format(rule='')} — {p['title']}" for p in d["postponed_by"]]
    out += [f"{s['x_restricted_by']} — {p['title']}" for p in d["restricted_by"]]
    if d["restriction_note"]:
        out.append(s["x_restriction_note"].format(note=d["restriction_note"]))
    na = d.get("not_applicable")
    if na:
        out.append(s["x_not_applicable"])
        out.append(f"  {s['x_cluster_kind']}: {na['kind']}")
        out += [f"  - {line}" for line in na["failing"]]
    out.append("")
    if not d["rules"]:
        out.append(s["x_no_rule"])
    for r in d["rules"]:
        _analysis(r, out, "", lang)
    if d["search"] is not None:
        out.append("")
        if d["changes"]:
            out.append(f"{s['x_changes']}:")
            out += [
                f"  - {c['label']}: {_v(c['from'], lang)} → {_v(c['to'], lang)}"
                for c in d["changes"]
            ]
        else:
            nc = d["no_change"] or {}
            out.append(s["x_no_change_" + nc.get("reason", "no_rule")].format(**nc))
    _sources(d["sources"], out, s)
    return "\n".join(out) + "\n"


def _analysis(r: dict[str, Any], out: list[str], indent: str, lang: str) -> None:
    s = ui_strings(lang, READER)
    head = f"{indent}{r['title']}"
    analysis_lines(r, out, indent, head, s, lambda c, inner: _evaluated(c, out, inner, lang))


def _evaluated(c: dict[str, Any], out: list[str], indent: str, lang: str) -> None:
    s = ui_strings(lang, READER)
    line = f"{indent}{_mark(c['holds'])} {c['text']}"
    if c["kind"] in ("finding", "recommendation"):
        if c["negated"]:
            line += f" — {s['x_present'] if c['actual'] else s['x_absent']}"
        else:
            line += f" — {s['x_derived'] if c['actual'] else s['x_not_derived']}"
    out.append(line)
    if c.get("benchmark"):
        _benchmark(c["benchmark"], out, indent + "  ", lang)
    if c.get("derivation") and not c["holds"]:
        _derivation(c["derivation"], out, indent + "  ", lang)
    if c.get("blocked_by"):
        out.append(f"{indent}  {s['x_blocking']}:")
    for n, node in enumerate(c.get("blocked_by") or [], 1):
        _node(node, out, indent + "    ", f"{n})", lang)
    for r in c.get("because_not") or []:
        _analysis(r, out, indent + "    ", lang)


def _status_policy(d: Mapping[str, Any], s: Mapping[str, str], out: list[str]) -> None:
    """Status moves and postponements by label, each with its reasons in words."""
    if d["status"]:
        out += ["", f"{s['x_wi_status']}:"]
        for x in d["status"]:
            was, now = s[f"wi_status_{x['from']}"], s[f"wi_status_{x['to']}"]
            out.append(f"  ~ {x['label']}: {was} → {now}")
            out += [f"      {s['why']}: {r['text']}" for r in x["reasons"]]
    p = d["postponements"]
    if p["added"] or p["removed"]:
        out += ["", f"{s['x_wi_postponed']}:"]
        for sign, items, why in (("+", p["added"], "why"), ("−", p["removed"], "x_wi_lifted")):
            for x in items:
                out.append(f"  {sign} {x['label']}")
                out += [f"      {s[why]}: {r['text']}" for r in x["reasons"]]


def render_what_if_policy(d: Mapping[str, Any]) -> str:
    """The `what-if` answer for policy staff: the changes and what they alter in the program, by
    label."""
    lang = d["lang"]
    s = ui_strings(lang, READER)

    def moved(c: Mapping[str, Any]) -> str:
        return f"{c['label']}: {_v(c['from'], lang)} → {_v(c['to'], lang)}"

    out = [
        f"{s['x_what_if']}: "
        + ", ".join(f"{c['label']} = {_v(c['to'], lang)}" for c in d["changes"]),
        f"{s['x_assessment']}: {d['cluster'] or d['assessment']}",
        "",
        f"{s['x_wi_changes']}:",
        *(f"  - {moved(c)}" for c in d["changes"]),
    ]
    if not d["changed"]:
        out += ["", s["x_wi_nothing"]]
        return "\n".join(out) + "\n"
    for key, heading in (("recommendations", "x_wi_recs"), ("findings", "x_wi_findings")):
        part = d[key]
        if not part["added"] and not part["removed"]:
            continue
        out += ["", f"{s[heading]}:"]
        for sign, items, why in (("+", part["added"], "why"), ("−", part["removed"], "x_why_not")):
            for x in items:
                out.append(f"  {sign} {x['label']}")
                out += [f"      {s[why]}: {r['text']}" for r in x["reasons"]]
    _status_policy(d, s, out)
    if d["scores"]:
        out += ["", f"{s['x_wi_scores']}:"]
        out += [f"  - {moved(sc)}" for sc in d["scores"]]
    return "\n".join(out) + "\n"
