"""Pipeline step 2b: validate one cluster assessment against `knowledge/indicators.yaml`.

An assessment is a flat mapping `indicator_id: value`. Blank (absent or null) means "no information".
A value may say where it comes from: `{value: 4, basis: estimate|synthetic|reported, source: "..."}`
(optional; a plain value means the same as before). Every problem is collected and reported with
`file:line:col: indicator: message`.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from engine.assessment.formats import (
    FormatNotice,
    read_format,
    unknown_hint,
    unknown_suggestion,
)
from engine.assessment.overrides import (
    OVERRIDES_KEY,
    Overrides,
    kpi_targets_key,
    read_kpi_targets,
    read_overrides,
)
from engine.assessment.places import resolve_places
from engine.assessment.variant import read_variant
from engine.errors import Flaw, InputError, Problem, closest, kind_of, suggest
from engine.files.strict_yaml import Located
from engine.knowledge.models import Indicator, Knowledge

VARIANT_KEY = "variant"  # the one key of an assessment that is not an indicator

Value = Any

# the provenance an assessment value may declare (a plain value declares none)
VALUE_BASES = ("reported", "estimate", "synthetic", "what-if")


@dataclass(frozen=True)
class Assessment:
    """Validated indicator values; `values` holds every indicator id (None when blank)."""

    source: str
    values: dict[str, Value]
    positions: dict[str, tuple[int, int]] = field(default_factory=dict)
    # indicator -> {"basis": reported|estimate|synthetic, "source": str | None}, where declared
    provenance: dict[str, dict[str, Any]] = field(default_factory=dict)
    # the consultant's amounts: measure id -> program year -> thousands of the currency
    budget_overrides: Overrides = field(default_factory=dict)
    # the consultant's own final KPI targets: KPI id -> value (kpis.yaml `target_rules`)
    kpi_targets: dict[str, float] = field(default_factory=dict)
    # a what-if variant's record (engine/assessment/variant.py): derived_from, date, changes
    variant: dict[str, Any] | None = None
    # the fields read from an earlier format of the file (engine/assessment/formats.py)
    notices: tuple[FormatNotice, ...] = ()

    def get(self, indicator_id: str) -> Value:
        """The indicator's value, None when blank."""
        return self.values.get(indicator_id)

    def where(self, indicator_id: str) -> str:
        """`file:line` of the indicator's answer for messages (the file alone when it has none)."""
        pos = self.positions.get(indicator_id)
        return f"{self.source}:{pos[0]}" if pos else self.source

    @property
    def name(self) -> str:
        """The cluster's name as the assessment gives it, empty when blank."""
        return str(self.values.get("cluster_name") or "")


def check_value(ind: Indicator, value: Value, knowledge: Knowledge) -> tuple[Value, str | None]:
    """Return (normalised value, error message or None). `value` is not None."""
    value, err = _CHECKS[ind.type](ind, value, knowledge)
    if err is None and ind.lookup and value is not None:
        return resolve_places(ind.lookup, value, knowledge)
    return value, err


Check = Callable[[Indicator, Value, Knowledge], tuple[Value, str | None]]


def _check_str(ind: Indicator, value: Value, knowledge: Knowledge) -> tuple[Value, str | None]:
    if isinstance(value, (dict, list)):
        return None, Flaw("expected text", "expected-text")
    if isinstance(value, bool):
        return None, Flaw("expected text, got true/false", "expected-text")
    return str(value), None


def _check_bool(ind: Indicator, value: Value, knowledge: Knowledge) -> tuple[Value, str | None]:
    if isinstance(value, bool):
        return value, None
    return None, Flaw(
        f"expected true or false, got {_show(value)}", "expected-bool", got=_given(value)
    )


def _check_number(ind: Indicator, value: Value, knowledge: Knowledge) -> tuple[Value, str | None]:
    t = ind.type
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None, Flaw(
            f"expected a number, got {_show(value)}", "expected-number", got=_given(value)
        )
    if isinstance(value, float) and (math.isnan(value) or math.isinf(value)):
        return None, Flaw("expected a finite number", "not-finite")
    if t == "int" and isinstance(value, float):
        if not value.is_integer():
            return None, Flaw(f"expected a whole number, got {value}", "expected-whole", got=value)
        value = int(value)
    lo, hi = ind.min, ind.max
    if t == "score" and ind.scale:
        scale = knowledge.indicators.scales[ind.scale]
        lo, hi = scale.min, scale.max
    if (lo is not None and value < lo) or (hi is not None and value > hi):
        allowed = (
            f"{_num(lo)}..{_num(hi)}"
            if lo is not None and hi is not None
            else f"{_num(lo)} or more"
            if lo is not None
            else f"up to {_num(hi)}"
        )
        return None, Flaw(
            f"{value} is out of scale; allowed {allowed}",
            "out-of-scale",
            got=value,
            allowed=(
                f"{_num(lo)}..{_num(hi)}"
                if lo is not None and hi is not None
                else f"≥ {_num(lo)}"
                if lo is not None
                else f"≤ {_num(hi)}"
            ),
        )
    if t in ("float", "score") and isinstance(value, int):
        value = float(value) if t == "float" else value
    return value, None


def _check_enum(ind: Indicator, value: Value, knowledge: Knowledge) -> tuple[Value, str | None]:
    choices = ind.values or []
    if not isinstance(value, str) or value not in choices:
        hint = suggest(str(value), choices)
        return None, Flaw(
            f"{_show(value)} is not allowed; choose one of {', '.join(choices)}"
            + (f" ({hint})" if hint else ""),
            "not-allowed",
            got=_given(value),
            choices=", ".join(choices),
            suggestion=closest(str(value), choices),
        )
    return value, None


def _check_list(ind: Indicator, value: Value, knowledge: Knowledge) -> tuple[Value, str | None]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list):
        return None, Flaw(
            f"expected a list, got {_show(value)}", "expected-list", got=_given(value)
        )
    out = []
    for item in value:
        if item is None or isinstance(item, (dict, list)):
            return None, Flaw("list items must be plain values", "list-item-not-plain")
        item = str(item)
        if ind.values is not None and item not in ind.values:
            hint = suggest(item, ind.values)
            return None, Flaw(
                f"{item!r} is not allowed; choose from {', '.join(ind.values)}"
                + (f" ({hint})" if hint else ""),
                "not-allowed",
                got=item,
                choices=", ".join(ind.values),
                suggestion=closest(item, ind.values),
            )
        out.append(item)
    if ind.id == knowledge.sectors.indicator:
        return _sector_codes(out, knowledge)
    return out, None


def _sector_codes(words: list[str], knowledge: Knowledge) -> tuple[Value, str | None]:
    """The specialization's words as sector codes of sectors.yaml, in the file's order."""
    codes: list[str] = []
    for word in words:
        resolved = knowledge.sectors.resolve(word)
        if resolved is None:
            near = knowledge.sectors.nearest(word)
            return None, Flaw(
                f"unknown sector {word!r}; nearest codes: {', '.join(near) or '-'}"
                " (the codes and their aliases are in knowledge/sectors.yaml)",
                "unknown-sector",
                got=word,
                suggestion=", ".join(near),
            )
        codes += [c for c in resolved if c not in codes]
    # a set of trades: kept in the order of sectors.yaml, so a workbook's ticks, a typed list and
    # the YAML give the same specialization
    return sorted(codes, key=knowledge.derived(_shape).sector_rank.__getitem__), None


_CHECKS: dict[str, Check] = {
    "str": _check_str,
    "bool": _check_bool,
    "int": _check_number,
    "float": _check_number,
    "score": _check_number,
    "enum": _check_enum,
    "list": _check_list,
}


FieldCheck = Callable[[Value], tuple[Value, str | None]]


def field_check(ind: Indicator, knowledge: Knowledge) -> FieldCheck:
    """`check_value` for one indicator, built once per knowledge base (`_Shape.checks`): the
    usual answer (a number within its bounds, a text, one of its choices, true or false) is
    taken at once, where a batch validated each of a cluster's ~95 answers through three calls
    and a dozen type tests; any other answer goes to `check_value`, for its message."""

    def general(value: Value) -> tuple[Value, str | None]:
        return check_value(ind, value, knowledge)

    if ind.lookup:
        return general
    if ind.type in ("int", "float", "score"):
        return _number_check(ind, knowledge, general)
    if ind.type == "str":
        return lambda value: (value, None) if type(value) is str else general(value)
    if ind.type == "enum":
        choices = frozenset(ind.values or ())
        return lambda value: (
            (value, None) if type(value) is str and value in choices else general(value)
        )
    if ind.type == "bool":
        return lambda value: (value, None) if value is True or value is False else general(value)
    return general


def _number_check(ind: Indicator, knowledge: Knowledge, general: FieldCheck) -> FieldCheck:
    """A number's check: a finite one within the bounds `_check_number` reads (the scale's for a
    score), of a kind it keeps, is taken; any other goes to `general`."""
    lo, hi = ind.min, ind.max
    if ind.type == "score" and ind.scale:
        scale = knowledge.indicators.scales[ind.scale]
        lo, hi = scale.min, scale.max
    low = -math.inf if lo is None else lo
    high = math.inf if hi is None else hi
    as_float = ind.type == "float"
    floats = ind.type != "int"  # a float of a whole-number indicator is `general`'s to convert

    def check(value: Value) -> tuple[Value, str | None]:
        kind = type(value)  # not isinstance: true and false are not numbers here
        if kind is int and low <= value <= high:
            return (float(value) if as_float else value), None
        if kind is float and floats and low <= value <= high and math.isfinite(value):
            return value, None
        return general(value)

    return check


def _show(value: Value) -> str:
    if isinstance(value, str):
        return f"text {value!r}"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return repr(value)


def _given(value: Value) -> str:
    """A value as a message in any language may quote it (a list or mapping by its brackets)."""
    if isinstance(value, dict):
        return "{…}"
    if isinstance(value, list):
        return "[…]"
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _num(x: float | None) -> str:
    if x is None:
        return ""
    return str(int(x)) if float(x).is_integer() else str(x)


MAX_PROBLEMS = 100


def blank(value: Any) -> bool:
    """No answer: nothing, or text of spaces only (which must not pass as a required name)."""
    return value is None or (isinstance(value, str) and not value.strip())


def validate_mapping(data: Any, located: Located, knowledge: Knowledge) -> Assessment:
    """The assessment a parsed YAML mapping gives, or InputError naming every problem in it."""
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise InputError(
            [
                located.problem(
                    (), "an assessment is a mapping of indicator: value", code="not-a-mapping"
                )
            ]
        )
    shape = knowledge.derived(_shape)
    foreign = located.foreign(
        shape.keys,
        "an assessment",
        "indicator: value, as `cluster-intl questionnaire --format yaml` writes them",
    )
    if foreign is not None:
        raise InputError([foreign])
    earlier = read_format(data, located, knowledge)
    data = earlier.data
    read = _read_entries(data, located, knowledge, shape)
    overrides, problems = read_overrides(data.get(OVERRIDES_KEY), located, knowledge, read.values)
    targets, target_problems = read_kpi_targets(
        data.get(kpi_targets_key(knowledge) or ""), located, knowledge
    )
    problems = earlier.problems + read.problems + problems + target_problems
    named = {p.path for p in problems}
    for rid in shape.required:
        # a required indicator with a wrong value is reported once, for its value
        if blank(read.values[rid]) and rid not in named:
            problems.append(
                located.problem(
                    (),
                    f"missing required indicator {rid!r}",
                    code="missing-required",
                    params=(("id", rid),),
                )
            )
    if problems:
        problems.sort(key=lambda p: (p.line, p.col))
        if read.more:
            problems.append(
                Problem(
                    file=located.file,
                    message=f"{read.more} more problems not shown; fix these first",
                    code="more-problems",
                    params=(("count", str(read.more)),),
                )
            )
        raise InputError(problems)
    return Assessment(
        source=located.file,
        values=read.values,
        positions=read.positions,
        provenance=read.provenance,
        budget_overrides=overrides,
        kpi_targets=targets,
        variant=read.variant,
        notices=tuple(earlier.notices),
    )


@dataclass(frozen=True)
class _Shape:
    """What validating any assessment reads of the knowledge alone, worked out once per
    knowledge base (a batch worker validates hundreds of assessments on one)."""

    own: frozenset[str | None]  # the consultant's own keys: overrides, KPI targets
    keys: frozenset[str]  # every key an assessment may have (the foreign-file test)
    blank: dict[str, None]  # every indicator id, blank, in the file's order (copied per read)
    required: tuple[str, ...]  # the required indicators' ids, in the file's order
    sector_rank: dict[str, int]  # a sector code's place in sectors.yaml
    checks: dict[str, FieldCheck]  # each indicator's `field_check`


def _shape(knowledge: Knowledge) -> _Shape:
    own = frozenset({OVERRIDES_KEY, kpi_targets_key(knowledge)})
    keys = {*knowledge.indicator, *(k for k in own if k), VARIANT_KEY, knowledge.formats.key}
    return _Shape(
        own=own,
        keys=frozenset(keys | {c.field for c in knowledge.formats.changes}),
        blank={i.id: None for i in knowledge.indicators.indicators},
        required=tuple(i.id for i in knowledge.indicators.indicators if i.required),
        sector_rank={c: n for n, c in enumerate(knowledge.sectors.code)},
        checks={i.id: field_check(i, knowledge) for i in knowledge.indicators.indicators},
    )


@dataclass
class _Entries:
    """What the entries of an assessment mapping gave: values, their places and provenance, and
    the problems (the first MAX_PROBLEMS described, the rest counted in `more`)."""

    values: dict[str, Value]
    positions: dict[str, tuple[int, int]] = field(default_factory=dict)
    provenance: dict[str, dict[str, Any]] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    variant: dict[str, Any] | None = None
    more: int = 0  # a hostile file has thousands of problems: counted, not described


def _read_entries(
    data: dict[Any, Any], located: Located, knowledge: Knowledge, shape: _Shape
) -> _Entries:
    """Read every `indicator: value` entry of the mapping (but the consultant's own keys),
    collecting its problems."""
    read = _Entries(values=dict(shape.blank))
    indicators, key_positions = knowledge.indicator, located.key_positions
    for key, raw in data.items():
        if key in shape.own:  # read apart (read_overrides, read_kpi_targets)
            continue
        path = (key,)
        ind = indicators.get(key)  # its keys are text: no other key equals one of them
        err: str | None = None
        if key == VARIANT_KEY:
            read.variant, err = read_variant(raw)
            if err is None:
                continue
        elif ind is not None:
            # Located.key_pos, without its call: the parser recorded every top-level key
            where = key_positions.get(path)
            read.positions[key] = where if where is not None else located.pos(path)
            if raw is not None and not isinstance(raw, dict):
                # a plain answer, the usual one: its indicator's check at once (`_entry_value`)
                value, err = shape.checks[key](raw)
                declared = None
            else:
                value, declared, err = _entry_value(ind, raw, knowledge)
            if err is None:
                read.values[key] = value
                if declared:
                    read.provenance[key] = declared
                continue
        if len(read.problems) >= MAX_PROBLEMS:
            read.more += 1
        elif err is not None:
            read.problems.append(located.problem(path, err, **kind_of(err)))
        else:
            ids = list(shape.blank)
            read.problems.append(_unknown(located, path, str(key), ids, knowledge))
    return read


def _unknown(
    located: Located, path: tuple[Any, ...], key: str, ids: list[str], knowledge: Knowledge
) -> Problem:
    """An entry whose key names no indicator, with what replaced it or the closest id."""
    return located.problem(
        path,
        f"unknown indicator {key!r}",
        key=True,
        hint=unknown_hint(key, knowledge, ids),
        code="unknown-indicator",
        params=(("id", key), ("suggestion", unknown_suggestion(key, knowledge, ids))),
    )


def _entry_value(
    ind: Indicator, raw: Value, knowledge: Knowledge
) -> tuple[Value, dict[str, Any], str | None]:
    """One known indicator's entry as (value, declared provenance, error or None); blank is None."""
    declared: dict[str, Any] = {}
    if isinstance(raw, dict) and "value" in raw:  # any other mapping is a wrong value
        raw, declared, err = _with_basis(raw)
        if err:
            return None, {}, err
    if raw is None:
        return None, {}, None
    value, err = check_value(ind, raw, knowledge)
    return value, declared, err


def _with_basis(raw: dict[Any, Any]) -> tuple[Value, dict[str, Any], str | None]:
    """Unwrap `{value: V, basis: B, source: S}` into (V, {basis, source}, error or None)."""
    extra = sorted(str(x) for x in set(raw) - {"value", "basis", "source"})
    if "value" not in raw or extra:
        what = f"unknown key {extra[0]!r}; " if extra else ""
        return (
            None,
            {},
            (
                f"{what}a value with its provenance is {{value: V, basis: "
                f'{"|".join(VALUE_BASES)}, source: "..."}} (basis and source optional)'
            ),
        )
    basis = raw.get("basis")
    if basis is not None and basis not in VALUE_BASES:
        hint = suggest(str(basis), list(VALUE_BASES))
        return (
            None,
            {},
            (
                f"basis {_show(basis)} is not allowed; choose one of {', '.join(VALUE_BASES)}"
                + (f" ({hint})" if hint else "")
            ),
        )
    source = raw.get("source")
    if source is not None and not isinstance(source, str):
        return None, {}, "source must be text"
    declared = {"basis": basis, "source": source} if (basis or source) else {}
    return raw["value"], declared, None


def with_changes(
    assessment: Assessment, changes: dict[str, Value], knowledge: Knowledge, origin: str = "--set"
) -> Assessment:
    """A copy with some indicators replaced (what-if); values are validated like the file's."""
    problems = []
    values = dict(assessment.values)
    for key, raw in changes.items():
        if key not in knowledge.indicator:
            problems.append(
                Problem(
                    file=origin,
                    path=key,
                    message=f"unknown indicator {key!r}",
                    hint=unknown_hint(key, knowledge, list(knowledge.indicator)),
                    code="unknown-indicator",
                    params=(
                        ("id", key),
                        (
                            "suggestion",
                            unknown_suggestion(key, knowledge, list(knowledge.indicator)),
                        ),
                    ),
                )
            )
            continue
        if raw is None:
            values[key] = None
            continue
        value, err = check_value(knowledge.indicator[key], raw, knowledge)
        if err:
            problems.append(Problem(file=origin, path=key, message=err, **kind_of(err)))
            continue
        values[key] = value
    if problems:
        raise InputError(problems)
    provenance = {i: p for i, p in assessment.provenance.items() if i not in changes}
    return Assessment(
        source=assessment.source,
        values=values,
        positions=assessment.positions,
        provenance=provenance,
        budget_overrides=assessment.budget_overrides,
        kpi_targets=assessment.kpi_targets,
        variant=assessment.variant,
        notices=assessment.notices,
    )
