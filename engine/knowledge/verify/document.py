"""References of `document.yaml` (the parts of the client's document): bodies, instruments,
recommendations, findings, sources and assessment fields it names must exist."""

from __future__ import annotations

from engine.errors import suggest
from engine.knowledge.document_model import PlanEntry
from engine.knowledge.verify.references import Checker

FILE = "document.yaml"


def check_document(c: Checker) -> None:
    d = c.k.document
    bodies = {b.id for b in d.bodies}
    instruments = {i.id for i in d.instruments}

    def ref(path: tuple, value: str, known: set[str], what: str, key: bool = False) -> None:
        if value not in known:
            c.add(FILE, path, f"unknown {what} {value!r}", hint=suggest(value, known), key=key)

    for i, b in enumerate(d.bodies):
        if b.name_indicator:
            ref(("bodies", i, "name_indicator"), b.name_indicator, set(c.k.indicator), "indicator")
    for actor, body in d.actor_bodies.items():
        ref(("actor_bodies", actor), actor, set(c.k.recommendations.actors), "actor", key=True)
        ref(("actor_bodies", actor), body, bodies, "body")
    for i, f in enumerate(d.functions):
        for body in f.roles:
            ref(("functions", i, "roles", body), body, bodies, "body", key=True)
    findings = {f.id for f in c.k.findings.findings}
    for i, b in enumerate(d.bodies):
        for j, alias in enumerate(b.renamed):
            for n, fid in enumerate(alias.if_):
                ref(("bodies", i, "renamed", j, "if", n), fid, findings, "finding")
    for i, ins in enumerate(d.instruments):
        for j, fid in enumerate(ins.requires):
            ref(("instruments", i, "requires", j), fid, findings, "finding")
    for actor, ids in d.funding_by_actor.items():
        for j, x in enumerate(ids):
            ref(("funding_by_actor", actor, j), x, instruments, "instrument")
    entries: list[tuple[tuple[str, ...], PlanEntry]] = [(("default_plan",), d.default_plan)]
    entries += [(("plan", rid), e) for rid, e in d.plan.items()]
    for path, e in entries:
        if len(path) == 2:
            ref(path, path[1], set(c.k.recommendation), "recommendation", key=True)
        for j, x in enumerate(e.co_executors):
            ref((*path, "co_executors", j), x, bodies, "body")
        for j, x in enumerate(e.funding):
            ref((*path, "funding", j), x, instruments, "instrument")
    for rid in c.k.recommendation:
        if rid not in d.plan:
            c.add(
                FILE,
                ("plan",),
                f"recommendation {rid!r} has no schedule in the action plan; "
                "the default one is used",
                severity="warning",
            )
    for i, r in enumerate(d.risks):
        ref(("risks", i, "owner"), r.owner, bodies, "body")
        for j, fid in enumerate(r.when_findings):
            ref(("risks", i, "when_findings", j), fid, set(c.k.finding), "finding")
    for i, w in enumerate(d.works):
        for j, s in enumerate(w.sources):
            ref(("works", i, "sources", j), s, set(c.k.source), "source")
