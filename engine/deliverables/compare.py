"""Progress between two assessments of one cluster (OLD, then NEW): a section for the new program.

Read from the two inference results only: the indicators and partial indicators that moved, the
diagnosis before and after, the KPIs of the earlier program (baseline and target computed from OLD
by `engine.program`'s KPI logic) against the value NEW reports, and the recommendations added (with
their justification from NEW's firing record) and dropped (with the conditions of OLD's firings
that no longer hold in NEW).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from engine.explain.justify import short_reasons
from engine.explain.labels import describe_check, fmt_value, subject_label, value_text
from engine.explain.why_not import reason_lines, why_not_data
from engine.inference.trace import CondCheck, Result
from engine.knowledge.conditions import predicate
from engine.knowledge.models import Knowledge
from engine.program.kpis import kpi_baseline  # the program's own KPI baseline rule
from engine.program.model import build_program
from engine.render import jinja as render
from engine.text.numbers import decimal
from engine.text.strings import strings
from engine.text.typography import typeset_view


def _strings(lang: str) -> dict[str, str]:

    return strings()[lang]


def _num(v: Any, lang: str) -> str:
    if v is None:
        return "—"
    if isinstance(v, bool):
        return fmt_value(v, lang)
    if isinstance(v, float):
        text = f"{v:.2f}".rstrip("0").rstrip(".")
        if text in ("-0", ""):
            text = "0"
    else:
        text = str(v)
    return decimal(text, lang)


def _delta(old: Any, new: Any, lang: str, k: Knowledge | None = None, indicator: str = "") -> str:
    numeric = (int, float)
    if (
        isinstance(old, numeric)
        and isinstance(new, numeric)
        and not isinstance(old, bool)
        and not isinstance(new, bool)
    ):
        d = new - old
        if isinstance(d, float):
            d = round(d, 2)
        return ("+" if d > 0 else "") + _num(d, lang)
    if isinstance(old, list) and isinstance(new, list):

        def item(x: Any) -> str:  # a list item by its label, not its id
            return value_text("indicator", indicator, x, k, lang) if k and indicator else str(x)

        parts = [f"+{item(x)}" for x in new if x not in old]
        parts += [f"−{item(x)}" for x in old if x not in new]
        return ", ".join(parts)
    return ""


def _show(v: Any, lang: str, k: Knowledge | None = None, indicator: str = "") -> str:
    if v is None:
        return "—"
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        return _num(v, lang)
    if k is not None and indicator:
        return value_text("indicator", indicator, v, k, lang)  # enum values by their labels
    return fmt_value(v, lang)


def compare(old: Result, new: Result, k: Knowledge, lang: str) -> dict[str, Any]:
    """The comparison view model (plain data; `templates/compare.md.j2` renders it)."""
    t = _strings(lang)
    ov, nv = build_program(old, k, lang), build_program(new, k, lang)
    same = (old.assessment.name or "").strip().casefold() == (
        new.assessment.name or ""
    ).strip().casefold()
    return {
        "lang": lang,
        "cluster": nv["cluster"]["name"],
        "same_cluster": same,
        "old": {
            "source": old.assessment.source,
            "year": ov["cluster"]["year"],
            "name": ov["cluster"]["name"],
        },
        "new": {
            "source": new.assessment.source,
            "year": nv["cluster"]["year"],
            "name": nv["cluster"]["name"],
        },
        "diagnosis": _diagnosis(old, new, ov, nv, k, lang, t),
        "moved": _moved(old, new, k, lang),
        "partials": _partials(old, new, k, lang),
        "kpis": _kpis(ov, new, k, lang, t),
        "added": [
            {
                "id": rid,
                "title": k.recommendation[rid].title.get(lang),
                "reasons": [r["text"] for r in short_reasons(new, rid, k, lang)],
                "plain": added_plain(rid, new, k, lang),
            }
            for rid in _ordered(nv, new)
            if rid not in old.recommendations
        ],
        "dropped": [
            {
                "id": rid,
                "title": k.recommendation[rid].title.get(lang),
                "reasons": dropped_reasons(rid, old, new, k, lang),
                "plain": dropped_plain(rid, old, new, k, lang),
            }
            for rid in _ordered(ov, old)
            if rid not in new.recommendations
        ],
    }


def _ordered(view: dict[str, Any], result: Result) -> list[str]:
    return [r["id"] for r in view["recommendations"]]


def _diagnosis(
    old: Result,
    new: Result,
    ov: dict[str, Any],
    nv: dict[str, Any],
    k: Knowledge,
    lang: str,
    t: dict[str, str],
) -> list[dict[str, Any]]:
    oc, nc = ov["current"], nv["current"]
    om, nm = old.measures.values, new.measures.values
    sa = k.scoring.self_assessment.indicator

    def row(label: str, o: Any, n: Any, change: str = "") -> dict[str, Any]:
        return {"label": label, "old": o, "new": n, "change": change}

    return [
        row(
            t["c_self_level"],
            _show(old.assessment.get(sa), lang),
            _show(new.assessment.get(sa), lang),
            _delta(old.assessment.get(sa), new.assessment.get(sa), lang),
        ),
        row(
            t["index_value"] + ", %",
            _num(om.get("index"), lang),
            _num(nm.get("index"), lang),
            _delta(om.get("index"), nm.get("index"), lang),
        ),
        row(t["b_index_band"], oc["index"]["band"], nc["index"]["band"]),
        row(
            t["ratio_value"],
            _num(om.get("ratio"), lang),
            _num(nm.get("ratio"), lang),
            _delta(om.get("ratio"), nm.get("ratio"), lang),
        ),
        row(t["b_ratio_band"], oc["ratio"]["band"], nc["ratio"]["band"]),
        row(t["b_model"], oc["model"]["label"], nc["model"]["label"]),
        row(
            t["c_recs_count"],
            str(len(old.recommendations)),
            str(len(new.recommendations)),
            _delta(len(old.recommendations), len(new.recommendations), lang),
        ),
        row(
            t["c_gaps"],
            f"{ov['data_gaps']['count']} / {ov['data_gaps']['of']}",
            f"{nv['data_gaps']['count']} / {nv['data_gaps']['of']}",
            _delta(ov["data_gaps"]["count"], nv["data_gaps"]["count"], lang),
        ),
    ]


def _moved(old: Result, new: Result, k: Knowledge, lang: str) -> list[dict[str, Any]]:
    groups: list[dict[str, Any]] = []
    for ind in k.indicators.indicators:
        o, n = old.assessment.get(ind.id), new.assessment.get(ind.id)
        if o == n or (isinstance(o, list) and isinstance(n, list) and sorted(o) == sorted(n)):
            continue
        label = k.group[ind.group].label.get(lang) if ind.group in k.group else ind.group
        if not groups or groups[-1]["id"] != ind.group:
            groups.append({"id": ind.group, "label": label, "rows": []})
        groups[-1]["rows"].append(
            {
                "id": ind.id,
                "label": ind.label.get(lang),
                "old": _show(o, lang, k, ind.id),
                "new": _show(n, lang, k, ind.id),
                "change": _delta(o, n, lang, k, ind.id),
                "old_raw": o,
                "new_raw": n,
            }
        )
    return groups


def _partials(old: Result, new: Result, k: Knowledge, lang: str) -> list[dict[str, Any]]:
    rows = []
    for p in k.scoring.partial_indicators:
        o, n = old.measures.get(p.id), new.measures.get(p.id)
        if o == n:
            continue
        rows.append(
            {
                "id": p.id,
                "label": p.label.get(lang),
                "old": _num(o, lang),
                "new": _num(n, lang),
                "change": _delta(o, n, lang),
            }
        )
    return rows


def _kpis(
    ov: dict[str, Any], new: Result, k: Knowledge, lang: str, t: dict[str, str]
) -> list[dict[str, Any]]:
    rows = []
    for row in ov["kpis"]:
        base, target = row["baseline_raw"], row["target_raw"]
        now = kpi_baseline(k.kpi[row["id"]], new)
        status, pct = kpi_status(base, target, now)
        rows.append(
            {
                "id": row["id"],
                "label": row["label"],
                "unit": row["unit"],
                "baseline": _num(base, lang),
                "target": _num(target, lang),
                "now": _num(now, lang),
                "progress": "—" if pct is None else _num(pct, lang),
                "status": t[f"c_st_{status}"],
                "status_id": status,
                "baseline_raw": base,
                "target_raw": target,
                "now_raw": now,
                "progress_raw": pct,
            }
        )
    return rows


def kpi_status(
    base: float | None, target: float | None, now: float | None
) -> tuple[str, float | None]:
    """(status, % of the way from the baseline to the target); the target sets the direction."""
    if target is None:
        return "no_target", None
    if now is None:
        return "no_data", None
    if base is None:
        return ("achieved", None) if now >= target else ("progress", None)
    if target == base:
        return ("achieved", 100.0) if now >= target else ("regressed", None)
    pct = round((now - base) / (target - base) * 100.0, 1)
    if pct >= 100:
        return "achieved", pct
    if pct > 0:
        return "progress", pct
    if pct == 0:
        return "unchanged", pct
    return "regressed", pct


# --- reasons in plain words (the client's text: labels and values, no ids, rules or conditions) ---


def _plain_value(kind: str, subject: str, v: Any, k: Knowledge, lang: str) -> str:
    if v is None:
        return strings()[lang]["c_blank"]
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        return _num(v, lang)
    return value_text(kind, subject, v, k, lang)


def _plain_condition(c: CondCheck, result: Result, k: Knowledge, lang: str) -> str:
    """What a condition of a firing says about the cluster, as a label and a value."""
    label = subject_label(c.kind, c.subject, k, lang)
    if c.kind in ("indicator", "measure"):
        return f"{label}: {_plain_value(c.kind, c.subject, c.actual, k, lang)}"
    if c.negated:
        return ""
    return label


def added_plain(rid: str, new: Result, k: Knowledge, lang: str, limit: int = 3) -> list[str]:
    """Why NEW recommends `rid`: the findings and values of the rules that gave it (deduplicated)."""
    out: list[str] = []
    for firing in new.producers("recommendation", rid)[:limit]:
        parts = [p for c in firing.conditions if (p := _plain_condition(c, new, k, lang))]
        text = "; ".join(parts)
        if text and text not in out:
            out.append(text)
    return out


Explain = Callable[[CondCheck, Result, Result, Knowledge, str, int], list[str]]


def _walk_dropped(
    rid: str,
    old: Result,
    new: Result,
    k: Knowledge,
    lang: str,
    explain: Explain,
    keys: tuple[str, str],
) -> list[str]:
    """The texts `explain` gives for each condition of OLD's justifications of `rid`,
    deduplicated; a postponement, or no text at all, has its own line (`keys`: those strings)."""
    t = _strings(lang)
    postponed, quiet = keys
    if rid in new.postponed:
        return [t[postponed]]
    out: list[str] = []
    for firing in old.producers("recommendation", rid):
        for c in firing.conditions:
            for text in explain(c, old, new, k, lang, 0):
                if text not in out:
                    out.append(text)
    return out or [t[quiet]]


def dropped_plain(rid: str, old: Result, new: Result, k: Knowledge, lang: str) -> list[str]:
    """Why NEW no longer recommends `rid`, in plain words: what changed since OLD (a value, from
    then to now; a finding that no longer holds, with the values beneath it)."""
    return _walk_dropped(
        rid, old, new, k, lang, _changed, ("c_postponed_plain", "c_rule_quiet_plain")
    )


def _changed(
    c: CondCheck, old: Result, new: Result, k: Knowledge, lang: str, depth: int
) -> list[str]:
    t = _strings(lang)
    label = subject_label(c.kind, c.subject, k, lang)
    if c.kind in ("indicator", "measure"):
        now = (
            new.assessment.get(c.subject) if c.kind == "indicator" else new.measures.get(c.subject)
        )
        if c.op is None or predicate(c.op, c.value)(now):
            return []
        was = _plain_value(c.kind, c.subject, c.actual, k, lang)
        is_ = _plain_value(c.kind, c.subject, now, k, lang)
        return [t["c_value_moved"].format(label=label, old=was, new=is_)]
    present = new.findings if c.kind == "finding" else new.recommendations
    if c.negated:
        return [f"{t['c_now_found']}: {label}"] if c.subject in present else []
    if c.subject in present:
        return []
    out = f"{label} — {t['c_no_longer']}"
    if depth == 0:
        inner: list[str] = []
        for firing in old.producers(c.kind, c.subject):
            for cc in firing.conditions:
                for text in _changed(cc, old, new, k, lang, depth + 1):
                    if text not in inner:
                        inner.append(text)
        if inner:
            out += f" ({'; '.join(inner)})"
    return [out]


# --- why a recommendation was dropped -------------------------------------------------------------


def dropped_reasons(rid: str, old: Result, new: Result, k: Knowledge, lang: str) -> list[str]:
    """Why NEW no longer recommends `rid`: per rule that gave it in OLD, what fails now (the
    why-not analysis: the rules re-read against NEW's facts)."""
    d = why_not_data(new, rid, k, lang, search=False)
    fired = {f.rule for f in old.producers("recommendation", rid)}
    rules = [r for r in d["rules"] if r["rule"] in fired] or d["rules"]
    return [line["text"] for line in reason_lines(rules, d["postponed_by"], lang)]


def reasons_from_firings(rid: str, old: Result, new: Result, k: Knowledge, lang: str) -> list[str]:
    """The conditions of OLD's justifications of `rid` that no longer hold in NEW (deduplicated),
    each with its old value; a finding that is gone is followed one level down."""
    return _walk_dropped(rid, old, new, k, lang, _broken, ("c_postponed", "c_rule_quiet"))


def _broken(
    c: CondCheck, old: Result, new: Result, k: Knowledge, lang: str, depth: int
) -> list[str]:
    """Texts for a condition that held in OLD and fails in NEW (empty when it still holds)."""
    t = _strings(lang)
    if c.kind in ("indicator", "measure"):
        now = (
            new.assessment.get(c.subject) if c.kind == "indicator" else new.measures.get(c.subject)
        )
        if c.op is None or predicate(c.op, c.value)(now):
            return []
        was = strings()[lang]["c_was"]
        return [
            f"{describe_check({**c.as_dict(), 'actual': now}, k, lang)}; "
            f"{was} {fmt_value(c.actual, lang)}"
        ]
    present = new.findings if c.kind == "finding" else new.recommendations
    label = subject_label(c.kind, c.subject, k, lang)
    if c.negated:
        if c.subject not in present:
            return []
        now_word = strings()[lang]["c_now_derived"]
        return [f"{now_word}: {label}"]
    if c.subject in present:
        return []
    out = [f"{label} — {t['c_no_longer']}"]
    if depth == 0:  # one level down: why the finding is gone
        inner: list[str] = []
        for firing in old.producers(c.kind, c.subject):
            for cc in firing.conditions:
                for text in _broken(cc, old, new, k, lang, depth + 1):
                    if text not in inner:
                        inner.append(text)
        if inner:
            out = [f"{out[0]} ({'; '.join(inner)})"]
    return out


def render_compare(view: dict[str, Any], fmt: str) -> str:
    """The comparison as JSON (with ids, for tools) or as client text (md, html: labels only)."""
    if fmt == "json":
        return render.to_json(view)
    if fmt not in ("md", "html"):
        raise ValueError(f"render_compare: {fmt!r}")
    lang = view["lang"]
    t = render.strings()[lang]
    if lang == "ru":
        view, t = typeset_view(view), typeset_view(t)
    env = render.environment()
    text = env.get_template(f"compare.{fmt}.j2").render(c=view, t=t)
    if fmt == "html":
        return text
    return re.sub(r"\n{3,}", "\n\n", text).strip() + "\n"
