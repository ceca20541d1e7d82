"""The library facade: the whole pipeline as plain functions. `cli/` (and the web workspace)
call these and nothing else below them; tests may go deeper.

A command makes one `Session` (the knowledge base, its runner, the command's inputs, the settings)
and passes it, or the verified `Knowledge` it holds, to these functions with plain values; they
return plain data or rendered text/bytes. The functions given paths register them as the
session's inputs. Nothing here writes to the terminal; file output goes through `write()`, the
one writer.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from importlib import import_module
from pathlib import Path
from typing import TYPE_CHECKING, Any

from engine.api.explain import (
    set_changes,
    what_if,
    what_if_text,
    why,
    why_not,
    why_not_text,
    why_text,
)
from engine.assessment.load import assessment_from_text, load_assessment
from engine.assessment.validate import Assessment, with_changes
from engine.assessment.variant import as_variant
from engine.errors import (
    ClusterIntlError,
    InputError,
    OutputError,
    OutputExistsError,
    Problem,
    UsageError,
    capped,
    printable,
)
from engine.files import atomic
from engine.files.strict_yaml import MAX_BYTES, decode, read_text
from engine.inference.run import Runner
from engine.inference.trace import Result
from engine.knowledge.models import Knowledge
from engine.program.diagnosis import diagnosis_record
from engine.program.document import AUDIENCES, build_document
from engine.program.firmness import firmness_section, map_of, mark_key_measures
from engine.program.model import build_program
from engine.program.peers import peer_indices, rank
from engine.program.result_json import result_json
from engine.render.explain_text import READERS
from engine.render.formats import Format, find_format, format_names, get_format
from engine.render.formats import render as render_format
from engine.render.jinja import environment as jinja_environment
from engine.render.jinja import to_json as json_text
from engine.resources import bundled_root, display_path
from engine.session import Session, Settings
from engine.text.message import Locale, localize
from engine.text.strings import strings

if TYPE_CHECKING:  # loaded on first use (`__getattr__`): a draft needs none of these
    from engine.api.authoring import (
        catalogue,
        check_knowledge,
        export_clips,
        impact,
        impact_report,
        new_in_knowledge,
        run_scenarios,
        schemas,
        schemas_text,
        write_schemas,
    )
    from engine.api.sensitivity_map import sensitivity, sensitivity_chart, sensitivity_text
    from engine.assessment.migrate import Migration
    from engine.authoring.check_report import check_report
    from engine.explain.shapes import WhatIfData, WhyData, WhyNotData

# What a command other than `draft` needs is imported when it first asks for it: the rule
# author's tools (the scenario runner, the schema writer), the sensitivity map, the kb check's
# report and the explanations' shapes; a cold `draft` does not pay for them (issue 18).
_LAZY = {
    **dict.fromkeys(
        ("catalogue", "check_knowledge", "export_clips", "impact", "impact_report"),
        "engine.api.authoring",
    ),
    **dict.fromkeys(
        ("new_in_knowledge", "run_scenarios", "schemas", "schemas_text", "write_schemas"),
        "engine.api.authoring",
    ),
    **dict.fromkeys(
        ("sensitivity", "sensitivity_chart", "sensitivity_text"), "engine.api.sensitivity_map"
    ),
    "check_report": "engine.authoring.check_report",
    **dict.fromkeys(("WhatIfData", "WhyData", "WhyNotData"), "engine.explain.shapes"),
}


def __getattr__(name: str) -> Any:
    """What `_LAZY` names, imported from its module on first use. (No module of this package
    may share a name with a function it lends: importing `engine.api.X` binds the module as the
    package's attribute `X`, which would then hide the function.)"""
    if name in _LAZY:
        return getattr(import_module(_LAZY[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "READERS",
    "Assessment",
    "ClusterIntlError",
    "Format",
    "InputError",
    "Knowledge",
    "OutputError",
    "OutputExistsError",
    "Problem",
    "Result",
    "Session",
    "Settings",
    "UsageError",
    "WhatIfData",
    "WhyData",
    "WhyNotData",
    "assess_text",
    "batch",
    "capped",
    "catalogue",
    "check_knowledge",
    "check_output",
    "check_report",
    "compare",
    "compare_check",
    "compare_document",
    "compare_text",
    "default_workers",
    "diagnosis",
    "draft",
    "evaluate",
    "evaluate_bytes",
    "export_clips",
    "find_format",
    "format_names",
    "impact",
    "impact_report",
    "load",
    "load_bytes",
    "migrate",
    "new_in_knowledge",
    "printable",
    "program_view",
    "questionnaire",
    "run",
    "run_scenarios",
    "schemas",
    "schemas_text",
    "sensitivity",
    "sensitivity_chart",
    "sensitivity_text",
    "to_json",
    "what_if",
    "what_if_text",
    "why",
    "why_not",
    "why_not_text",
    "why_text",
    "write",
    "write_schemas",
]

# --- knowledge and assessments -------------------------------------------------------------------


def load(path: Path, k: Knowledge) -> Assessment:
    """Read and validate an assessment file (YAML, or a filled questionnaire workbook)."""
    return load_assessment(path, k)


def load_bytes(data: bytes, name: str, k: Knowledge) -> Assessment:
    """Read an assessment given as bytes (an upload): a workbook by its name's suffix, else YAML.

    `name` is what messages call the file (`name:line:col: field: message`).
    """
    if Path(name).suffix.lower() in (".xlsx", ".xlsm"):
        from engine.assessment.workbook import read_workbook  # only a workbook needs its reader

        # the workbook reader checks the zip container by path; a private temporary file
        # keeps one reader for files and uploads
        fd, tmp = tempfile.mkstemp(suffix=Path(name).suffix.lower())
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
            return read_workbook(Path(tmp), k, name)
        finally:
            Path(tmp).unlink(missing_ok=True)
    return assessment_from_text(decode(data, name), name, k)


def run(assessment: Assessment, s: Session) -> Result:
    """Derive the measures, build the facts and run the rules: the result with its trace."""
    return s.runner.run(assessment)


def evaluate(path: Path, s: Session) -> Result:
    """The result of an assessment file (an input of the session from now on)."""
    s.protect(path)
    a = load_assessment(path, s.knowledge)
    s.notify(*(n.problem for n in a.notices))  # the fields read from an earlier format
    return s.runner.run(a)


def evaluate_bytes(data: bytes, name: str, s: Session) -> Result:
    """The result of an assessment given as bytes (an upload named `name`)."""
    return s.runner.run(load_bytes(data, name, s.knowledge))


def migrate(path: Path, s: Session, lang: str) -> Migration:
    """An assessment file rewritten in the current format (comments, order, bases and sources
    kept); its notices go to the session. A workbook is refused: it is re-read as it is."""
    s.protect(path)
    shown = display_path(path)
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        message = (
            "migrate rewrites YAML assessments; a workbook is read as it is: fill a new "
            "questionnaire (cluster-intl questionnaire) or write the answers as YAML"
        )
        raise InputError([Problem(file=shown, message=message, code="workbook-not-migrated")])
    from engine.assessment.migrate import migrate_text

    migration = migrate_text(read_text(path, shown), shown, s.knowledge, lang)
    s.notify(*(n.problem for n in migration.notices))
    return migration


# --- the program and the diagnosis ---------------------------------------------------------------


def peer_rank(
    result: Result,
    k: Knowledge,
    peers: list[Path] | None,
    notify: Callable[..., None] | None = None,
) -> dict[str, Any] | None:
    """The cluster's rank against the peer assessments (files or folders), or None; `notify`
    (a Session's) hears of the fields a peer file gave in an earlier format."""
    if not peers:
        return None
    own = Path(result.assessment.source) if result.assessment.source else None
    indices = peer_indices(peers, k, exclude=own)
    if notify is not None:
        notify(*(n for p in indices for n in p.notices))
    return rank(result.measures.get("index"), indices, k)


def draft(
    result: Result,
    k: Knowledge,
    fmt: str,
    lang: str,
    template: Path | None = None,
    peers: list[Path] | None = None,
    *,
    audience: str = "client",
    notify: Callable[..., None] | None = None,
    runner: Runner | None = None,
    firmness: bool = False,
) -> str | bytes:
    """Render the program of an inference result in one format and language.

    `peers` (assessment files or folders): the cluster's index is ranked against theirs (a
    peer's fields of an earlier format are told to `notify`, a Session's).
    `audience`: "client" (the document the client receives: no ids, rules or conditions) or
    "consultant" (the same plus the annexes with the reasons of every measure, and how firm each
    is when `runner` is given: the session's, on which the map reruns; the CLI and the workspace
    give it). `firmness`: one line under each high-priority measure, what single change of an
    answer would alter it (any audience; needs `runner`).
    """

    if lang not in ("ru", "en"):
        raise UsageError(f"--lang: {lang!r} is not supported; use ru or en")
    if audience not in AUDIENCES:
        raise UsageError(f"--audience: {audience!r} is not supported; use client or consultant")
    if template is not None and fmt != "docx":
        raise UsageError("--template applies to --format docx only")
    reads = get_format(fmt, "program").renderers["program"].reads
    ranked = peer_rank(result, k, peers, notify)
    if "template" in reads:
        from engine.render.docx_setup import open_template  # Word only

        open_template(template)  # a broken template fails before any work
    return render_format(
        "program",
        fmt,
        view=lambda: program_view(result, k, lang, audience, ranked, runner, firmness),
        data=lambda: result_json(result, k, ranked),
        template=lambda: template,
    )


def program_view(
    result: Result,
    k: Knowledge,
    lang: str,
    audience: str = "client",
    ranked: dict[str, Any] | None = None,
    runner: Runner | None = None,
    firmness: bool = False,
) -> dict[str, Any]:
    """The document view model: the program and the parts of a client's document, built once
    without a language and put into words for `lang` (the plain mapping the renderers read).
    The consultant's document carries how firm each measure is when `runner` is given;
    `firmness` adds one line under each high-priority measure (it needs `runner`)."""
    if firmness and runner is None:
        raise UsageError("--firmness reruns the rules: give the session's runner")
    data = None
    if runner is not None and (firmness or audience == "consultant"):
        data = map_of(result, k, runner)
    program = build_program(result, k, ranked)
    if firmness and data is not None:
        mark_key_measures(program, data, result)
    annex = firmness_section(data) if data is not None and audience == "consultant" else None
    document = build_document(program, result, k, audience, annex)
    return localize(document, Locale(lang))


def program_and_diagnosis(
    result: Result, k: Knowledge, lang: str
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The client's program view and the diagnosis of one result, its program built once (the
    web page of a what-if variant shows both)."""
    program = build_program(result, k)
    d: dict[str, Any] = localize(
        diagnosis_record(result, k, program), Locale(lang, typography=False)
    )
    return localize(build_document(program, result, k, "client"), Locale(lang)), d


def diagnosis(result: Result, k: Knowledge, lang: str) -> dict[str, Any]:
    """The diagnosis alone: level, index with coverage, model, ratio, strengths, weaknesses."""
    words: dict[str, Any] = localize(diagnosis_record(result, k), Locale(lang, typography=False))
    return words


def assess_text(d: dict[str, Any], lang: str) -> str:
    """The diagnosis as a few plain lines (`assess` without --format json)."""
    s = strings()[lang]
    idx, rat, mod, sa = d["index"], d["ratio"], d["model"], d["self_assessment"]

    def shown(v: Any) -> str:
        return "—" if v is None else str(v)

    lines = [
        d["cluster"],
        f"{s['assess_self']}: {shown(sa['level'])} {sa['label']} ({sa['band']})",
        f"{s['assess_index']}: {shown(idx['value'])} % — {idx['band_label']} "
        f"({s['assess_coverage']}: {idx['coverage']}/{idx['of']})",
        f"{s['assess_model']}: {mod['label']}",
        f"{s['assess_ratio']}: {shown(rat['value'])} — {rat['band_label']}",
        f"{s['assess_strengths']}: " + (", ".join(x["label"] for x in d["strengths"]) or "—"),
        f"{s['assess_weaknesses']}: " + (", ".join(x["label"] for x in d["weaknesses"]) or "—"),
    ]
    if d["readiness_gate"]:
        lines.append(s["assess_gate"])
    g = d["data_gaps"]
    lines.append(f"{s['assess_gaps']}: {g['count']}/{g['of']}")
    return "\n".join(lines) + "\n"


# --- consultant deliverables ---------------------------------------------------------------------


def questionnaire(k: Knowledge, fmt: str, lang: str) -> str | bytes:
    """A blank assessment to fill in: an XLSX workbook with dropdowns, or commented YAML."""
    return render_format("questionnaire", fmt, knowledge=lambda: k, lang=lambda: lang)


def default_workers(s: Session) -> int:
    """How many batch workers by default (the session's setting)."""
    return s.settings.workers


def batch(
    inputs: list[Path],
    out_dir: Path,
    s: Session,
    *,
    fmt: str,
    lang: str,
    force: bool,
    workers: int,
    report: Callable[[str], None],
    sensitivity: bool = False,
) -> tuple[int, int, int]:
    """Draft every input into OUT_DIR with a summary: (drafted, total, exit code); with
    `sensitivity`, each cluster's sensitivity map beside its program (`NAME.sensitivity.json`)."""
    # imported here: the batch brings multiprocessing, which a single draft never needs
    from engine.deliverables.batch import expand as batch_inputs
    from engine.deliverables.batch import run_batch

    # every input is one: the writer never replaces it, --force or not
    s.protect(*batch_inputs(inputs, exclude=out_dir))
    if out_dir.exists() and not out_dir.is_dir():
        raise UsageError(f"{out_dir}: is not a folder")
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"{out_dir}: cannot create the folder: {exc.strerror}") from None
    rep = run_batch(
        inputs,
        out_dir,
        s.knowledge,
        fmt=fmt,
        lang=lang,
        write=lambda name, data: write(s, out_dir / name, data, force=force),
        protected=s.inputs,
        force=force,
        workers=workers,
        report=report,
        sensitivity=sensitivity,
    )
    return rep.total - len(rep.failed), rep.total, rep.exit_code


def compare(old: Result, new: Result, k: Knowledge, lang: str) -> dict[str, Any]:
    """Progress between two assessments of one cluster."""
    from engine.deliverables.compare import compare as compare_view

    return compare_view(old, new, k, lang)


def compare_check(old: Result, new: Result, k: Knowledge, allow_reverse: bool = False) -> list[str]:
    """Warnings on a pair to compare; a later year given first is refused unless `allow_reverse`."""
    from engine.deliverables.monitoring import check_order

    return check_order(old, new, k, allow_reverse)


def compare_text(view: dict[str, Any], fmt: str) -> str:
    """A comparison view rendered as Markdown, HTML or JSON."""
    from engine.deliverables.compare import render_compare

    return render_compare(view, fmt)


COMPARE_FORMATS = format_names("compare")


def compare_document(
    old: Result, new: Result, k: Knowledge, fmt: str, lang: str, template: Path | None = None
) -> tuple[dict[str, Any], str | bytes]:
    """The comparison (view, rendered): md, html and json on their own; docx appended to NEW's
    client program (as `draft(..., "docx")` builds it) as its final section."""
    if lang not in ("ru", "en"):
        raise UsageError(f"--lang: {lang!r} is not supported; use ru or en")
    reads = get_format(fmt, "compare").renderers["compare"].reads
    if template is not None and fmt != "docx":
        raise UsageError("--template applies to --format docx only")
    view = compare(old, new, k, lang)
    if "template" in reads:
        from engine.render.docx_setup import open_template

        open_template(template)
    return view, render_format(
        "compare",
        fmt,
        view=lambda: view,
        program=lambda: program_view(new, k, lang, "client", peer_rank(new, k, None)),
        template=lambda: template,
    )


# --- output --------------------------------------------------------------------------------------


def to_json(data: Any) -> str:
    """Data as the stable JSON text every `--format json` prints."""
    return json_text(data)


def check_output(s: Session, out: Path | None, force: bool, *inputs: Path | None) -> None:
    """Register the command's input paths (files, or folders such as --peers) in the session,
    then refuse a bad output before any work: the writer checks again when it writes."""
    s.protect(*inputs)
    if out is not None:
        atomic.check_target(out, force=force, inputs=s.inputs)


def write(s: Session, path: Path, data: str | bytes, *, force: bool = False) -> None:
    """The one writer: whole or not at all; an existing file only with force; never an input."""
    # by module: tests watch the one writer
    atomic.write_atomic(path, data, force=force, inputs=s.inputs)


# --- for the web workspace ---


def upload_limit(name: str) -> int:
    """The largest assessment the CLI reads under this name (a workbook or a YAML text), in bytes."""
    from engine.assessment.workbook import MAX_WORKBOOK_BYTES

    return MAX_WORKBOOK_BYTES if Path(name).suffix.lower() in (".xlsx", ".xlsm") else MAX_BYTES


def too_large(name: str) -> InputError:
    """The CLI's own message for an assessment over `upload_limit(name)`."""
    limit = upload_limit(name)
    message = f"file is too large (the limit is {limit} bytes)"
    return InputError(
        [
            Problem(
                file=name, message=message, code="file-too-large", params=(("limit", str(limit)),)
            )
        ]
    )


def templates_root() -> Path:
    """The bundled templates/ folder (source tree or installed copy)."""
    return bundled_root("templates")


def environment() -> Any:
    """The one sandboxed Jinja environment over `templates_root()` (autoescape for *.html.j2)."""

    return jinja_environment()


def ui_strings(folder: Path) -> dict[str, dict[str, str]]:
    """The ru/en strings of `folder/strings.yaml`, read and cached like the documents' own."""

    return strings(folder)


def variant(result: Result, sets: list[str], s: Session) -> Result:
    """The result of the what-if variant itself (`ID=VALUE` as in `what_if`), to draft or save:
    marked as a variant of the result's file, its changed values with basis what-if."""
    k = s.knowledge
    a = result.assessment
    changed = with_changes(a, set_changes(sets, k), k)
    return s.runner.run(as_variant(a, changed, Path(a.source).name))


def write_new(s: Session, path: Path, data: str | bytes) -> None:
    """Write a new file whole, never over an existing one, even one created a moment ago (the
    one writer without force creates exclusively)."""
    exists = OutputExistsError(f"{path.name}: already exists; choose another name")
    if os.path.lexists(path):  # an existing file may be an input too: "exists" says it plainly
        raise exists
    try:
        atomic.write_atomic(path, data, force=False, inputs=s.inputs)
    except OutputExistsError:
        raise exists from None
