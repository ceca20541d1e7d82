"""Provenance in the document: the wording of a recommendation's status (a conditional measure
opens with "if not yet ..., then:"), and the proposals of ours the program relied on, listed in the
method annex so the reader can tell the dissertation's method from our additions."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from engine.explain.leaves import Filled
from engine.explain.wording import variant_title
from engine.inference.trace import Result
from engine.knowledge.models import Knowledge, RecommendationDef
from engine.program.leaves import Or, TitleLower, fixed_text, tx
from engine.text.bilingual import Text
from engine.text.message import Msg, Once, cat


def status_view(
    status: str, r: RecommendationDef, k: Knowledge, running_unknown: bool = False
) -> dict[str, Any]:
    """The status badge and the opening condition. A measure conditional because the assessment
    leaves blank whether it already runs opens with the entry's condition or the general
    "if this is not yet run" wording. Both are the knowledge's alone: leaves built once per
    knowledge base, put into words once per language (a cluster shows ~17 measures)."""
    condition: Any = ""
    if status == "conditional":
        condition = k.derived_each(_conditions, r.id)[running_unknown]
    return {
        "status": status,
        "status_label": k.derived_each(fixed_text, f"status_{status}") if status != "new" else "",
        "condition": condition,
    }


def _conditions(k: Knowledge, rid: str) -> tuple[Once, Once]:
    """A conditional measure's opening condition: the entry's own, else the general wording (that
    of a measure whether it already runs the assessment leaves blank second)."""
    own = tx(k.recommendation[rid].condition)
    return Once(Or(own, Msg("cond_generic"))), Once(Or(own, Msg("cond_not_running")))


def continued_title(title: Any, r: RecommendationDef, k: Knowledge | None = None) -> Any:
    """The title of a measure that already runs: the entry's `continued:` title, else the general
    "continue and strengthen" prefix of templates/strings.yaml."""
    c = r.continued
    if c is not None and c.title is not None:
        return c.title
    # "Organize stands" reads "Continue and strengthen: organize stands"; "SME ..." stays
    return _prefixed("continue_title_prefix", title, k, TitleLower)


def _prefixed(key: str, text: Any, k: Knowledge | None, wrap: Callable[[Any], Any]) -> Any:
    """The strings text of `key` before `wrap(text)`; with `k`, that of a knowledge text is
    built once per knowledge base and shared (a cluster cites each measure that continues ~10
    times: its plan row, KPI rows, data requests), put into words once per locale."""
    if isinstance(text, Filled) and not text.subs:
        text = text.text  # a text without placeholders: the knowledge's, in the same words
    if k is None or not isinstance(text, Text):
        return cat([Msg(key), wrap(text)])
    made = k.derived(_prefixed_texts)
    hit = made.get((key, id(text)))
    if hit is None or hit[0] is not text:
        hit = made[key, id(text)] = (text, Once(cat([Msg(key), wrap(text)])))
    return hit[1]


def _prefixed_texts(k: Knowledge) -> dict[tuple[str, int], tuple[Text, Once]]:
    """The "continue" titles and texts made so far, by prefix and the id of the knowledge text
    each continues (kept with it, so that its id stays its own): a memo per knowledge base."""
    return {}


def measure_title(result: Result, rid: str, k: Knowledge) -> Any:
    """A measure's title as this cluster's program heads it (its variant's, and "continue" for one
    that already runs): the plan, the KPI table, the data requests and the comparison cite the
    heading's words."""
    title = variant_title(result, rid, k)
    r = k.recommendation[rid]
    return continued_title(title, r, k) if result.status.get(rid) == "continue" else title


def continued_wording(
    title: Any, text: Any, r: RecommendationDef, k: Knowledge | None = None
) -> dict[str, Any]:
    """Title and text of a measure that already runs: the entry's `continued:` wording, else the
    general "continue and strengthen" prefix of templates/strings.yaml."""
    c = r.continued
    title = continued_title(title, r, k)
    if c is not None and c.text is not None:
        text = c.text
    else:
        text = _prefixed("continue_text_prefix", text, k, _same)
    return {"title": title, "text": text}


def _same(text: Any) -> Any:
    return text


def proposals_relied_on(result: Result, k: Knowledge, recs: list[str]) -> list[dict[str, Any]]:
    """Our own proposals behind this program, by kind, in reading order (no ids)."""
    s = k.scoring
    groups: list[tuple[Once, list[Any]]] = []
    measures: list[Any] = [
        tx(measure_title(result, r, k)) for r in recs if k.recommendation[r].basis == "proposal"
    ]
    fired = dict.fromkeys(f.rule for f in result.firings)
    rules: list[Any] = [
        tx(k.rule[r].rule.title) for r in fired if k.rule[r].rule.basis == "proposal"
    ]
    settings: list[Any] = []
    level = result.assessment.get(s.self_assessment.indicator)
    lv = s.self_assessment.levels.get(level) if level is not None else None
    # the words of each group and setting are the knowledge's alone: one leaf each, put into words
    # once per language (a cluster lists ~10)
    if lv is not None and lv.basis == "proposal":
        settings.append(k.derived_each(fixed_text, "prov_levels"))
    for name in ("index", "ratio", "helix"):
        if getattr(s, name).basis == "proposal":
            settings.append(k.derived_each(fixed_text, f"prov_{name}"))
    if any(p.basis == "proposal" for p in s.partial_indicators):
        settings.append(k.derived_each(fixed_text, "prov_partials"))
    kpis = {kid for r in recs for kid in k.recommendation[r].kpis if kid in k.kpi}
    if any(k.kpi[kid].target.basis == "proposal" for kid in kpis):
        settings.append(k.derived_each(fixed_text, "prov_kpi_targets"))
    if any(st.basis == "proposal" for st in k.program.stages):
        settings.append(k.derived_each(fixed_text, "prov_stages"))
    for key, items in (
        ("prov_settings", settings),
        ("prov_rules", rules),
        ("prov_measures", measures),
    ):
        if items:
            groups.append((k.derived_each(fixed_text, key), items))
    return [{"label": label, "entries": items} for label, items in groups]
