"""`cluster-intl sensitivity`: how firm each recommendation is (a thin layer over engine.api)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Literal, TypeAlias

import typer

from cli.common import (
    AssessmentArg,
    ForceOpt,
    KnowledgeOpt,
    Lang,
    LangOpt,
    OutByExtensionOpt,
    app,
    emit,
    guarded_command,
)
from engine.render.formats import format_for, format_names, spoken

if TYPE_CHECKING:
    SensitivityFormat: TypeAlias = str
else:
    SensitivityFormat = Literal[format_names("sensitivity")]


@app.command()
@guarded_command
def sensitivity(
    assessment: AssessmentArg,
    fmt: Annotated[
        SensitivityFormat | None,
        typer.Option("--format", "-f", help=f"{spoken('sensitivity')} (default: text)."),
    ] = None,
    lang: LangOpt = Lang.ru,
    out: OutByExtensionOpt = None,
    force: ForceOpt = False,
    knowledge: KnowledgeOpt = None,
) -> None:
    """How firm each recommendation is: the nearest single changes of an answer that would drop
    it or change its status (each rerun on the engine), the blanks deciding the conditional
    measures, what would move the summary scores, and the indicators that move the most advice."""
    from engine import api

    s = api.Session(knowledge)
    api.check_output(s, out, force, assessment)  # fail before the work
    result = api.evaluate(assessment, s)
    chosen = fmt or format_for(out, "sensitivity", default="text")
    emit(s, api.sensitivity_text(result, s, chosen, lang.value), out, force)
