"""The facade's tools for rule authors (`kb check`, `kb test`, `kb impact`, `kb docs`, `kb schema`,
`kb new`, `kb export-clips`), re-exported by `engine.api`."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

from engine.assessment.load import load_assessment
from engine.authoring.clips import deffacts
from engine.authoring.clips import export_clips as clips_text
from engine.authoring.impact import default_assessments, impact_text
from engine.authoring.impact import impact as impact_view
from engine.authoring.scenarios import load_cases, render_report, scenario_files
from engine.authoring.scenarios import run as run_cases
from engine.authoring.schema import all_schemas
from engine.authoring.schema import dumps as schema_dumps
from engine.authoring.schema import write_schemas as write_all_schemas
from engine.authoring.skeleton import new_skeleton, skeleton_report
from engine.errors import InputError, Problem
from engine.inference.trace import Result
from engine.knowledge.models import Knowledge
from engine.knowledge.read import read_knowledge
from engine.knowledge.verify.checks import verify
from engine.program.result_json import result_json
from engine.render.formats import render as render_format
from engine.render.jinja import to_json as json_text
from engine.resources import bundled_root
from engine.session import Session
from engine.text.strings import check_templates


def _evaluate(path: Path, s: Session) -> Result:
    s.protect(path)
    return s.runner.run(load_assessment(path, s.knowledge))


def check_knowledge(root: Path | None = None) -> list[Problem]:
    """Every problem of a knowledge base (`kb check`): structure first, then meaning."""
    k, problems = read_knowledge(root or bundled_root("knowledge"))
    if k is not None:
        unread = any(p.severity == "error" for p in problems)  # the meaning pass saw a part
        problems = problems + [replace(p, follows=p.follows or unread) for p in verify(k)]
    engine_code = Path(__file__).resolve().parents[1]
    return problems + check_templates(bundled_root("templates"), engine_code)


def new_in_knowledge(kind: str, ident: str, root: Path | None = None) -> str:
    """`kb new`: add the commented skeleton of a measure, partner, country or scenario to the
    knowledge base; the text listing the files written and those left to touch by hand."""
    k, problems = read_knowledge(root or bundled_root("knowledge"))
    if k is None:
        raise InputError(problems)
    return skeleton_report(*new_skeleton(kind, ident, k))


def run_scenarios(s: Session, paths: list[Path] | None, lang: str) -> tuple[str, bool, int] | None:
    """Run the scenario tests: (report text, any failed, number of cases), or None without files."""
    k = s.knowledge
    files = scenario_files(k, paths)
    if not files:
        return None
    s.protect(*files)
    cases = load_cases(files, k)
    report = run_cases(cases, k, s.runner, lang)
    return render_report(report, list_uncovered=not paths), bool(report.failed), len(cases)


def impact(base: Path, current: Path | None, more: list[Path]) -> dict[str, Any]:
    """`kb impact`: the examples, the corpus and `more` (files or folders) run on the knowledge
    in `base` and on the current one; what changes for each cluster, with a summary."""
    before, now = Session(base), Session(current)
    paths = default_assessments(bundled_root("examples"))
    for p in more:
        paths += default_assessments(p) if p.is_dir() else [p]

    def run(path: Path, k: Knowledge) -> dict[str, Any]:
        return result_json(_evaluate(path, before if k is before.knowledge else now), k)

    return impact_view(before.knowledge, now.knowledge, paths, run)


def impact_report(base: Path, current: Path | None, more: list[Path], fmt: str) -> str:
    """`kb impact` as text (a block per cluster that changes, a summary line) or JSON."""
    view = impact(base, current, more)
    return json_text(view) if fmt == "json" else impact_text(view)


def catalogue(k: Knowledge, fmt: str, lang: str) -> str:
    """The readable catalogue of the knowledge base (`kb docs`)."""
    return str(render_format("catalogue", fmt, knowledge=lambda: k, lang=lambda: lang))


def schemas(k: Knowledge) -> dict[str, dict[str, Any]]:
    """JSON Schema of every knowledge file kind and of assessments."""
    return all_schemas(k)


def schemas_text(k: Knowledge) -> str:
    """Every JSON Schema as one JSON text, as `kb schema` prints it."""
    return schema_dumps(schemas(k))


def write_schemas(s: Session, out_dir: Path, force: bool) -> list[Path]:
    """Write every JSON Schema into `out_dir` (never over one of the session's inputs)."""
    return write_all_schemas(schemas(s.knowledge), out_dir, force=force, inputs=s.inputs)


def export_clips(s: Session, assessment: Path | None = None) -> str:
    """The knowledge base in CLIPS; with an assessment, its facts as a deffacts block too."""
    k = s.knowledge
    text = clips_text(k)
    if assessment is not None:
        result = _evaluate(assessment, s)
        text += "\n" + deffacts(result.assessment, result.measures, k)
    return text
