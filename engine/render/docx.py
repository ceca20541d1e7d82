"""Pipeline step 8b: render the program view model to a Word document (bytes).

Styles, page setup, header and footer come from a template (`templates/program.docx`, built by
`templates/make_docx_template.py`, or an organization's own letterhead); its body is replaced by the
program: real heading styles, the plan of measures as tables, the charts as PNG images, page
numbers in the footer (a PAGE field, added when the template's footer has none). The bytes are
deterministic: fixed core properties and a zip written with fixed timestamps, so the same input
gives the same file.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

from engine.files.stable_zip import stable_zip
from engine.render.docx_back import BackMatter, comparison_section
from engine.render.docx_setup import (
    LANGUAGE_TAGS,
    _clear_body,
    _document_date,
    _ensure_page_numbers,
    _set_header,
    _set_language,
    add_page_field,
    open_template,
    xml_text,
)
from engine.text.strings import strings
from engine.text.typography import typeset_view


def render_docx(
    view: dict[str, Any],
    template: Path | None = None,
    after: Callable[[_Writer], None] | None = None,
) -> bytes:
    """The program as a Word document; `after` writes further sections at its end."""
    doc = open_template(template)
    _clear_body(doc)
    _ensure_page_numbers(doc)
    t = {**strings()[view["lang"]], **view.get("words", {})}
    writer = _Writer(doc, view, typeset_view(t) if view["lang"] == "ru" else t)
    _set_language(doc, LANGUAGE_TAGS[view["lang"]])
    _set_header(doc, view)
    writer.program()
    if after is not None:
        after(writer)
    props = doc.core_properties
    names = view.get("names") or {"cluster": view["cluster"]["name"]}
    props.title = xml_text(f"{writer.t['title']}: {names['cluster']}")[:250]
    props.subject = xml_text(names.get("region") or view["cluster"]["region"])[:250]
    props.author = props.last_modified_by = xml_text(names["cluster"])[:250]
    props.comments = xml_text(view["generator"]) if view.get("audience") == "consultant" else ""
    if kb := view.get("knowledge"):
        props.identifier = xml_text(f"knowledge {kb['version'] or ''} sha256:{kb['digest']}")
    dated = _document_date(view["cluster"].get("year"))
    props.created = props.modified = dated
    props.last_printed = dated
    props.revision = 1
    props.language = LANGUAGE_TAGS[view["lang"]]
    buf = io.BytesIO()
    doc.save(buf)
    return stable_zip(buf.getvalue(), dated)


class _Writer(BackMatter):
    """Writes the program into the document body, section by section (as program.md.j2)."""

    # --- sections ---------------------------------------------------------------------------

    def program(self) -> None:
        """Every section in the order of program.md.j2."""
        t, p = self.t, self.p
        self.title_page()
        self.contents()
        self.passport()
        self.summary()
        if p["gate"]["closed"]:
            self.gate()
        self.current()
        self.swot()
        self.prospects()
        if p["data_first"]:  # most measures' status is blank: what to confirm comes first
            self.data_requests()
        self.heading(t["s_org"], 1)
        if not p["org_changes"]:
            self.para(f"{t['none']}.")
        for r in p["org_changes"]:
            self.recommendation(r, level=2)
        self.measures()
        self.plan()
        self.kpis()
        self.tail()

    def title_page(self) -> None:
        """The approval block, the title and the cluster, the document's particulars, a page break."""
        from docx.enum.text import WD_ALIGN_PARAGRAPH

        t, f = self.t, self.p["front"]
        vm = f.get("variant")
        if vm:  # a what-if variant: its mark and changes in place of the approval block
            self.para(vm["mark"], style="Title")
            self.para(vm["derived_from"])
            for change in vm["changes"]:
                self.para(change, style="List Bullet")
        else:
            approval = self.para(f["approval"])
            approval.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        for _ in range(4):
            self.para()
        self.para(f["title"], style="Title")
        self.para(f["cluster"], style="Subtitle")
        rows = [
            [t["region"], f["region"]],
            [t["doc_period"], f["period"] or "—"],
            [t["specialization"], ", ".join(self.p.get("specialization") or [])],
            [t["doc_contractor"], f["contractor"]],
            [t["doc_version"], f["version"]],
            [t["year"], "—" if f["year"] is None else str(f["year"])],
        ]
        self.table(None, rows, [5.5, 11.5])
        if self.cons:
            self.para(t["doc_draft_consultant"], style="CI Note")
        self.page_break()

    def contents(self) -> None:
        """The table of contents: a TOC field Word fills in when the document is opened."""
        self.para(self.t["contents"], style="Title")
        par = self.para()
        add_page_field(par, 'TOC \\o "1-2" \\h \\z \\u')
        for r in par._p.iter():
            if r.tag.endswith("}t") and r.text == "1":
                r.text = self.t["contents_field"]
        self.page_break()

    def passport(self) -> None:
        """The program's passport: name, basis, goal, tasks, period, executors, resources."""
        t, ps = self.t, self.p["passport"]
        self.heading(t["s_passport"], 1)
        self.table(
            None,
            [
                [t["passport_name"], ps["name"]],
                [t["passport_basis"], ps["basis"]],
                [t["passport_goal"], ps["goal"]],
                [t["passport_tasks"], [f"{i}) {x}" for i, x in enumerate(ps["tasks"], 1)]],
                [t["passport_period"], ps["period"]],
                [t["passport_executors"], "; ".join(ps["executors"])],
                [t["passport_resources"], "; ".join(ps["resources"])],
                [t["passport_funding"], "; ".join(self.p["budget"]["passport"])],
                [t["passport_results"], ps["results"]],
            ],
            [4.5, 12.5],
            caption=t["s_passport"],
        )

    def summary(self) -> None:
        """The summary: level, conclusions, the main measures and the targets."""
        t, sm = self.t, self.p["summary"]
        self.heading(t["s_summary"], 1)
        if sm["level"]:
            self.para(sm["level"])
        if sm["reconciliation"]:
            self.para(sm["reconciliation"])
        self.heading(t["sum_conclusions"], 2)
        self.bullets(sm["conclusions"], style="List Number")
        self.heading(t["sum_measures"], 2)
        self.bullets([f"{x['title']} ({t['sum_plan_ref']} {x['no']})" for x in sm["measures"]])
        self.heading(t["sum_targets"], 2)
        self.bullets(sm["targets"])

    def gate(self) -> None:
        """The readiness gate: why the cluster is not ready and what waits for it."""
        t, g = self.t, self.p["gate"]
        self.heading(t["gate_heading"], 1)
        self.para(g["text"])
        self.para(f"{t['gate_reasons']}:")
        self.bullets(g["reasons"])
        self.para(f"{t['postponed']}:")
        self.bullets(
            [f"{x['title']} ({x['id']})" if self.cons else x["title"] for x in g["postponed"]]
        )

    def current(self) -> None:
        """The current state: self-assessment, index, ratio, model, actors, directions."""
        t, cur = self.t, self.p["current"]
        self.heading(t["s_current"], 1)
        self.heading(t["self_assessment"], 2)
        sa = cur["self_assessment"]
        if sa["level"] is not None:
            p = self.para(bold_prefix=f"{t['level']} {sa['level']} — {sa['label']}")
            if sa["quote"]:
                described = f"{t['sa_quote_intro']}: «{sa['quote']}»."
            else:
                extra = f" ({t['sa_intermediate']})" if sa["intermediate"] else ""
                described = f"{sa['description']}{extra}"
            placed = f"; {t['band_intermediate_mark']}" if sa["intermediate"] else ""
            p.add_run(xml_text(f" ({t['band']}: {sa['band']}{placed}). {described}"))
            if sa["proposal"] and self.cons:
                p.add_run(xml_text(f" ({t['proposal_mark']})")).italic = True
        else:
            self.para("—")
        idx = cur["index"]
        self.heading(t["index_heading"], 2)
        p = self.para(f"{t['index_value']}: ")
        p.add_run(xml_text(f"{idx['value']} %")).bold = True
        p.add_run(xml_text(f" — {idx['band']}. {t['coverage']}: {idx['coverage']} / {idx['of']}."))
        if self.cons:
            self.para(idx["note"], style="CI Note")
        self.index_notes()
        self.table(
            [t["indicator"], t["cluster"], t["region_col"], t["weight"]],
            [[r["label"], r["value"], r["region"], r["weight"]] for r in cur["partials"]],
            [10.0, 2.4, 2.4, 2.2],
            numeric=(1, 2, 3),
            caption=t["index_heading"],
        )
        rat = cur["ratio"]
        self.heading(t["ratio_heading"], 2)
        p = self.para(f"{t['ratio_value']}: ")
        p.add_run(xml_text(rat["value"])).bold = True
        p.add_run(
            xml_text(
                f" — {rat['band']}. {t['cluster_matched']}: {rat['cluster_matched']}; "
                f"{t['region_index']}: {rat['region_index']}."
            )
        )
        self.para(rat["text"])
        self.ratio_notes()
        mod = cur["model"]
        self.heading(t["model_heading"], 2)
        helices = "; ".join(f"{h['label']} {h['value']}" for h in mod["helices"])
        p = self.para(bold_prefix=mod["label"])
        leading = f" {mod['leading']}" if mod["leading"] else ""
        p.add_run(xml_text(f" ({helices}).{leading} {t['model_names_system']}"))
        if self.cons:
            self.para(mod["note"], style="CI Note")
        self.diagnosis_notes()
        for key, heading in (
            ("actors", t["actors_heading"]),
            ("directions", t["directions_heading"]),
        ):
            self.heading(heading, 2)
            self.table(
                [t["indicator"], t["value"], t["benchmark"], t["difference"]],
                [[r["label"], r["value"], r["benchmark"], r["diff"]] for r in cur[key]],
                [9.5, 2.4, 2.7, 2.4],
                numeric=(1, 2, 3),
                caption=heading,
            )
        self.heading(t["geography_heading"], 2)
        self.chart("geography")

    def index_notes(self) -> None:
        """Beside the index: the bands as convention, coverage, counts, the peer comparison."""
        t, sc = self.t, self.p["current"]["scores"]
        self.para(sc["bands_convention"], style="CI Note")
        if sc["reported"]:
            self.para(sc["reported"])
        if not sc["determined"]:
            missing = (
                f" {t['scores_missing']}: {'; '.join(sc['missing'])}." if sc["missing"] else ""
            )
            self.para(sc["not_determined_text"] + missing)
        if sc["peers"]:
            self.para(sc["peers"])
        counts = "; ".join(f"{c['label']} — {c['value']}" for c in sc["counts"])
        self.para(f"{t['scores_counts']}: {counts}.")

    def ratio_notes(self) -> None:
        """How the cluster/region ratio was formed, what it left out, and its bands."""
        t, sc = self.t, self.p["current"]["scores"]
        if sc["ratio_basis"]:
            self.para(sc["ratio_basis"])
        if sc["ratio_left_out"]:
            self.para(f"{t['scores_ratio_left_out']}: {'; '.join(sc['ratio_left_out'])}.")
        if self.cons and sc["ratio_pairs"]:
            self.table(
                [t["indicator"], t["cluster"], t["region_col"], t["scores_ratio_pair_ratio"]],
                [[r["label"], r["cluster"], r["region"], r["ratio"]] for r in sc["ratio_pairs"]],
                [9.5, 2.4, 2.4, 2.7],
                numeric=(1, 2, 3),
                caption=t["scores_ratio_pairs"],
            )
        self.para(sc["ratio_bands_convention"], style="CI Note")

    def diagnosis_notes(self) -> None:
        """The leading helices, the benchmark rule and constructed benchmarks, reconciliation."""
        t, sc = self.t, self.p["current"]["scores"]
        if sc["leaders"]:
            self.para(f"{t['scores_leaders']}: {', '.join(sc['leaders'])}.")
        if sc["mixed"]:
            self.para(f"{t['scores_mixed']}: {'; '.join(sc['mixed'])}.")
            self.para(sc["mixed_rule"], style="CI Note")
        self.para(sc["benchmark_rule"], style="CI Note")
        for c in sc["constructed"]:
            self.para(
                f"* {c['label']}: {c['value']} — {t['scores_constructed']}. {c['note']}",
                style="CI Note",
            )
        if sc["reconciliation"]:
            self.heading(t["scores_reconciliation"], 3)
            self.para(sc["reconciliation"])

    def swot(self) -> None:
        """The SWOT lists; for the consultant, each item with where it comes from."""
        t = self.t
        self.heading(t["s_swot"], 1)
        for key in ("strengths", "weaknesses", "opportunities", "threats"):
            self.heading(t[key], 2)
            items = []
            for i, item in enumerate(self.p["swot"][key]):
                text = item["text"]
                if not self.cons:
                    items.append(self.p["swot_plain"][key][i])
                    continue
                if item["origin"] == "assessment":
                    text += f" ({t['from_assessment']})"
                elif item["why"]:
                    text += " — " + "; ".join(item["why"])
                items.append(text)
            self.bullets(items or [t["none"]])

    def prospects(self) -> None:
        """The prospects: the gate, the band, the model, target markets and partner clusters."""
        t, pr = self.t, self.p["prospects"]
        self.heading(t["s_prospects"], 1)
        for text in (pr["gate"], pr["band"], pr["model"], pr["ratio"]):
            if text:
                self.para(text)
        if pr["target_markets"]:
            self.para(f"{t['target_markets']}: {', '.join(pr['target_markets'])}.")
        self.para(f"{pr['geographies_label']}: {', '.join(pr['geographies'])}.")
        if pr["partners"]:
            self.para(f"{t['partner_candidates']}:")
            self.bullets([self._partner(c) for c in pr["partners"]])

    def _partner(self, c: dict[str, Any]) -> str:
        text = c["name"]
        if c["country"]:
            country = c.get("country_name") or c["country"]
            text += f" ({country}{', ' + c['region'] if c['region'] else ''})"
        if c["reasons"]:
            text += " — " + "; ".join(c["reasons"])
        return text

    def recommendation(self, r: dict[str, Any], level: int = 3) -> None:
        """One measure: title and status, condition, text, actor and timing, partners, KPIs."""
        t = self.t
        title = f"{r['no']}. {r['title']}" if r.get("no") else r["title"]
        self.heading(title + (f" ({r['status_label']})" if r.get("status_label") else ""), level)
        if r.get("condition"):
            p = self.para("")
            p.add_run(xml_text(f"{r['condition']} {t['cond_then']} ")).italic = True
            p.add_run(xml_text(r["text"]))
        else:
            self.para(r["text"])
        self.para(
            f"{t['plan_responsible']}: {r.get('responsible', r['actor'])} · "
            f"{t['priority']}: {r['priority']} · {t['timeframe']}: {r.get('when', r['timeframe'])}",
            style="CI Meta",
        )
        if r["kpis"]:
            self.para(f"{t['kpi']}: {'; '.join(r['kpis'])}", style="CI Meta")
        refs = f" [{', '.join(map(str, r['refs']))}]" if r.get("refs") else ""
        p = self.para(r["rationale"] + refs, bold_prefix=f"{t['rationale']}: ")
        # a proposal or an inference of the system never ends with the dissertation's reference
        mark = (
            "our_proposal" if r["proposal"] else "derived_mark" if r["basis"] == "derived" else ""
        )
        if mark:
            p.add_run(xml_text(f" ({t[mark]})")).italic = True
        if r.get("firm"):  # draft --firmness: how firm a high-priority measure is
            self.para(r["firm"], style="CI Note")
        if self.cons:
            for w in r["why"]:
                self.para(
                    f"{w['text']} ({w['rule']})", style="CI Note", bold_prefix=f"{t['why']}: "
                )
        if r["partners"]:
            self.para(f"{t['partner_candidates']}:")
            self.bullets(
                [
                    self._partner(c) + (f": {c['facts']}" if c["facts"] else "")
                    for c in r["partners"]
                ]
            )
        if r["platforms"]:
            self.para(f"{t['platforms_to_join']}:")
            self.bullets([self._platform(pl) for pl in r["platforms"]])
        if r.get("none_fits"):
            self.para(r["none_fits"])

    def _platform(self, pl: dict[str, Any]) -> str:
        text = f"{pl['name']}: {pl['description']}"
        if pl.get("actors"):
            text += f" ({self.t['platform_for']}: {', '.join(pl['actors'])})"
        return text

    def measures(self) -> None:
        """Each measure in full, by direction (the plan lists them once more, in one table)."""
        t, p = self.t, self.p
        self.heading(t["s_measures"], 1)
        for d in p["by_direction"]:
            self.heading(d["label"], 2)
            if not d["measures"]:
                self.para(t["no_measures"], style="CI Note")
            for r in d["measures"]:
                self.recommendation(r)

    def plan(self) -> None:
        """The action plan on landscape pages: one numbered row per measure."""
        t, p = self.t, self.p
        self.orientation(landscape=True)
        self.heading(t["s_actors"], 1)
        self.para(t["plan_intro"], style="CI Note")
        rows = [
            [
                str(r["no"]),
                r["title"],
                r["responsible"],
                r["co_executors"],
                r["when"],
                r["amount"],
                r["sources"],
                r["result"],
            ]
            for r in p["plan"]
        ]
        self.table(
            [
                t["plan_no"],
                t["measure"],
                t["plan_responsible"],
                t["plan_co"],
                t["plan_when"],
                p["budget"]["amount_head"],
                t["plan_funding"],
                t["plan_result_col"],
            ],
            rows,
            # one column for the dates (start — end): nine columns broke words on a landscape page
            [0.9, 4.6, 2.9, 3.0, 2.6, 2.6, 3.8, 4.4],
            numeric=(0,),
            caption=t["s_actors"],
        )
        self.resources()

    def resources(self) -> None:
        """The resource table: each funding source's amount per year and in all, with notes."""
        t, b = self.t, self.p["budget"]
        self.heading(t["budget_heading"], 2)
        rows = [[r["source"], *r["years"], r["total"]] for r in [*b["rows"], b["total"]]]
        n = len(b["years"])
        self.table(
            [t["budget_source"], *b["years"], t["budget_total"]],
            rows,
            [8.0] + [2.4] * n + [2.6],
            numeric=tuple(range(1, n + 2)),
            caption=f"{t['budget_heading']}, {b['unit']}",
        )
        for note in b["notes"]:
            self.para(note, style="CI Note")

    def kpis(self) -> None:
        """The KPI table: baseline and a target per year, data source and owner (landscape)."""
        t, p = self.t, self.p
        self.heading(t["s_kpis"], 1)
        years = [str(y) for y in p["period"]["years"]]
        base = t["baseline"] + (f" ({p['front']['year']})" if p["front"]["year"] else "")
        rows = [
            [_kpi_label(k), k["unit"], k["baseline"], *k["years"], k["source"], k["owner"]]
            for k in p["kpi_rows"]
        ]
        if rows:
            self.table(
                [t["indicator"], t["unit"], base, *years, t["kpi_data_source_col"], t["kpi_owner"]],
                rows,
                [6.5, 2.6, 2.0] + [1.7] * len(years) + [3.6, 4.0],
                numeric=tuple(range(2, 3 + len(years))),
                caption=f"{t['s_kpis']} ({t['kpi_frequency_col'].lower()}: {t['kpi_frequency']})",
            )
        self.orientation(landscape=False)


def _kpi_label(k: dict[str, Any]) -> str:
    """A KPI's name with the short rule of its targets."""
    return f"{k['label']} ({k['rule']})" if k.get("rule") else str(k["label"])


# --- progress since the previous assessment (`compare -o x.docx`) ---------------------------------


def render_compare_docx(
    view: dict[str, Any], comparison: dict[str, Any], template: Path | None = None
) -> bytes:
    """The new assessment's program followed by the comparison with the previous one as its
    final section (client text: labels and values, no ids)."""
    c = typeset_view(comparison) if comparison["lang"] == "ru" else comparison
    return render_docx(view, template, after=lambda w: comparison_section(w, c))
