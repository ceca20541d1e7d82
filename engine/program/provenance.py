"""Provenance in the document: the wording of a recommendation's status (a conditional measure
opens with "if not yet ..., then:"), and the proposals of ours the program relied on, listed in the
method annex so the reader can tell the dissertation's method from our additions."""

from __future__ import annotations

from typing import Any

from engine.inference.trace import Result
from engine.knowledge.base import localized
from engine.knowledge.models import Knowledge, RecommendationDef
from engine.text.strings import strings


def status_view(
    status: str, r: RecommendationDef, lang: str, running_unknown: bool = False
) -> dict[str, Any]:
    """The status badge and the opening condition. A measure conditional because the assessment
    leaves blank whether it already runs opens with the entry's condition or the general
    "if this is not yet run" wording."""
    t = strings()[lang]
    condition = ""
    if status == "conditional":
        general = t["cond_not_running"] if running_unknown else t["cond_generic"]
        condition = localized(r.condition, lang) or general
    return {
        "status": status,
        "status_label": t[f"status_{status}"] if status != "new" else "",
        "condition": condition,
    }


def continued_wording(title: str, text: str, r: RecommendationDef, lang: str) -> dict[str, str]:
    """Title and text of a measure that already runs: the entry's `continued:` wording, else the
    general "continue and strengthen" prefix of templates/strings.yaml."""
    t = strings()[lang]
    c = r.continued
    if c is not None and c.title is not None:
        title = localized(c.title, lang)
    else:
        # "Organize stands" reads "Continue and strengthen: organize stands"; "SME ..." stays
        lowered = title[:1].lower() + title[1:] if title[1:2].islower() else title
        title = t["continue_title_prefix"] + lowered
    if c is not None and c.text is not None:
        text = localized(c.text, lang)
    else:
        text = t["continue_text_prefix"] + text
    return {"title": title, "text": text}


def proposals_relied_on(
    result: Result, k: Knowledge, lang: str, recs: list[str]
) -> list[dict[str, Any]]:
    """Our own proposals behind this program, by kind, in reading order (no ids)."""
    t = strings()[lang]
    s = k.scoring
    groups: list[tuple[str, list[str]]] = []
    measures = [
        localized(k.recommendation[r].title, lang)
        for r in recs
        if k.recommendation[r].basis == "proposal"
    ]
    fired = dict.fromkeys(f.rule for f in result.firings)
    rules = [
        localized(k.rule[r].rule.title, lang) for r in fired if k.rule[r].rule.basis == "proposal"
    ]
    settings: list[str] = []
    level = result.assessment.get(s.self_assessment.indicator)
    lv = s.self_assessment.levels.get(level) if level is not None else None
    if lv is not None and lv.basis == "proposal":
        settings.append(t["prov_levels"])
    for name in ("index", "ratio", "helix"):
        if getattr(s, name).basis == "proposal":
            settings.append(t[f"prov_{name}"])
    if any(p.basis == "proposal" for p in s.partial_indicators):
        settings.append(t["prov_partials"])
    kpis = {kid for r in recs for kid in k.recommendation[r].kpis if kid in k.kpi}
    if any(k.kpi[kid].target.basis == "proposal" for kid in kpis):
        settings.append(t["prov_kpi_targets"])
    if any(st.basis == "proposal" for st in k.program.stages):
        settings.append(t["prov_stages"])
    for key, items in (
        ("prov_settings", settings),
        ("prov_rules", rules),
        ("prov_measures", measures),
    ):
        if items:
            groups.append((t[key], items))
    return [{"label": label, "entries": items} for label, items in groups]
