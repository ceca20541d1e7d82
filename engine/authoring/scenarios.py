"""Scenario tests of the knowledge base (`kb test`): assessments with the advice they must get.

A scenario file under `knowledge/scenarios/` holds one scenario (or a `scenarios:` list): an
assessment (an inline mapping, or a path relative to the scenario file), optional `changes` applied
on top, and the recommendations (with their status), findings, postponements and KPIs expected
present or absent. Each run
goes through the real pipeline; a failure is explained from the firing record (`why` for an
unexpected conclusion, `why-not` for a missing one). The report ends with rule coverage.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from engine.assessment.load import load_assessment
from engine.assessment.validate import Assessment, validate_mapping, with_changes
from engine.authoring.scenario_budget import BudgetExpect, budget_mismatches, check_budget_ids
from engine.authoring.scenario_plan import (
    ScheduleExpect,
    TargetsExpect,
    schedule_failures,
    target_failures,
    unknown_ids,
)
from engine.authoring.scenario_reasons import why_lines, why_not_lines
from engine.errors import InputError, Problem, suggest
from engine.explain.justify import running_line
from engine.files.strict_yaml import Located, load_yaml_file
from engine.inference.run import Runner, infer
from engine.inference.trace import Result
from engine.knowledge.models import Knowledge
from engine.knowledge.read import pydantic_problems
from engine.resources import display_path
from engine.text.message import say


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Expect(_Strict):
    """Ids that must be among the conclusions (`present`) or must not (`absent`)."""

    present: list[str] = Field(default_factory=list)
    absent: list[str] = Field(default_factory=list)
    # recommendations only: made, and with this status (a blank makes a measure conditional)
    new: list[str] = Field(default_factory=list)
    conditional: list[str] = Field(default_factory=list)
    # made, and continued: the assessment shows the measure already runs (its `running:`)
    continue_: list[str] = Field(default_factory=list, alias="continue")
    reasons: dict[str, str] = Field(
        default_factory=dict,
        description=(
            "Why the method implies each expectation: one line per id listed in this section. "
            "A scenario that gives any reason gives one for every id it lists."
        ),
    )
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    def listed(self) -> list[str]:
        """Every id this section expects, in the order written (each once)."""
        ids = self.present + self.absent + self.new + self.conditional + self.continue_
        return list(dict.fromkeys(ids))


# the statuses a scenario may expect, with the Expect field holding each (`continue` is a keyword)
STATUS_FIELDS = {"new": "new", "continue": "continue_", "conditional": "conditional"}


def expected(expect: Expect, which: str) -> list[str]:
    """The ids of one expectation list: present, absent or a status."""
    return list(getattr(expect, STATUS_FIELDS.get(which, which)))


class Expectations(_Strict):
    recommendations: Expect = Field(default_factory=Expect)
    findings: Expect = Field(default_factory=Expect)
    postponed: Expect = Field(default_factory=Expect)
    # the KPIs of the program: those named by the measures made (recommendations.yaml `kpis:`)
    kpis: Expect = Field(default_factory=Expect)
    # the program's budget: currency, size band, which measures cost money (issue 20)
    budget: BudgetExpect | None = None
    # the schedule and the KPI targets of the program (engine/authoring/scenario_plan.py)
    schedule: ScheduleExpect = Field(default_factory=ScheduleExpect)
    targets: TargetsExpect = Field(default_factory=TargetsExpect)


class Scenario(_Strict):
    """One assessment and what the knowledge base must conclude from it."""

    name: str | None = None
    description: str | None = None
    assessment: str | dict[str, Any] = Field(
        description="An assessment file, relative to the scenario file, or the indicators inline."
    )
    changes: dict[str, Any] = Field(
        default_factory=dict, description="Indicator values replacing the assessment's."
    )
    expect: Expectations


class ScenarioList(_Strict):
    scenarios: list[Scenario]


# what each expectation section checks: (kind of conclusion, attribute of Result, catalogue)
SECTIONS = {
    "recommendations": ("recommendation", "recommendations"),
    "findings": ("finding", "findings"),
    "postponed": ("postponed", "postponed"),
    "kpis": ("kpi", "kpis"),
}


@dataclass
class Case:
    """A scenario read from its file, with its position and validated assessment."""

    name: str
    file: str
    line: int
    col: int
    scenario: Scenario
    assessment: Assessment

    @property
    def where(self) -> str:
        """`file:line:col` of the scenario, for the report."""
        return f"{self.file}:{self.line}:{self.col}"


@dataclass
class Failure:
    section: str  # recommendations | findings | postponed | kpis
    ident: str
    expected: str  # present | absent | new | continue | conditional
    reasons: list[str]
    actual: str = ""  # the status made, when a status was expected
    because: str = ""  # the scenario's reason for the expectation (`reasons:`), if given
    missing: bool = True  # not made at all (an `absent` failure, or a wrong status, was made)

    def headline(self) -> str:
        """One line saying which expectation failed: what was expected of which id, and what the
        run made of it (with the status a recommendation was made with)."""
        noun = {
            "recommendations": "recommendation",
            "findings": "finding",
            "postponed": "postponement of",
            "kpis": "KPI",
            "budget": "budget:",
            "schedule": "schedule:",
            "targets": "target:",
        }[self.section]
        if self.section in ("schedule", "targets"):
            return f"{noun} {self.expected}"
        made = f"made {self.actual}" if self.actual else "made"
        if self.expected == "absent":
            return f"{noun} {self.ident!r} {made}, expected absent"
        wanted = "" if self.expected == "present" else f" ({self.expected})"
        if self.missing:
            return f"expected {noun} {self.ident!r}{wanted}, not made"
        return f"{noun} {self.ident!r} {made}, expected {self.expected}"


@dataclass
class Outcome:
    case: Case
    failures: list[Failure]
    fired: set[str]

    @property
    def passed(self) -> bool:
        """Whether every expectation of the scenario held."""
        return not self.failures


@dataclass
class Report:
    outcomes: list[Outcome]
    rules: list[tuple[str, str]]  # every rule id with its file:line, in knowledge order
    fired: set[str] = field(default_factory=set)

    @property
    def failed(self) -> list[Outcome]:
        """The scenarios with at least one failed expectation."""
        return [o for o in self.outcomes if not o.passed]

    @property
    def uncovered(self) -> list[tuple[str, str]]:
        """The rules no scenario fired, with their `file:line`: what the scenarios leave
        untested."""
        return [(rid, where) for rid, where in self.rules if rid not in self.fired]


# --- reading ----------------------------------------------------------------------------------


def scenario_files(k: Knowledge, paths: list[Path] | None = None) -> list[Path]:
    """The scenario files to run: the given files and directories, else knowledge/scenarios/."""
    default = k.root / "scenarios"
    if not paths and not default.is_dir():
        return []
    targets = paths or [default]
    out: list[Path] = []
    for p in targets:
        if p.is_dir():
            out.extend(sorted(p.rglob("*.yaml")) + sorted(p.rglob("*.yml")))
        else:
            out.append(p)
    return out


def load_cases(files: list[Path], k: Knowledge) -> list[Case]:
    """Read and validate every scenario; raise one InputError listing every problem."""
    problems: list[Problem] = []
    cases: list[Case] = []
    names: dict[str, str] = {}
    root = os.path.abspath(k.root) + os.sep
    for path in files:
        # a scenario inside the knowledge base is knowledge: never read through a link
        inside = os.path.abspath(path).startswith(root)
        try:
            located = load_yaml_file(path, display_path(path), follow_symlinks=not inside)
        except InputError as exc:
            problems.extend(exc.problems)
            continue
        for prefix, scenario in _parse(located, problems):
            problems.extend(_check_ids(located, prefix, scenario, k))
            problems.extend(check_budget_ids(located, prefix, scenario.expect.budget, k))
            problems.extend(_check_reasons_complete(located, prefix, scenario))
            try:
                case = _case(path, located, prefix, scenario, k)
            except InputError as exc:
                problems.extend(exc.problems)
                continue
            if case.name in names:
                problems.append(
                    located.problem(
                        prefix,
                        f"duplicate scenario name {case.name!r} (first at {names[case.name]})",
                    )
                )
            names.setdefault(case.name, case.where)
            cases.append(case)
    if problems:
        raise InputError(sorted(problems, key=lambda p: (p.file, p.line, p.col)))
    return cases


def _parse(located: Located, problems: list[Problem]) -> list[tuple[tuple[Any, ...], Scenario]]:
    data = located.data
    if not isinstance(data, dict):
        problems.append(
            located.problem(
                (), "a scenario file is a mapping (one scenario, or `scenarios:` with a list)"
            )
        )
        return []
    foreign = located.foreign(
        {"scenarios", *Scenario.model_fields},
        "a scenario file",
        "`scenarios:` with a list, or one scenario's `assessment:` and `expect:`",
    )
    if foreign is not None:
        problems.append(foreign)
        return []
    many = "scenarios" in data
    try:
        if many:
            items = ScenarioList.model_validate(data).scenarios
            return [(("scenarios", i), s) for i, s in enumerate(items)]
        return [((), Scenario.model_validate(data))]
    except ValidationError as exc:
        problems.extend(pydantic_problems(exc, located))
        return []


def _case(path: Path, located: Located, prefix: tuple[Any, ...], s: Scenario, k: Knowledge) -> Case:
    """Validate the scenario's assessment and changes; every problem of both is reported."""
    line, col = located.pos(prefix)
    name = s.name or (path.stem if not prefix else f"{path.stem}[{prefix[-1]}]")
    problems: list[Problem] = []
    assessment: Assessment | None = None
    if isinstance(s.assessment, str):
        target = path.parent / s.assessment
        refusal = _unsafe_reference(path, target, k)
        if refusal:
            # the file is not read, so none of its lines can end up in a message
            problems.append(located.problem(prefix + ("assessment",), refusal))
        elif not target.is_file():
            problems.append(
                located.problem(
                    prefix + ("assessment",),
                    f"assessment file not found: {s.assessment}",
                    hint=f"looked at {display_path(target)}",
                )
            )
        else:
            try:
                assessment = load_assessment(target, k)
            except InputError as exc:
                problems.extend(exc.problems)
    else:
        where = prefix + ("assessment",)
        try:
            assessment = validate_mapping(s.assessment, _sub(located, where), k)
        except InputError as exc:
            base = ".".join(str(x) for x in where)  # the scenario's key path, for the message
            problems.extend(
                replace(p, path=f"{base}.{p.path}" if p.path else base) for p in exc.problems
            )
    if s.changes:
        try:
            if assessment is not None:
                assessment = with_changes(assessment, s.changes, k, origin=located.file)
            else:  # still check the changes against the indicators
                with_changes(
                    Assessment(source=located.file, values={}), s.changes, k, origin=located.file
                )
        except InputError as exc:
            problems.extend(
                located.problem(prefix + ("changes", p.path), p.message, key=True, hint=p.hint)
                for p in exc.problems
            )
    if problems or assessment is None:
        raise InputError(problems)
    return Case(name=name, file=located.file, line=line, col=col, scenario=s, assessment=assessment)


ASSESSMENT_SUFFIXES = (".yaml", ".yml", ".xlsx", ".xlsm")


def _unsafe_reference(scenario: Path, target: Path, k: Knowledge) -> str:
    """Why a scenario's `assessment:` path must not be read, or "".

    CI runs `kb test` on knowledge written by many hands: a path may only name an assessment file
    inside the knowledge base, the `examples/` folder beside it, or the scenario file's own
    folder, and never through a symbolic link."""
    if target.suffix.lower() not in ASSESSMENT_SUFFIXES:
        return "an assessment file must be .yaml, .yml or .xlsx"
    try:
        resolved = target.resolve()
        roots = [k.root.resolve(), (k.root / ".." / "examples").resolve()]
        roots.append(scenario.parent.resolve())
    except (OSError, RuntimeError):
        return "the assessment path cannot be resolved"
    if not any(resolved.is_relative_to(r) for r in roots):
        return (
            "the assessment path leads outside the knowledge base; keep the file inside it "
            "(or in the examples/ folder beside it)"
        )
    start = scenario.parent if not target.is_absolute() else Path(target.anchor)
    parts = target.relative_to(start).parts
    for i in range(1, len(parts) + 1):  # every component the reference names
        here = start.joinpath(*parts[:i])
        if here.is_symlink() and not any(here == r for r in roots):
            return "the assessment path goes through a symbolic link; name the file itself"
    return ""


def _sub(located: Located, prefix: tuple[Any, ...]) -> Located:
    """The part of a YAML document under `prefix`, keeping the positions for messages."""
    n = len(prefix)
    sub = Located(data=None, file=located.file)
    sub.positions = {p[n:]: v for p, v in located.positions.items() if p[:n] == prefix}
    sub.key_positions = {p[n:]: v for p, v in located.key_positions.items() if p[:n] == prefix}
    return sub


def _check_ids(
    located: Located, prefix: tuple[Any, ...], s: Scenario, k: Knowledge
) -> list[Problem]:
    problems = []
    for section in SECTIONS:
        tables: dict[str, Any] = {"findings": k.finding, "kpis": k.kpi}
        table: dict[str, Any] = tables.get(section, k.recommendation)
        expect: Expect = getattr(s.expect, section)
        for which in ("present", "absent", *STATUS_FIELDS):
            if which in STATUS_FIELDS and expected(expect, which) and section != "recommendations":
                problems.append(
                    located.problem(
                        prefix + ("expect", section, which),
                        f"`{which}` is a status of recommendations only",
                    )
                )
            for i, ident in enumerate(expected(expect, which)):
                if ident not in table:
                    noun = {"findings": "finding", "kpis": "KPI"}.get(section, "recommendation")
                    problems.append(
                        located.problem(
                            prefix + ("expect", section, which, i),
                            f"unknown {noun} {ident!r}",
                            hint=suggest(ident, list(table)),
                        )
                    )
        problems.extend(_check_reasons(located, prefix + ("expect", section), expect))
        statuses = [set(expected(expect, w)) for w in STATUS_FIELDS]
        both = (set(expect.present).union(*statuses) & set(expect.absent)) | {
            i for n, a in enumerate(statuses) for b in statuses[n + 1 :] for i in a & b
        }
        for ident in sorted(both):
            problems.append(
                located.problem(
                    prefix + ("expect", section), f"{ident!r} is expected both present and absent"
                )
            )
    for path, message, ids in unknown_ids(s.expect.schedule, s.expect.targets, k):
        problems.append(
            located.problem(
                prefix + ("expect", *path), message, key=True, hint=suggest(path[-1], ids)
            )
        )
    return problems


def _check_reasons(located: Located, where: tuple[Any, ...], expect: Expect) -> list[Problem]:
    """A reason names an id its section lists, and says something."""
    problems = []
    listed = set(expect.listed())
    for ident, text in expect.reasons.items():
        if ident not in listed:
            problems.append(
                located.problem(
                    where + ("reasons", ident),
                    f"a reason for {ident!r}, which this section does not list",
                    key=True,
                    hint=suggest(ident, sorted(listed))
                    or "list the id under present, absent, new or conditional, or drop the reason",
                )
            )
        elif not text.strip():
            problems.append(
                located.problem(where + ("reasons", ident), f"the reason for {ident!r} is empty")
            )
    return problems


def _check_reasons_complete(
    located: Located, prefix: tuple[Any, ...], s: Scenario
) -> list[Problem]:
    """A scenario that gives reasons gives one for every id it lists: a half-explained scenario
    reads as if the unexplained expectations needed no justification."""
    sections = [(name, getattr(s.expect, name)) for name in SECTIONS]
    if not any(expect.reasons for _, expect in sections):
        return []
    problems = []
    for section, expect in sections:
        for which in ("present", "absent", "new", "conditional"):
            for i, ident in enumerate(getattr(expect, which)):
                if ident not in expect.reasons:
                    problems.append(
                        located.problem(
                            prefix + ("expect", section, which, i),
                            f"no reason for {ident!r}: this scenario gives reasons, so every "
                            "expectation needs one",
                            hint=f'add `{ident}: "one line from the method"` under '
                            f"expect.{section}.reasons",
                        )
                    )
    return problems


def unexplained(cases: list[Case]) -> int:
    """How many scenarios give no reason for any of their expectations."""
    return sum(
        1
        for c in cases
        if not any(getattr(c.scenario.expect, name).reasons for name in SECTIONS)
        and any(getattr(c.scenario.expect, name).listed() for name in SECTIONS)
    )


# --- running ----------------------------------------------------------------------------------


def program_kpis(result: Result, k: Knowledge) -> set[str]:
    """The KPIs the program lists: every one named by a measure made."""
    return {kid for rid in result.recommendations for kid in k.recommendation[rid].kpis}


def run_case(case: Case, k: Knowledge, runner: Runner, lang: str = "en") -> Outcome:
    """Run one scenario: infer on its assessment (with the session's `runner`) and check each
    expected recommendation, finding, postponement and KPI, with the reasons of every failure."""
    result = infer(case.assessment, runner)
    failures: list[Failure] = []
    for section, (kind, attr) in SECTIONS.items():
        made = program_kpis(result, k) if section == "kpis" else set(getattr(result, attr))
        expect: Expect = getattr(case.scenario.expect, section)
        for ident in expect.present:
            if ident not in made:
                failures.append(
                    Failure(section, ident, "present", why_not_lines(result, kind, ident, k, lang))
                )
        for ident in expect.absent:
            if ident in made:
                reasons = why_lines(result, kind, ident, k, lang)
                status = result.status.get(ident, "") if kind == "recommendation" else ""
                failures.append(Failure(section, ident, "absent", reasons, status, missing=False))
        for status in STATUS_FIELDS:
            for ident in expected(expect, status):
                if ident not in made:
                    reasons = why_not_lines(result, kind, ident, k, lang)
                    failures.append(Failure(section, ident, status, reasons))
                elif result.status.get(ident) != status:
                    reasons = why_lines(result, kind, ident, k, lang)
                    running = running_line(result, ident, k)
                    if running:
                        reasons.append(say(running, lang))
                    actual = result.status.get(ident, "")
                    failures.append(Failure(section, ident, status, reasons, actual, missing=False))
    e = case.scenario.expect
    for section, got in (
        ("schedule", schedule_failures(result, k, e.schedule)),
        ("targets", target_failures(result, k, e.targets)),
    ):
        failures.extend(Failure(section, ident, what, []) for ident, what in got)
    for failure in failures:
        section_expect = getattr(case.scenario.expect, failure.section)
        failure.because = getattr(section_expect, "reasons", {}).get(failure.ident, "")
    budget = case.scenario.expect.budget
    for what, wanted, found in budget_mismatches(result, k, budget):
        because = budget.because if budget else ""
        failures.append(Failure("budget", what, wanted, [], found, because, missing=False))
    return Outcome(case=case, failures=failures, fired={f.rule for f in result.firings})


def run(cases: list[Case], k: Knowledge, runner: Runner, lang: str = "en") -> Report:
    """Run the scenarios in order, collecting their outcomes and the rules they fired (for the
    coverage list)."""
    report = Report(outcomes=[], rules=[(s.rule.id, s.where) for s in k.rules])
    for case in cases:
        outcome = run_case(case, k, runner, lang)
        report.outcomes.append(outcome)
        report.fired |= outcome.fired
    return report


# --- text ---------------------------------------------------------------------------------------


def render_report(report: Report, list_uncovered: bool = True) -> str:
    """Each scenario's status and failures, the totals, then rule coverage."""
    out = []
    for o in report.outcomes:
        status = "ok  " if o.passed else "FAIL"
        out.append(f"{status} {o.case.name} ({o.case.where})")
        for f in o.failures:
            out.append(f"     {f.headline()}:")
            if f.because:
                out.append(f"       expected because: {f.because}")
            for reason in f.reasons or ["(no explanation recorded)"]:
                out.append(f"       - {reason}")
    n, failed = len(report.outcomes), len(report.failed)
    out.append("")
    out.append(f"{n} scenario{'s' if n != 1 else ''}: {n - failed} passed, {failed} failed")
    bare = unexplained([o.case for o in report.outcomes])
    if bare:
        out.append(
            f"{bare} scenario{'s give' if bare != 1 else ' gives'} no reason for "
            f"{'their' if bare != 1 else 'its'} expectations "
            "(add `reasons:` under each expect section, one line from the method per id)"
        )
    total = len(report.rules)
    covered = total - len(report.uncovered)
    pct = 100.0 * covered / total if total else 100.0
    out.append(
        f"rule coverage: {covered}/{total} rules fired in at least one scenario ({pct:.0f} %)"
    )
    if report.uncovered and not list_uncovered:
        out.append("(run every scenario, with no file arguments, to list the rules not exercised)")
    elif report.uncovered:
        out.append("rules no scenario exercised:")
        out.extend(f"  {rid} ({where})" for rid, where in report.uncovered)
    return "\n".join(out) + "\n"
