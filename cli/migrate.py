"""`cluster-intl migrate`: an assessment of an earlier release's format rewritten in the current
one (engine/assessment/migrate.py does the work)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from cli.common import ForceOpt, KnowledgeOpt, Lang, app, guarded_command, session


@app.command()
@guarded_command
def migrate(
    assessment: Annotated[
        Path, typer.Argument(help="Assessment file (YAML) of any earlier format.", dir_okay=False)
    ],
    out: Annotated[
        Path,
        typer.Option(
            "-o", "--output", help="The new file (never the input itself).", dir_okay=False
        ),
    ],
    lang: Annotated[
        Lang, typer.Option("--lang", help="Language of the comment left beside a field not used.")
    ] = Lang.ru,
    knowledge: KnowledgeOpt = None,
    force: ForceOpt = False,
) -> None:
    """Rewrite an assessment in the current format, keeping its comments, order, bases and
    sources; each field mapped is told on stderr."""
    from engine import api

    s = session(knowledge)
    api.check_output(s, out, force, assessment)
    m = api.migrate(assessment, s, lang.value)
    api.write(s, out, m.text, force=force)
    if m.already_current:
        typer.echo(
            f"{assessment}: already the current format; written to {out} with its format line",
            err=True,
        )
    else:
        fields = len(m.notices)
        typer.echo(
            f"{assessment}: {fields} field(s) of an earlier format mapped; {out} is in the "
            "current format",
            err=True,
        )
