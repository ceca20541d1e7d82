"""cluster-intl command line: a thin layer over `engine.api`.

Exit codes: 0 success; 1 the command ran and found problems (failed checks or tests); 2 bad input
or usage (one message per problem on stderr, no traceback). Imports of the engine are lazy so that
`--help` stays instant.
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal, TypeAlias

import typer

# the one engine module --help reads: the registry of output formats (pure data, instant)
from engine.render.formats import format_for, format_names, spoken

app = typer.Typer(
    name="cluster-intl",
    help="Draft an internationalization program for a regional cluster and explain every "
    "recommendation.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    # plain help and usage errors: formatting them with rich imports ~0.25 s of modules, which
    # made `--help` take 0.37 s instead of 0.12 s (measured; docs/trust-and-speed.md)
    rich_markup_mode=None,
)
kb_app = typer.Typer(
    help="Tools for rule authors: check, test, document the knowledge base.",
    no_args_is_help=True,
    rich_markup_mode=None,
)
app.add_typer(kb_app, name="kb")


class Lang(str, Enum):
    ru = "ru"
    en = "en"


class Audience(str, Enum):
    client = "client"
    consultant = "consultant"


if TYPE_CHECKING:  # the choices of --format, from the registry
    DraftFormat: TypeAlias = str
    CompareFormat: TypeAlias = str
    DocsFormat: TypeAlias = str
    QuestionnaireFormat: TypeAlias = str
else:
    DraftFormat = Literal[format_names("program")]
    CompareFormat = Literal[format_names("compare")]
    DocsFormat = Literal[format_names("catalogue")]
    QuestionnaireFormat = Literal[format_names("questionnaire")]


class TextFormat(str, Enum):
    text = "text"
    json = "json"


class Reader(str, Enum):
    author = "author"
    policy = "policy"


KnowledgeOpt = Annotated[
    Path | None,
    typer.Option(
        "--knowledge", help="Knowledge base directory (default: the bundled one).", file_okay=False
    ),
]
LangOpt = Annotated[Lang, typer.Option("--lang", help="Language of the output.")]
ForceOpt = Annotated[bool, typer.Option("--force", help="Overwrite an existing output file.")]
OutOpt = Annotated[
    Path | None,
    typer.Option("-o", "--output", help="Output file (default: stdout).", dir_okay=False),
]
AssessmentArg = Annotated[
    Path,
    typer.Argument(help="Assessment file (YAML, or a filled questionnaire .xlsx).", dir_okay=False),
]


def guarded_command(fn: Callable[..., int | None]) -> Callable[..., None]:
    """A command whose errors become a message on stderr and an exit code (no traceback); an int
    it returns is its exit code."""

    @functools.wraps(fn)
    def run(*args: Any, **kwargs: Any) -> None:
        from engine import api

        try:
            code = fn(*args, **kwargs)
        except api.ClusterIntlError as exc:
            typer.echo(str(exc), err=True)
            raise typer.Exit(code=exc.exit_code) from None
        except KeyboardInterrupt:
            typer.echo("interrupted", err=True)
            raise typer.Exit(code=130) from None
        if code:
            raise typer.Exit(code=code)

    return run


def emit(s: Any, data: str | bytes, out: Path | None, force: bool) -> None:
    """Write to OUT atomically (never over an input of the api.Session `s`), or to stdout."""
    from engine import api

    if out is None:
        if isinstance(data, bytes):
            raise api.UsageError("this format is binary: give an output file with -o")
        sys.stdout.write(data)
        return
    api.write(s, out, data, force=force)


@app.command()
@guarded_command
def draft(
    assessment: AssessmentArg,
    out: Annotated[
        Path | None,
        typer.Option(
            "-o",
            "--output",
            help="Output file (default: stdout). "
            "The format follows its extension unless --format is given.",
            dir_okay=False,
        ),
    ] = None,
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
) -> None:
    """Draft the internationalization program for one assessment."""
    from engine import api

    s = api.Session(knowledge)  # one session per command
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

    s = api.Session(knowledge)
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

    s = api.Session(knowledge)
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


@kb_app.command("check")
@guarded_command
def kb_check(
    knowledge: KnowledgeOpt = None,
    strict: Annotated[bool, typer.Option("--strict", help="Treat warnings as errors.")] = False,
) -> int:
    """Verify the knowledge base; print every problem as file:line:col: severity: message."""
    from engine import api

    text, counts, failed = api.check_report(api.check_knowledge(knowledge), strict)
    sys.stdout.write(text)
    typer.echo(counts, err=True)
    return 1 if failed else 0


@kb_app.command("test")
@guarded_command
def kb_test(
    scenarios: Annotated[
        list[Path] | None,
        typer.Argument(
            help="Scenario files or directories (default: the knowledge base's scenarios/)."
        ),
    ] = None,
    knowledge: KnowledgeOpt = None,
    lang: Annotated[Lang, typer.Option("--lang", help="Language of the explanations.")] = Lang.en,
) -> int:
    """Run the scenario tests; explain each failure (why / why-not) and report rule coverage."""
    from engine import api

    s = api.Session(knowledge)
    ran = api.run_scenarios(s, scenarios, lang.value)
    if ran is None:
        typer.echo(f"no scenario files (*.yaml) in {s.knowledge.root / 'scenarios'}", err=True)
        return 1
    text, failed, _ = ran
    sys.stdout.write(text)
    return 1 if failed else 0


@kb_app.command("impact")
@guarded_command
def kb_impact(
    base: Annotated[Path, typer.Option("--base", file_okay=False, help="Knowledge before.")],
    more: Annotated[list[Path] | None, typer.Argument(help="More assessments.")] = None,
    knowledge: KnowledgeOpt = None,
    fmt: Annotated[TextFormat, typer.Option("--format", "-f")] = TextFormat.text,
) -> None:
    """Per cluster, the findings, measures, KPIs and partners a knowledge change moves."""
    from engine import api

    sys.stdout.write(api.impact_report(base, knowledge, more or [], fmt.value))


@kb_app.command("docs")
@guarded_command
def kb_docs(
    out: Annotated[
        Path | None,
        typer.Option(
            "-o",
            "--output",
            dir_okay=False,
            help="Output file (default: stdout). The format follows its extension unless --format is given.",
        ),
    ] = None,
    fmt: Annotated[
        DocsFormat | None, typer.Option("--format", "-f", help=f"{spoken('catalogue')}.")
    ] = None,
    lang: LangOpt = Lang.ru,
    knowledge: KnowledgeOpt = None,
    force: ForceOpt = False,
) -> None:
    """Write a readable catalogue of the knowledge base: indicators, rules, recommendations."""
    from engine import api

    s = api.Session(knowledge)
    chosen = fmt or format_for(out, "catalogue")
    emit(s, api.catalogue(s.knowledge, chosen, lang.value), out, force)


@kb_app.command("schema")
@guarded_command
def kb_schema(
    out_dir: Annotated[Path | None, typer.Option("-o", "--output", file_okay=False)] = None,
    knowledge: KnowledgeOpt = None,
    force: ForceOpt = False,
) -> None:
    """JSON Schema of every knowledge file and of assessments, for editor completion: one
    *.schema.json per file kind into the -o directory, or all as one JSON object."""
    from engine import api

    s = api.Session(knowledge)
    if out_dir is None:
        sys.stdout.write(api.schemas_text(s.knowledge))
        return
    for path in api.write_schemas(s, out_dir, force):
        typer.echo(str(path), err=True)


@kb_app.command("new")
@guarded_command
def kb_new(
    kind: Annotated[str, typer.Argument(help="measure, partner, country or scenario.")],
    ident: Annotated[str, typer.Argument(metavar="ID", help="Its id (a country: ISO code).")],
    knowledge: KnowledgeOpt = None,
) -> None:
    """Add a commented skeleton of a new measure, partner, country or scenario; list what to touch."""
    from engine import api

    sys.stdout.write(api.new_in_knowledge(kind, ident, knowledge))


@kb_app.command("export-clips")
@guarded_command
def kb_export_clips(
    out: Annotated[
        Path | None,
        typer.Option("-o", "--output", dir_okay=False, help="Output file (default: stdout)."),
    ] = None,
    knowledge: KnowledgeOpt = None,
    assessment: Annotated[
        Path | None,
        typer.Option(
            "--assessment",
            dir_okay=False,
            help="Also write the facts of this assessment as a deffacts block.",
        ),
    ] = None,
    force: ForceOpt = False,
) -> None:
    """Translate the knowledge base into CLIPS (deftemplate, defrule) to run on the reference engine."""
    from engine import api

    s = api.Session(knowledge)
    emit(s, api.export_clips(s, assessment), out, force)


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
) -> None:
    """Progress between two assessments: what moved, KPIs against targets, advice added/dropped."""
    from engine import api

    s = api.Session(knowledge)
    api.check_output(s, out, force, old, new)
    chosen = fmt or format_for(out, "compare")
    view, data = api.compare_document(
        api.evaluate(old, s), api.evaluate(new, s), s.knowledge, chosen, lang.value
    )
    if not view["same_cluster"]:
        typer.echo(f"warning: {old} and {new} name different clusters", err=True)
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


def main() -> None:
    app()


if __name__ == "__main__":
    main()
