"""Pipeline step 2a: an assessment of an earlier format read as the current one.

knowledge/formats.yaml lists every field an earlier format had that the current one renamed or
removed. A file may declare `format: cluster-intl/assessment/N`; without it, a field of an earlier
format is read as the last format that had it. Each field mapped gives one located notice (a
warning: the file still drafts); a field that cannot be mapped is a located error saying what to
do. `cluster-intl migrate` (engine/assessment/migrate.py) rewrites the file from the same notices.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from engine.errors import Problem, Severity, closest, suggest
from engine.files.strict_yaml import Located
from engine.knowledge.format_model import FieldChange, FormatsFile
from engine.knowledge.models import Knowledge

NOTICE = "earlier-format"  # the code of a notice (a warning)


@dataclass(frozen=True)
class FormatNotice:
    """One field read from an earlier format: what the reader did with it, and where it is."""

    field: str
    kind: str  # moved | duplicate | conflict | dropped | blank (keys of formats.yaml `notices`)
    format: int  # the format the field was read as
    into: str | None
    value: Any  # the old field's value
    kept: Any  # the value of `into` that applies instead (duplicate, conflict)
    problem: Problem  # the located warning in English (stderr)

    def text(self, formats: FormatsFile, lang: str) -> str:
        """The notice in `lang` (the consultant's annex, the line migrate leaves as a comment)."""
        ch = formats.change(self.field)
        assert ch is not None
        return formats.notice(
            self.kind,
            lang,
            into=self.into or "",
            value=_shown(self.value),
            kept=_shown(self.kept),
            format=self.format,
            current=formats.current,
            commit=ch.commit,
            reason=ch.reason.get(lang),
        )


@dataclass
class FormatRead:
    """The mapping with earlier fields mapped, the declared format, the notices and the refusals."""

    data: dict[Any, Any]
    declared: int | None = None
    notices: list[FormatNotice] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


def read_format(data: dict[Any, Any], located: Located, k: Knowledge) -> FormatRead:
    """Map the fields of earlier formats in `data` (a parsed assessment) to the current ones;
    `located` learns the new names' positions so that messages point at the old lines."""
    f = k.formats
    changes = k.derived(_changes_by_field)
    if f.key not in data and changes.keys().isdisjoint(data):
        return FormatRead(data)  # the usual file: nothing to map, read as it is (not copied)
    read = FormatRead({key: v for key, v in data.items() if key != f.key})
    if data.get(f.key) is not None:  # a blank format line says nothing
        read.declared = _declared(data[f.key], located, f, read.problems)
    for key in list(read.data):
        ch = changes.get(key) if isinstance(key, str) else None
        if ch is not None:
            _map(read, key, ch, located, f)
    return read


def _changes_by_field(k: Knowledge) -> dict[str, FieldChange]:
    """`FormatsFile.change` of every field it knows, indexed once per knowledge base (the first
    record of a field, as `change` finds it)."""
    out: dict[str, FieldChange] = {}
    for c in k.formats.changes:
        out.setdefault(c.field, c)
    return out


def unknown_hint(key: str, k: Knowledge, ids: list[str]) -> str:
    """The hint for a name that is no indicator: what replaced a field of an earlier format, or
    the closest indicator id."""
    ch = k.formats.change(key)
    if ch is None:
        return suggest(key, ids)
    f = k.formats
    return f.notice(
        "hint", "en", removed=ch.last_format + 1, commit=ch.commit, instead=_instead(ch, f)
    )


def unknown_suggestion(key: str, k: Knowledge, ids: list[str]) -> str:
    """The indicator to offer for a name that is none: what replaced it, or the closest id."""
    ch = k.formats.change(key)
    return (ch.into or "") if ch is not None else closest(key, ids)


def _declared(raw: Any, located: Located, f: FormatsFile, problems: list[Problem]) -> int | None:
    """The declared format number, or None with a problem for a malformed or later one."""
    number = raw[len(f.prefix) :] if isinstance(raw, str) and raw.startswith(f.prefix) else ""
    if number.isascii() and number.isdigit() and 1 <= int(number) <= f.current:
        return int(number)
    later = number.isascii() and number.isdigit() and int(number) > f.current
    message = (
        f.notice("later_format", "en", declared=number, current=f.current)
        if later
        else f.notice("bad_format", "en", prefix=f.prefix, current=f.current)
    )
    problems.append(
        located.problem((f.key,), message, code="later-format" if later else "bad-format")
    )
    return None


def decide(
    key: str, raw: Any, ch: FieldChange, declared: int | None, into_value: Any, f: FormatsFile
) -> FormatNotice | tuple[str, str]:
    """What to do with the field `key` of an earlier format given as `raw`, beside the value its
    successor has (`into_value`): a notice (its problem not yet located), or a refusal as
    (message, code). The caller moves the value when the notice is `moved`."""
    if declared is not None and declared > ch.last_format:
        message = f.notice(
            "not_in_declared",
            "en",
            declared=declared,
            removed=ch.last_format + 1,
            commit=ch.commit,
            instead=_instead(ch, f),
        )
        return message, "not-in-declared-format"
    if ch.action == "refused":
        message = f.notice(
            "refused",
            "en",
            format=ch.last_format,
            current=f.current,
            commit=ch.commit,
            reason=ch.reason.get("en"),
            what_to_do=ch.what_to_do.get("en") if ch.what_to_do else "",
        )
        return message, "earlier-format-refused"
    into = ch.into
    present = into is not None and not _blank(into_value)
    if present and _blank(raw):  # an old blank line beside its successor's answer
        return FormatNotice(key, "blank", declared or ch.last_format, into, None, None, _NO)
    if ch.action == "renamed" and present:
        message = f.notice(
            "both_names", "en", field=key, into=into, current=f.current, commit=ch.commit
        )
        return message, "both-names"
    kind, kept = "dropped", None
    if into is not None and not present:
        kind = "moved"
    elif into is not None:
        kept = _plain(into_value)
        kind = "duplicate" if kept == _plain(raw) else "conflict"
    return FormatNotice(key, kind, declared or ch.last_format, into, _plain(raw), kept, _NO)


def _map(read: FormatRead, key: str, ch: FieldChange, located: Located, f: FormatsFile) -> None:
    """Read one field of an earlier format: move, leave out or refuse it."""
    raw = read.data.pop(key)
    got = decide(key, raw, ch, read.declared, read.data.get(ch.into) if ch.into else None, f)
    if isinstance(got, tuple):
        read.problems.append(_at(located, key, *got))
        return
    if got.kind == "moved" and ch.into is not None:
        read.data[ch.into] = raw
        _move_positions(located, key, ch.into)
    read.notices.append(replace(got, problem=_at(located, key, got.text(f, "en"), NOTICE)))


_NO = Problem(file="", code=NOTICE)  # a placeholder until the notice has its words


def _at(located: Located, key: str, message: str, code: str) -> Problem:
    severity: Severity = "warning" if code == NOTICE else "error"
    return located.problem((key,), message, key=True, severity=severity, code=code)


def _instead(ch: FieldChange, f: FormatsFile) -> str:
    """What to write instead of a field the declared format no longer has."""
    if ch.action == "refused" and ch.what_to_do:
        return ch.what_to_do.get("en")
    if ch.into:
        return f.notice("use_into", "en", into=ch.into)
    return f.notice("remove_it", "en")


def _move_positions(located: Located, old: str, new: str) -> None:
    """The new name's value is found where the old one was (messages point at the old line)."""
    for table in (located.positions, located.key_positions):
        for path in [p for p in table if p[:1] == (old,)]:
            table[(new, *path[1:])] = table[path]


def _plain(raw: Any) -> Any:
    """The value of an entry, without its provenance mapping."""
    return raw.get("value") if isinstance(raw, dict) else raw


def _blank(raw: Any) -> bool:
    value = _plain(raw)
    return value is None or (isinstance(value, str) and not value.strip())


def _shown(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return "—" if value is None else str(value)
