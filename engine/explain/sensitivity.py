"""How firm the advice is (`sensitivity`): for every measure made, the nearest single changes of
an answer that drop it or change its status; for every conditional one, the blanks that decide it
and what each answer does; the changes that move the summary scores; the indicators ranked by how
much advice they move.

Candidate values come from the why-not search (engine/explain/search.py), limited to plausible
ones (a scale's values; a number without an upper bound within the knowledge's `count_factor` of
its answer). Nothing is estimated: a change whose rule branches, `running:` checks and cluster kind
all read as before gives the very same run, so it is not rerun; every other distinct outcome is
rerun once on the session's engine, and only reruns are reported as margins.

Each value is worked out once. The measures read a raw amount only through the rounded shares it
feeds and whether it is blank (`read_as_given` names the indicators they read as they are), so a
raw amount's values that give the same shares share one computation of the measures, and that one
takes the other shares and the stages reading indicators as they are from the base run.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from engine.assessment.validate import Assessment, with_changes
from engine.errors import InputError
from engine.explain.labels import subject_label, value_text
from engine.explain.search import MAX_FOUND, _Search
from engine.explain.why import head
from engine.inference.applicability import KB_INDICATOR, cluster_kind
from engine.inference.run import Runner
from engine.inference.trace import Result
from engine.knowledge.conditions import branches, holds, iter_atoms
from engine.knowledge.measure_ids import measure_inputs
from engine.knowledge.models import Atom, Indicator, Knowledge, Not_
from engine.measures import Measures, compute
from engine.measures.given import as_given, fed_shares, read_as_given
from engine.text.message import Msg, cat

SCHEMA_SENSITIVITY = "cluster-intl/sensitivity/1"

# the summary's findings and scores whose moves the map reports (labels in engine/explain/labels)
SUMMARY = ("self_band", "index_band", "ratio_band", "model")

State = dict[str, str]  # measure made -> its status (new, continue, conditional, postponed)


def advice_state(result: Result) -> State:
    """Every measure made with its status, and every measure postponed (never made while it is:
    the readiness gate) as `postponed`."""
    state = {r: result.status[r] for r in result.recommendations}
    state.update({p: "postponed" for p in result.postponed if p not in state})
    return state


@dataclass(frozen=True)
class Tried:
    """One plausible single change and what it does (`state` None: the advice is unchanged)."""

    indicator: str
    value: Any
    distance: float
    scores: tuple[Any, ...]  # the SUMMARY values after the change
    state: State | None


class _Reach(_Search):
    """The candidate values of one indicator: grouped by the conditions it reaches and by the
    summary scores, within its plausible values. Its measures are values alone (nothing here
    explains a candidate's measures), and so are those of the reruns it feeds."""

    derivations = False

    def __init__(
        self,
        result: Result,
        k: Knowledge,
        iid: str,
        atoms: list[Atom],
        given: dict[str, dict[str, Any]] | None = None,
    ) -> None:
        super().__init__(result, k, [], atoms)
        self.indicators = [iid]
        s = k.program.sensitivity
        self.factor = s.count_factor if s is not None else math.inf
        self.base = self.signature_of(self.a, self.m)
        self.tried_values: dict[tuple[str, str], tuple[Assessment, Measures] | None] = {}
        self.as_given = read_as_given(k)
        self.given = given if given is not None else as_given(self.a, k)
        sc = k.scoring
        self.shares = {p.id: self.m.get(p.id) for p in sc.partial_indicators + sc.region_indicators}
        self.measures: dict[tuple[Any, ...], Measures] = {}
        self.sigs: dict[tuple[str, str], tuple[Any, ...] | None] = {}

    def changed(self, iid: str, value: Any) -> tuple[Assessment, Measures] | None:
        """The assessment and measures with `iid` set to `value` (None if refused), each value
        worked out once; the measures of an indicator they read only through its rounded shares
        computed once per shares and blankness, from the base run's other values."""
        seen = (iid, repr(value))
        if seen in self.tried_values:
            return self.tried_values[seen]
        try:
            a2 = with_changes(self.a, {iid: value}, self.k)
        except InputError:
            a2 = None
        if a2 is None:
            got = None
        elif iid not in self.feeds:
            got = a2, self.m
        elif iid not in self.as_given:
            shares = fed_shares(a2, self.k, iid)
            key = (iid, *shares.values(), a2.get(iid) is None)
            if key not in self.measures:
                given = {**self.given, "_partials": {**self.shares, **shares}}
                self.measures[key] = compute(a2, self.k, derivations=False, given=given)
            got = a2, self.measures[key]
        else:
            got = a2, compute(a2, self.k, derivations=False)
        self.tried_values[seen] = got
        return got

    def sig(self, iid: str, value: Any) -> tuple[Any, ...] | None:  # type: ignore[override]
        """The signature with `iid` set to `value` (None if refused), worked out once per value;
        counts the candidate."""
        self.candidates += 1
        seen = (iid, repr(value))
        if seen not in self.sigs:
            got = self.changed(iid, value)
            self.sigs[seen] = None if got is None else self.signature_of(*got)
        return self.sigs[seen]

    def signature_of(self, a: Assessment, m: Measures) -> tuple[Any, ...]:  # type: ignore[override]
        """The truth (and blankness) of each reached condition, then the summary scores."""
        out: list[Any] = []
        for atom in self.atoms:
            v = a.get(atom.subject) if atom.subject_kind == "indicator" else m.get(atom.subject)
            out.append((holds(atom, v), v is None))
        return tuple(out) + tuple(m.get(key) for key in SUMMARY)

    def bounds(self, ind: Indicator, cur: Any) -> tuple[float, float]:
        """A scale's own bounds; a number without an upper bound within the factor of its answer."""
        lo, hi = super().bounds(ind, cur)
        if cur is None or math.isfinite(hi) or not isinstance(cur, (int, float)):
            return lo, hi
        return max(lo, cur / self.factor), min(hi, max(abs(cur), 1.0) * self.factor)


class SensitivityMap:
    """Every plausible single change of the assessment, tried once, with the reruns it needs."""

    def __init__(self, result: Result, k: Knowledge, runner: Runner) -> None:
        self.result, self.k, self.runner = result, k, runner
        self.base = advice_state(result)
        self.inputs = measure_inputs(k)
        self.fed_by: dict[str, set[str]] = {}
        for measure, ids in self.inputs.items():
            for i in ids:
                self.fed_by.setdefault(i, set()).add(measure)
        self.branches: list[list[tuple[Atom, bool]]] = []
        for site in k.rules:
            for b in site.branches if site.branches is not None else branches(site.rule.when):
                self.branches.append(_conditions_read(b))
        # the conclusions in the base run's working memory (a restricted measure was declared)
        self.made: set[tuple[str, str]] = {
            (d.kind, d.id) for f in result.firings for d in f.declared if d.kind != "excluded"
        }
        a, m = result.assessment, result.measures
        self.base_inputs = [_branch_holds(b, a, m) for b in self.branches]
        self.base_truth = [_branch_holds(b, a, m, self.made) for b in self.branches]
        self.running = {
            r: [x for x, _ in iter_atoms([cond]) if x.subject_kind in ("indicator", "measure")]
            for r in result.recommendations
            if (cond := k.recommendation[r].running) is not None
        }
        self.kind_inputs = {k.sectors.indicator, KB_INDICATOR}
        self.cache: dict[tuple[Any, ...], State] = {}
        self.given = as_given(result.assessment, k)
        self._reached: dict[str, list[int]] = {}  # indicator -> the branches that read it
        for n, read in enumerate(self.branches):
            for i in set[str]().union(*(self._subjects(x) for x, _ in read)):
                self._reached.setdefault(i, []).append(n)
        self._running_read: dict[str, list[tuple[str, Atom, tuple[bool, bool]]]] = {}
        self.runs = 0
        self.candidates = 0

    def reads(self, iid: str, atom: Atom) -> bool:
        """Whether a condition reads this indicator, directly or through a measure it feeds."""
        if atom.subject_kind == "indicator":
            return atom.subject == iid
        return atom.subject_kind == "measure" and atom.subject in self.fed_by.get(iid, set())

    def indicators(self) -> list[str]:
        """The input indicators some condition, `running:` check, cluster kind or summary score
        reads, in catalogue order (any other answer cannot move anything the map reports)."""
        read = {i for b in self.branches for a, _ in b for i in self._subjects(a)}
        for atoms in self.running.values():
            read |= {i for a in atoms for i in self._subjects(a)}
        read |= self.kind_inputs
        for key in SUMMARY:
            read |= self.inputs.get(key, set())
        return [i.id for i in self.k.indicators.indicators if i.id in read]

    def _subjects(self, atom: Atom) -> set[str]:
        if atom.subject_kind == "indicator":
            return {atom.subject}
        return (
            set(self.inputs.get(atom.subject, set())) if atom.subject_kind == "measure" else set()
        )

    def key(self, iid: str, a: Assessment, m: Measures) -> tuple[Any, ...] | None:
        """What a change alters that the engine reads, or None when the run is the base run.

        The engine fires, stratum by stratum (salience), exactly the rule branches that hold on
        its final facts; if no branch the change reaches reads otherwise on the base run's final
        facts, no firing changes and nothing follows: the same run. Otherwise the key names the
        branches whose conditions on indicators and measures read otherwise (two changes with the
        same key give the same run), the `running:` conditions read and the cluster kind."""
        reached = self.reached(iid)
        flips = [
            n
            for n in reached
            if _branch_holds(self.branches[n], a, m, self.made) != self.base_truth[n]
        ]
        inputs = [
            (n, now)
            for n in reached
            if (now := _branch_holds(self.branches[n], a, m)) != self.base_inputs[n]
        ]
        running: list[Any] = []
        moved = False
        for rid, x, was in self.running_read(iid):
            v = _value(x, a, m)
            running.append((rid, x.subject, x.op, holds(x, v), v is None))
            moved = moved or (holds(x, v), v is None) != was
        kind = cluster_kind(a, self.k) if iid in self.kind_inputs else self.result.kind
        if not flips and not moved and kind == self.result.kind:
            return None
        return (tuple(inputs), tuple(running), repr(kind))

    def reached(self, iid: str) -> list[int]:
        """The rule branches with a condition that reads this indicator, in order."""
        return self._reached.get(iid, [])

    def running_read(self, iid: str) -> list[tuple[str, Atom, tuple[bool, bool]]]:
        """The `running:` conditions that read this indicator, each with its measure and how it
        reads on the base run (holds, blank), worked out once."""
        if iid not in self._running_read:
            base = self.result.assessment, self.result.measures
            self._running_read[iid] = [
                (rid, x, (holds(x, v := _value(x, *base)), v is None))
                for rid, atoms in self.running.items()
                for x in atoms
                if self.reads(iid, x)
            ]
        return self._running_read[iid]

    def outcome(self, iid: str, a: Assessment, m: Measures) -> State | None:
        """The advice after a change (None: unchanged), rerun once per distinct outcome."""
        key = self.key(iid, a, m)
        if key is None:
            return None
        if key not in self.cache:
            self.runs += 1
            self.cache[key] = advice_state(self.runner.run(a, m, trace=False))
        state = self.cache[key]
        return None if state == self.base else state

    def reach(self, iid: str) -> _Reach:
        """The candidate search of one indicator over the conditions it reaches."""
        atoms = [x for n in self.reached(iid) for x, _ in self.branches[n] if self.reads(iid, x)]
        atoms += [x for _, x, _ in self.running_read(iid)]
        unique: list[Atom] = []
        for x in atoms:
            if x not in unique:  # atoms are not hashable (a value may be a list)
                unique.append(x)
        return _Reach(self.result, self.k, iid, unique, self.given)

    def _try(self, reach: _Reach, iid: str, value: Any, distance: float) -> Tried | None:
        got = reach.changed(iid, value)
        if got is None:
            return None
        a2, m2 = got
        scores = tuple(m2.get(key) for key in SUMMARY)
        return Tried(iid, value, distance, scores, self.outcome(iid, a2, m2))

    def tried(self, iid: str) -> list[Tried]:
        """The plausible changes of one indicator, one per distinct outcome, each with its advice."""
        reach = self.reach(iid)
        found = [self._try(reach, iid, opt.value, opt.distance) for opt in reach.options(iid)]
        self.candidates += reach.candidates
        return [t for t in found if t is not None]

    def answers(self, iid: str) -> list[Tried]:
        """Every answer of a choice, a yes/no or a scale (else one per distinct outcome), each
        with its advice: what filling a blank would do."""
        reach = self.reach(iid)
        ind = self.k.indicator[iid]
        if ind.type not in ("bool", "enum") and not (ind.type == "score" and ind.scale):
            return self.tried(iid)
        cur = self.result.assessment.get(iid)
        found = [self._try(reach, iid, v, 1.0) for v in reach._discrete(ind, cur) if v != cur]
        return [t for t in found if t is not None]

    def all_tried(self) -> list[Tried]:
        """Every indicator's plausible changes, smallest first within each."""
        out: list[Tried] = []
        for iid in self.indicators():
            out.extend(sorted(self.tried(iid), key=lambda t: (t.distance, repr(t.value))))
        return out


def _value(atom: Atom, a: Assessment, m: Measures) -> Any:
    return a.get(atom.subject) if atom.subject_kind == "indicator" else m.get(atom.subject)


def _conditions_read(branch: list[Any]) -> list[tuple[Atom, bool]]:
    """The conditions of one rule branch, with `not` marked."""
    out = []
    for c in branch:
        atom, negated = (c.not_, True) if isinstance(c, Not_) else (c, False)
        if isinstance(atom, Atom):
            out.append((atom, negated))
    return out


def _branch_holds(
    branch: list[tuple[Atom, bool]],
    a: Assessment,
    m: Measures,
    made: set[tuple[str, str]] | None = None,
) -> bool:
    """Whether a branch holds: its conditions on indicators and measures on these values, and
    (given `made`, the conclusions in the working memory) those on findings and measures made."""
    for atom, negated in branch:
        if atom.subject_kind in ("indicator", "measure"):
            ok = holds(atom, _value(atom, a, m))
        elif made is None:
            continue
        else:
            ok = (atom.subject_kind, atom.subject) in made
        if ok is negated:
            return False
    return True


def effects(base: State, state: State | None) -> list[tuple[str, str, str | None]]:
    """What a changed advice does to each measure: (id, dropped | status | added, new status)."""
    if state is None:
        return []
    out: list[tuple[str, str, str | None]] = []
    for rid, status in base.items():
        if rid not in state:
            out.append((rid, "dropped", None))
        elif state[rid] != status:
            out.append((rid, "status", state[rid]))
    out += [(rid, "added", s) for rid, s in state.items() if rid not in base]
    return out


# --- the map as an answer (language-neutral leaves; engine/render puts it into words) ----------


def _status_label(status: str | None) -> Any:
    return None if status is None else Msg(f"wi_status_{status}")


def _change(t: Tried, result: Result, k: Knowledge) -> dict[str, Any]:
    """One tried change as a reader sees it: the indicator, its answer and the value tried."""
    iid = t.indicator
    was = result.assessment.get(iid)
    return {
        "indicator": iid,
        "label": subject_label("indicator", iid, k),
        "from": was,
        "to": t.value,
        "from_text": value_text("indicator", iid, was, k),
        "to_text": value_text("indicator", iid, t.value, k),
        "at": result.assessment.where(iid),
        "distance": round(t.distance, 4),
    }


def _nearest(rows: list[tuple[Tried, dict[str, Any]]], per: Any) -> list[dict[str, Any]]:
    """The smallest change per `per(row)`, smallest first, at most MAX_FOUND."""
    best: dict[Any, tuple[Tried, dict[str, Any]]] = {}
    for t, extra in rows:
        key = per(t, extra)
        if key not in best or t.distance < best[key][0].distance:
            best[key] = (t, extra)
    ordered = sorted(best.values(), key=lambda te: te[0].distance)
    return [extra for _, extra in ordered[:MAX_FOUND]]


def _measure_view(
    rid: str, base: State, tried: list[Tried], result: Result, k: Knowledge
) -> dict[str, Any]:
    rows = []
    for t in tried:
        for ident, effect, status in effects(base, t.state):
            if ident == rid:
                view = _change(t, result, k)
                view.update(effect=effect, status=status, status_label=_status_label(status))
                rows.append((t, view))
    margins = _nearest(rows, lambda t, _: t.indicator)
    return {
        "id": rid,
        "label": subject_label("recommendation", rid, k),
        "status": base[rid],
        "status_label": _status_label(base[rid]),
        "holds": not margins,
        "margins": margins,
    }


def _answers(rid: str, base: State, tried: list[Tried], k: Knowledge) -> list[dict[str, Any]]:
    """What the answers to a blank do to a conditional measure, the answers alike grouped."""
    groups: dict[tuple[str, str | None], list[Any]] = {}
    for t in tried:
        state = t.state if t.state is not None else base
        status = state.get(rid)
        effect = "dropped" if status is None else "stays" if status == base[rid] else "status"
        groups.setdefault((effect, status), []).append(t.value)
    iid = tried[0].indicator if tried else ""
    return [
        {
            "values": values,
            "values_text": cat((value_text("indicator", iid, v, k) for v in values), ", "),
            "effect": effect,
            "status": status,
            "status_label": _status_label(status),
        }
        for (effect, status), values in groups.items()
    ]


def _conditional_views(
    base: State,
    answers: Callable[[str], list[Tried]],
    requests: list[dict[str, Any]],
    result: Result,
    k: Knowledge,
) -> list[dict[str, Any]]:
    """Each conditional measure with the blanks that decide it (the data requests that name it)
    and what each answer does."""
    out = []
    for rid, status in base.items():
        if status != "conditional":
            continue
        blanks = [row["indicator"] for row in requests if rid in row["conditional"]]
        out.append(
            {
                "id": rid,
                "label": subject_label("recommendation", rid, k),
                "blanks": [
                    {
                        "indicator": iid,
                        "label": subject_label("indicator", iid, k),
                        "answers": _answers(rid, base, answers(iid), k),
                    }
                    for iid in blanks
                ],
            }
        )
    return out


def _score_text(key: str, value: Any, k: Knowledge) -> Any:
    """A summary score's words; a score the data do not determine says so."""
    if value is None or value in ("not_determined", "unknown"):
        return Msg("not_determined")
    return value_text("measure", key, value, k)


def _summary_views(tried: list[Tried], result: Result, k: Knowledge) -> list[dict[str, Any]]:
    """The summary's level, index band, ratio band and model, with the changes that move them."""
    out = []
    for n, key in enumerate(SUMMARY):
        now = result.measures.get(key)
        rows = []
        for t in tried:
            if t.scores[n] != now:
                view = _change(t, result, k)
                view.update(
                    value=t.scores[n], value_text=value_text("measure", key, t.scores[n], k)
                )
                rows.append((t, view))
        out.append(
            {
                "id": key,
                "label": subject_label("measure", key, k),
                "value": now,
                "value_text": _score_text(key, now, k),
                "changes": _nearest(rows, lambda t, v: (t.indicator, repr(v["value"]))),
            }
        )
    return out


def _ranking(base: State, tried: list[Tried], k: Knowledge) -> list[dict[str, Any]]:
    """The indicators by how much advice their plausible values move (measures dropped, added
    or changing status, each counted once per indicator)."""
    moved: dict[str, set[tuple[str, str]]] = {}
    for t in tried:
        for rid, effect, _ in effects(base, t.state):
            moved.setdefault(t.indicator, set()).add((rid, effect))
    order = {i.id: n for n, i in enumerate(k.indicators.indicators)}
    rows = [
        {
            "indicator": iid,
            "label": subject_label("indicator", iid, k),
            "moves": len(pairs),
            "dropped": sum(1 for _, e in pairs if e == "dropped"),
            "added": sum(1 for _, e in pairs if e == "added"),
            "status": sum(1 for _, e in pairs if e == "status"),
        }
        for iid, pairs in moved.items()
    ]
    return sorted(rows, key=lambda r: (-r["moves"], order[r["indicator"]]))


def sensitivity_data(
    result: Result, k: Knowledge, runner: Runner, requests: list[dict[str, Any]]
) -> dict[str, Any]:
    """The sensitivity map of one result: margins of each measure made, the blanks deciding the
    conditional ones (`requests`: the result's data requests, engine/program/data_requests.py),
    the moves of the summary, the indicators ranked, with the search's size."""
    smap = SensitivityMap(result, k, runner)
    tried = smap.all_tried()
    by_indicator: dict[str, list[Tried]] = {}
    for t in tried:
        by_indicator.setdefault(t.indicator, []).append(t)
    base = smap.base
    data = head(SCHEMA_SENSITIVITY, result)
    data["measures"] = [_measure_view(r, base, tried, result, k) for r in result.recommendations]
    data["conditional"] = _conditional_views(base, smap.answers, requests, result, k)
    data["summary"] = _summary_views(tried, result, k)
    data["ranking"] = _ranking(base, tried, k)
    s = k.program.sensitivity
    data["search"] = {
        "indicators": len(by_indicator),
        "candidates": smap.candidates,
        "outcomes": len(tried),
        "runs": smap.runs,
        "count_factor": s.count_factor if s is not None else None,
    }
    return data
