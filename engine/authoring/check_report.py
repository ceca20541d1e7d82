"""What `kb check` prints: every problem as file:line:col: severity: message, the first errors
first and what may follow from them folded (indented) under them, and a count."""

from __future__ import annotations

from engine.errors import Problem, capped

FOLDED = 10  # problems listed under the errors they may follow from; the rest are counted


def check_report(problems: list[Problem], strict: bool) -> tuple[str, str, bool]:
    """(the report, the count line for stderr, whether the check failed)."""
    first = [p for p in problems if not p.follows]
    follows = [p for p in problems if p.follows]
    lines = [p.format(with_severity=True) for p in capped(first)]
    if follows:  # they may go away once the errors above are fixed
        lines.append(f"{len(follows)} more problems may follow from the errors above:")
        lines += ["    " + p.format(with_severity=True) for p in capped(follows, FOLDED)]
    n_err = len([p for p in first if p.severity == "error"])
    more = f" ({len(follows)} more may follow from them)" if follows else ""
    failed = any(p.severity == "error" or strict for p in problems)
    text = "".join(line + "\n" for line in lines)
    return text, f"{n_err} errors, {len(first) - n_err} warnings{more}", failed
