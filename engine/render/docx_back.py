"""The back matter of the Word program: monitoring, the responsibility matrix, risks, data gaps
and data requests, abbreviations, sources, the annexes (the consultant's reasons), and the
comparison with a previous assessment (`compare -o x.docx`). Written with the primitives of
`engine/render/docx_writer.py`, after the sections of `engine/render/docx.py`."""

from __future__ import annotations

from typing import Any

from engine.render.docx_setup import xml_text
from engine.render.docx_writer import DocxWriter


class BackMatter(DocxWriter):
    """The sections after the plan and the KPIs, in the order of program.md.j2."""

    def tail(self) -> None:
        """Everything after the KPIs; the reasons and proposals for the consultant only."""
        self.monitoring()
        self.risks()
        self.data_gaps()
        if not self.p["data_first"]:
            self.data_requests()
        self.references()
        if not self.cons:
            return
        self.reasons()
        self.not_made()
        if self.p["proposals"]:
            self.heading(self.t["s_proposals"], 1)
            self.bullets([f"{g['label']}: {'; '.join(g['entries'])}" for g in self.p["proposals"]])
        self.firmness()
        if self.p["earlier_format"]:
            self.heading(self.t["s_earlier_format"], 1)
            self.para(self.p["earlier_format"]["intro"])
            self.bullets(self.p["earlier_format"]["items"])
        kb = self.p["knowledge"]
        self.para(
            f"{self.t['generated_by']}: {self.p['generator']}. {self.t['knowledge_base']}: "
            f"{self.t['kb_version']} {kb['version'] or '—'}, {self.t['kb_digest']} "
            f"sha256:{kb['digest']}",
            style="CI Meta",
        )

    def monitoring(self) -> None:
        """Monitoring stages and the responsibility matrix (bodies numbered, with a key below)."""
        t, p = self.t, self.p
        self.heading(t["s_monitoring"], 1)
        self.para(p["monitoring"]["text"])
        note = p["monitoring"]["stages_note"]
        self.para(f"{t['stages']} ({note}):" if note else f"{t['stages']}:")
        self.bullets(p["monitoring"]["stages"], style="List Number")
        m = p["matrix"]
        self.heading(t["matrix_heading"], 2)
        # the bodies' names are too long for columns a page can hold: numbered, with a key below
        self.table(
            [t["matrix_function"], *[str(i) for i in range(1, len(m["bodies"]) + 1)]],
            [[row["label"], *row["roles"]] for row in m["rows"]],
            [6.0] + [11.0 / max(1, len(m["bodies"]))] * len(m["bodies"]),
            caption=t["matrix_heading"],
        )
        self.para("; ".join(f"{i} — {b}" for i, b in enumerate(m["bodies"], start=1)) + ".")
        self.para("; ".join(m["legend"]) + ".", style="CI Meta")
        if m["note"]:
            self.para(m["note"], style="CI Meta")

    def risks(self) -> None:
        """The risk register: probability, impact, mitigation and owner of each risk."""
        t, p = self.t, self.p
        self.heading(t["s_risks"], 1)
        self.table(
            [t["plan_no"], t["risk"], t["risk_probability"], t["risk_impact"], t["risk_mitigation"]]
            + [t["risk_owner"]],
            [
                [
                    str(r["no"]),
                    r["text"],
                    r["probability"],
                    r["impact"],
                    r["mitigation"],
                    r["owner"],
                ]
                for r in p["risks"]
            ],
            [0.8, 4.0, 2.1, 2.1, 5.4, 2.6],
            caption=t["s_risks"],
        )
        if p["risks_note"]:
            self.para(p["risks_note"], style="CI Meta")

    def data_gaps(self) -> None:
        """How much of the assessment is blank, by group, and the confidence that follows."""
        t, p = self.t, self.p
        g = p["data_gaps"]
        self.heading(t["s_gaps"], 1)
        self.para(
            f"{t['blank_share']}: {g['count']} / {g['of']} ({g['share']} %). "
            f"{t['confidence']}: {t['conf_' + g['level']]}. {g['text']}"
        )
        self.bullets([f"{x['label']}: {', '.join(x['labels'])}" for x in g["groups"]])
        if g["unverified"]:
            self.para(
                f"{t['unverified_values']}: "
                + ", ".join(f"{u['basis']} — {u['count']}" for u in g["unverified"])
            )

    def data_requests(self) -> None:
        """Blank values some rule needed, and what each would decide."""
        t, reqs = self.t, self.p["data_requests"]
        self.heading(t["s_data_requests"], 2)
        if not reqs:
            self.para(t["dr_none"])
            return
        self.para(t["dr_first_intro"] if self.p["data_first"] else t["data_requests_intro"])
        for d in reqs:
            p = self.para(bold_prefix=d["label"])
            p.add_run(
                xml_text(
                    f" ({d['group']})"
                    + (f": {d['question']}" if d["question"] else "")
                    + (f" — {t['dr_ask']}: {d['ask']}" if d["ask"] else "")
                )
            )
            decides = d["decides"]
            if decides:
                self.para(f"{t['dr_decides']}: {'; '.join(decides)}", style="CI Meta")
            if d["confirms"]:
                self.para(f"{t['dr_confirms']}: {'; '.join(d['confirms'])}", style="CI Meta")

    def references(self) -> None:
        """Abbreviations, the sources cited, and the method annex."""
        t, p = self.t, self.p
        self.heading(t["s_abbreviations"], 1)
        self.table(None, [[a["short"], a["full"]] for a in p["abbreviations"]], [3.0, 14.0])
        self.heading(t["s_sources"], 1)
        for s in p["bibliography"]:
            self.para(f"{s['no']}. {s['text']}")
        self.heading(t["s_method_annex"], 1)
        for x in p["method_annex"]:
            self.para(x)

    def reasons(self) -> None:
        """The consultant's annex: the method notes and the rules behind every recommendation."""
        t, p = self.t, self.p
        self.heading(t["s_method"], 2)
        self.bullets(p["method_notes"])
        self.heading(t["s_why"], 1)
        for r in p["recommendations"]:
            self.heading(f"{r.get('no') or ''}. {r['title']} ({r['id']})".lstrip(". "), 2)
            self.bullets(
                [f"{w['text']} — {t['rule']} {w['rule']} ({w['where']})" for w in r["why"]]
            )
            if r["sources"]:
                self.para(
                    "; ".join(
                        s["citation"] + (f", {s['section']}" if s["section"] else "")
                        for s in r["sources"]
                    ),
                    style="CI Meta",
                    bold_prefix=f"{t['sources']}: ",
                )

    def firmness(self) -> None:
        """The consultant's annex: how firm each measure is (the sensitivity map, shortened)."""
        t, f = self.t, self.p.get("firmness")
        if not f:
            return
        self.heading(t["s_firmness"], 1)
        self.para(f"{t['s_firmness_intro']} {f['intro']}")
        self.bullets([f"{m['label']} ({m['id']}): {'; '.join(m['lines'])}" for m in f["measures"]])
        if f["conditional"]:
            self.heading(t["sens_conditional"], 2)
            self.bullets([f"{c['label']}: {'; '.join(c['lines'])}" for c in f["conditional"]])
        if f["ranking"]:
            self.heading(t["sens_ranking"], 2)
            self.figure(f["chart"])
            self.bullets(
                [f"{n}. {r['label']} — {r['text']}" for n, r in enumerate(f["ranking"], 1)]
            )

    def not_made(self) -> None:
        """The consultant's annex: recommendations considered and not made, with the reason."""
        t, p = self.t, self.p
        if p.get("not_made"):
            self.heading(t["s_not_made"], 1)
            self.para(t["s_not_made_intro"])
            self.bullets(
                [
                    f"{x['title']} ({x['id']}): {x['reason']}"
                    + (f" — {t['rule']} {x['rule']} ({x['where']})" if x.get("rule") else "")
                    for x in p["not_made"]
                ]
            )


def comparison_section(w: DocxWriter, c: dict[str, Any]) -> None:
    """The comparison with the previous assessment as the document's final section."""
    t = w.t
    years = ""
    if c["old"]["year"] is not None and c["new"]["year"] is not None:
        years = f" ({c['old']['year']} → {c['new']['year']})"
    w.heading(t["c_heading"] + years, 1)
    w.para(t["c_intro"])
    w.bullets(
        [
            f"{t[key]}: {c[side]['name']}"
            + (f", {c[side]['year']}" if c[side]["year"] is not None else "")
            for key, side in (("c_old", "old"), ("c_new", "new"))
        ]
    )
    if not c["same_cluster"]:
        w.para(f"{t['c_other_cluster']}.", bold_prefix="! ")
    heads = [t["indicator"], t["c_old"], t["c_new"], t["c_change"]]
    w.heading(t["c_diagnosis"], 2)
    w.table(
        heads,
        [[r["label"], r["old"], r["new"], r["change"]] for r in c["diagnosis"]],
        [7.0, 3.5, 3.5, 2.5],
        numeric=(1, 2, 3),
        caption=t["c_diagnosis"],
    )
    _compare_kpis(w, c)
    for key, heading, word in (("added", "c_added", "why"), ("dropped", "c_dropped", "c_because")):
        w.heading(t[heading], 2)
        if not c[key]:
            w.para(f"{t['c_none']}.")
        for r in c[key]:
            w.para(bold_prefix=r["title"])
            w.bullets([f"{t[word]}: {x}" for x in r["plain"]])
    w.heading(t["c_moved"], 2)
    groups = ([{"label": t["c_partials"], "rows": c["partials"]}] if c["partials"] else []) + list(
        c["moved"]
    )
    if not groups:
        w.para(t["c_no_moves"])
    for g in groups:
        w.heading(g["label"], 3)
        w.table(
            heads,
            [[r["label"], r["old"], r["new"], r["change"]] for r in g["rows"]],
            [7.0, 3.5, 3.5, 2.5],
            numeric=(1, 2, 3),
            caption=g["label"],
        )


def _compare_kpis(w: DocxWriter, c: dict[str, Any]) -> None:
    """The earlier program's KPIs against the new year: nine columns, so on a landscape page (as
    the program's own KPI table)."""
    t, k = w.t, c["targets"]
    if not c["kpis"]:
        w.heading(t["c_kpis"], 2)
        w.para(t["c_no_kpis"])
        return
    w.orientation(landscape=True)
    w.heading(t["c_kpis"], 2)
    w.para(k["note"], style="CI Note")
    w.table(
        [t["indicator"], t["unit"], t["c_kpi_old"], k["year_head"], k["final_head"]]
        + [t["c_kpi_now"], t["c_progress"], t["c_status"], t["kpi_data_source_col"]],
        [
            [x["label"], x["unit"], x["baseline"], x["year_target"], x["final_target"]]
            + [x["now"], x["done"], x["status"], x["source"]]
            for x in c["kpis"]
        ],
        [5.6, 2.4, 1.6, 1.6, 2.0, 1.6, 1.8, 2.2, 4.6],
        numeric=(2, 3, 4, 5, 6),
        caption=t["c_kpis"],
    )
    w.orientation(landscape=False)
