"""`cluster-intl kb …`: the tools of rule authors (check, test, impact, docs, schema, new,
export-clips)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from cli.common import (
    DocsFormat,
    ForceOpt,
    KnowledgeOpt,
    Lang,
    LangOpt,
    TextFormat,
    emit,
    guarded_command,
    kb_app,
)
from engine.render.formats import format_for, spoken


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
