"""`cluster-intl migrate`: an assessment of an earlier format rewritten in the current one.

The file is edited as text at the places the reader located, never dumped from the parsed data,
so its comments, order, bases and sources stay: a moved field's key is renamed in place; a field
whose value is no longer used is kept as a comment under one line saying why; the `format:` line
is set to the current format (added above the first entry when absent). The result is read again
and must give the same answers with no notice, or nothing is written.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

from engine.assessment.formats import FormatNotice
from engine.assessment.validate import Assessment, validate_mapping
from engine.errors import InputError, Problem
from engine.files.strict_yaml import Entry, load_yaml_text, top_level_entries
from engine.knowledge.models import Knowledge


@dataclass(frozen=True)
class Migration:
    """The file in the current format, the notices of the fields it mapped, and whether the
    input was of the current format already (no field to map; the format line may be new)."""

    text: str
    notices: tuple[FormatNotice, ...]
    already_current: bool
    declared: str | None  # the format line the input declared, if any


def migrate_text(text: str, name: str, k: Knowledge, lang: str) -> Migration:
    """The assessment `text` (named `name` in messages) rewritten in the current format, or an
    InputError for what cannot be read or mapped (nothing to write)."""
    located = load_yaml_text(text, name)
    before = validate_mapping(located.data, located, k)  # refuses what cannot be mapped
    f = k.formats
    block, entries = top_level_entries(text)
    if not block:
        raise InputError(
            [
                Problem(
                    file=name,
                    line=1,
                    col=1,
                    message="migrate edits assessments written as `key: value` lines; write "
                    "this {…} mapping that way first",
                    code="not-block-mapping",
                )
            ]
        )
    lines = text.splitlines(keepends=True)
    eol = "\r\n" if "\r\n" in text else "\n"  # a line migrate adds ends as the file's do
    current = f"{f.prefix}{f.current}"
    declared = located.data.get(f.key) if isinstance(located.data, dict) else None
    # edits from the bottom up, so that the places above stay where the reader saw them
    edits: list[tuple[int, int, Callable[[], None]]] = []
    for n in before.notices:
        entry = entries[n.field]
        if n.kind == "moved" and n.into is not None:
            edits.append((entry.line, 0, partial(_rename, lines, entry, n.field, n.into)))
        else:
            note = f.notice("kept_as_comment", lang, field=n.field, notice=n.text(f, lang))
            edits.append((entry.line, 0, partial(_comment_out, lines, entry, note, eol)))
    at = entries[f.key].line if f.key in entries else min(e.line for e in entries.values())
    edits.append(
        (at, 1, partial(_set_format, lines, entries.get(f.key), entries, f.key, current, eol))
    )
    for _, _, edit in sorted(edits, key=lambda e: (-e[0], e[1])):
        edit()
    new = "".join(lines)
    _same_answers(before, new, name, k)
    return Migration(new, before.notices, not before.notices, declared)


def _rename(lines: list[str], entry: Entry, old: str, new: str) -> None:
    """The key `old` of the entry becomes `new` (a quoted key keeps its quotes)."""
    i, col = entry.line - 1, entry.col - 1
    line = lines[i]
    at = line.index(old, col)
    lines[i] = line[:at] + new + line[at + len(old) :]


def _comment_out(lines: list[str], entry: Entry, note: str, eol: str) -> None:
    """The entry's lines become comments, under one comment line saying why."""
    first, last = entry.line - 1, entry.end_line - 1
    indent = lines[first][: entry.col - 1]
    kept = [
        f"{indent}# {line[len(indent) :]}" if line.strip() else line
        for line in lines[first : last + 1]
    ]
    if kept and not kept[-1].endswith("\n"):
        kept[-1] += eol
    lines[first : last + 1] = [f"{indent}# {note}{eol}", *kept]


def _set_format(
    lines: list[str], entry: Entry | None, entries: dict[str, Entry], key: str, value: str, eol: str
) -> None:
    """The `format:` entry says `value`: its value replaced, or a line `key: value` added above
    the first entry (after the file's opening comments)."""
    if entry is not None:
        i = entry.value_line - 1
        line = lines[i]
        end = entry.end_col if entry.end_line == entry.value_line else len(line.rstrip("\r\n"))
        before = line[: entry.value_col]
        space = "" if before.endswith((" ", "\t")) else " "  # `format:` with no value yet
        lines[i] = before + space + value + line[end:]
        return
    first = min(entries.values(), key=lambda e: e.line)
    indent = lines[first.line - 1][: first.col - 1]
    lines.insert(first.line - 1, f"{indent}{key}: {value}{eol}")


def _same_answers(before: Assessment, text: str, name: str, k: Knowledge) -> None:
    """The rewritten text must read without notices and give the same answers and provenance."""
    try:
        located = load_yaml_text(text, name)
        after = validate_mapping(located.data, located, k)
    except InputError:
        after = None
    same = after is not None and (
        after.values == before.values
        and after.provenance == before.provenance
        and after.budget_overrides == before.budget_overrides
        and after.kpi_targets == before.kpi_targets
        and not after.notices
    )
    if not same:  # a defect of the rewriting: say so rather than write a different assessment
        raise InputError(
            [
                Problem(
                    file=name,
                    message="migrate could not rewrite this file without changing its answers; "
                    "nothing was written (edit the fields its notices name by hand)",
                    code="migrate-failed",
                )
            ]
        )
