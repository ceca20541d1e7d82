"""cluster-intl command line: a thin layer over `engine.api`.

Exit codes: 0 success; 1 the command ran and found problems (failed checks or tests); 2 bad input
or usage (one message per problem on stderr, no traceback). Imports of the engine are lazy so that
`--help` stays instant.
"""

from __future__ import annotations

# registering the commands is importing their modules (each is light: typer and the formats registry)
from cli import commands, kb, migrate, sensitivity  # noqa: F401
from cli.common import app

__all__ = ["app", "main"]


def main() -> None:
    """Run the command line."""
    app()
