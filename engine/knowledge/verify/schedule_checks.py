"""The schedule and target settings (program.yaml `schedule:`, kpis.yaml `target_rules:`,
`data_sources:` and each KPI's `source:` and `owner:`): every id they name exists, the
preconditions between measures have no cycle, the bands grow, and the rule names are bilingual."""

from __future__ import annotations

from engine.knowledge.schedule_model import Schedule
from engine.knowledge.verify.checker_base import CheckerBase


def _cycle(pre: dict[str, list[str]]) -> list[str]:
    """One cycle of the preconditions, or [] (a measure that needs itself, at any depth)."""
    state: dict[str, int] = {}

    def walk(node: str, path: list[str]) -> list[str]:
        state[node] = 1
        for nxt in pre.get(node, []):
            if state.get(nxt) == 1:
                loop = path + [node]
                return loop[loop.index(nxt) :] + [nxt]
            if nxt not in state and (found := walk(nxt, path + [node])):
                return found
        state[node] = 2
        return []

    for start in pre:
        if start not in state and (found := walk(start, [])):
            return found
    return []


def _check_schedule(c: CheckerBase, s: Schedule) -> None:
    f, p = "program.yaml", ("schedule",)
    for i, item in enumerate(s.capacity):
        if item.indicator not in c.k.indicator:
            c.add(f, p + ("capacity", i, "indicator"), f"unknown indicator {item.indicator!r}")
    scores = [b.max_score for b in s.bands]
    if scores != sorted(scores) or not scores:
        c.add(f, p + ("bands",), "bands must be listed by rising max_score", code="bad-setting")
    for rid, needs in s.preconditions.items():
        for i, need in enumerate([rid, *needs]):
            if need not in c.k.recommendation:
                where = p + ("preconditions", rid) + ((i - 1,) if i else ())
                c.add(f, where, f"unknown recommendation {need!r}", key=not i)
    loop = _cycle(s.preconditions)
    if loop:
        c.add(f, p + ("preconditions",), f"preconditions form a cycle: {' -> '.join(loop)}")
    _check_asking(c, s, f, p)


def _check_asking(c: CheckerBase, s: Schedule, f: str, p: tuple[str, ...]) -> None:
    """Who is asked for the blanks of each indicator group, and who instead when a body does not
    exist: known groups, bodies and findings."""
    bodies = {b.id for b in c.k.document.bodies}
    for group, body in s.ask_by_group.items():
        if group not in c.k.group:
            c.add(f, p + ("ask_by_group", group), f"unknown indicator group {group!r}", key=True)
        if body not in bodies:
            c.add(f, p + ("ask_by_group", group), f"unknown body {body!r} (document.yaml)")
    findings = {x.id for x in c.k.findings.findings}
    for i, alt in enumerate(s.ask_instead):
        for key in ("body", "ask"):
            if getattr(alt, key) not in bodies:
                what = f"unknown body {getattr(alt, key)!r} (document.yaml)"
                c.add(f, p + ("ask_instead", i, key), what, code="unknown-body")
        for j, fid in enumerate(alt.if_):
            if fid not in findings:
                c.add(
                    f,
                    p + ("ask_instead", i, "if", j),
                    f"unknown finding {fid!r}",
                    code="unknown-finding",
                )


def check_schedule(c: CheckerBase) -> None:
    """Check the sizing, the preconditions and the KPI target settings."""
    if c.k.program.schedule is not None:
        _check_schedule(c, c.k.program.schedule)
    f = "kpis.yaml"
    sources = {s.id for s in c.k.kpis.data_sources}
    bodies = {b.id for b in c.k.document.bodies}
    for i, s in enumerate(c.k.kpis.data_sources):
        c.text(f, ("data_sources", i, "name"), s.name)
    rules = c.k.kpis.target_rules
    if rules is not None:
        for key, text in rules.rule_names.items():
            c.text(f, ("target_rules", "rule_names", key), text)
    for i, kpi in enumerate(c.k.kpis.kpis):
        if kpi.source is not None and kpi.source not in sources:
            c.add(f, ("kpis", i, "source"), f"unknown data source {kpi.source!r}")
        if kpi.owner is not None and kpi.owner not in bodies:
            c.add(f, ("kpis", i, "owner"), f"unknown body {kpi.owner!r} (document.yaml)")
