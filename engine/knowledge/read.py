"""The structural pass: every knowledge file parsed into its model, every error located.

Meaning (cross-references, operators against indicator types, unreachable rules...) is the second
pass, `engine.knowledge.verify`. Knowledge files are read only as regular files, never through a
symbolic link (a link could point anywhere: `/etc/shadow`, `/dev/zero`), and a FIFO is refused
rather than waited on.
"""

from __future__ import annotations

import difflib
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from engine.errors import InputError, Problem
from engine.files.strict_yaml import Located, load_yaml_file
from engine.knowledge import (
    base,
    claim_model,
    country_model,
    document_model,
    format_model,
    models,
    partner_model,
    resources_model,
    schedule_model,
    scoring_model,
)
from engine.knowledge.conditions import MAX_BRANCHES, branch_count, branches
from engine.knowledge.models import FILES, Knowledge, RulesFile, RuleSite
from engine.resources import display_path


def pydantic_problems(exc: ValidationError, located: Located) -> list[Problem]:
    """pydantic's validation errors as located problems, with a suggestion for a misspelt field."""
    problems = []
    for err in exc.errors():
        loc = tuple(_clean_loc(err["loc"]))
        msg = err["msg"]
        if err["type"] == "extra_forbidden":
            msg = f"unknown field {loc[-1]!r}"
            close = difflib.get_close_matches(
                str(loc[-1]), sorted(_field_names()), n=1, cutoff=0.75
            )
            hint = f"did you mean {close[0]!r}?" if close else ""
            problems.append(located.problem(loc, msg, key=True, hint=hint, code="unknown-field"))
            continue
        if err["type"] == "missing":
            msg = f"missing required field {loc[-1]!r}"
            problems.append(located.problem(loc[:-1], msg, code="missing-field"))
            continue
        msg = msg.removeprefix("Value error, ")
        problems.append(located.problem(loc, msg, code="schema"))
    # union types report every branch: keep one message per location, the most specific
    seen: dict[tuple[str, int, int], Problem] = {}
    for p in problems:
        seen.setdefault((p.path, p.line, p.col), p)
    return sorted(seen.values(), key=lambda p: (p.line, p.col))


_UNION_TAGS = {
    "Atom",
    "Any_",
    "All_",
    "Not_",
    "atom",
    "any",
    "all",
    "function-after[_one_subject(), Atom]",
    "function-after[_not_empty(), Then]",
}


def _field_names() -> set[str]:
    names: set[str] = set()
    for obj in [
        v
        for m in (
            base,
            claim_model,
            country_model,
            document_model,
            format_model,
            partner_model,
            resources_model,
            scoring_model,
            schedule_model,
            models,
        )
        for v in vars(m).values()
    ]:
        if isinstance(obj, type) and issubclass(obj, BaseModel) and obj is not BaseModel:
            for name, info in obj.model_fields.items():
                names.add(info.alias or name)
    return names


def _clean_loc(loc: tuple[Any, ...]) -> list[Any]:
    out = []
    for part in loc:
        if isinstance(part, str) and (part in _UNION_TAGS or part.startswith("function-")):
            continue
        out.append("not" if part == "not_" else part)
    return out


def _parse(model: type[BaseModel], located: Located) -> tuple[Any, list[Problem]]:
    if not isinstance(located.data, dict):
        return None, [located.problem((), "expected a mapping at the top of the file")]
    fields = {f.alias or n for n, f in model.model_fields.items()} | set(model.model_fields)
    foreign = located.foreign(fields, "this knowledge file", ", ".join(sorted(fields)))
    if foreign is not None:
        return None, [foreign]
    try:
        return model.model_validate(located.data), []
    except ValidationError as exc:
        return None, pydantic_problems(exc, located)


def read_knowledge(root: Path) -> tuple[Knowledge | None, list[Problem]]:
    """Parse every knowledge file; return the model and the structural problems (all of them)."""
    problems: list[Problem] = []
    parsed: dict[str, Any] = {}
    located_files: dict[str, Located] = {}
    if not root.is_dir():
        return None, [Problem(file=display_path(root), message="knowledge directory not found")]
    for key, (name, model) in FILES.items():
        path = root / name
        try:
            located = load_yaml_file(path, display_path(path), follow_symlinks=False)
        except InputError as exc:
            problems.extend(exc.problems)
            continue
        located_files[name] = located
        value, errs = _parse(model, located)
        problems.extend(errs)
        parsed[key] = value
    rules: list[RuleSite] = []
    rule_files = sorted((root / "rules").glob("*.yaml"))
    if not rule_files:
        problems.append(
            Problem(file=display_path(root / "rules"), message="no rule files (*.yaml)")
        )
    order = 0
    for path in rule_files:
        try:
            located = load_yaml_file(path, display_path(path), follow_symlinks=False)
        except InputError as exc:
            problems.extend(exc.problems)
            continue
        located_files[f"rules/{path.name}"] = located
        value, errs = _parse(RulesFile, located)
        problems.extend(errs)
        if value is None:
            continue
        for i, rule in enumerate(value.rules):
            rpath = ("rules", i)
            line, col = located.pos(rpath)
            rules.append(
                RuleSite(
                    rule=rule,
                    file=located.file,
                    line=line,
                    col=col,
                    located=located,
                    path=rpath,
                    order=order,
                    branches=branches(rule.when)
                    if branch_count(rule.when) <= MAX_BRANCHES
                    else None,
                )
            )
            order += 1
    if any(v is None for v in parsed.values()) or len(parsed) != len(FILES):
        return None, problems
    knowledge = Knowledge(root=root, rules=rules, located=located_files, **parsed)
    return knowledge, problems
