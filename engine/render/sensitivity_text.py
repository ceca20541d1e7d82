"""The sensitivity map (engine/explain/sensitivity.py, put into words) as terminal text or
Markdown, for a policy reader: labels and values only, no ids (the JSON keeps them)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from engine.text.message import Locale, localize
from engine.text.strings import strings


def map_words(data: dict[str, Any], lang: str) -> dict[str, Any]:
    """A sensitivity map (engine/explain/sensitivity.py) in `lang`: what `sensitivity --format
    json` prints and the text and Markdown read."""
    words: dict[str, Any] = localize(data, Locale(lang, typography=False))
    words["lang"] = lang
    return words


def _change(c: Mapping[str, Any]) -> str:
    return f"{c['label']}: {c['from_text']} → {c['to_text']}"


def _margin(m: Mapping[str, Any], s: Mapping[str, str]) -> str:
    if m["effect"] == "dropped":
        return s["sens_dropped_if"].format(change=_change(m))
    return s["sens_becomes_if"].format(status=m["status_label"], change=_change(m))


def _answer(a: Mapping[str, Any], s: Mapping[str, str]) -> str:
    if a["effect"] == "dropped":
        said = s["sens_answer_dropped"]
    elif a["effect"] == "stays":
        said = s["sens_answer_stays"]
    else:
        said = s["sens_answer_becomes"].format(status=a["status_label"])
    return f"{a['values_text']} → {said}"


def _lines(d: Mapping[str, Any], md: bool) -> list[str]:
    """The map's lines; Markdown adds headings and list marks, the terminal indents."""
    s = strings()[d["lang"]]
    h = "## " if md else ""
    item, sub = ("- ", "  - ") if md else ("- ", "    ")
    q = d["search"]
    out = [("# " if md else "") + s["sens_title"].format(cluster=d["cluster"] or d["assessment"])]
    out += ["", s["sens_searched"].format(**q, factor=f"{q['count_factor']:g}"), ""]
    out += [h + s["sens_measures"], ""]
    for m in d["measures"]:
        out.append(f"{item}{m['label']} ({m['status_label']})")
        lines = [_margin(x, s) for x in m["margins"]] or [s["sens_holds"]]
        out += [sub + line for line in lines]
    if d["conditional"]:
        out += ["", h + s["sens_conditional"], ""]
        for c in d["conditional"]:
            out.append(f"{item}{c['label']}")
            for b in c["blanks"]:
                answers = "; ".join(_answer(a, s) for a in b["answers"]) or s["sens_no_answer"]
                out.append(f"{sub}{b['label']} ({s['sens_blank']}): {answers}")
    out += ["", h + s["sens_summary"], ""]
    for x in d["summary"]:
        out.append(f"{item}{x['label']}: {x['value_text']}")
        moves = [
            s["sens_moves_to"].format(value=c["value_text"], change=_change(c))
            for c in x["changes"]
        ] or [s["sens_summary_holds"]]
        out += [sub + line for line in moves]
    out += ["", h + s["sens_ranking"], ""]
    for n, r in enumerate(d["ranking"], 1):
        out.append(f"{n}. {r['label']} — " + s["sens_moves"].format(**r))
    if not d["ranking"]:
        out.append(s["sens_ranking_none"])
    return out


def render_text(view: Mapping[str, Any]) -> str:
    """The map as terminal text."""
    return "\n".join(_lines(view, md=False)) + "\n"


def render_md(view: Mapping[str, Any]) -> str:
    """The map as Markdown."""
    return "\n".join(_lines(view, md=True)) + "\n"
