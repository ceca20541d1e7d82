"""`kb new measure|partner|country|scenario ID`: commented skeletons added to the knowledge base.

Each kind is a list of additions: a skeleton (templates/skeletons/) appended to a file, inserted
after a top-level key (`plan:` sits in the middle of document.yaml), or written as a new file.
Everything is checked before anything is written; existing text is never replaced (a file gets
the skeleton and is rewritten whole, atomically), and a new file is never written over an old one.
The command then lists the files written and those still to touch by hand.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from string import Template

from engine.errors import UsageError
from engine.files.atomic import Inputs, write_atomic
from engine.knowledge.document_model import UNPROFILED_COUNTRY
from engine.knowledge.models import Knowledge
from engine.resources import bundled_root, display_path

KINDS = ("measure", "partner", "country", "scenario")
ID = re.compile(r"[a-z][a-z0-9_]*\Z")
COUNTRY = re.compile(r"[A-Z]{2}\Z")


@dataclass(frozen=True)
class Addition:
    """One skeleton and where it goes: appended (`after` empty), after a top-level key line, or
    as a new file (`new`)."""

    file: str  # relative to the knowledge base
    skeleton: str  # templates/skeletons/<name>.yaml
    after: str = ""
    new: bool = False


PLANS: dict[str, list[Addition]] = {
    "measure": [
        Addition("recommendations.yaml", "measure.recommendation"),
        Addition("rules/$id.yaml", "measure.rule", new=True),
        Addition("document.yaml", "measure.plan", after="plan:"),
        Addition("resources.yaml", "measure.resources", after="measures:"),
        Addition("scenarios/$id.yaml", "measure.scenario", new=True),
    ],
    "partner": [Addition("partners.yaml", "partner.partner", after="partners:")],
    "country": [
        Addition("countries.yaml", "country.name", after="countries:"),
        Addition("document.yaml", "country.profile"),
    ],
    "scenario": [Addition("scenarios/$id.yaml", "scenario.scenario", new=True)],
}

# what the author still has to touch by hand, per kind
TO_TOUCH: dict[str, list[str]] = {
    "measure": [
        "knowledge/kpis.yaml: a KPI for the measure, if none of those there fits its `kpis:`",
        "knowledge/sources.yaml: the source the measure cites, if it is new",
        "knowledge/findings.yaml: the finding the rule tests, if it is new",
    ],
    "partner": [
        "knowledge/sources.yaml: the source of the partner's facts",
        "knowledge/sectors.yaml: a new sector code (with its NACE divisions and aliases), if none fits",
    ],
    "country": ["knowledge/sources.yaml: the sources of the institutions"],
    "scenario": [],
}
AFTER = [
    "then: uv run cluster-intl kb check; uv run cluster-intl kb test",
    "then: uv run pytest --update-golden, and review git diff tests/golden schemas",
]


def _taken(kind: str, ident: str, k: Knowledge) -> bool:
    """Whether the knowledge base already has this id for this kind."""
    if kind == "measure":
        return ident in k.recommendation or ident in k.finding
    if kind == "partner":
        return any(p.id == ident for p in k.partners.partners)
    if kind == "country":
        return ident in k.document.country_profiles
    return False


def _check_id(kind: str, ident: str, k: Knowledge) -> None:
    if kind not in KINDS:
        raise UsageError(f"kb new: unknown kind {kind!r}; one of {', '.join(KINDS)}")
    if kind == "country":
        if not COUNTRY.match(ident):
            raise UsageError(f"kb new country: {ident!r} is not an ISO 3166 alpha-2 code (e.g. UZ)")
        if ident == UNPROFILED_COUNTRY:
            raise UsageError(
                f"kb new country: {ident!r} is reserved for a country without a profile"
            )
    elif not ID.match(ident):
        raise UsageError(f"kb new {kind}: {ident!r} is not an id (lowercase letters, digits, _)")
    if _taken(kind, ident, k):
        raise UsageError(f"kb new {kind}: {ident!r} already exists in the knowledge base")


def _insert(text: str, addition: Addition, piece: str, where: Path) -> str:
    """The file's text with the piece appended or put after its top-level key line."""
    if not addition.after:
        return text + ("" if text.endswith("\n") else "\n") + piece
    lines = text.splitlines(keepends=True)
    hits = [i for i, line in enumerate(lines) if line.rstrip() == addition.after]
    if len(hits) != 1:
        raise UsageError(
            f"{display_path(where)}: no single top-level `{addition.after}` line to add after"
        )
    at = hits[0] + 1
    return "".join(lines[:at]) + piece + "".join(lines[at:])


def new_skeleton(kind: str, ident: str, k: Knowledge) -> tuple[list[Path], list[str]]:
    """Add the skeletons of a new measure, partner, country or scenario to the knowledge base;
    the files written, and the lines saying what is left to touch by hand."""
    _check_id(kind, ident, k)
    values = {"id": ident, "rule": f"{ident}_rule"}
    texts: dict[Path, str] = {}
    new_files: set[Path] = set()
    for addition in PLANS[kind]:
        if addition.skeleton == "country.name" and ident in k.countries.countries:
            continue  # the country is named already: only its profile is new
        path = k.root / Template(addition.file).substitute(values)
        source = bundled_root("templates") / "skeletons" / f"{addition.skeleton}.yaml"
        piece = Template(source.read_text(encoding="utf-8")).substitute(values)
        if addition.new:
            if path.exists() or path in texts:
                raise UsageError(
                    f"{display_path(path)}: already exists; kb new never replaces a file"
                )
            texts[path] = piece
            new_files.add(path)
            continue
        current = texts.get(path)
        if current is None:
            current = path.read_text(encoding="utf-8")
        texts[path] = _insert(current, addition, piece, path)
    # extending the knowledge files is the command's purpose (every text above kept what was
    # there), so they are not inputs the writer refuses to replace: an empty registry of its own
    none = Inputs()
    for path, text in texts.items():  # everything checked: now write, each file whole
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(path, text, force=path not in new_files, inputs=none)
    return list(texts), TO_TOUCH[kind] + AFTER


def skeleton_report(written: list[Path], left: list[str]) -> str:
    """What `kb new` prints: the files written, then what is left to touch and run."""
    lines = ["written (fill in every TODO):", *(f"  {display_path(p)}" for p in written)]
    lines += ["to touch:", *(f"  {line}" for line in left)]
    return "\n".join(lines) + "\n"
