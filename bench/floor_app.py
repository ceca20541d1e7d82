"""The floor of the stack: a minimal Typer command that reads an assessment with PyYAML, imports
experta and renders one Jinja template to a file (issue 18's yardstick for a cold `draft`).

    uv run python bench/floor_app.py examples/nizhny-novgorod.yaml -o OUT.md --force

The Typer app is set up as cli.py sets up its own (no completion, no pretty exceptions, plain
help), so the two differ only in the work done after the arguments are parsed.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

app = typer.Typer(add_completion=False, pretty_exceptions_enable=False, rich_markup_mode=None)

TEMPLATE = """\
# {{ a.cluster_name }}

{{ a.region_name }}, {{ a.country }}.
{% for key, value in a.items() %}
- {{ key }}: {{ value.value if value is mapping else value }}
{% endfor %}
"""


@app.command()
def draft(
    assessment: Annotated[Path, typer.Argument(dir_okay=False)],
    out: Annotated[Path, typer.Option("-o", "--output", dir_okay=False)],
    force: Annotated[bool, typer.Option("--force")] = False,
) -> None:
    """Read the YAML, import experta, render one template to OUT."""
    import experta  # noqa: F401  the rule engine the project must use
    import jinja2
    import yaml

    if out.exists() and not force:
        raise typer.Exit(code=2)
    data = yaml.safe_load(assessment.read_text(encoding="utf-8"))
    env = jinja2.Environment(autoescape=False, keep_trailing_newline=True)
    out.write_text(env.from_string(TEMPLATE).render(a=data), encoding="utf-8")


if __name__ == "__main__":
    app()
