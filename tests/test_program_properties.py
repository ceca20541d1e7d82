"""The program of any cluster, over generated assessments (issue 11): nothing is scheduled beyond
the program's horizon, and no rationale sentence names another cluster (the worked example, a
catalogue partner or a cluster of the foreign lessons); the rationale speaks of the cluster at
hand. (That no measure the inputs say runs is recommended as new is tests/test_running.py.)"""

from __future__ import annotations

import re
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from engine import api
from tests.conftest import shared_session
from tests.test_blanks_properties import assessments, evaluate
from tests.test_properties import SETTINGS

SESSION = shared_session()
K = SESSION.knowledge

# other clusters a rationale might name: the worked example, the clusters of the dissertation's
# lessons and every cluster of the partner catalogue (they belong in the partner lists)
OTHER_CLUSTERS = sorted(
    {
        "Nizhny Novgorod",
        "Нижегород",
        "Silicon Valley",
        "Силиконов",
        "Santa Rita",
        "Санта-Рита",
        "Obninsk",
        "Обнинск",
        "Samara",
        "Самарск",
    }
    | {p.name for p in K.partners.partners}
)
YEAR = re.compile(r"(?:Years? |(?<![\d.])(?=\d+(?:–\d+)?-й год))(\d+)(?:–(\d+))?")


LANGS = st.sampled_from(["ru", "en"])


def with_horizon() -> st.SearchStrategy[dict[str, Any]]:
    return st.tuples(assessments(), st.integers(1, 5), st.integers(2010, 2030)).map(
        lambda t: {**t[0], "planning_horizon_years": t[1], "assessment_year": t[2]}
    )


@pytest.mark.slow  # heavy; .ci/run runs it (-m slow)
@SETTINGS
@given(with_horizon(), LANGS)
def test_nothing_is_scheduled_beyond_the_horizon(data, lang):
    result = evaluate(data)
    horizon, year = data["planning_horizon_years"], data["assessment_year"]
    years = list(range(year + 1, year + horizon + 1))
    view = api.program_view(result, K, lang)
    for row in view["plan"]:
        for when in (row["start"], row["end"]):
            shown = [int(y) for y in re.findall(r"\b(\d{4})\b", when)]
            assert shown and all(y in years for y in shown), (row["id"], when, years)
    for row in view["kpi_rows"]:
        assert len(row["years"]) == len(years), row["id"]
    for r in view["recommendations"]:
        for m in YEAR.finditer(r["text"]):
            last = int(m.group(2) or m.group(1))
            assert last <= horizon, (r["id"], lang, m.group(0), horizon)


@pytest.mark.slow  # heavy; .ci/run runs it (-m slow)
@SETTINGS
@given(assessments(), LANGS)
def test_no_rationale_names_another_cluster(data, lang):
    result = evaluate(data)
    own = str(data.get("cluster_name") or "")
    for r in api.program_view(result, K, lang)["recommendations"]:
        named = [n for n in OTHER_CLUSTERS if n in r["rationale"] and n not in own]
        assert named == [], (r["id"], lang, named)


def test_the_worked_example_is_cited_once_in_a_program_of_another_cluster():
    from tests.conftest import EXAMPLES

    result = api.evaluate(EXAMPLES / "mature-cluster.yaml", SESSION)
    for lang, name, sources in (
        ("ru", "Нижегород", "Источники:"),
        ("en", "Nizhny Novgorod", "Sources:"),
    ):
        client = api.draft(result, K, "md", lang, audience="client")
        assert client.count(name) == 1, (lang, client.count(name))  # the method annex
        assert not re.search(r"11[,.]7\s%", client)  # nor its figures
        # the consultant's annexes add source citations (a section of the dissertation is
        # titled by the example), never a sentence about it
        consultant = api.draft(result, K, "md", lang, audience="consultant")
        lines = [line for line in consultant.splitlines() if name in line]
        assert sum(1 for line in lines if sources not in line) == 1, lines
        assert not re.search(r"11[,.]7\s%", consultant)
