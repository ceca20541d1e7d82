"""What every command of the command line shares: the Typer apps, the option types, the error
guard and the atomic output writer."""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal, TypeAlias

import typer

# the one engine module --help reads: the registry of output formats (pure data, instant)
from engine.render.formats import format_names

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
OutByExtensionOpt = Annotated[
    Path | None,
    typer.Option(
        "-o",
        "--output",
        help="Output file (default: stdout). "
        "The format follows its extension unless --format is given.",
        dir_okay=False,
    ),
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
            # every message printable: a path or value with an escape sequence cannot drive
            # the terminal, whichever error carries it
            typer.echo(api.printable(str(exc)), err=True)
            raise typer.Exit(code=exc.exit_code) from None
        except KeyboardInterrupt:
            typer.echo("interrupted", err=True)
            raise typer.Exit(code=130) from None
        if code:
            raise typer.Exit(code=code)

    return run


def session(knowledge: Path | None) -> Any:
    """The api.Session of a command that reads assessments: its warnings (a field read from an
    earlier format) go to stderr as they come, and the command still succeeds."""
    from engine import api

    return api.Session(knowledge, report=lambda line: typer.echo(line, err=True))


def emit(s: Any, data: str | bytes, out: Path | None, force: bool) -> None:
    """Write to OUT atomically (never over an input of the api.Session `s`), or to stdout."""
    from engine import api

    if out is None:
        if isinstance(data, bytes):
            raise api.UsageError("this format is binary: give an output file with -o")
        sys.stdout.write(data)
        return
    api.write(s, out, data, force=force)
