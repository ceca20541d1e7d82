"""The explanations as text: `why`, `why-not` and `what-if` data rendered for the terminal.
Nothing is computed here; every line comes from the data.

`explanation_words` puts a language-neutral answer of engine/explain into one language (the
documented JSON shape); the `render_*` functions turn such an answer into lines.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from engine.explain.labels import bench_value
from engine.text.message import Locale, Value, localize, say
from engine.text.strings import strings

Answer = TypeVar("Answer", bound=Mapping[str, Any])


READERS = ("author", "policy")


def reader_aliases(reader: str) -> dict[str, str]:
    """The strings a reader reads differently: for "policy", each key `k` with a `policy_k` in
    templates/strings.yaml (no rule ids, no file:line, no engine notation); none for "author"."""
    if reader == "author":
        return {}
    words = strings()["en"]
    return {k: "policy_" + k for k in words if "policy_" + k in words}


def explanation_words(data: Answer, lang: str, reader: str = "author") -> Answer:
    """An answer of engine/explain (`why_data`, `why_not_data`, `what_if_data`) in `lang` for
    one reader: every text a plain string, no typography (the terminal and JSON show the
    knowledge's own text)."""
    words = localize(data, Locale(lang, aliases=reader_aliases(reader), typography=False))
    words["lang"] = lang
    return words  # type: ignore[no-any-return]


def ui_strings(lang: str, reader: str = "author") -> dict[str, str]:
    """The UI strings of templates/strings.yaml in one language, as `reader` reads them."""
    words = strings()[lang]
    aliases = reader_aliases(reader)
    return {k: words[aliases.get(k, k)] for k in words} if aliases else words


def _v(value: Any, lang: str) -> str:
    return say(Value(value), lang)


def _mark(ok: bool) -> str:
    return "✓" if ok else "✗"


def plan_lines(r: Mapping[str, Any], s: Mapping[str, str]) -> list[str]:
    """When a measure made runs and why then, and the rule of each KPI target it sets."""
    out = []
    sch = r.get("schedule")
    if sch:
        when = s["x_when"].format(start=sch["start"], end=sch["end"])
        why = s["x_start_" + sch["reason"]].format(after="; ".join(sch["after_titles"]))
        out.append(f"{when} — {why}")
        if sch["priority_asked"]:
            out.append(
                s["x_priority_lowered"].format(
                    asked=sch["priority_asked_label"], max=sch["max_high"]
                )
            )
    for t in r.get("targets", []):
        out.append(
            f"{s['x_target']}: {t['kpi']}: {t['baseline']} → {t['target']}"
            + (f" ({t['rule']})" if t["rule"] else "")
            + f"; {s['kpi_data_source_col']}: {t['source']}; {s['kpi_owner']}: {t['owner']}"
        )
    return out


def render_why(d: Mapping[str, Any]) -> str:
    """The author's `why` answer as terminal text: status, priority and rationale, then each
    justifying firing with its rule id, `file:line`, conditions and sources."""
    lang = d["lang"]
    s = ui_strings(lang)
    subj = d["subject"]
    out = [
        f"{s['x_why']}: {subj['label']} ({subj['id']}) — {s['x_status_' + subj['status']]}",
        f"{s['x_assessment']}: {d['assessment']}" + (f" — {d['cluster']}" if d["cluster"] else ""),
    ]
    if "recommendation" in d:
        r = d["recommendation"]
        if r["priority"]:
            out.append(f"{s['priority']}: {r['priority_label'] or r['priority']}")
        out.append(f"{s['rationale']}: {r['rationale']}")
        run = r.get("running")
        if run is not None and run["text"]:
            out.append(f"{s['x_running']} {run['text']} [{run['where']}]")
        out.extend(plan_lines(r, s))
    if not d["made"] and subj["kind"] in ("recommendation", "finding"):
        out.append(s["x_see_why_not"].format(id=subj["id"], assessment=d["assessment"]))
    out.append("")
    if subj["kind"] in ("recommendation", "finding"):
        for n, node in enumerate(d["justifications"], 1):
            _render_node(node, out, "", f"{n}.", lang)
    elif subj["kind"] == "measure":
        out.append(f"{subj['label']} = {_v(d['value'], lang)}")
        if d["derivation"]:
            _render_derivation(d["derivation"], out, "  ", lang)
    else:
        out.append(f"{subj['label']} = {_v(d['value'], lang)} [{d['at']}]")
    if d.get("used_by"):
        out.append("")
        out.append(f"{s['x_used_by']}:")
        for u in d["used_by"]:
            out.append(f"  - {u['rule']} — {u['title']}: {u['condition']}")
    if d["indicators"]:
        out.append("")
        out.append(f"{s['x_inputs']}:")
        for i in d["indicators"]:
            out.append(f"  - {i['id']} = {_v(i['value'], lang)} ({i['label']}) [{i['at']}]")
    _render_sources(d["sources"], out, s)
    return "\n".join(out) + "\n"


def _render_node(node: dict[str, Any], out: list[str], indent: str, num: str, lang: str) -> None:
    s = ui_strings(lang)
    out.append(f"{indent}{num} {s['rule']} {node['rule']} — {node['title']} [{node['where']}]")
    inner = indent + "   "
    if node["always"]:
        out.append(f"{inner}{s['x_always']}")
    for c in node["conditions"]:
        _render_cond(c, out, inner, lang)
    if node["note"]:
        out.append(f"{inner}{s['x_note']}: {node['note']}")
    if node["sources"]:
        out.append(f"{inner}{s['sources']}: {', '.join(node['sources'])}")


def _render_cond(c: dict[str, Any], out: list[str], indent: str, lang: str) -> None:
    s = ui_strings(lang)
    line = f"{indent}{_mark(c['holds'])} {c['text']}"
    if c["kind"] in ("finding", "recommendation") and not c["negated"]:
        line += f" — {s['x_derived_by']}:"
    elif c.get("at"):
        line += f" [{c['at']}]"
    out.append(line)
    if c.get("benchmark"):
        _render_benchmark(c["benchmark"], c.get("value"), out, indent + "  ", lang)
    if c.get("derivation"):
        _render_derivation(c["derivation"], out, indent + "  ", lang)
    for n, child in enumerate(c.get("because") or [], 1):
        _render_node(child, out, indent + "  ", f"{n})", lang)


def _render_benchmark(
    b: dict[str, Any], threshold: Any, out: list[str], indent: str, lang: str
) -> None:
    s = ui_strings(lang)
    # the system's reference is never called a survey mean
    constructed = b.get("kind") == "constructed"
    if threshold is None:
        key = "x_benchmark_ref_constructed" if constructed else "x_benchmark_ref"
    else:
        key = "x_benchmark_constructed" if constructed else "x_benchmark"
    out.append(
        indent
        + s[key].format(
            threshold=_v(threshold, lang),
            label=b["label"],
            value=say(bench_value(b["value"]), lang),
            setting=b["setting"],
            sources=", ".join(b["sources"]) or "—",
        )
    )
    if b.get("note"):
        out.append(f"{indent}  {b['note']}")


def _render_derivation(d: dict[str, Any], out: list[str], indent: str, lang: str) -> None:
    s = ui_strings(lang)
    out.append(
        f"{indent}{s['derived_as']}: {d['label']} = {d['value_text']} = "
        f"{d['formula']} [{d['setting']}]"
    )
    if d.get("bands"):
        limits = ", ".join(
            f"{b['label']}" + (f" < {_v(b['below'], lang)}" if b["below"] is not None else "")
            for b in d["bands"]
        )
        out.append(f"{indent}  {s['x_bands']}: {limits}")
    if d.get("benchmark"):
        _render_benchmark(d["benchmark"], None, out, indent + "  ", lang)
    for i in d["inputs"]:
        if i["kind"] == "measure" and i.get("derivation"):
            _render_derivation(i["derivation"], out, indent + "  ", lang)
        elif i["kind"] == "indicator":
            out.append(f"{indent}  {i['id']} = {_v(i['value'], lang)} ({i['label']}) [{i['at']}]")
        else:
            out.append(f"{indent}  {i['id']} = {_v(i['value'], lang)}")


def _render_sources(sources: list[dict[str, Any]], out: list[str], s: dict[str, str]) -> None:
    if not sources:
        return
    out.append("")
    out.append(f"{s['sources']}:")
    for src in sources:
        out.append(
            f"  - {src['id']}: {src['citation']}"
            + (f" ({src['section']})" if src.get("section") else "")
        )


def render_why_not(d: Mapping[str, Any]) -> str:
    """The author's `why-not` answer as terminal text: what postponed it, the smallest input
    changes that would make it, and each rule that could make it with its unsatisfied conditions."""
    lang = d["lang"]
    s = ui_strings(lang)
    subj = d["subject"]
    out = [
        f"{s['x_why_not']}: {subj['label']} ({subj['id']}) — {s['x_status_' + subj['status']]}",
        f"{s['x_assessment']}: {d['assessment']}" + (f" — {d['cluster']}" if d["cluster"] else ""),
    ]
    if d["made"]:
        out.append(s["x_see_why"].format(id=subj["id"], assessment=d["assessment"]))
        return "\n".join(out) + "\n"
    for p in d["postponed_by"]:
        out.append(s["x_postponed_by"].format(rule=p["rule"]) + f" — {p['title']} [{p['where']}]")
    for p in d["restricted_by"]:
        out.append(s["x_restricted_by"].format(rule=p["rule"]) + f" — {p['title']} [{p['where']}]")
    if d["restriction_note"]:
        out.append(s["x_restriction_note"].format(note=d["restriction_note"]))
    na = d.get("not_applicable")
    if na:
        out.append(f"{s['x_not_applicable']} [{s['x_kind_where']}: {na['where']}]")
        out.append(f"  {s['x_cluster_kind']}: {na['kind']}")
        out += [f"  ✗ {line}" for line in na["failing"]]
    out.append("")
    if not d["rules"]:
        out.append(s["x_no_rule"])
    for r in d["rules"]:
        _render_analysis(r, out, "", lang)
    out.append("")
    if d["search"] is not None:
        if d["changes"]:
            out.append(f"{s['x_changes']}:")
            for c in d["changes"]:
                out.append(
                    f"  - {c['indicator']} ({c['label']}): {_v(c['from'], lang)} → "
                    f"{_v(c['to'], lang)} [{c['at']}] — {s['rule']} {', '.join(c['rules'])}"
                )
                if c["also_added"]:
                    out.append(f"      {s['x_also_added']}: {', '.join(c['also_added'])}")
                if c["also_removed"]:
                    out.append(f"      {s['x_also_removed']}: {', '.join(c['also_removed'])}")
        else:
            nc = d["no_change"] or {}
            out.append(s["x_no_change_" + nc.get("reason", "no_rule")].format(**nc))
        st = d["search"]
        out.append(s["x_search_stats"].format(**st))
    _render_sources(d["sources"], out, s)
    return "\n".join(out) + "\n"


def _render_analysis(r: dict[str, Any], out: list[str], indent: str, lang: str) -> None:
    s = ui_strings(lang)
    head = f"{indent}{s['rule']} {r['rule']} — {r['title']} [{r['where']}]"
    analysis_lines(r, out, indent, head, s, lambda c, inner: _render_eval(c, out, inner, lang))


def analysis_lines(
    r: dict[str, Any],
    out: list[str],
    indent: str,
    head: str,
    s: Mapping[str, str],
    condition: Callable[[dict[str, Any], str], None],
) -> None:
    """One rule's why-not analysis: its head line, each branch with what it lacks, each condition
    (put into lines by `condition`, the reader's own), and the rule's note. Both readers share it."""
    out.append(head)
    many = len(r["branches"]) > 1
    for br in r["branches"]:
        inner = indent + "   "
        if many:
            out.append(
                f"{inner}{s['x_branch'].format(n=br['branch'] + 1, of=len(r['branches']))}"
                + f" — {s['x_unsatisfied'].format(n=br['unsatisfied'])}"
            )
            inner += "  "
        for c in br["conditions"]:
            condition(c, inner)
    if r["note"]:
        out.append(f"{indent}   {s['x_note']}: {r['note']}")


def _render_eval(c: dict[str, Any], out: list[str], indent: str, lang: str) -> None:
    s = ui_strings(lang)
    line = f"{indent}{_mark(c['holds'])} {c['text']}"
    if c["kind"] in ("finding", "recommendation"):
        if c["negated"]:
            line += f" — {s['x_present'] if c['actual'] else s['x_absent']}"
        else:
            line += f" — {s['x_derived'] if c['actual'] else s['x_not_derived']}"
    elif c.get("at"):
        line += f" [{c['at']}]"
    out.append(line)
    if c.get("benchmark"):
        _render_benchmark(c["benchmark"], c.get("value"), out, indent + "  ", lang)
    if c.get("derivation") and not c["holds"]:
        _render_derivation(c["derivation"], out, indent + "  ", lang)
    if c.get("blocked_by"):
        out.append(f"{indent}  {s['x_blocking']}:")
    for n, node in enumerate(c.get("blocked_by") or [], 1):
        _render_node(node, out, indent + "    ", f"{n})", lang)
    for r in c.get("because_not") or []:
        _render_analysis(r, out, indent + "    ", lang)


def _what_if_status(d: Mapping[str, Any], s: Mapping[str, str], out: list[str]) -> None:
    """The status moves (new, continue, conditional) and the postponements, each with reasons."""
    if d["status"]:
        out += ["", f"{s['x_wi_status']}:"]
        for x in d["status"]:
            was, now = s[f"wi_status_{x['from']}"], s[f"wi_status_{x['to']}"]
            out.append(f"  ~ {x['label']} ({x['id']}): {was} → {now}")
            for r in x["reasons"]:
                out.append(f"      {s['why']}: {r['text']} [{r['rule']}, {r['where']}]")
    p = d["postponements"]
    if p["added"] or p["removed"]:
        out += ["", f"{s['x_wi_postponed']}:"]
        for sign, items, why in (("+", p["added"], "why"), ("−", p["removed"], "x_wi_lifted")):
            for x in items:
                out.append(f"  {sign} {x['label']} ({x['id']})")
                for r in x["reasons"]:
                    out.append(f"      {s[why]}: {r['text']} [{r['rule']}, {r['where']}]")


def render_what_if(d: Mapping[str, Any]) -> str:
    """The author's `what-if` answer as terminal text: the changes, then the recommendations,
    findings, status moves, postponements and scores they add, remove or move."""
    lang = d["lang"]
    s = ui_strings(lang)
    v = lambda x: _v(x, lang)  # noqa: E731
    out = [
        f"{s['x_what_if']}: " + ", ".join(f"{c['indicator']} = {v(c['to'])}" for c in d["changes"]),
        f"{s['x_assessment']}: {d['assessment']}" + (f" — {d['cluster']}" if d["cluster"] else ""),
        "",
    ]
    out.append(f"{s['x_wi_changes']}:")
    for c in d["changes"]:
        out.append(
            f"  - {c['indicator']} ({c['label']}): {v(c['from'])} → {v(c['to'])} [{c['at']}]"
        )
    if not d["changed"]:
        out += ["", s["x_wi_nothing"]]
        return "\n".join(out) + "\n"
    for key, heading in (("recommendations", "x_wi_recs"), ("findings", "x_wi_findings")):
        part = d[key]
        if not part["added"] and not part["removed"]:
            continue
        out += ["", f"{s[heading]}:"]
        for x in part["added"]:
            out.append(f"  + {x['label']} ({x['id']})")
            for r in x["reasons"]:
                out.append(f"      {s['why']}: {r['text']} [{r['rule']}, {r['where']}]")
        for x in part["removed"]:
            out.append(f"  − {x['label']} ({x['id']})")
            for r in x["reasons"]:
                where = f" [{r['rule']}, {r['where']}]" if r["rule"] else ""
                out.append(f"      {s['x_why_not']}: {r['text']}{where}")
    _what_if_status(d, s, out)
    if d["scores"]:
        out += ["", f"{s['x_wi_scores']}:"]
        for sc in d["scores"]:
            out.append(f"  - {sc['label']} ({sc['id']}): {v(sc['from'])} → {v(sc['to'])}")
    return "\n".join(out) + "\n"
