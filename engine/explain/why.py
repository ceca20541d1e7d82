"""Explanations read from the firing record (never recomputed by a second code path).

`justify` follows a recommendation or finding back through the firings that declared it, down to
the assessment's own indicators (with their position in the assessment file) and the derived
measures (with their derivation). `describe_*` turn the same data into text in Russian or English.
"""

from __future__ import annotations

from typing import Any

from engine.inference.trace import CondCheck, Firing, Result
from engine.knowledge.conditions import OP_WORDS
from engine.knowledge.graph import producers_of
from engine.knowledge.models import Knowledge, Text


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
                view["derivation"] = _derivation_view(d.as_dict(), result, k)
        conds.append(view)
    return {
        "rule": f.rule,
        "where": f.where,
        "seq": f.seq,
        "branch": f.branch,
        "title": _text(site.rule.title),
        "sources": list(site.rule.sources),
        "proposal": site.rule.proposal,
        "conditions": conds,
        "declared": [d.as_dict() for d in f.declared],
    }


def formula_in(d: dict[str, Any], lang: str) -> str:
    """The formula of a derivation record (Derivation.as_dict) in `lang`."""
    return d.get("formula_text", {}).get(lang) or d["formula"]


def _derivation_view(d: dict[str, Any], result: Result, k: Knowledge) -> dict[str, Any]:
    """A measure's derivation, following measure inputs to their own derivations."""
    inputs = []
    for name, value in d["inputs"].items():
        item: dict[str, Any] = {"id": name, "value": value}
        if name in k.indicator:
            item["kind"] = "indicator"
            item["at"] = result.assessment.where(name)
        elif name in result.measures.derivations and name != d["id"]:
            item["kind"] = "measure"
            item["derivation"] = _derivation_view(
                result.measures.derivations[name].as_dict(), result, k
            )
        inputs.append(item)
    return {**d, "inputs": inputs}


def _text(t: Text | None) -> dict[str, str | None] | None:
    return None if t is None else {"ru": t.ru, "en": t.en}


# --- text -------------------------------------------------------------------------------------

YES_NO = {"ru": ("да", "нет"), "en": ("yes", "no")}
BLANK = {"ru": "нет информации", "en": "no information"}


def fmt_value(v: Any, lang: str) -> str:
    if v is None:
        return BLANK[lang]
    if isinstance(v, bool):
        return YES_NO[lang][0 if v else 1]
    if isinstance(v, float):
        text = f"{v:.2f}".rstrip("0").rstrip(".")
        return text.replace(".", ",") if lang == "ru" else text
    if isinstance(v, (list, tuple)):
        return (
            ", ".join(fmt_value(x, lang) for x in v) if v else ("пусто" if lang == "ru" else "none")
        )
    return str(v)


def subject_label(kind: str, subject: str, k: Knowledge, lang: str) -> str:
    if kind == "indicator" and subject in k.indicator:
        return k.indicator[subject].label.get(lang)
    if kind == "finding" and subject in k.finding:
        f = k.finding[subject]
        prefix = FINDING_KIND_WORDS.get(f.kind)
        return (prefix.get(lang) + ": " if prefix else "") + f.label.get(lang)
    if kind == "recommendation" and subject in k.recommendation:
        return k.recommendation[subject].title.get(lang)
    if kind == "measure":
        return measure_label(subject, k, lang)
    return subject


FINDING_KIND_WORDS: dict[str, Text] = {
    "strength": Text(en="strength", ru="сильная сторона"),
    "weakness": Text(en="weakness", ru="слабая сторона"),
    "opportunity": Text(en="opportunity", ru="возможность"),
    "threat": Text(en="threat", ru="угроза"),
}

MEASURE_WORDS: dict[str, Text] = {
    "index": Text(en="internationalization index, %", ru="индекс интернационализации, %"),
    "index_band": Text(en="level band", ru="уровень"),
    "coverage": Text(en="partial indicators with data", ru="частных показателей с данными"),
    "coverage_share": Text(en="coverage, %", ru="полнота данных, %"),
    "region_index": Text(en="region's level, %", ru="уровень региона, %"),
    "cluster_matched_index": Text(
        en="cluster's level on region-matched indicators, %",
        ru="уровень кластера по показателям, сопоставимым с регионом, %",
    ),
    "ratio": Text(en="cluster/region ratio K", ru="соотношение кластер/регион K"),
    "ratio_band": Text(en="position against the region", ru="положение относительно региона"),
    "model": Text(en="internationalization model", ru="модель интернационализации"),
    "self_band": Text(en="self-assessment band", ru="группа по самооценке"),
}


def measure_label(mid: str, k: Knowledge, lang: str) -> str:
    if mid in MEASURE_WORDS:
        return MEASURE_WORDS[mid].get(lang)
    if mid in k.partial:
        return k.partial[mid].label.get(lang)
    if mid in k.regional:
        return k.regional[mid].label.get(lang)
    for prefix, en, ru in (
        ("gap_", "gap to the region, p.p.: ", "разрыв с регионом, п.п.: "),
        ("tercile_", "rank among the cluster's indicators: ", "место среди показателей кластера: "),
        ("bench_gap_", "difference from the survey mean: ", "отклонение от среднего по опросу: "),
        ("helix_", "helix score: ", "оценка спирали: "),
    ):
        if mid.startswith(prefix):
            rest = mid[len(prefix) :]
            helix = k.scoring.helix.labels.get(rest) if prefix == "helix_" else None
            inner = (
                k.partial[rest].label.get(lang)
                if rest in k.partial
                else k.indicator[rest].label.get(lang)
                if rest in k.indicator
                else helix.get(lang)
                if helix
                else rest
            )
            return (ru if lang == "ru" else en) + inner
    return mid


def describe_check(c: CondCheck | dict[str, Any], k: Knowledge, lang: str) -> str:
    """One condition in words: 'SME activity = 1 (required ≤ 2)'."""
    d = c.as_dict() if isinstance(c, CondCheck) else c
    label = subject_label(d["kind"], d["subject"], k, lang)
    if d["kind"] in ("finding", "recommendation"):
        if d["negated"]:
            return ("нет: " if lang == "ru" else "not: ") + label
        return label
    op = OP_WORDS[d["op"]].get(lang)
    actual = value_text(d["kind"], d["subject"], d["actual"], k, lang)
    if d["op"] in ("is_true", "is_false", "is_missing", "is_known", "is_empty", "not_empty"):
        req = op
    else:
        req = f"{op} {value_text(d['kind'], d['subject'], d['value'], k, lang)}"
    word = "требуется" if lang == "ru" else "required"
    return f"{label} = {actual} ({word} {req})"


def value_text(kind: str, subject: str, value: Any, k: Knowledge, lang: str) -> str:
    """A value as a reader says it: enum values and bands by their labels, not their ids."""
    labels: dict[str, Text] = {}
    if kind == "indicator" and subject in k.indicator:
        labels = k.indicator[subject].value_labels
    elif kind == "measure":
        s = k.scoring
        if subject == "model":
            labels = s.helix.models
        elif subject == "index_band":
            labels = {b.id: b.label for b in s.index.bands}
        elif subject == "ratio_band":
            labels = {b.id: b.label for b in s.ratio.bands}
        elif subject == "self_band":
            labels = s.self_assessment.bands
        elif subject.startswith("tercile_"):
            labels = TERCILE_WORDS
    if labels:
        if isinstance(value, (list, tuple)):
            return ", ".join(
                labels[v].get(lang) if v in labels else fmt_value(v, lang) for v in value
            ) or fmt_value(value, lang)
        if isinstance(value, str) and value in labels:
            return labels[value].get(lang)
    return fmt_value(value, lang)


TERCILE_WORDS: dict[str, Text] = {
    "top": Text(en="top third", ru="верхняя треть"),
    "middle": Text(en="middle third", ru="средняя треть"),
    "bottom": Text(en="bottom third", ru="нижняя треть"),
}


def short_reasons(
    result: Result, rec_id: str, k: Knowledge, lang: str, limit: int = 3
) -> list[dict[str, str]]:
    """One line per justification: rule title, then the decisive values, one level of findings."""
    lines = []
    for view in justify(result, "recommendation", rec_id, k)[:limit]:
        lines.append(_line(view, k, lang))
    return lines


def _line(view: dict[str, Any], k: Knowledge, lang: str) -> dict[str, str]:
    parts = []
    for c in view["conditions"]:
        text = describe_check(c, k, lang)
        because = c.get("because") or []
        if because:
            inner = "; ".join(
                describe_check(cc, k, lang)
                for cc in because[0]["conditions"]
                if cc["kind"] in ("indicator", "measure")
            )
            if inner:
                text += f" ← {inner}"
        parts.append(text)
    title = Text(**view["title"]).get(lang)
    if not parts:
        text = f"{title} — " + ("применяется всегда" if lang == "ru" else "always applies")
    else:
        text = f"{title}: " + "; ".join(parts)
    return {"text": text, "rule": view["rule"], "where": view["where"]}


# =============================================================================================
# Explanations for policy staff: `why`, `why-not`, the not-made list of the document.
#
# Each answer is built twice over the same data: `why_data` / `why_not_data` return a plain,
# JSON-ready dict (the documented shape of docs/explanations.md), and `render_why` /
# `render_why_not` turn that dict into text. Nothing in the text is computed anew.
# =============================================================================================

SCHEMA_WHY = "cluster-intl/why/1"
SCHEMA_WHY_NOT = "cluster-intl/why-not/1"

NUMERIC_OPS = {"eq", "ne", "lt", "le", "gt", "ge"}
SCORE_KEYS = ("index", "index_band", "model", "ratio", "ratio_band", "self_band")


def ui_strings(lang: str) -> dict[str, str]:
    """The UI strings of templates/strings.yaml in one language."""
    from engine.render.jinja import strings  # jinja2 only when text is rendered

    return strings()[lang]


def id_kinds(result: Result, k: Knowledge) -> dict[str, str]:
    """Every id an explanation command accepts, with its kind (first kind wins on a clash)."""
    from engine.knowledge.measure_ids import measure_catalogue

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


def resolve_id(
    ident: str, result: Result, k: Knowledge, allowed: tuple[str, ...], command: str
) -> str:
    """The kind of `ident`; an unknown or unsupported id is a usage error with a suggestion."""
    from engine.errors import UsageError, suggest

    kinds = id_kinds(result, k)
    kind = kinds.get(ident)
    if kind is None:
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
    kind: str, subject: str, op: str | None, value: Any, k: Knowledge, lang: str
) -> dict[str, Any] | None:
    """The survey benchmark a condition's threshold comes from, found by matching the rule's
    threshold against scoring.benchmarks of that indicator (or a bench_gap_ measure)."""
    indicator = subject
    if kind == "measure" and subject.startswith("bench_gap_"):
        indicator = subject[len("bench_gap_") :]
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
        "label": subject_label("indicator", indicator, k, lang),
        "value": b.value,
        "sources": list(b.sources),
        "proposal": b.proposal,
        "note": b.note.get(lang) if b.note else None,
        "setting": setting,
    }


def _source_views(ids: list[str], k: Knowledge, lang: str) -> list[dict[str, Any]]:
    out = []
    for sid in ids:
        s = k.source.get(sid)
        if s is None:
            continue
        citation, section = s.reference(lang)
        out.append(
            {
                "id": sid,
                "kind": s.kind,
                "citation": citation,
                "section": section or None,
                "url": s.url,
            }
        )
    return out


class _Builder:
    """Turns firing-record views into the documented explanation shape, collecting the sources
    cited and the input indicators reached on the way."""

    def __init__(self, result: Result, k: Knowledge, lang: str) -> None:
        self.result, self.k, self.lang = result, k, lang
        self.source_ids: list[str] = []
        self.leaves: dict[str, dict[str, Any]] = {}

    def cite(self, ids: list[str]) -> None:
        for sid in ids:
            if sid not in self.source_ids:
                self.source_ids.append(sid)

    def leaf(self, iid: str, value: Any) -> str:
        at = self.result.assessment.where(iid)
        self.leaves.setdefault(
            iid,
            {
                "id": iid,
                "label": subject_label("indicator", iid, self.k, self.lang),
                "value": value,
                "at": at,
            },
        )
        return at

    def sources(self) -> list[dict[str, Any]]:
        return _source_views(self.source_ids, self.k, self.lang)

    def indicators(self) -> list[dict[str, Any]]:
        return list(self.leaves.values())

    # --- why: read from the firing record (justify) -------------------------------------------
    def node(self, view: dict[str, Any]) -> dict[str, Any]:
        site = self.k.rule[view["rule"]]
        self.cite(view["sources"])
        return {
            "rule": view["rule"],
            "where": view["where"],
            "seq": view["seq"],
            "branch": view["branch"],
            "title": Text(**view["title"]).get(self.lang),
            "sources": list(view["sources"]),
            "proposal": view["proposal"],
            "note": site.rule.note.get(self.lang) if site.rule.note else None,
            "always": not site.rule.when,
            "conditions": [self.cond(c) for c in view["conditions"]],
            "declared": view["declared"],
        }

    def cond(self, c: dict[str, Any]) -> dict[str, Any]:
        out: dict[str, Any] = {
            "kind": c["kind"],
            "subject": c["subject"],
            "label": subject_label(c["kind"], c["subject"], self.k, self.lang),
            "op": c["op"],
            "value": c["value"],
            "actual": c["actual"],
            "negated": c["negated"],
            "holds": c["holds"],
            "text": describe_check(c, self.k, self.lang),
        }
        if c["kind"] == "indicator":
            out["at"] = self.leaf(c["subject"], c["actual"])
        elif c["kind"] == "measure" and c.get("derivation"):
            out["derivation"] = self.derivation(c["derivation"])
        bench = benchmark_for(c["kind"], c["subject"], c["op"], c["value"], self.k, self.lang)
        if bench:
            out["benchmark"] = bench
            self.cite(bench["sources"])
        if c["kind"] in ("finding", "recommendation") and not c["negated"]:
            out["because"] = [self.node(v) for v in c.get("because") or []]
        return out

    def derivation(self, d: dict[str, Any]) -> dict[str, Any]:
        inputs = []
        for i in d["inputs"]:
            item: dict[str, Any] = {
                "id": i["id"],
                "kind": i.get("kind", "value"),
                "value": i["value"],
            }
            if item["kind"] == "indicator":
                item["label"] = subject_label("indicator", i["id"], self.k, self.lang)
                item["at"] = self.leaf(i["id"], i["value"])
            elif item["kind"] == "measure":
                item["label"] = measure_label(i["id"], self.k, self.lang)
                item["derivation"] = self.derivation(i["derivation"])
            else:
                item["label"] = i["id"]
            inputs.append(item)
        out = {
            "id": d["id"],
            "label": measure_label(d["id"], self.k, self.lang),
            "value": d["value"],
            "value_text": value_text("measure", d["id"], d["value"], self.k, self.lang),
            "formula": formula_in(d, self.lang),
            "setting": d["setting"],
            "inputs": inputs,
        }
        bands = _bands(d["id"], self.k, self.lang)
        if bands:
            out["bands"] = bands
        bench = benchmark_for("measure", d["id"], None, None, self.k, self.lang)
        if bench:
            out["benchmark"] = bench
            self.cite(bench["sources"])
        return out

    # --- why-not: each condition of each rule re-read against the final facts -------------------
    def analyse(self, site: Any, seen: frozenset[str]) -> dict[str, Any]:
        from engine.knowledge.conditions import branches

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
            "title": rule.title.get(self.lang),
            "sources": list(rule.sources),
            "proposal": rule.proposal,
            "note": rule.note.get(self.lang) if rule.note else None,
            "always": not rule.when,
            "fired": any(f.rule == rule.id for f in self.result.firings),
            "branches": brs,
        }

    def evaluate(self, cond: Any, seen: frozenset[str]) -> dict[str, Any]:
        from engine.knowledge.conditions import holds
        from engine.knowledge.models import Not_

        r = self.result
        negated = isinstance(cond, Not_)
        a = cond.not_ if negated else cond
        kind, subject = a.subject_kind, a.subject
        out: dict[str, Any] = {
            "kind": kind,
            "subject": subject,
            "label": subject_label(kind, subject, self.k, self.lang),
            "op": a.op,
            "value": a.value,
            "negated": negated,
        }
        if kind in ("finding", "recommendation"):
            present = subject in (r.findings if kind == "finding" else r.recommendations)
            out["actual"] = present
            out["holds"] = (not present) if negated else present
            out["text"] = describe_check({**out, "actual": None}, self.k, self.lang)
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
        out["text"] = describe_check(out, self.k, self.lang)
        if kind == "indicator":
            out["at"] = r.assessment.where(subject)
        else:
            d = r.measures.derivations.get(subject)
            if d is not None:
                out["derivation"] = self.derivation(_derivation_view(d.as_dict(), r, self.k))
        bench = benchmark_for(kind, subject, a.op, a.value, self.k, self.lang)
        if bench:
            out["benchmark"] = bench
            self.cite(bench["sources"])
        return out


def _bands(mid: str, k: Knowledge, lang: str) -> list[dict[str, Any]]:
    s = k.scoring
    limits = s.index.bands if mid == "index_band" else s.ratio.bands if mid == "ratio_band" else []
    return [{"id": b.id, "below": b.below, "label": b.label.get(lang)} for b in limits]


def _subject(kind: str, ident: str, result: Result, k: Knowledge, lang: str) -> dict[str, Any]:
    if kind == "recommendation":
        status = (
            "made"
            if ident in result.recommendations
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
        "label": subject_label(kind, ident, k, lang),
        "status": status,
    }


def _head(schema: str, result: Result, lang: str) -> dict[str, Any]:
    return {
        "schema": schema,
        "lang": lang,
        "assessment": result.assessment.source,
        "cluster": result.assessment.name,
    }


def why_data(result: Result, ident: str, k: Knowledge, lang: str) -> dict[str, Any]:
    """How `ident` (recommendation, finding, measure or indicator) came about, from the record."""
    kind = resolve_id(
        ident, result, k, ("recommendation", "finding", "measure", "indicator"), "why"
    )
    b = _Builder(result, k, lang)
    data = _head(SCHEMA_WHY, result, lang)
    data["subject"] = _subject(kind, ident, result, k, lang)
    data["made"] = data["subject"]["status"] in ("made", "derived", "computed", "input")
    if kind == "recommendation":
        rec = k.recommendation[ident]
        if data["made"]:
            b.cite(list(rec.sources))
        data["recommendation"] = {
            "title": rec.title.get(lang),
            "rationale": rec.rationale.get(lang),
            "priority": result.priority.get(ident),
            "priority_label": (
                k.recommendations.priorities[result.priority[ident]].get(lang)
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
    if kind in ("recommendation", "finding"):
        data["justifications"] = [b.node(v) for v in justify(result, kind, ident, k)]
    elif kind == "measure":
        d = result.measures.derivations.get(ident)
        data["value"] = result.measures.get(ident)
        data["derivation"] = b.derivation(_derivation_view(d.as_dict(), result, k)) if d else None
    else:
        data["value"] = result.assessment.get(ident)
        data["at"] = b.leaf(ident, data["value"])
    if kind in ("measure", "indicator"):
        data["used_by"] = [
            {
                "rule": f.rule,
                "where": f.where,
                "seq": f.seq,
                "title": k.rule[f.rule].rule.title.get(lang),
                "condition": describe_check(c, k, lang),
                "declared": [x.as_dict() for x in f.declared],
            }
            for f in result.firings
            for c in f.conditions
            if c.kind == kind and c.subject == ident
        ]
    data["indicators"] = b.indicators()
    data["sources"] = b.sources()
    return data


def why_not_data(
    result: Result, ident: str, k: Knowledge, lang: str, *, search: bool = True
) -> dict[str, Any]:
    """Why a recommendation (or finding) was not made: every rule that could produce it, each
    branch and condition re-read against the final facts, then the smallest single changes."""
    kind = resolve_id(ident, result, k, ("recommendation", "finding"), "why-not")
    data = _head(SCHEMA_WHY_NOT, result, lang)
    data["subject"] = _subject(kind, ident, result, k, lang)
    made = ident in (result.recommendations if kind == "recommendation" else result.findings)
    data["made"] = made
    b = _Builder(result, k, lang)
    if made:
        data.update(
            {
                "rules": [],
                "postponed_by": [],
                "changes": [],
                "no_change": None,
                "search": None,
                "sources": [],
            }
        )
        return data
    key = f"{kind}:{ident}"
    data["rules"] = [b.analyse(site, frozenset({key})) for site in producers_of(kind, ident, k)]
    data["postponed_by"] = (
        [b.node(v) for v in justify(result, "postponed", ident, k)]
        if kind == "recommendation"
        else []
    )
    data["changes"], data["no_change"], data["search"] = [], None, None
    if search:
        from engine.explain.what_if import minimal_changes

        found = minimal_changes(result, kind, ident, k)
        data["changes"] = [_change_view(c, result, k, lang) for c in found["changes"]]
        data["search"] = found["stats"]
        if not found["changes"]:
            data["no_change"] = _no_change(data, found["stats"])
    data["sources"] = b.sources()
    return data


def _change_view(c: dict[str, Any], result: Result, k: Knowledge, lang: str) -> dict[str, Any]:
    iid = c["indicator"]
    return {
        "indicator": iid,
        "label": subject_label("indicator", iid, k, lang),
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


def closest_branch(rules: list[dict[str, Any]]) -> tuple[dict[str, Any], dict[str, Any] | None]:
    """The rule branch with the fewest unsatisfied conditions (first in knowledge order on ties)."""
    best: tuple[int, dict[str, Any], dict[str, Any] | None] | None = None
    for r in rules:
        for br in r["branches"]:
            if best is None or br["unsatisfied"] < best[0]:
                best = (br["unsatisfied"], r, br)
    assert best is not None
    return best[1], best[2]


def failing_conditions(data: dict[str, Any]) -> list[dict[str, Any]]:
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


# --- one line per recommendation not made (the document and what-if) ---------------------------


def reason_line(
    rules: list[dict[str, Any]], postponed_by: list[dict[str, Any]], lang: str, depth: int = 0
) -> dict[str, Any]:
    """The closest rule's failing conditions in one line, findings followed one level down."""
    s = ui_strings(lang)
    prefix = ""
    if postponed_by:
        prefix = s["x_postponed_by"].format(rule=postponed_by[0]["rule"]) + "; "
    if not rules:
        return {"text": prefix + s["x_no_rule"], "rule": None, "where": None}
    rule, branch = closest_branch(rules)
    line = _rule_line(rule, branch, lang, depth)
    return {**line, "text": prefix + line["text"]}


def reason_lines(
    rules: list[dict[str, Any]], postponed_by: list[dict[str, Any]], lang: str
) -> list[dict[str, Any]]:
    """One line per rule that could have produced it (each with its closest branch)."""
    if not rules:
        return [reason_line(rules, postponed_by, lang)]
    lines = [_rule_line(r, closest_branch([r])[1], lang, 0) for r in rules]
    if postponed_by:
        s = ui_strings(lang)
        p = postponed_by[0]
        lines.insert(
            0,
            {
                "text": s["x_postponed_by"].format(rule=p["rule"]) + f": {p['title']}",
                "rule": p["rule"],
                "where": p["where"],
            },
        )
    return lines


def _rule_line(
    rule: dict[str, Any], branch: dict[str, Any] | None, lang: str, depth: int
) -> dict[str, Any]:
    parts = [
        _failing_text(c, lang, depth)
        for c in (branch or {}).get("conditions", [])
        if not c["holds"]
    ]
    return {
        "text": f"{rule['title']}: " + "; ".join(parts),
        "rule": rule["rule"],
        "where": rule["where"],
    }


def _failing_text(c: dict[str, Any], lang: str, depth: int) -> str:
    s = ui_strings(lang)
    if c["kind"] in ("finding", "recommendation"):
        if c["negated"]:
            by = ", ".join(n["rule"] for n in c.get("blocked_by") or [])
            return s["x_blocked"].format(label=c["label"], rules=by)
        text = f"{c['label']} — {s['x_not_derived']}"
        inner = c.get("because_not") or []
        if inner and depth < 2:
            _, br = closest_branch(inner)
            leaves = [
                _failing_text(x, lang, depth + 1)
                for x in (br or {}).get("conditions", [])
                if not x["holds"]
            ]
            if leaves:
                text += " ← " + "; ".join(leaves)
        return text
    return c["text"]


def not_made(result: Result, k: Knowledge, lang: str) -> list[dict[str, Any]]:
    """Every recommendation of the knowledge base not made, with a one-line reason (no search)."""
    out = []
    for rec in k.recommendations.recommendations:
        if rec.id in result.recommendations:
            continue
        d = why_not_data(result, rec.id, k, lang, search=False)
        line = reason_line(d["rules"], d["postponed_by"], lang)
        out.append(
            {
                "id": rec.id,
                "title": rec.title.get(lang),
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
        d = why_not_data(result, rec.id, k, "en", search=False)
        entry: dict[str, Any] = {
            "id": rec.id,
            "postponed": rec.id in result.postponed,
            "rule": None,
            "failing": [],
        }
        if d["rules"]:
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


# --- text rendering (from the data above only) ---------------------------------------------------


def _v(value: Any, lang: str) -> str:
    return fmt_value(value, lang)


def _mark(ok: bool) -> str:
    return "✓" if ok else "✗"


def render_why(d: dict[str, Any]) -> str:
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
    key = "x_benchmark_ref" if threshold is None else "x_benchmark"
    out.append(
        indent
        + s[key].format(
            threshold=_v(threshold, lang),
            label=b["label"],
            value=_bench_value(b["value"], lang),
            setting=b["setting"],
            sources=", ".join(b["sources"]) or "—",
        )
    )
    if b.get("note"):
        out.append(f"{indent}  {b['note']}")


def _bench_value(v: float, lang: str) -> str:
    """Survey means keep one decimal (2.0, not 2): they are means, not scale points."""
    text = f"{v:.1f}" if float(v).is_integer() else fmt_value(float(v), lang)
    return text.replace(".", ",") if lang == "ru" else text


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


def render_why_not(d: dict[str, Any]) -> str:
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
    out.append(f"{indent}{s['rule']} {r['rule']} — {r['title']} [{r['where']}]")
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
            _render_eval(c, out, inner, lang)
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
