"""engine/program/budget.py: each made measure's cost by year and source, the budget's totals,
the currency of the cluster's country, the consultant's overrides, and the documents that show
them (issue 20). Tested on clusters unlike the examples: other trades, other countries, sizes."""

from __future__ import annotations

import io
import json
import shutil

import pytest

from engine import api
from engine.errors import InputError
from engine.program.budget import build_budget, measure_years, split
from tests.conftest import EXAMPLES, ROOT


def _result(session, text: str, name: str = "synthetic.yaml"):
    return api.evaluate_bytes(text.encode("utf-8"), name, session)


def _cluster(country: str, members: int, year: int | None = 2025, extra: str = "") -> str:
    year_line = f"assessment_year: {year}\n" if year is not None else ""
    return (
        f"cluster_name: Synthetic {country}\ncountry: {country}\n{year_line}"
        "self_assessment_level: 3\ninternationalization_in_plans: true\n"
        f"num_members_sme: {members}\ndirection_export: 1\ndirection_marketing: 1\n"
        "cluster_foreign_investment: 120\n" + extra
    )


SYNTHETIC = [
    ("KZ", 50, 2025, ""),
    ("UZ", 12, 2024, "planning_horizon_years: 5\n"),
    ("AM", 140, None, ""),
    ("BY", 25, 2026, ""),
    ("BR", 80, 2025, ""),
    ("ZZ", 9, 2025, ""),
    ("DE", 300, 2025, "budget_overrides:\n  org_intl_manager: {2026: 40, 2: 55}\n"),
]


def _budgets(session):
    for path in sorted(EXAMPLES.glob("*.yaml")):
        yield path.name, api.evaluate(path, session)
    for country, members, year, extra in SYNTHETIC:
        yield country, _result(session, _cluster(country, members, year, extra))


def test_budget_totals_equal_the_sums_by_year_and_by_source(session, knowledge):
    for name, result in _budgets(session):
        b = build_budget(result, knowledge)
        assert b.total == sum(b.by_year.values()) == sum(b.by_source.values()), name
        assert b.total > 0, name
        for rid, c in b.measures.items():
            assert c.total == sum(c.by_year.values()) == sum(c.by_source.values()), (name, rid)
            for y in c.by_year:
                assert c.by_year[y] == sum(ys.get(y, 0) for ys in c.cells.values()), (name, rid)
        table = b.source_years()
        assert sum(sum(ys.values()) for ys in table.values()) == b.total, name
        out = json.loads(api.draft(result, knowledge, "json", "en"))["budget"]
        assert out["total"] == sum(out["by_year"].values()) == sum(out["by_source"].values())


def test_every_made_measure_has_a_cost_and_a_result_of_its_own(session, knowledge):
    for name, result in _budgets(session):
        recs = json.loads(api.draft(result, knowledge, "json", "en"))["recommendations"]
        assert recs, name
        results = [r["result"]["en"] for r in recs]
        assert len(set(results)) == len(results), name
        for r in recs:
            assert set(r["cost"]) == {"by_year", "sources", "basis", "total"}, r["id"]
            assert r["result"]["ru"] and r["result"]["en"], r["id"]
            # a deliverable, never a KPI value: no KPI label in it
            labels = {knowledge.kpi[x].label.en for x in knowledge.recommendation[r["id"]].kpis}
            assert not any(lbl and lbl in r["result"]["en"] for lbl in labels), r["id"]


def test_a_kazakh_cluster_budgets_and_measures_money_in_tenge(session, knowledge):
    fdi = "direction_finance_fdi: 1\ncluster_investment_total: 8000\n"
    result = _result(session, _cluster("KZ", 50, extra=fdi))
    assert "kpi_foreign_investment" in {
        x["id"] for x in json.loads(api.draft(result, knowledge, "json", "en"))["kpis"]
    }
    data = json.loads(api.draft(result, knowledge, "json", "ru"))
    assert data["budget"]["currency"]["code"] == "KZT"
    md = api.draft(result, knowledge, "md", "ru")
    assert "тыс. тенге" in md and "тыс. руб." not in md
    assert "млн тенге в год" in md and "млн руб." not in md
    en = api.draft(result, knowledge, "md", "en")
    assert "KZT million per year" in en and "RUB" not in en


def test_a_country_without_a_rate_gets_euros_and_says_so(session, knowledge):
    result = _result(session, _cluster("ZZ", 20))
    assert build_budget(result, knowledge).money.code == "EUR"
    md = api.draft(result, knowledge, "md", "en")
    assert "thousand EUR" in md and "not converted" in md


def test_the_size_band_scales_the_estimate(session, knowledge):
    small = build_budget(_result(session, _cluster("KZ", 10)), knowledge)
    large = build_budget(_result(session, _cluster("KZ", 500)), knowledge)
    assert (small.band.id, large.band.id) == ("small", "large")
    common = [r for r in small.measures if r in large.measures and small.measures[r].total]
    assert common
    for rid in common:
        assert large.measures[rid].total > small.measures[rid].total, rid


def test_the_consultants_figures_replace_the_estimate_and_are_marked(session, knowledge):
    extra = "budget_overrides:\n  org_intl_manager: {2026: 7000, 3: 500}\n"
    result = _result(session, _cluster("KZ", 50, extra=extra))
    c = build_budget(result, knowledge).measures["org_intl_manager"]
    assert c.basis == "consultant" and not c.estimate
    assert c.by_year == {1: 7000, 3: 500}
    md = api.draft(result, knowledge, "md", "en")
    assert "consultant's figure" in md and "set by the consultant" in md
    plain = build_budget(_result(session, _cluster("KZ", 50)), knowledge)
    assert plain.measures["org_intl_manager"].basis == "proposal"


@pytest.mark.parametrize(
    "entry,message",
    [
        ("  org_intl_manger: {2026: 5}\n", "unknown measure 'org_intl_manger'"),
        ("  org_intl_manager: {2031: 5}\n", "year 2031 is outside the program"),
        ("  org_intl_manager: {2026: -1}\n", "must be a finite number, zero or more"),
        ("  org_intl_manager: 5\n", "expected a mapping of year: amount"),
    ],
)
def test_a_bad_override_is_one_located_error(session, entry, message):
    text = _cluster("KZ", 50) + "budget_overrides:\n" + entry
    with pytest.raises(InputError) as exc:
        _result(session, text, "bad.yaml")
    problems = exc.value.problems
    assert len(problems) == 1 and message in problems[0].message
    assert problems[0].file == "bad.yaml" and problems[0].line == text.count("\n")


def test_a_bad_override_exits_2_and_writes_nothing(cli, tmp_path):
    src = tmp_path / "a.yaml"
    src.write_text(_cluster("KZ", 50) + "budget_overrides:\n  nope: {2026: 1}\n", "utf-8")
    out = tmp_path / "p.md"
    code, _stdout, stderr = cli("draft", str(src), "--format", "md", "-o", str(out))
    assert code == 2 and "unknown measure 'nope'" in stderr and "Traceback" not in stderr
    assert not out.exists()


@pytest.mark.slow  # a whole Russian Word program (test_docx checks the English one by default)
def test_the_word_program_has_the_funding_line_and_amounts_in_the_plan(session, knowledge):
    import docx

    result = api.evaluate(EXAMPLES / "nizhny-novgorod.yaml", session)
    doc = docx.Document(io.BytesIO(api.draft(result, knowledge, "docx", "ru")))
    rows = [[c.text for c in r.cells] for t in doc.tables for r in t.rows]
    passport = [r for r in rows if r[0].startswith("Объём финансирования")]
    assert passport and "тыс. руб." in passport[0][1] and "по источникам" in passport[0][1]
    head = next(r for r in rows if r[:2] == ["№", "Мероприятие"])
    col = head.index("Объём, тыс. руб.")
    plan = [r for r in rows if len(r) == len(head) and r[0].isdigit()]
    assert any(r[col].startswith("Всего") for r in plan)
    assert any(r[0] == "Всего" for r in rows)  # the resource table's total row
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "Пустые ячейки" not in text


def test_measure_years_and_split():
    assert measure_years(2, 3) == [2, 3]
    assert measure_years(3, 3) == [3]
    assert measure_years(3, 1) == [3]
    for amount in (0, 1, 7, 100, 12345):
        for weights in ([1.0], [1.0, 1.0, 1.0], [2.0, 1.0], [0.5, 0.25, 0.25]):
            parts = split(amount, weights)
            assert sum(parts) == amount and all(p >= 0 for p in parts)
    assert split(10, [1.0, 1.0, 1.0]) == [4, 3, 3]
    # a single source takes the whole amount, whatever its weight (`measure_cost` skips `split`)
    for amount in (0, 1, 7, 100, 12345):
        for weight in (1.0, 0.1, 0.3, 2.5, 0.0):
            assert split(amount, [weight]) == [amount]


def test_an_instrument_that_does_not_pay_gets_no_amount_and_is_named_as_support(session, knowledge):
    """Export credit insurance or a free digital service supports a measure without paying for
    it: the budget never gives it an amount, the passport names it apart from the sources."""
    non_paying = {i.id: i for i in knowledge.document.instruments if not i.pays}
    assert non_paying, "the shipped knowledge marks no instrument as support only"
    corpus = [api.evaluate(p, session) for p in sorted((EXAMPLES / "corpus").glob("*.yaml"))]
    for name, result in [*_budgets(session), *((r.assessment.source, r) for r in corpus)]:
        b = build_budget(result, knowledge)
        assert not set(non_paying) & set(b.by_source), name
    agro = api.evaluate(EXAMPLES / "corpus" / "agro-food.yaml", session)
    md = api.draft(agro, knowledge, "md", "en")
    funding = next(line for line in md.splitlines() if line.startswith("| Funding sources |"))
    head, _, support = funding.partition("support without funding of measures: ")
    assert "EXIAR" in support and "EXIAR" not in head
    table = md[md.index("| Funding source |") :].split("\n\n")[0]
    assert "EXIAR" not in table and "Russian Export Center" in table


@pytest.mark.slow  # ~1 s: run by CI's slow pass, kept out of the default suite's budget
def test_an_instrument_marked_as_not_paying_leaves_the_budget(cli, tmp_path):
    """The rule holds for any instrument a rule author marks, not only the shipped ones."""
    kb = tmp_path / "kb"
    shutil.copytree(ROOT / "knowledge", kb)
    doc = kb / "document.yaml"
    text = doc.read_text(encoding="utf-8")
    marked = text.replace("  - id: ru_rec\n", "  - id: ru_rec\n    pays: false\n", 1)
    assert marked != text
    doc.write_text(marked, encoding="utf-8")
    agro = EXAMPLES / "corpus" / "agro-food.yaml"
    sources = []
    for extra in ([], ["--knowledge", str(kb)]):
        code, out, err = cli("draft", agro, "-f", "json", "--lang", "en", *extra)
        assert code == 0, err
        sources.append(json.loads(out)["budget"]["by_source"])
    shipped, edited = sources
    assert "ru_rec" in shipped and "ru_rec" not in edited
    assert sum(shipped.values()) == sum(edited.values())  # the money moves to the other sources


def test_no_year_of_the_budget_is_paid_by_an_instrument_that_does_not_exist_then(
    session, knowledge
):
    """A fund dissolved in the program's first year (Belarus's marketing centre, 2025) pays for
    that year only; each year's amount goes to the instruments that exist in it."""
    unseen = ROOT / "tests" / "fixtures" / "unseen"
    results = [*_budgets(session), *((p.name, api.evaluate(p, session)) for p in unseen.glob("*"))]
    instruments = {i.id: i for i in knowledge.document.instruments}
    checked = 0
    for name, result in results:
        year = result.assessment.get("assessment_year")
        if not isinstance(year, int):
            continue
        for rid, c in build_budget(result, knowledge).measures.items():
            for iid, years in c.cells.items():
                ins = instruments[iid]
                for y, amount in years.items():
                    if amount and (ins.available_from or ins.available_until):
                        checked += 1
                        calendar = year + y
                        assert (ins.available_from or calendar) <= calendar, (name, rid, iid, y)
                        assert calendar <= (ins.available_until or calendar), (name, rid, iid, y)
    assert checked  # some amount was paid by an instrument with a life span
    by = api.evaluate(unseen / "belarus-pharma.yaml", session)
    ncmc = build_budget(by, knowledge).source_years().get("by_ncmc", {})
    assert ncmc.get(1) and not ncmc.get(2) and not ncmc.get(3)


def test_a_post_the_program_creates_is_paid_every_year_to_its_end(session, knowledge):
    """Appointing the manager is done in one quarter, but the post costs every year after: a
    measure marked `recurs` runs its following years' amount to the program's end; one not
    marked is costed over its own span only."""
    recurring = {rid for rid, m in knowledge.resources.measures.items() if m.recurs}
    assert "org_intl_manager" in recurring
    seen = 0
    for name, result in _budgets(session):
        b = build_budget(result, knowledge)
        for rid, c in b.measures.items():
            if rid in recurring and c.estimate and c.total:
                seen += 1
                first = min(c.by_year)
                assert sorted(c.by_year) == list(range(first, b.horizon + 1)), (name, rid)
                assert all(c.by_year.values()), (name, rid)
    assert seen
    nn = api.evaluate(EXAMPLES / "nizhny-novgorod.yaml", session)
    b = build_budget(nn, knowledge)
    assert sorted(b.measures["org_intl_manager"].by_year) == [1, 2, 3]
    from engine.program.budget import slot_span
    from engine.program.model import order_recommendations
    from engine.program.schedule import schedule

    slots = schedule(nn, knowledge, order_recommendations(nn, knowledge), b.horizon).slots
    for rid, c in b.measures.items():  # the others: the years of their own span only
        if rid not in recurring and c.estimate:
            start, end = slot_span(slots[rid])
            assert sorted(c.by_year) == list(range(start, max(start, end) + 1)), rid
    row = next(x for x in api.draft(nn, knowledge, "md", "en").splitlines() if "| 2 |" in x[:6])
    assert "upkeep every year to the end of the program" in row


def test_a_cluster_in_the_eu_is_funded_by_the_eus_instruments_and_no_other_is(session, knowledge):
    """The EU's own funds (the region's ERDF programme, the Euroclusters calls) pay part of an EU
    cluster's program and of no other; a region's budget is 'its state program' in Russia only,
    where the dissertation's regions fund clusters that way."""
    eu = {i.id for i in knowledge.document.instruments if "FI" in i.countries}
    assert {"eu_erdf", "eu_euroclusters"} <= eu
    finnish = ROOT / "tests" / "fixtures" / "unseen" / "finnish-photonics.yaml"
    results = [*_budgets(session), ("finnish-photonics", api.evaluate(finnish, session))]
    paid = 0
    for name, result in results:
        country = result.assessment.get("country")
        sources = set(build_budget(result, knowledge).by_source)
        md = api.draft(result, knowledge, "md", "en")
        if country in ("DE", "FI"):
            assert sources & eu, name
            paid += 1
        else:
            assert not sources & eu, name
        table = md[md.index("| Funding source |") :].split("\n\n")[0]  # the resources table
        for part in (md, table) if "regional_budget" in sources else (md,):
            state_program = "regional budget (the region's state program)" in part
            assert state_program == (country == "RU"), name
        if "regional_budget" in sources and country != "RU":
            assert "regional budget (the region's support programs)" in md, name
    assert paid == 2


@pytest.mark.parametrize("blank", [0.05, 0.3, 0.7])
def test_the_budgets_shortcuts_give_the_plain_computation(knowledge, blank):
    """Over generated clusters (other countries, years, sizes): the funders shared by the
    measures of one budget, each instrument found by its id, and the schedule the plan takes from
    the budget give what computing each anew gives."""
    import random

    from bench.synthetic import random_assessment
    from engine.inference.run import Runner
    from engine.program.budget import measure_cost
    from engine.program.model import build_program, order_recommendations
    from engine.program.plan import instrument
    from engine.program.schedule import schedule

    for ins in knowledge.document.instruments:
        first = next(i for i in knowledge.document.instruments if i.id == ins.id)
        assert instrument(ins.id, knowledge) is first
    assert instrument("no_such_instrument", knowledge) is None
    runner = Runner(knowledge)
    rng = random.Random(f"budget shortcuts {blank}")
    reused = 0
    for n in range(15):
        result = runner.run(random_assessment(knowledge, rng, blank, f"c{n}"), facts=False)
        b = build_budget(result, knowledge)
        year = result.assessment.get("assessment_year")
        span = (year + 1, year + b.horizon) if isinstance(year, int) else (None, None)
        plain = {
            rid: measure_cost(rid, result, knowledge, b, span, b.slots[rid]) for rid in b.order
        }
        assert plain == b.measures
        order = order_recommendations(result, knowledge)
        assert b.slots == schedule(result, knowledge, order, b.horizon).slots
        view = build_program(result, knowledge, reasons=False)
        reused += b.order == [r["id"] for r in view["recommendations"]]
    assert reused == 15, "the document's plan takes the budget's schedule"


def test_currency_leaves_made_once_say_what_the_plain_messages_say(knowledge):
    # the unit, the amount column's head and a money KPI's unit are one leaf per currency (words
    # once per language): the same words as the messages built for each cluster before
    from engine.program.budget_view import _unit_heads
    from engine.program.currency import kpi_unit, money_of
    from engine.program.leaves import tx
    from engine.text.message import Locale, Msg, localize

    money_kpi = knowledge.kpi[next(iter(knowledge.resources.money_kpis))]
    for country in ("RU", "KZ", ""):
        money = money_of(country, knowledge)
        unit, head = knowledge.derived_each(_unit_heads, money.code)
        assert knowledge.derived_each(_unit_heads, money.code)[0] is unit
        plain = Msg("budget_unit", cur=tx(money.currency.short))
        money_unit = Msg("unit_money_year", cur=tx(money.currency.short))
        for lang in ("ru", "en"):
            loc = Locale(lang)
            assert localize(unit, loc) == localize(plain, loc)
            assert localize(head, loc) == localize(Msg("plan_amount", unit=plain), loc)
            said = localize(kpi_unit(money_kpi, country, knowledge), loc)
            assert said == localize(money_unit, loc)


def test_budget_notes_made_once_say_what_the_plain_messages_say(knowledge):
    # the estimate's and the rate's notes are one leaf per size band or currency (words once per
    # language): the same words as the messages built for each budget before
    from engine.program.budget_view import _date, _estimate_note, _no_rate_note, _rate_note
    from engine.program.leaves import RStrip, tx
    from engine.text.message import Locale, Msg, Num, localize

    r = knowledge.resources
    for lang in ("ru", "en"):
        loc = Locale(lang)
        for band in r.size_bands:
            plain = Msg("budget_note_estimate", band=tx(band.label))
            said = knowledge.derived_each(_estimate_note, band.id)
            assert localize(said, loc) == localize(plain, loc)
        for code, cur in r.currencies.items():
            source = knowledge.source.get(cur.source or "")
            rate = Msg(
                "budget_note_rate",
                cur=tx(cur.name),
                rate=Num(cur.per_base),
                base=r.base_currency,
                date=_date(cur.date),
                source=RStrip(tx(source.citation), ". ") if source else "",
            )
            said = knowledge.derived_each(_rate_note, code)
            assert localize(said, loc) == localize(rate, loc)
            no_rate = Msg("budget_note_no_rate", base=tx(cur.name))
            said = knowledge.derived_each(_no_rate_note, code)
            assert localize(said, loc) == localize(no_rate, loc)
