"""The commands a consultant and policy staff run: draft, assess, explain, questionnaire, batch,
compare, serve."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer

from cli.common import (
    AssessmentArg,
    Audience,
    CompareFormat,
    DraftFormat,
    ForceOpt,
    KnowledgeOpt,
    Lang,
    LangOpt,
    OutByExtensionOpt,
    OutOpt,
    QuestionnaireFormat,
    Reader,
    TextFormat,
    app,
    emit,
    guarded_command,
    session,
)
from engine.render.formats import format_for, spoken


@app.command()
@guarded_command
def draft(
    assessment: AssessmentArg,
    out: OutByExtensionOpt = None,
    fmt: Annotated[
        DraftFormat | None, typer.Option("--format", "-f", help=f"{spoken('program')}.")
    ] = None,
    lang: LangOpt = Lang.ru,
    knowledge: KnowledgeOpt = None,
    force: ForceOpt = False,
    template: Annotated[
        Path | None,
        typer.Option(
            "--template",
            help="Word template (.docx) with your own styles and letterhead; docx only.",
            dir_okay=False,
        ),
    ] = None,
    audience: Annotated[
        Audience,
        typer.Option(
            "--audience",
            help="client: the document the client receives; "
            "consultant: the same plus the reasons of every measure.",
        ),
    ] = Audience.client,
    peers: Annotated[
        list[Path] | None,
        typer.Option(
            "--peers",
            help="Assessments (files or folders) to rank the cluster's index against; "
            "without them the program makes no comparison with other clusters.",
        ),
    ] = None,
    firmness: Annotated[
        bool,
        typer.Option(
            "--firmness",
            help="Under each high-priority measure, one line: the nearest single change of an "
            "answer that would alter it, or that it holds (reruns the rules).",
        ),
    ] = False,
) -> None:
    """Draft the internationalization program for one assessment."""
    from engine import api

    s = session(knowledge)  # one session per command
    api.check_output(s, out, force, assessment, template, *(peers or []))  # fail before the work
    result = api.evaluate(assessment, s)
    text = api.draft(
        result,
        s.knowledge,
        fmt or format_for(out, "program"),
        lang.value,
        template,
        peers,
        audience=audience.value,
        notify=s.notify,
        runner=s.runner,
        firmness=firmness,
    )
    emit(s, text, out, force)


@app.command()
@guarded_command
def assess(
    assessment: AssessmentArg,
    fmt: Annotated[TextFormat, typer.Option("--format", "-f")] = TextFormat.text,
    lang: LangOpt = Lang.ru,
    knowledge: KnowledgeOpt = None,
) -> None:
    """Print the diagnosis only: level, index with coverage, model, ratio, strengths, weaknesses."""
    from engine import api

    s = session(knowledge)
    d = api.diagnosis(api.evaluate(assessment, s), s.knowledge, lang.value)
    sys.stdout.write(api.to_json(d) if fmt is TextFormat.json else api.assess_text(d, lang.value))


EXPLAIN_FORMAT = "text, or json (documented shape, see docs/explanations.md)."
READER = "author: rule ids and file:line locations; policy: plain sentences with labels."
ExplainFormatOpt = Annotated[TextFormat, typer.Option("--format", "-f", help=EXPLAIN_FORMAT)]
ReaderOpt = Annotated[Reader, typer.Option("--reader", help=READER)]


@guarded_command
def _explain(
    assessment: Path,
    knowledge: Path | None,
    build: Callable[..., Any],
    render: Callable[[Any], str],
    fmt: TextFormat,
) -> None:
    """Shared body of the explanation commands: one function builds the data, one renders text."""
    from engine import api

    s = session(knowledge)
    data = build(api.evaluate(assessment, s), s)
    sys.stdout.write(api.to_json(data) if fmt is TextFormat.json else render(data))


@app.command()
def why(
    assessment: AssessmentArg,
    ident: Annotated[
        str,
        typer.Argument(
            metavar="ID",
            help="A recommendation, finding (weakness.export, level.high...), measure "
            "(index, index_band, model, ratio...) or indicator id.",
        ),
    ],
    fmt: ExplainFormatOpt = TextFormat.text,
    lang: LangOpt = Lang.ru,
    knowledge: KnowledgeOpt = None,
    reader: ReaderOpt = Reader.author,
) -> None:
    """Why a recommendation was made (or a finding derived, a measure computed): the chain of
    rules back to the assessment's indicators, the thresholds, benchmarks and sources."""
    from engine import api

    _explain(
        assessment,
        knowledge,
        lambda r, s: api.why(r, ident, s.knowledge, lang.value, reader.value),
        lambda d: api.why_text(d, reader.value),
        fmt,
    )


@app.command("why-not")
def why_not(
    assessment: AssessmentArg,
    ident: Annotated[
        str, typer.Argument(metavar="REC_ID", help="A recommendation (or finding) id.")
    ],
    fmt: ExplainFormatOpt = TextFormat.text,
    lang: LangOpt = Lang.ru,
    knowledge: KnowledgeOpt = None,
    reader: ReaderOpt = Reader.author,
) -> None:
    """Why a recommendation was not made: every rule that could make it, each condition met or
    not, and the smallest change of one indicator that would make it fire."""
    from engine import api

    _explain(
        assessment,
        knowledge,
        lambda r, s: api.why_not(r, ident, s, lang.value, reader.value),
        lambda d: api.why_not_text(d, reader.value),
        fmt,
    )


@app.command("what-if")
def what_if(
    assessment: AssessmentArg,
    sets: Annotated[
        list[str],
        typer.Option(
            "--set",
            metavar="ID=VALUE",
            help="Change one indicator (repeatable); VALUE is YAML: 4, true, [a, b], empty = blank.",
        ),
    ],
    fmt: ExplainFormatOpt = TextFormat.text,
    lang: LangOpt = Lang.ru,
    knowledge: KnowledgeOpt = None,
    reader: ReaderOpt = Reader.author,
) -> None:
    """Rerun with changed indicators and show what moves: recommendations and findings added or
    removed (each with its reason) and the scores."""
    from engine import api

    _explain(
        assessment,
        knowledge,
        lambda r, s: api.what_if(r, sets, s, lang.value, reader.value),
        lambda d: api.what_if_text(d, reader.value),
        fmt,
    )


@app.command()
@guarded_command
def questionnaire(
    fmt: Annotated[
        QuestionnaireFormat,
        typer.Option(
            "--format", "-f", help="xlsx (a workbook with dropdowns) or yaml (commented)."
        ),
    ] = "xlsx",
    lang: LangOpt = Lang.ru,
    out: Annotated[
        Path | None,
        typer.Option(
            "-o",
            "--output",
            help="Output file (default: stdout for yaml; required for xlsx).",
            dir_okay=False,
        ),
    ] = None,
    knowledge: KnowledgeOpt = None,
    force: ForceOpt = False,
) -> None:
    """Write a blank assessment to fill in: one row (or key) per indicator with its question."""
    from engine import api

    s = api.Session(knowledge)
    emit(s, api.questionnaire(s.knowledge, fmt, lang.value), out, force)


@app.command()
@guarded_command
def batch(
    inputs: Annotated[
        list[Path],
        typer.Argument(
            help="Assessment files (YAML or .xlsx), folders of them, or workbooks with one "
            "questionnaire sheet per cluster."
        ),
    ],
    out_dir: Annotated[
        Path,
        typer.Option("-o", "--output", help="Output folder (created if missing).", file_okay=False),
    ],
    fmt: Annotated[
        DraftFormat, typer.Option("--format", "-f", help="Format of the programs.")
    ] = "md",
    lang: LangOpt = Lang.ru,
    jobs: Annotated[
        int,
        typer.Option(
            "--jobs",
            "-j",
            min=0,
            max=64,
            help="Worker processes; 0 (default): 2, or 1 on one core.",
        ),
    ] = 0,
    knowledge: KnowledgeOpt = None,
    force: Annotated[
        bool, typer.Option("--force", help="Overwrite existing output files.")
    ] = False,
    sensitivity: Annotated[
        bool,
        typer.Option(
            "--sensitivity",
            help="Also each cluster's sensitivity map, NAME.sensitivity.json (reruns the rules).",
        ),
    ] = False,
) -> int:
    """Draft a program per cluster, plus summary.csv/.xlsx/.md/.html; bad inputs are skipped."""
    from engine import api

    s = api.Session(knowledge)
    ok, total, code = api.batch(
        inputs,
        out_dir,
        s,
        fmt=fmt,
        lang=lang.value,
        force=force,
        workers=jobs or api.default_workers(s),
        report=lambda line: typer.echo(line, err=True),
        sensitivity=sensitivity,
    )
    typer.echo(f"{ok} of {total} clusters drafted; summary in {out_dir / 'summary.md'}", err=True)
    return code


@app.command()
@guarded_command
def compare(
    old: Annotated[
        Path, typer.Argument(help="The earlier assessment (YAML or .xlsx).", dir_okay=False)
    ],
    new: Annotated[
        Path, typer.Argument(help="The later assessment of the same cluster.", dir_okay=False)
    ],
    out: OutOpt = None,
    fmt: Annotated[
        CompareFormat | None,
        typer.Option(
            "--format",
            "-f",
            help=f"{spoken('compare')}; docx is the new program with the comparison as its "
            "final section; default: from the extension of -o, else md.",
        ),
    ] = None,
    lang: LangOpt = Lang.ru,
    knowledge: KnowledgeOpt = None,
    force: ForceOpt = False,
    allow_reverse: Annotated[
        bool,
        typer.Option(
            "--allow-reverse",
            help="Compare even when OLD's year is later than NEW's (refused otherwise).",
        ),
    ] = False,
) -> None:
    """Progress between two assessments: what moved, KPIs against the year's targets, advice
    added/dropped."""
    from engine import api

    s = session(knowledge)
    api.check_output(s, out, force, old, new)
    chosen = fmt or format_for(out, "compare")
    earlier, later = api.evaluate(old, s), api.evaluate(new, s)
    warnings = api.compare_check(earlier, later, s.knowledge, allow_reverse)
    _, data = api.compare_document(earlier, later, s.knowledge, chosen, lang.value)
    for line in warnings:
        typer.echo(f"warning: {line}", err=True)
    emit(s, data, out, force)


@app.command()
@guarded_command
def serve(
    workspace: Annotated[
        Path,
        typer.Option(
            "--workspace",
            help="Folder of assessments (YAML, filled questionnaires); new files are saved here.",
            file_okay=False,
        ),
    ] = Path("."),
    host: Annotated[
        str,
        typer.Option("--host", help="Address to bind; anything but loopback is warned about."),
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=1, max=65535)] = 8765,
    knowledge: KnowledgeOpt = None,
    token: Annotated[
        str | None,
        typer.Option(
            "--token", help="Access token (default: a new random one, printed with the address)."
        ),
    ] = None,
) -> None:
    """Start the local web workspace: why, why-not and what-if in a browser (stop with Ctrl-C)."""

    from engine import web

    web.serve(workspace, host=host, port=port, knowledge=knowledge, token=token)
