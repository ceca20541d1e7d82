"""Progress between two assessments of one cluster (OLD, then NEW): a section for the new program.

Read from the two inference results only: the indicators and partial indicators that moved, the
diagnosis before and after, the KPIs of the earlier program against the value NEW reports (its
target for NEW's year beside its final target, done and status: `engine.deliverables.monitoring`),
and the recommendations added (with their justification from NEW's firing record) and dropped
(with the conditions of OLD's firings that no longer hold in NEW). The comparison is built without
a language (`comparison`) and put into words once (`compare`).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from engine.deliverables.monitoring import same_cluster, scored_kpis, target_note, target_year
from engine.explain.justify import short_reasons
from engine.explain.labels import describe_check, fmt_value, subject_label, value_text
from engine.explain.why_not import reason_lines, why_not_data
from engine.inference.trace import CondCheck, Result
from engine.knowledge.conditions import predicate
from engine.knowledge.models import Knowledge
from engine.program.leaves import LangCode
from engine.program.model import ProgramView, build_program
from engine.program.provenance import measure_title
from engine.render import jinja as render
from engine.text.message import Loc, Locale, Msg, Value, cat, localize
from engine.text.typography import typeset_view


@dataclass(frozen=True, slots=True)
class CmpNum(Loc):
    """A value in the comparison: two decimals at most, no "-0", yes/no for a boolean."""

    value: Any

    def words(self, loc: Locale) -> str:
        """The value in the locale's words: a dash for none, yes/no, two decimals at most with
        its separator, never "-0"."""
        v = self.value
        if v is None:
            return "—"
        if isinstance(v, bool):
            return loc.param(Value(v))
        if isinstance(v, float):
            text = f"{v:.2f}".rstrip("0").rstrip(".")
            if text in ("-0", ""):
                text = "0"
        else:
            text = str(v)
        return text.replace(".", loc.text("decimal_separator"))


def _delta(old: Any, new: Any, k: Knowledge | None = None, indicator: str = "") -> Any:
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
        return cat(["+" if d > 0 else "", CmpNum(d)])
    if isinstance(old, list) and isinstance(new, list):

        def item(x: Any) -> Any:  # a list item by its label, not its id
            return value_text("indicator", indicator, x, k) if k and indicator else str(x)

        parts = [cat(["+", item(x)]) for x in new if x not in old]
        parts += [cat(["−", item(x)]) for x in old if x not in new]
        return cat(parts, ", ")
    return ""


def _show(v: Any, k: Knowledge | None = None, indicator: str = "") -> Any:
    if v is None:
        return "—"
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        return CmpNum(v)
    if k is not None and indicator:
        return value_text("indicator", indicator, v, k)  # enum values by their labels
    return fmt_value(v)


def compare(old: Result, new: Result, k: Knowledge, lang: str) -> dict[str, Any]:
    """The comparison view model in `lang` (plain data; `templates/compare.md.j2` renders it)."""
    return localize(comparison(old, new, k), Locale(lang, typography=False))  # type: ignore[no-any-return]


def comparison(old: Result, new: Result, k: Knowledge) -> dict[str, Any]:
    """The comparison before words: the diagnosis, values and KPIs that moved, the measures
    added and dropped with their reasons."""
    ov, nv = build_program(old, k), build_program(new, k)
    targets = _targets(old, new, ov, k)
    return {
        "lang": LangCode(),
        "cluster": nv["cluster"]["name"],
        "same_cluster": same_cluster(old, new),
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
        "diagnosis": _diagnosis(old, new, ov, nv, k),
        "moved": _moved(old, new, k),
        "partials": _partials(old, new, k),
        "targets": targets,
        "kpis": _kpis(ov, new, k, targets),
        "added": [
            {
                "id": rid,
                "title": measure_title(new, rid, k),
                "reasons": [r["text"] for r in short_reasons(new, rid, k)],
                "plain": added_plain(rid, new, k),
            }
            for rid in _ordered(nv)
            if rid not in old.recommendations
        ],
        "dropped": [
            {
                "id": rid,
                "title": measure_title(old, rid, k),
                "reasons": dropped_reasons(rid, old, new, k),
                "plain": dropped_plain(rid, old, new, k),
            }
            for rid in _ordered(ov)
            if rid not in new.recommendations
        ],
    }


def _ordered(view: ProgramView) -> list[str]:
    return [r["id"] for r in view["recommendations"]]


def _row(label: Any, o: Any, n: Any, change: Any = "") -> dict[str, Any]:
    return {"label": label, "old": o, "new": n, "change": change}


def _diagnosis(
    old: Result, new: Result, ov: ProgramView, nv: ProgramView, k: Knowledge
) -> list[dict[str, Any]]:
    oc, nc = ov["current"], nv["current"]
    om, nm = old.measures.values, new.measures.values
    sa = k.scoring.self_assessment.indicator
    o_sa, n_sa = old.assessment.get(sa), new.assessment.get(sa)
    o_recs, n_recs = len(old.recommendations), len(new.recommendations)
    og, ng = ov["data_gaps"], nv["data_gaps"]
    return [
        _row(Msg("c_self_level"), _show(o_sa), _show(n_sa), _delta(o_sa, n_sa)),
        _row(
            cat([Msg("index_value"), ", %"]),
            CmpNum(om.get("index")),
            CmpNum(nm.get("index")),
            _delta(om.get("index"), nm.get("index")),
        ),
        _row(Msg("b_index_band"), oc["index"]["band"], nc["index"]["band"]),
        _row(
            Msg("ratio_value"),
            CmpNum(om.get("ratio")),
            CmpNum(nm.get("ratio")),
            _delta(om.get("ratio"), nm.get("ratio")),
        ),
        _row(Msg("b_ratio_band"), oc["ratio"]["band"], nc["ratio"]["band"]),
        _row(Msg("b_model"), oc["model"]["label"], nc["model"]["label"]),
        _row(Msg("c_recs_count"), str(o_recs), str(n_recs), _delta(o_recs, n_recs)),
        _row(
            Msg("c_gaps"),
            f"{og['count']} / {og['of']}",
            f"{ng['count']} / {ng['of']}",
            _delta(og["count"], ng["count"]),
        ),
    ]


def _moved(old: Result, new: Result, k: Knowledge) -> list[dict[str, Any]]:
    groups: list[dict[str, Any]] = []
    for ind in k.indicators.indicators:
        o, n = old.assessment.get(ind.id), new.assessment.get(ind.id)
        if o == n or (isinstance(o, list) and isinstance(n, list) and sorted(o) == sorted(n)):
            continue
        label = k.group[ind.group].label if ind.group in k.group else ind.group
        if not groups or groups[-1]["id"] != ind.group:
            groups.append({"id": ind.group, "label": label, "rows": []})
        groups[-1]["rows"].append(
            {
                "id": ind.id,
                "label": ind.label,
                "old": _show(o, k, ind.id),
                "new": _show(n, k, ind.id),
                "change": _delta(o, n, k, ind.id),
                "old_raw": o,
                "new_raw": n,
            }
        )
    return groups


def _partials(old: Result, new: Result, k: Knowledge) -> list[dict[str, Any]]:
    rows = []
    for p in k.scoring.partial_indicators:
        o, n = old.measures.get(p.id), new.measures.get(p.id)
        if o == n:
            continue
        rows.append(
            {
                "id": p.id,
                "label": p.label,
                "old": CmpNum(o),
                "new": CmpNum(n),
                "change": _delta(o, n),
            }
        )
    return rows


def _kpis(ov: ProgramView, new: Result, k: Knowledge, when: dict[str, Any]) -> list[dict]:
    """OLD's KPIs scored against NEW (engine.deliverables.monitoring), each figure as the
    comparison writes it; `raw` keeps the numbers for tools."""
    out = []
    for row in scored_kpis(ov, new, k, when):
        raw = row["raw"]
        shown = {key: CmpNum(v) for key, v in raw.items() if key != "done"}
        out.append(row | shown | {"done": "—" if raw["done"] is None else CmpNum(raw["done"])})
    return out


def _targets(old: Result, new: Result, ov: ProgramView, k: Knowledge) -> dict[str, Any]:
    """Which year's targets the KPIs are measured against, the column heads and the note."""
    when = target_year(old, new, k, ov["cluster"]["horizon"])
    return when | {
        "note": target_note(when),
        "year_head": Msg("c_kpi_year_target", year=when["key"] or when["year"] or "—"),
        "final_head": Msg("c_kpi_final_target", year=when["final"] or "—"),
    }


# --- reasons in plain words (the client's text: labels and values, no ids, rules or conditions) ---


def _plain_value(kind: str, subject: str, v: Any, k: Knowledge) -> Any:
    if v is None:
        return Msg("c_blank")
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        return CmpNum(v)
    return value_text(kind, subject, v, k)


def _plain_condition(c: CondCheck, k: Knowledge) -> Any:
    """What a condition of a firing says about the cluster, as a label and a value."""
    label = subject_label(c.kind, c.subject, k)
    if c.kind in ("indicator", "measure"):
        return cat([label, ": ", _plain_value(c.kind, c.subject, c.actual, k)])
    if c.negated:
        return ""
    return label


def _add_new(out: list[Any], texts: list[Any]) -> None:
    for text in texts:
        if text not in out:
            out.append(text)


def added_plain(rid: str, new: Result, k: Knowledge, limit: int = 3) -> list[Any]:
    """Why NEW recommends `rid`: the findings and values of the rules that gave it (deduplicated)."""
    out: list[Any] = []
    for firing in new.producers("recommendation", rid)[:limit]:
        parts = [p for c in firing.conditions if (p := _plain_condition(c, k))]
        if parts:
            _add_new(out, [cat(parts, "; ")])
    return out


Explain = Callable[[CondCheck, Result, Result, Knowledge, int], list[Any]]


def _walk_dropped(
    rid: str, old: Result, new: Result, k: Knowledge, explain: Explain, keys: tuple[str, str]
) -> list[Any]:
    """The texts `explain` gives for each condition of OLD's justifications of `rid`,
    deduplicated; a postponement, or no text at all, has its own line (`keys`: those strings)."""
    postponed, quiet = keys
    if rid in new.postponed:
        return [Msg(postponed)]
    out: list[Any] = []
    for firing in old.producers("recommendation", rid):
        for c in firing.conditions:
            _add_new(out, explain(c, old, new, k, 0))
    return out or [Msg(quiet)]


def dropped_plain(rid: str, old: Result, new: Result, k: Knowledge) -> list[Any]:
    """Why NEW no longer recommends `rid`, in plain words: what changed since OLD (a value, from
    then to now; a finding that no longer holds, with the values beneath it)."""
    return _walk_dropped(rid, old, new, k, _changed, ("c_postponed_plain", "c_rule_quiet_plain"))


def _now(c: CondCheck, new: Result) -> Any:
    return new.assessment.get(c.subject) if c.kind == "indicator" else new.measures.get(c.subject)


def _gone(
    c: CondCheck, old: Result, new: Result, k: Knowledge, explain: Explain, depth: int
) -> list[Any]:
    """A finding or measure of OLD that NEW no longer has, with (one level down) why."""
    out = cat([subject_label(c.kind, c.subject, k), " — ", Msg("c_no_longer")])
    if depth == 0:
        inner: list[Any] = []
        for firing in old.producers(c.kind, c.subject):
            for cc in firing.conditions:
                _add_new(inner, explain(cc, old, new, k, depth + 1))
        if inner:
            out = cat([out, " (", cat(inner, "; "), ")"])
    return [out]


def _changed(c: CondCheck, old: Result, new: Result, k: Knowledge, depth: int) -> list[Any]:
    label = subject_label(c.kind, c.subject, k)
    if c.kind in ("indicator", "measure"):
        now = _now(c, new)
        if c.op is None or predicate(c.op, c.value)(now):
            return []
        was = _plain_value(c.kind, c.subject, c.actual, k)
        is_ = _plain_value(c.kind, c.subject, now, k)
        return [Msg("c_value_moved", label=label, old=was, new=is_)]
    present = new.findings if c.kind == "finding" else new.recommendations
    if c.negated:
        return [cat([Msg("c_now_found"), ": ", label])] if c.subject in present else []
    if c.subject in present:
        return []
    return _gone(c, old, new, k, _changed, depth)


# --- why a recommendation was dropped -------------------------------------------------------------


def dropped_reasons(rid: str, old: Result, new: Result, k: Knowledge) -> list[Any]:
    """Why NEW no longer recommends `rid`: per rule that gave it in OLD, what fails now (the
    why-not analysis: the rules re-read against NEW's facts)."""
    d = why_not_data(new, rid, k, search=False)
    fired = {f.rule for f in old.producers("recommendation", rid)}
    rules = [r for r in d["rules"] if r["rule"] in fired] or d["rules"]
    return [line["text"] for line in reason_lines(rules, d["postponed_by"], d)]


def reasons_from_firings(rid: str, old: Result, new: Result, k: Knowledge) -> list[Any]:
    """The conditions of OLD's justifications of `rid` that no longer hold in NEW (deduplicated),
    each with its old value; a finding that is gone is followed one level down."""
    return _walk_dropped(rid, old, new, k, _broken, ("c_postponed", "c_rule_quiet"))


def _broken(c: CondCheck, old: Result, new: Result, k: Knowledge, depth: int) -> list[Any]:
    """Texts for a condition that held in OLD and fails in NEW (empty when it still holds)."""
    if c.kind in ("indicator", "measure"):
        now = _now(c, new)
        if c.op is None or predicate(c.op, c.value)(now):
            return []
        check = describe_check({**c.as_dict(), "actual": now}, k)
        return [cat([check, "; ", Msg("c_was"), " ", fmt_value(c.actual)])]
    present = new.findings if c.kind == "finding" else new.recommendations
    if c.negated:
        if c.subject not in present:
            return []
        return [cat([Msg("c_now_derived"), ": ", subject_label(c.kind, c.subject, k)])]
    if c.subject in present:
        return []
    return _gone(c, old, new, k, _broken, depth)


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
