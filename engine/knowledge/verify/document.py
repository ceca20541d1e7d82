"""References of `document.yaml` (the parts of the client's document): bodies, instruments,
recommendations, findings, sources and assessment fields it names must exist."""

from __future__ import annotations

from engine.errors import suggest
from engine.knowledge.document_model import PlanEntry
from engine.knowledge.verify.references import Checker

FILE = "document.yaml"


def check_document(c: Checker) -> None:
    """Report every id that `document.yaml` names but the knowledge base does not define."""
    _check_bodies(c)
    _check_findings_and_funding(c)
    _check_plan(c)
    _check_risks_and_works(c)


def _ref(
    c: Checker, path: tuple[object, ...], value: str, known: set[str], what: str, key: bool = False
) -> None:
    """Report `value` at `path` when it is not one of the `known` ids of its kind."""
    if value not in known:
        c.add(
            FILE,
            path,
            f"unknown {what} {value!r}",
            hint=suggest(value, known),
            key=key,
            code=f"unknown-{what}",
        )


def _check_bodies(c: Checker) -> None:
    """The bodies' name indicators, the actors' bodies and the bodies of each function's roles."""
    d = c.k.document
    bodies = {b.id for b in d.bodies}
    for i, b in enumerate(d.bodies):
        if b.name_indicator:
            _ref(
                c,
                ("bodies", i, "name_indicator"),
                b.name_indicator,
                set(c.k.indicator),
                "indicator",
            )
    for actor, body in d.actor_bodies.items():
        _ref(c, ("actor_bodies", actor), actor, set(c.k.recommendations.actors), "actor", key=True)
        _ref(c, ("actor_bodies", actor), body, bodies, "body")
    for i, f in enumerate(d.functions):
        for body in f.roles:
            _ref(c, ("functions", i, "roles", body), body, bodies, "body", key=True)


def _check_findings_and_funding(c: Checker) -> None:
    """The findings that rename a body, or rename or enable an instrument; the instruments' sources;
    the instruments of each actor."""
    d = c.k.document
    instruments = {i.id for i in d.instruments}
    findings = {f.id for f in c.k.findings.findings}
    for j, alt in enumerate(d.approval_reworded):
        for n, fid in enumerate(alt.if_):
            _ref(c, ("approval_reworded", j, "if", n), fid, findings, "finding")
    for i, b in enumerate(d.bodies):
        for j, alias in enumerate(b.renamed):
            for n, fid in enumerate(alias.if_):
                _ref(c, ("bodies", i, "renamed", j, "if", n), fid, findings, "finding")
    for i, ins in enumerate(d.instruments):
        for j, fid in enumerate(ins.requires):
            _ref(c, ("instruments", i, "requires", j), fid, findings, "finding")
        for j, alias in enumerate(ins.renamed):
            for n, fid in enumerate(alias.if_):
                _ref(c, ("instruments", i, "renamed", j, "if", n), fid, findings, "finding")
        for j, s in enumerate(ins.sources):
            _ref(c, ("instruments", i, "sources", j), s, set(c.k.source), "source")
    for actor, ids in d.funding_by_actor.items():
        for j, x in enumerate(ids):
            _ref(c, ("funding_by_actor", actor, j), x, instruments, "instrument")


def _check_plan(c: Checker) -> None:
    """The action plan's entries (recommendation, co-executors, funding); a recommendation with no
    entry of its own is a warning (the default schedule is used)."""
    d = c.k.document
    bodies = {b.id for b in d.bodies}
    instruments = {i.id for i in d.instruments}
    entries: list[tuple[tuple[str, ...], PlanEntry]] = [(("default_plan",), d.default_plan)]
    entries += [(("plan", rid), e) for rid, e in d.plan.items()]
    for path, e in entries:
        if len(path) == 2:
            _ref(c, path, path[1], set(c.k.recommendation), "recommendation", key=True)
        for j, x in enumerate(e.co_executors):
            _ref(c, (*path, "co_executors", j), x, bodies, "body")
        for j, x in enumerate(e.funding):
            _ref(c, (*path, "funding", j), x, instruments, "instrument")
    for rid in c.k.recommendation:
        if rid not in d.plan:
            c.add(
                FILE,
                ("plan",),
                f"recommendation {rid!r} has no schedule in the action plan; "
                "the default one is used",
                severity="warning",
            )


def _check_risks_and_works(c: Checker) -> None:
    """The risks' owners and triggering findings; the sources of the works."""
    d = c.k.document
    bodies = {b.id for b in d.bodies}
    for i, r in enumerate(d.risks):
        _ref(c, ("risks", i, "owner"), r.owner, bodies, "body")
        for j, fid in enumerate(r.when_findings):
            _ref(c, ("risks", i, "when_findings", j), fid, set(c.k.finding), "finding")
    for i, w in enumerate(d.works):
        for j, s in enumerate(w.sources):
            _ref(c, ("works", i, "sources", j), s, set(c.k.source), "source")
