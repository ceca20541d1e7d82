"""Run the CLIPS translation of a knowledge base (engine/authoring/clips.py) with clipspy.

Used by the benchmark and by tests/engine/authoring/test_clips.py. clipspy is a development dependency only.
One environment per knowledge base: the program is loaded once and each case is a `(reset)`, the
facts asserted through the templates (much faster than parsing fact strings), and a `(run)`.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import clips

from engine.assessment.validate import Assessment
from engine.authoring.clips import export_clips, fact_values
from engine.knowledge.models import Knowledge
from engine.measures import Measures

_NIL = clips.Symbol("nil")
_TRUE = clips.Symbol("TRUE")
_FALSE = clips.Symbol("FALSE")


@dataclass
class ClipsResult:
    findings: set[str] = field(default_factory=set)
    recommendations: set[str] = field(default_factory=set)
    postponed: set[str] = field(default_factory=set)
    fired: set[tuple[str, int]] = field(default_factory=set)


def _value(v: Any, multislot: bool) -> Any:
    if v is None:
        return [_NIL] if multislot else _NIL
    if isinstance(v, bool):
        return _TRUE if v else _FALSE
    return v


class ClipsRunner:
    def __init__(self, knowledge: Knowledge, program: str | None = None) -> None:
        self.knowledge = knowledge
        self.env = clips.Environment()
        text = program if program is not None else export_clips(knowledge)
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "kb.clp"
            path.write_text(text, encoding="utf-8")
            self.env.load(str(path))
        self.templates = {t.name: t for t in self.env.templates()}
        self.lists = {i.id for i in knowledge.indicators.indicators if i.type == "list"}

    def run(self, assessment: Assessment, measures: Measures) -> ClipsResult:
        env = self.env
        env.reset()
        for name, slots in fact_values(assessment, measures, self.knowledge):
            multi = self.lists if name != "measures" else set()
            self.templates[name].assert_fact(
                **{slot: _value(v, slot in multi) for slot, v in slots.items()}
            )
        env.run()
        out = ClipsResult()
        for fact in env.facts():
            kind = fact.template.name
            if kind == "finding":
                out.findings.add(fact["id"])
            elif kind == "recommended":
                out.recommendations.add(fact["id"])
            elif kind == "postponed":
                out.postponed.add(fact["id"])
            elif kind == "fired":
                out.fired.add((fact["rule"], fact["branch"]))
        return out

    def close(self) -> None:
        self.templates.clear()
        self.env.clear()
