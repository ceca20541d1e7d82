"""formats.yaml: the versions run 1..current, every change names a field that is no longer an
indicator, a target that is one, an earlier format, the texts a reader sees in both languages."""

from __future__ import annotations

from engine.errors import suggest
from engine.knowledge.format_model import NOTICE_KEYS
from engine.knowledge.verify.references import Checker

FF = "formats.yaml"


def check_formats(c: Checker) -> None:
    """The format table: versions, notices, and each renamed or removed field."""
    f = c.k.formats
    c.sources(FF, ("sources",), f.sources)
    versions = [v.version for v in f.formats]
    if versions != list(range(1, f.current + 1)):
        c.add(
            FF,
            ("formats",),
            f"the formats must be numbered 1 to current ({f.current}) in order; found {versions}",
            code="schema",
        )
    for i, v in enumerate(f.formats):
        c.text(FF, ("formats", i, "label"), v.label)
    for key in NOTICE_KEYS:
        if key not in f.notices:
            c.add(FF, ("notices",), f"missing notice {key!r}", code="missing-field")
    for key, text in f.notices.items():
        c.text(FF, ("notices", key), text)
    seen: set[str] = set()
    for i, ch in enumerate(f.changes):
        path = ("changes", i)
        if ch.field in seen:
            c.add(FF, path + ("field",), f"duplicate field {ch.field!r}", code="duplicate-id")
        seen.add(ch.field)
        if ch.field in c.k.indicator:
            c.add(
                FF,
                path + ("field",),
                f"{ch.field!r} is a current indicator; a change names a field the current "
                "format no longer has",
                code="schema",
            )
        if ch.last_format >= f.current:
            c.add(
                FF,
                path + ("last_format",),
                f"last_format {ch.last_format} must be an earlier format (below {f.current})",
                code="schema",
            )
        _target(c, path, ch.action, ch.into, ch.what_to_do is not None)
        c.text(FF, path + ("reason",), ch.reason)
        c.text(FF, path + ("what_to_do",), ch.what_to_do)


def _target(
    c: Checker, path: tuple[object, ...], action: str, into: str | None, told: bool
) -> None:
    """`renamed` and `merged` name a current indicator; `refused` says what to do."""
    if action in ("renamed", "merged"):
        if into is None or into not in c.k.indicator:
            c.add(
                FF,
                path + ("into",),
                f"{action} needs `into:` naming a current indicator, got {into!r}",
                hint=suggest(str(into), c.k.indicator) if into else "",
                code="unknown-indicator",
            )
    elif into is not None:
        c.add(FF, path + ("into",), f"{action} takes no `into:`", code="schema")
    if action == "refused" and not told:
        c.add(FF, path, "refused needs `what_to_do:` (ru/en)", code="missing-field")
