"""Pipeline step 3: derived measures computed from the assessment with the settings of scoring.yaml.

Partial indicators (shares in %), the quantitative index and its band, the region's index and the
cluster/region ratio, the helix scores and model, the self-assessment band, gaps against the region
and against the survey benchmarks. Each value keeps a `Derivation` (inputs, formula, setting) so that
explanations can follow a measure back to the assessment's own indicators.
"""

from __future__ import annotations

import math
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from engine.assessment.validate import Assessment
from engine.knowledge.models import Knowledge
from engine.knowledge.scoring_model import BandLimit, HelixSettings, PartialIndicator
from engine.measures.derivation import Derivation, derivation

NDIGITS = 2


@dataclass
class Measures:
    values: dict[str, Any]
    derivations: dict[str, Derivation]

    def get(self, key: str) -> Any:
        """The measure's value, None when it could not be computed."""
        return self.values.get(key)


def _round(x: float | None) -> float | None:
    if x is None:
        return None
    return round(x + 0.0, NDIGITS)


def _setting(knowledge: Knowledge, path: tuple[Any, ...]) -> str:
    where = knowledge.derived(_settings)  # each read once per knowledge base (~80 a cluster)
    if path not in where:
        loc = knowledge.located.get("scoring.yaml")
        where[path] = f"{loc.file}:{loc.pos(path)[0]}" if loc is not None else "scoring.yaml"
    return where[path]


def _settings(knowledge: Knowledge) -> dict[tuple[Any, ...], str]:
    return {}  # the memo of `_setting`: where each setting of scoring.yaml is written


Formula = tuple[str, dict[str, Any]]  # a key of templates/strings.yaml (f_…) and its parameters
Given = dict[str, dict[str, Any]] | None  # the values of some stages, by stage


def _partial(p: PartialIndicator, a: Assessment) -> tuple[float | None, dict[str, Any], Formula]:
    if p.formula == "ratio":
        pairs = [(p.numerator, p.denominator)]
        if p.alternative:
            pairs.append(p.alternative)
        inputs: dict[str, Any] = {}
        for num, den in pairs:
            assert num and den
            n, d = a.get(num), a.get(den)
            inputs[num], inputs[den] = n, d
            if n is not None and d is not None and d > 0:
                return (
                    min(100.0, n / d * 100.0),
                    {num: n, den: d},
                    ("share", {"num": num, "den": den}),
                )
        return None, inputs, ("share", {"num": p.numerator, "den": p.denominator})
    if p.formula == "capped_count":
        assert p.count and p.target
        c = a.get(p.count)
        formula = ("capped_count", {"count": p.count, "target": _fmt(p.target)})
        if c is None:
            return None, {p.count: None}, formula
        return min(100.0, c / p.target * 100.0), {p.count: c}, formula
    if p.formula == "list_share":
        assert p.list_ and p.of
        items = a.get(p.list_)
        formula = ("list_share", {"list": p.list_, "of": _fmt(p.of)})
        if items is None:
            return None, {p.list_: None}, formula
        return min(100.0, len(items) / p.of * 100.0), {p.list_: list(items)}, formula
    raise AssertionError(p.formula)


def _fmt(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else str(x)


def _band(value: float | None, bands: list[BandLimit]) -> str:
    if value is None:
        return "unknown"
    for b in bands:
        if b.below is None or value < b.below:
            return b.id
    return bands[-1].id


class _Sink:
    """Collects the measures and their derivations in the order they are computed."""

    def __init__(
        self,
        knowledge: Knowledge,
        assessment: Assessment,
        derivations: bool | Collection[str] = True,
    ) -> None:
        self.knowledge = knowledge
        self.assessment = assessment
        self.values: dict[str, Any] = {}
        self.der: dict[str, Derivation] = {}
        # the measures whose derivations are kept, None for all: without, the values alone,
        # about half the time
        self.keep: Collection[str] | None = (
            None if derivations is True else () if derivations is False else derivations
        )
        self.where = knowledge.derived(_settings)  # `_setting`'s memo, read ~80 times a cluster

    def put(
        self,
        key: str,
        value: Any,
        formula: Formula,
        inputs: dict[str, Any],
        setting: tuple[Any, ...],
    ) -> None:
        """Record a measure with its derivation (formula, inputs, the scoring.yaml setting used)."""
        self.values[key] = value
        if self.keep is not None and key not in self.keep:
            return
        self.der[key] = derivation(
            key,
            value,
            formula[0],
            formula[1],
            inputs,
            self.where.get(setting) or _setting(self.knowledge, setting),
        )


def compute(
    assessment: Assessment,
    knowledge: Knowledge,
    *,
    derivations: bool | Collection[str] = True,
    given: Given = None,
) -> Measures:
    """Every derived measure of one assessment, each with its derivation (without `derivations`,
    the values alone; with a collection of measure ids, only theirs, but a verdict's inputs are
    those of its measures whose derivations are kept; `given`: the partial indicators and
    AS_GIVEN stages' values, known to the caller: the sensitivity map's candidate values,
    engine/explain/sensitivity.py)."""
    out = _Sink(knowledge, assessment, derivations)
    _as_given(out, given, _partials)
    _index(out)
    _region(out)
    _terciles(out)
    _as_given(out, given, _benchmark_gaps)
    _verdicts(out)
    for stage in AS_GIVEN[1:]:
        _as_given(out, given, stage)
    _level_agreement(out)
    return Measures(values=out.values, derivations=out.der)


def _as_given(out: _Sink, given: Given, stage: Any) -> None:
    if given is None or stage.__name__ not in given:
        stage(out, out.assessment)
    else:
        out.values.update(given[stage.__name__])


def _partials(out: _Sink, assessment: Assessment) -> None:
    """Partial indicators of the cluster and of the region (shares in %)."""
    s = out.knowledge.scoring
    for section, items in (
        ("partial_indicators", s.partial_indicators),
        ("region_indicators", s.region_indicators),
    ):
        for i, p in enumerate(items):
            v, inputs, formula = _partial(p, assessment)
            out.put(p.id, _round(v), formula, inputs, (section, i))


def is_share(p: PartialIndicator) -> bool:
    """A share of a defined base (numerator over denominator) that the index may average;
    counts (capped counts, list lengths) are reported beside the index, never inside."""
    return p.formula == "ratio" and p.weight > 0


def _index(out: _Sink) -> None:
    """The quantitative index: weighted mean over the share indicators with data, computed only
    when the coverage setting is met (enough shares and one in every direction group)."""
    s, values = out.knowledge.scoring, out.values
    shares = [p for p in s.partial_indicators if is_share(p)]
    weighted = [(p.id, p.weight, values[p.id]) for p in shares if values[p.id] is not None]
    total_w = sum(w for _, w, _ in weighted)
    coverage = len(weighted)
    with_data = {pid for pid, _, _ in weighted}
    groups_missing = [
        gid
        for gid, g in s.index.groups.items()
        if not any(pid in with_data for pid in g.indicators)
    ]
    determined = bool(weighted) and coverage >= s.index.min_coverage and not groups_missing
    index = sum(w * v for _, w, v in weighted) / total_w if determined else None
    missing = [p.id for p in shares if p.id not in with_data]
    inputs_missing: list[str] = []
    for p in shares:
        if p.id in with_data:
            continue
        for ind in (p.numerator, p.denominator):
            if ind and out.assessment.get(ind) is None and ind not in inputs_missing:
                inputs_missing.append(ind)
    out.put(
        "coverage",
        coverage,
        ("coverage", {"n": len(shares)}),
        {p.id: values[p.id] for p in shares},
        ("index",),
    )
    out.put(
        "coverage_share",
        _round(coverage / len(shares) * 100.0) if shares else None,
        ("coverage_share", {}),
        {"coverage": coverage},
        ("index",),
    )
    out.put(
        "index_missing",
        missing,
        ("index_missing", {}),
        {p.id: values[p.id] for p in shares if p.id in missing},
        ("index", "min_coverage"),
    )
    out.put(
        "index_missing_inputs",
        inputs_missing,
        ("index_missing", {}),
        dict.fromkeys(inputs_missing),
        ("index", "min_coverage"),
    )
    out.put(
        "index_groups_missing",
        groups_missing,
        ("index_groups", {}),
        {p.id: values[p.id] for p in shares},
        ("index", "groups"),
    )
    out.put(
        "index",
        _round(index),
        ("index", {})
        if determined
        else ("index_not_determined", {"min": s.index.min_coverage, "n": len(shares)}),
        {pid: v for pid, _, v in weighted},
        ("partial_indicators",) if determined else ("index", "min_coverage"),
    )
    out.put(
        "index_band",
        _band(values["index"], s.index.bands) if determined else NOT_DETERMINED,
        ("band", {"of": "index"}),
        {"index": values["index"]},
        ("index", "bands"),
    )


NOT_DETERMINED = "not_determined"


def _comparable(p: PartialIndicator, values: dict[str, Any]) -> bool:
    return (
        p.region is not None and values.get(p.id) is not None and values.get(p.region) is not None
    )


def _region(out: _Sink) -> None:
    """The region, like with like: K is the ratio of the cluster's to the region's level over the
    pairs of one definition where both sides have data; every other share is left out and listed."""
    s, values = out.knowledge.scoring, out.values
    pairs = [
        (p.id, p.region)
        for p in s.partial_indicators
        if p.region and _comparable(p, values) and values[p.region] > 0
    ]
    left_out = [
        p.id
        for p in s.partial_indicators
        if is_share(p) and values.get(p.id) is not None and p.id not in {q for q, _ in pairs}
    ]
    _region_gaps(out)
    ratio = _region_indices(out, pairs)
    _ratio(out, pairs, left_out, ratio)


def _region_gaps(out: _Sink) -> None:
    """Each share's difference from its regional counterpart (`gap_<id>`), where it has one."""
    values = out.values
    for p in out.knowledge.scoring.partial_indicators:
        if p.region:
            q, r = values.get(p.id), values.get(p.region)
            out.put(
                f"gap_{p.id}",
                _round(q - r) if q is not None and r is not None else None,
                ("difference", {"a": p.id, "b": p.region}),
                {p.id: q, p.region: r},
                ("partial_indicators",),
            )


def _region_indices(out: _Sink, pairs: list[tuple[str, str]]) -> float | None:
    """The region's and the cluster's mean over the comparable pairs; return the ratio K of the
    two levels, None below the settings' minimum of pairs (each with a regional share above 0)."""
    s, values = out.knowledge.scoring, out.values
    if not pairs:
        out.put("region_index", None, ("no_regional_data", {}), {}, ("ratio",))
        out.put("cluster_matched_index", None, ("no_regional_data", {}), {}, ("ratio",))
        return None
    cl = sum(values[q] for q, _ in pairs) / len(pairs)
    rg = sum(values[r] for _, r in pairs) / len(pairs)
    out.put(
        "region_index",
        _round(rg),
        ("region_index", {}),
        {r: values[r] for _, r in pairs},
        ("region_indicators",),
    )
    out.put(
        "cluster_matched_index",
        _round(cl),
        ("cluster_matched_index", {}),
        {q: values[q] for q, _ in pairs},
        ("region_indicators",),
    )
    if len(pairs) < s.ratio.min_pairs or not values["region_index"]:
        return None
    # K is the ratio of the two levels shown beside it, so its label always agrees with them.
    return float(values["cluster_matched_index"]) / float(values["region_index"])


def _ratio(
    out: _Sink, pairs: list[tuple[str, str]], left_out: list[str], ratio: float | None
) -> None:
    """The ratio K with its band, and how it was reached: the pairs, the cluster's leads, the
    shares left out."""
    s, values = out.knowledge.scoring, out.values
    both = {q: values[q] for q, _ in pairs} | {r: values[r] for _, r in pairs}
    out.put("ratio_pairs", len(pairs), ("ratio_pairs", {}), dict(both), ("ratio",))
    leads = sum(1 for q, r in pairs if values[q] > values[r])
    out.put("ratio_leads", leads, ("ratio_leads", {}), dict(both), ("ratio",))
    out.put(
        "ratio_left_out",
        left_out,
        ("ratio_left_out", {}),
        {q: values[q] for q in left_out},
        ("ratio",),
    )
    out.put(
        "ratio",
        _round(ratio),
        ("ratio", {})
        if ratio is not None
        else ("ratio_not_determined", {"min": s.ratio.min_pairs}),
        dict(both),
        ("ratio",),
    )
    out.put(
        "ratio_band",
        _band(values["ratio"], s.ratio.bands),
        ("band", {"of": "ratio"}),
        {"ratio": values["ratio"]},
        ("ratio", "bands"),
    )


def _terciles(out: _Sink) -> None:
    """Terciles of the cluster's own share indicators (top, middle, bottom third)."""
    s, values = out.knowledge.scoring, out.values
    ranked = sorted(
        (
            (values[p.id], p.id)
            for p in s.partial_indicators
            if is_share(p) and values[p.id] is not None
        ),
        key=lambda t: (-t[0], t[1]),
    )
    n = len(ranked)
    for p in s.partial_indicators:
        values[f"tercile_{p.id}"] = None
    if n >= 3:
        third = math.ceil(n / 3)
        for pos, (v, pid) in enumerate(ranked):
            t = "top" if pos < third else ("bottom" if pos >= n - third else "middle")
            out.put(
                f"tercile_{pid}",
                t,
                ("tercile", {"rank": pos + 1, "n": n}),
                {pid: v},
                ("partial_indicators",),
            )


def _benchmark_gaps(out: _Sink, assessment: Assessment) -> None:
    """Differences from the survey benchmarks, and one rule for weak and strong: the distance
    from the benchmark set in scoring.yaml `benchmark_rule`, the same for every item."""
    rule = out.knowledge.scoring.benchmark_rule
    weak, strong = _fmt(rule.weak_distance), _fmt(rule.strong_distance)
    for ind_id, value, written in out.knowledge.derived(_benchmarks):
        v = assessment.get(ind_id)
        gap = _round(v - value) if v is not None else None
        out.put(
            f"bench_gap_{ind_id}",
            gap,
            ("bench_gap", {"indicator": ind_id, "benchmark": written}),
            {ind_id: v},
            ("benchmarks", ind_id),
        )
        status = None
        if gap is not None:
            status = (
                "weak"
                if gap <= -rule.weak_distance
                else "strong"
                if gap >= rule.strong_distance
                else "typical"
            )
        out.put(
            f"bench_status_{ind_id}",
            status,
            (
                "bench_status",
                {"indicator": ind_id, "benchmark": written, "weak": weak, "strong": strong},
            ),
            {ind_id: v},
            ("benchmark_rule",),
        )


def _benchmarks(knowledge: Knowledge) -> tuple[tuple[str, float, str], ...]:
    """Each survey benchmark: its indicator, its value and the value as formulas write it, once
    per knowledge base (two `_fmt` calls per benchmark and cluster)."""
    return tuple(
        (ind_id, bench.value, _fmt(bench.value))
        for ind_id, bench in knowledge.scoring.benchmarks.items()
    )


def _share_status(out: _Sink, share: str, sides: list[str]) -> str | None:
    """The share's evidence: strong in the cluster's top third (and above the region where it has
    a pair), weak in its bottom third (and below the region); None otherwise or blank."""
    values = out.values
    p = next((q for q in out.knowledge.scoring.partial_indicators if q.id == share), None)
    tercile, gap = values.get(f"tercile_{share}"), values.get(f"gap_{share}")
    paired = p is not None and p.region is not None
    if "strong" in sides and tercile == "top" and (not paired or (gap is not None and gap > 0)):
        return "strong"
    if "weak" in sides and tercile == "bottom" and (not paired or (gap is not None and gap < 0)):
        return "weak"
    return None


def _verdicts(out: _Sink) -> None:
    """One verdict per direction from its score and its share (scoring.yaml `reconciliation`):
    strong, weak, typical, or mixed where the two point opposite ways."""
    rec = out.knowledge.scoring.reconciliation
    for area, ev in rec.directions.items() if rec else ():
        score = out.values.get(f"bench_status_{ev.score}")
        said = {score, _share_status(out, ev.share, list(ev.share_sides))} - {None}
        either = next((v for v in ("strong", "weak") if v in said), "typical" if said else None)
        keys = (f"bench_status_{ev.score}", f"tercile_{ev.share}", f"gap_{ev.share}")
        out.put(
            f"verdict_{area}",
            "mixed" if {"strong", "weak"} <= said else either,
            ("verdict", {"score": ev.score, "share": ev.share}),
            # each a measure with its own derivation (a tercile may have none)
            {key: out.values.get(key) for key in keys if key in out.der},
            ("reconciliation", "directions", area),
        )


def _helix(out: _Sink, assessment: Assessment) -> None:
    """The helix scores, the internationalization model and which helices lead it."""
    h = out.knowledge.scoring.helix
    helix: dict[str, float | None] = {}
    for name, comps in h.helices.items():
        weighted: list[tuple[float, float]] = []  # (value, weight) of the known inputs
        inputs: dict[str, Any] = {}
        blank_required = False
        for c in comps:  # the weighted mean of the known inputs; a blank one is skipped
            v, inp = c.score(assessment.get, h.scale_max)
            inputs.update(inp)
            blank_required |= v is None and c.required
            weighted += [(v, c.weight)] if v is not None else []
        scores = [v * w for v, w in weighted]
        weights = [w for _, w in weighted]
        # a helix whose own item is blank is not read from its side inputs alone
        helix[name] = None if blank_required or not scores else _round(sum(scores) / sum(weights))
        out.put(
            f"helix_{name}",
            helix[name],
            ("helix", {"helix": name}),
            inputs,
            ("helix", "helices", name),
        )
    model, formula, leaders = _classify(helix, h)
    helix_inputs = {f"helix_{k}": v for k, v in helix.items()}
    out.put("model", model, formula, helix_inputs, ("helix",))
    for name in h.helices:
        out.put(
            f"helix_leads_{name}",
            None if model == h.model_ids.unknown else ("leads" if name in leaders else "follows"),
            ("helix_leads", {"helix": name}),
            helix_inputs,
            ("helix",),
        )


def _self_band(out: _Sink, assessment: Assessment) -> None:
    """The band of the self-assessed level."""
    sa = out.knowledge.scoring.self_assessment
    level = assessment.get(sa.indicator)
    band = sa.levels[level].band if level in sa.levels else "unknown"
    out.put(
        "self_band",
        band,
        ("band", {"of": sa.indicator}),
        {sa.indicator: level},
        ("self_assessment", "levels"),
    )


def _level_agreement(out: _Sink) -> None:
    """Whether the self-assessment band and the index band tell the same story."""
    sa = out.knowledge.scoring.self_assessment
    self_band, index_band = out.values["self_band"], out.values["index_band"]
    if (
        self_band == "unknown"
        or index_band == NOT_DETERMINED
        or self_band not in sa.agrees_with_index
    ):
        agreement = NOT_DETERMINED
    else:
        agreement = "agree" if index_band in sa.agrees_with_index[self_band] else "disagree"
    out.put(
        "level_agreement",
        agreement,
        ("level_agreement", {}),
        {"self_band": self_band, "index_band": index_band},
        ("self_assessment", "agrees_with_index"),
    )


def _anchor_sme_gap(out: _Sink, assessment: Assessment) -> None:
    """How far the anchors' international activity is above the SMEs' (0-4 points)."""
    g = out.knowledge.scoring.helix.anchor_sme_gap
    if g is None:
        return
    anchors, smes = assessment.get(g.anchors), assessment.get(g.smes)
    gap = _round(anchors - smes) if anchors is not None and smes is not None else None
    out.put(
        "anchor_sme_gap",
        gap,
        ("difference", {"a": g.anchors, "b": g.smes}),
        {g.anchors: anchors, g.smes: smes},
        ("helix", "anchor_sme_gap"),
    )


def _classify(
    helix: dict[str, float | None], h: HelixSettings
) -> tuple[str, Formula, tuple[str, ...]]:
    """The model from the helix scores, and the helices that lead it; ids are the settings'
    `model_ids`. "Nascent" is decided first: an all-weak cluster has no leader."""
    ids = h.model_ids
    margin, balanced_min = h.leader_margin, h.balanced_min
    known = {k: v for k, v in helix.items() if v is not None}
    # the model needs business and science; a blank state gives a reading of those two
    if len(known) < 2 or any(helix.get(core) is None for core in h.required if core in helix):
        return ids.unknown, ("model_unknown", {}), ()
    if all(v < balanced_min for v in known.values()):
        return ids.nascent, ("model_nascent", {"min": _fmt(balanced_min)}), ()
    ordered = sorted(known.items(), key=lambda kv: (-kv[1], kv[0]))
    (lead, top), (second, nxt) = ordered[0], ordered[1]
    if top - nxt >= margin:
        formula = ("model_led", {"lead": lead, "margin": _fmt(margin)})
        return ids.led.format(lead=lead), formula, (lead,)
    if len(known) == len(helix) and all(v >= balanced_min for v in known.values()):
        return ids.balanced, ("model_balanced", {"min": _fmt(balanced_min)}), ()
    return ids.dual, ("model_dual", {"lead": lead, "second": second}), (lead, second)


AS_GIVEN = (_benchmark_gaps, _helix, _anchor_sme_gap, _self_band)  # in compute's order
