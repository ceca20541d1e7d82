"""References and completeness of `resources.yaml` (issue 20): every measure of the catalogue has
a cost model and a deliverable of its own, every cost names its basis and sources, and the size
bands, instruments, KPIs and currencies it names exist."""

from __future__ import annotations

from engine.errors import suggest
from engine.knowledge.verify.references import Checker

FILE = "resources.yaml"


def check_resources(c: Checker) -> None:
    """Report every missing, unknown or unsupported entry of `resources.yaml`."""
    _check_measures(c)
    _check_costs(c)
    _check_settings(c)
    _check_currencies(c)


def _ref(c: Checker, path: tuple[object, ...], value: str, known: set[str], what: str) -> None:
    if value not in known:
        c.add(FILE, path, f"unknown {what} {value!r}", hint=suggest(value, known))


def _check_measures(c: Checker) -> None:
    """One entry per measure of the catalogue, none for an unknown id, no two equal results."""
    r = c.k.resources
    known = set(c.k.recommendation)
    for rid in r.measures:
        if rid not in known:
            c.add(
                FILE,
                ("measures", rid),
                f"unknown measure {rid!r}",
                hint=suggest(rid, known),
                key=True,
            )
    for rid in c.k.recommendation:
        if rid not in r.measures:
            c.add(
                FILE,
                ("measures",),
                f"measure {rid!r} has no cost model and result; give it `cost` and `result`",
            )
    seen: dict[tuple[str, str], str] = {}
    for rid, m in r.measures.items():
        for lang in ("ru", "en"):
            text = m.result.get(lang).strip()
            if not text:
                c.add(FILE, ("measures", rid, "result"), f"result has no {lang} text")
                continue
            other = seen.setdefault((lang, text.casefold()), rid)
            if other != rid:
                c.add(
                    FILE,
                    ("measures", rid, "result"),
                    f"result ({lang}) repeats the result of {other!r}; each measure delivers "
                    "something of its own",
                )


SUPPORT_ONLY = "support-only-instrument"  # a problem code (tests assert codes)
_SUPPORT_ONLY = (
    "instrument {iid!r} does not pay (pays: false in document.yaml): it never gets an amount, "
    "so it can take no share of a cost"
)


def _check_costs(c: Checker) -> None:
    """A cost with ranges names its basis and known sources; a split names known instruments; a
    measure with a cost is not funded only 'within current activity' in the plan."""
    d = c.k.document
    instruments = {i.id for i in d.instruments}
    support_only = {i.id for i in d.instruments if not i.pays}
    for rid, m in c.k.resources.measures.items():
        path = ("measures", rid)
        if not m.within:
            if m.basis is None:
                c.add(FILE, (*path, "cost"), "a cost needs its `basis` (source|derived|proposal)")
            if not m.sources:
                c.add(FILE, (*path, "cost"), "a cost needs its `sources`")
            entry = d.plan.get(rid)
            if entry is not None and entry.funding and set(entry.funding) <= {"no_cost"}:
                c.add(
                    FILE,
                    (*path, "cost"),
                    f"{rid!r} has a cost but document.yaml funds it only 'within current "
                    "operations' (no_cost); name its instruments or make it "
                    "within_current_activity",
                )
        for j, s in enumerate(m.sources):
            _ref(c, (*path, "sources", j), s, set(c.k.source), "source")
        for iid in m.split:
            _ref(c, (*path, "split", iid), iid, instruments, "instrument")
            if iid in support_only:
                c.add(FILE, (*path, "split", iid), _SUPPORT_ONLY.format(iid=iid), code=SUPPORT_ONLY)


def _check_settings(c: Checker) -> None:
    """The size indicators, bands, fallback instrument and money KPIs name what exists."""
    r = c.k.resources
    for j, ind in enumerate(r.size_indicators):
        _ref(c, ("size_indicators", j), ind, set(c.k.indicator), "indicator")
    _ref(c, ("unknown_band",), r.unknown_band, {b.id for b in r.size_bands}, "size band")
    _ref(
        c,
        ("fallback_source",),
        r.fallback_source,
        {i.id for i in c.k.document.instruments},
        "instrument",
    )
    if r.fallback_source in {i.id for i in c.k.document.instruments if not i.pays}:
        c.add(
            FILE,
            ("fallback_source",),
            _SUPPORT_ONLY.format(iid=r.fallback_source),
            code=SUPPORT_ONLY,
        )
    for j, kid in enumerate(r.money_kpis):
        _ref(c, ("money_kpis", j), kid, set(c.k.kpi), "KPI")
    for j, s in enumerate(r.size_sources):
        _ref(c, ("size_sources", j), s, set(c.k.source), "source")


def _check_currencies(c: Checker) -> None:
    """The base currency has rate 1; every other rate names its source and date; no country uses
    two currencies."""
    r = c.k.resources
    base = r.currencies.get(r.base_currency)
    if base is None:
        c.add(FILE, ("base_currency",), f"the base currency {r.base_currency!r} has no entry")
    elif base.per_base != 1:
        c.add(FILE, ("currencies", r.base_currency, "per_base"), "the base currency's rate is 1")
    owner: dict[str, str] = {}
    for code, cur in r.currencies.items():
        path = ("currencies", code)
        if code != r.base_currency and (cur.source is None or cur.date is None):
            c.add(FILE, path, f"the rate of {code} needs its `source` and `date`")
        if cur.source is not None:
            _ref(c, (*path, "source"), cur.source, set(c.k.source), "source")
        for country in cur.countries:
            other = owner.setdefault(country, code)
            if other != code:
                c.add(
                    FILE,
                    (*path, "countries"),
                    f"country {country!r} already uses {other}; a country has one currency",
                )
