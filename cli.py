"""cluster-intl command line: a thin layer over `engine.api`.

Exit codes: 0 success; 1 the command ran and found problems (failed checks or tests); 2 bad input
or usage (one message per problem on stderr, no traceback). Imports of the engine are lazy so that
`--help` stays instant.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from enum import Enum
from pathlib import Path
from typing import Annotated, Any, Optional, TypeVar

import typer

app = typer.Typer(
    name="cluster-intl",
    help="Draft an internationalization program for a regional cluster and explain every "
         "recommendation.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
kb_app = typer.Typer(help="Tools for rule authors: check, test, document the knowledge base.",
                     no_args_is_help=True)
app.add_typer(kb_app, name="kb")

T = TypeVar("T")


class Lang(str, Enum):
    ru = "ru"
    en = "en"


class DraftFormat(str, Enum):
    md = "md"
    html = "html"
    docx = "docx"
    json = "json"


class TextFormat(str, Enum):
    text = "text"
    json = "json"


KnowledgeOpt = Annotated[Optional[Path], typer.Option(
    "--knowledge", help="Knowledge base directory (default: the bundled one).",
    file_okay=False)]
LangOpt = Annotated[Lang, typer.Option("--lang", help="Language of the output.")]
AssessmentArg = Annotated[Path, typer.Argument(
    help="Assessment file (YAML, or a filled questionnaire .xlsx).", dir_okay=False)]


def guarded(fn: Callable[[], T]) -> T:
    """Run a command body; turn our errors into a message on stderr and an exit code."""
    from engine.errors import ClusterIntlError

    try:
        return fn()
    except ClusterIntlError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(code=exc.exit_code) from None
    except KeyboardInterrupt:
        typer.echo("interrupted", err=True)
        raise typer.Exit(code=130) from None


def emit(data: str | bytes, out: Optional[Path], force: bool) -> None:
    """Write to OUT atomically, or to stdout."""
    if out is None:
        if isinstance(data, bytes):
            from engine.errors import UsageError

            raise UsageError("this format is binary: give an output file with -o")
        sys.stdout.write(data)
        return
    from engine.output import write_atomic

    write_atomic(out, data, force=force)


def _format_from(out: Optional[Path], fmt: Optional[DraftFormat]) -> str:
    if fmt is not None:
        return fmt.value
    if out is not None:
        suffix = out.suffix.lower().lstrip(".")
        if suffix in ("md", "html", "docx", "json"):
            return suffix
        if suffix in ("markdown",):
            return "md"
        if suffix in ("htm",):
            return "html"
    return "md"


@app.command()
def draft(
    assessment: AssessmentArg,
    out: Annotated[Optional[Path], typer.Option("-o", "--output", help="Output file (default: stdout). "
                                                "The format follows its extension unless --format is given.",
                                                dir_okay=False)] = None,
    fmt: Annotated[Optional[DraftFormat], typer.Option("--format", "-f", help="md, html, docx or json.")] = None,
    lang: LangOpt = Lang.ru,
    knowledge: KnowledgeOpt = None,
    force: Annotated[bool, typer.Option("--force", help="Overwrite an existing output file.")] = False,
) -> None:
    """Draft the internationalization program for one assessment."""

    def body() -> None:
        from engine import api

        k = api.knowledge(knowledge)
        result = api.evaluate(assessment, k)
        emit(api.draft(result, k, _format_from(out, fmt), lang.value), out, force)

    guarded(body)


@app.command()
def assess(
    assessment: AssessmentArg,
    fmt: Annotated[TextFormat, typer.Option("--format", "-f")] = TextFormat.text,
    lang: LangOpt = Lang.ru,
    knowledge: KnowledgeOpt = None,
) -> None:
    """Print the diagnosis only: level, index with coverage, model, ratio, strengths, weaknesses."""

    def body() -> None:
        from engine import api
        from engine.render import to_json

        k = api.knowledge(knowledge)
        d = api.diagnosis(api.evaluate(assessment, k), k, lang.value)
        if fmt is TextFormat.json:
            sys.stdout.write(to_json(d))
        else:
            sys.stdout.write(_diagnosis_text(d, lang.value))

    guarded(body)


def _diagnosis_text(d: dict[str, Any], lang: str) -> str:
    ru = lang == "ru"
    L = (lambda r, e: r if ru else e)  # noqa: E731
    idx, rat, mod, sa = d["index"], d["ratio"], d["model"], d["self_assessment"]
    lines = [
        d["cluster"],
        f"{L('Самооценка', 'Self-assessment')}: {sa['level'] if sa['level'] is not None else '—'}"
        f" {sa['label']} ({sa['band']})",
        f"{L('Индекс интернационализации', 'Internationalization index')}: "
        f"{idx['value'] if idx['value'] is not None else '—'} % — {idx['band_label']} "
        f"({L('показателей с данными', 'indicators with data')}: {idx['coverage']}/{idx['of']})",
        f"{L('Модель', 'Model')}: {mod['label']}",
        f"{L('Соотношение кластер/регион K', 'Cluster/region ratio K')}: "
        f"{rat['value'] if rat['value'] is not None else '—'} — {rat['band_label']}",
        f"{L('Сильные стороны', 'Strengths')}: " + (", ".join(s["label"] for s in d["strengths"]) or "—"),
        f"{L('Слабые стороны', 'Weaknesses')}: " + (", ".join(s["label"] for s in d["weaknesses"]) or "—"),
    ]
    if d["readiness_gate"]:
        lines.append(L("Проверка готовности: сначала организационные меры",
                       "Readiness gate: organizational measures first"))
    g = d["data_gaps"]
    lines.append(f"{L('Пробелы в данных', 'Data gaps')}: {g['count']}/{g['of']}")
    return "\n".join(lines) + "\n"


@kb_app.command("check")
def kb_check(
    knowledge: KnowledgeOpt = None,
    strict: Annotated[bool, typer.Option("--strict", help="Treat warnings as errors.")] = False,
) -> None:
    """Verify the knowledge base; print every problem as file:line:col: severity: message."""

    def body() -> int:
        from engine.knowledge import bundled_root, read_knowledge
        from engine.verify import verify

        root = knowledge or bundled_root("knowledge")
        k, problems = read_knowledge(root)
        if k is not None:
            problems = problems + verify(k)
        for p in problems:
            typer.echo(p.format(with_severity=True))
        errors = [p for p in problems if p.severity == "error" or strict]
        warnings = len(problems) - len([p for p in problems if p.severity == "error"])
        n_err = len([p for p in problems if p.severity == "error"])
        typer.echo(f"{n_err} errors, {warnings} warnings", err=True)
        return 1 if errors else 0

    code = guarded(body)
    raise typer.Exit(code=code)


def main() -> None:
    app()


if __name__ == "__main__":
    main()
