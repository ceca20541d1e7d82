"""`running:` conditions of the catalogue (a measure the assessment shows already runs is continued,
never recommended as new): checked like any rule condition, located in recommendations.yaml; an
`rg_*` or `co_*` measure without one is a warning, since its advice may repeat what already runs."""

from __future__ import annotations

from dataclasses import dataclass

from engine.files.strict_yaml import Located
from engine.knowledge.verify.references import Checker, _measures, cond_atoms

# measures of the regional government and of the cluster: the assessment can tell whether they run
CHECKED_PREFIXES = ("rg_", "co_")
FILE = "recommendations.yaml"


@dataclass(frozen=True)
class _Site:
    """What `Checker.atom` needs of a rule site: where its messages point."""

    located: Located


def check_running(c: Checker) -> None:
    """Check the catalogue's `running:` conditions and `continued` texts; warn where one is due."""
    located = c.loc(FILE)
    measures = _measures(c.k)
    for i, rec in enumerate(c.k.recommendations.recommendations):
        p = ("recommendations", i)
        if rec.continued is not None:
            for key in ("title", "text"):
                c.text(FILE, p + ("continued", key), getattr(rec.continued, key))
        if rec.running is None:
            if rec.id.startswith(CHECKED_PREFIXES):
                c.add(
                    FILE,
                    p + ("id",),
                    f"measure {rec.id!r} declares no `running:` condition: the program cannot "
                    "tell whether it already runs and may recommend it as new",
                    severity="warning",
                    hint="add `running:` with the indicator that shows the measure runs",
                    code="no-running-condition",
                )
            continue
        if located is None:
            continue
        for atom, negated, path in cond_atoms(rec.running, p + ("running",)):
            if atom.subject_kind == "recommendation":
                c.add(
                    FILE,
                    path + ("recommendation",),
                    "a `running:` condition reads the assessment (indicators, measures, "
                    f"findings), not other advice: drop recommendation {atom.subject!r}",
                    code="running-reads-advice",
                )
                continue
            c.atom(_Site(located), atom, negated, path, measures)  # type: ignore[arg-type]
    step = c.k.kpis.above_baseline
    if step is not None:
        for key in ("count", "percent"):
            if getattr(step, key) <= 0:
                c.add(
                    "kpis.yaml",
                    ("above_baseline", key),
                    f"`above_baseline.{key}` must be above 0: a raised KPI ends above its baseline",
                    code="bad-setting",
                )
