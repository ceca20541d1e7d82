"""The output formats, registered once: name, file extension, media type, whether the output is
binary, and for each document it renders (the program, the comparison, the catalogue, the
questionnaire) the function that renders it. The CLI's `--format` choices and their help, `draft`,
`compare`, the batch's file names and the web workspace's downloads read this table.

A renderer is named by "module:function" and imported on first use, the way entry points are:
the CLI reads this module for `--help`, which must stay instant (it imports nothing of the engine
but this file), and some renderers live above render/ in the import order (the comparison and the
questionnaire in deliverables/, the catalogue in authoring/), which plug in here by name.
tests/engine/render/test_formats.py resolves every name and checks what each function takes.

Adding a format is one renderer module and one entry here; a Jinja format is one entry naming
`engine.render.jinja:render` and its template `templates/program.<name>.j2`.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

# What the callers of each document hand to its renderers, by name; a renderer reads some of
# them (and "fmt", the format's name), each built only if some renderer reads it.
DOCUMENTS: dict[str, tuple[str, ...]] = {
    # view: the localized document view; data: the result as JSON data; template: a Word template
    "program": ("view", "data", "template"),
    # view: the comparison; program: the later assessment's program view
    "compare": ("view", "program", "template"),
    "catalogue": ("knowledge", "lang"),
    "questionnaire": ("knowledge", "lang"),
    # view: the sensitivity map put into words
    "sensitivity": ("view",),
}


@dataclass(frozen=True, slots=True)
class Renderer:
    """A rendering function ("module:function") and the inputs it takes, in order."""

    function: str
    reads: tuple[str, ...]
    # keys of the program view this renderer never reads: the batch leaves them out of what it
    # puts into words (tests/engine/render/test_formats.py renders every example without them)
    unread: tuple[str, ...] = ()
    # fields of the document's records it never reads, as "Record.field": left out likewise
    # (`Locale.unread`), and tested likewise
    unread_fields: tuple[str, ...] = ()

    def unread_records(self) -> dict[str, frozenset[str]]:
        """The record fields this renderer never reads, by record class name (`Locale.unread`)."""
        out: dict[str, set[str]] = {}
        for entry in self.unread_fields:
            record, _, name = entry.partition(".")
            out.setdefault(record, set()).add(name)
        return {record: frozenset(names) for record, names in out.items()}

    def load(self) -> Callable[..., str | bytes]:
        """The function itself (its module is imported now, once)."""
        module, _, name = self.function.partition(":")
        fn: Callable[..., str | bytes] = getattr(importlib.import_module(module), name)
        return fn


@dataclass(frozen=True, slots=True)
class Format:
    """One output format and the documents it renders."""

    name: str  # what --format takes
    extension: str  # of the files written, without the dot
    media_type: str  # of the web workspace's downloads
    binary: bool  # bytes: never written to a terminal
    renderers: Mapping[str, Renderer]  # document -> how it is rendered in this format
    suffixes: tuple[str, ...] = field(default=())  # further suffixes of -o that choose it

    @property
    def documents(self) -> tuple[str, ...]:
        """The documents this format renders."""
        return tuple(self.renderers)


# the program's keys no page template reads (the measures by actor, the KPIs as the catalogue
# lists them, the sources and findings the back matter and the plan cite otherwise): a tenth of
# the nodes a batch cluster put into words
_PAGE_UNREAD = ("by_actor", "findings", "kpis", "sources")
# the plan's and the KPI table's columns are fewer than their records' fields (ids, the KPIs of
# a measure, a KPI's targets by year and its measures): a tenth of what remained in words
_PAGE_UNREAD_FIELDS = tuple(
    [
        f"PlanRow.{n}"
        for n in [
            "id",
            "direction",
            "org_change",
            "when",
            "funding",
            "support",
            "kpis",
            "priority_id",
        ]
    ]
    + [
        f"KpiRow.{n}"
        for n in [
            "id",
            "direction",
            "baseline_raw",
            "target_raw",
            "target",
            "targets",
            "basis",
            "source_id",
            "owner_id",
            "horizon",
            "note",
            "recommendations",
            "recommendation_ids",
        ]
    ]
)
_JINJA = Renderer(
    "engine.render.jinja:render",
    ("view", "fmt"),
    unread=_PAGE_UNREAD,
    unread_fields=_PAGE_UNREAD_FIELDS,
)
# Markdown shows no charts: their layout in words was a twentieth of a Russian batch cluster
_JINJA_MD = Renderer(
    "engine.render.jinja:render",
    ("view", "fmt"),
    unread=("charts", *_PAGE_UNREAD),
    unread_fields=_PAGE_UNREAD_FIELDS,
)
_JSON_DATA = Renderer("engine.render.jinja:to_json", ("data",))
_COMPARE_TEXT = Renderer("engine.deliverables.compare:render_compare", ("view", "fmt"))
_CATALOGUE = Renderer("engine.authoring.catalogue:render_catalogue", ("knowledge", "fmt", "lang"))

FORMATS: tuple[Format, ...] = (
    Format(
        "md",
        "md",
        "text/markdown; charset=utf-8",
        False,
        {
            "program": _JINJA_MD,
            "compare": _COMPARE_TEXT,
            "catalogue": _CATALOGUE,
            "sensitivity": Renderer("engine.render.sensitivity_text:render_md", ("view",)),
        },
        suffixes=("markdown",),
    ),
    Format(
        "html",
        "html",
        "text/html; charset=utf-8",
        False,
        {"program": _JINJA, "compare": _COMPARE_TEXT, "catalogue": _CATALOGUE},
        suffixes=("htm",),
    ),
    Format(
        "docx",
        "docx",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        True,
        {
            "program": Renderer("engine.render.docx:render_docx", ("view", "template")),
            "compare": Renderer(
                "engine.render.docx:render_compare_docx", ("program", "view", "template")
            ),
        },
    ),
    Format(
        "json",
        "json",
        "application/json; charset=utf-8",
        False,
        {
            "program": _JSON_DATA,
            "compare": Renderer("engine.render.jinja:to_json", ("view",)),
            "sensitivity": Renderer("engine.render.jinja:to_json", ("view",)),
        },
    ),
    Format(
        "xlsx",
        "xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        True,
        {
            "questionnaire": Renderer(
                "engine.deliverables.questionnaire:questionnaire_xlsx", ("knowledge", "lang")
            )
        },
    ),
    Format(
        "yaml",
        "yaml",
        "application/yaml; charset=utf-8",
        False,
        {
            "questionnaire": Renderer(
                "engine.deliverables.questionnaire:questionnaire_yaml", ("knowledge", "lang")
            )
        },
        suffixes=("yml",),
    ),
    Format(
        "text",
        "txt",
        "text/plain; charset=utf-8",
        False,
        {"sensitivity": Renderer("engine.render.sensitivity_text:render_text", ("view",))},
    ),
)


def formats(document: str) -> tuple[Format, ...]:
    """The formats a document is rendered in, in the order the help lists them."""
    return tuple(f for f in FORMATS if document in f.renderers)


def format_names(document: str) -> tuple[str, ...]:
    """The names `--format` takes for a document."""
    return tuple(f.name for f in formats(document))


def spoken(document: str) -> str:
    """The names as a phrase for messages and help: "md, html, docx or json"."""
    names = format_names(document)
    return " or ".join(filter(None, (", ".join(names[:-1]), names[-1])))


def find_format(name: str, document: str) -> Format | None:
    """The format `name` of a document, or None when the document has no such format."""
    return next((f for f in formats(document) if f.name == name), None)


def get_format(name: str, document: str) -> Format:
    """The format `name` of a document, or the CLI's usage error naming the ones there are."""
    found = find_format(name, document)
    if found is not None:
        return found
    from engine.errors import UsageError

    raise UsageError(f"--format: {name!r} is not supported; use {spoken(document)}")


def format_for(out: Path | None, document: str, default: str = "md") -> str:
    """The format an output file's suffix chooses (`-o x.html`), else the default."""
    if out is not None:
        suffix = out.suffix.lower().lstrip(".")
        for f in formats(document):
            if suffix in (f.extension, *f.suffixes):
                return f.name
    return default


def render(document: str, fmt: str, **inputs: Callable[[], Any]) -> str | bytes:
    """Render a document in a format. Each input (named in DOCUMENTS) is a function without
    arguments, called only if the format's renderer reads it."""
    renderer = get_format(fmt, document).renderers[document]
    args = [fmt if name == "fmt" else inputs[name]() for name in renderer.reads]
    return renderer.load()(*args)
