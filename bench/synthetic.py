"""Generated data for the benchmark and the differential tests: assessments and knowledge bases.

`random_values` draws a valid assessment from knowledge/indicators.yaml (values within each
indicator's type and scale, some left blank). `synthetic_knowledge` copies a knowledge base and adds
generated rules on the shipped indicators and measures until it has the requested number of rules:
random thresholds derive synthetic findings, findings (with `not:` and `any:`) lead to synthetic
recommendations. Both are seeded, so a run is repeatable.
"""

from __future__ import annotations

import random
import re
import shutil
from pathlib import Path
from typing import Any

import yaml

from engine.assessment.validate import Assessment, check_value
from engine.knowledge.measure_ids import measure_catalogue
from engine.knowledge.models import Indicator, Knowledge

_WORDS = [
    "automotive",
    "petrochemicals",
    "it",
    "biotech",
    "aerospace",
    "textiles",
    "agrifood",
    "energy",
    "optics",
    "shipbuilding",
]


def _open_range(ind: Indicator) -> tuple[float, float]:
    lo = ind.min if ind.min is not None else 0.0
    hi = ind.max if ind.max is not None else lo + rand_magnitude(ind)
    return lo, hi


def rand_magnitude(ind: Indicator) -> float:
    # counts and money amounts without an upper bound: a few orders of magnitude
    return 1000.0 if ind.type == "int" else 100000.0


def _place(ind: Indicator, k: Knowledge, rng: random.Random) -> Any:
    """A country (a code or a name, as users type them) or a list of target markets."""
    codes = sorted(k.countries.countries)
    names = [n for c in codes for n in (k.countries.countries[c].name.ru, c) if n]
    if ind.type != "list":
        return rng.choice(names)
    return rng.sample(names, rng.randint(0, 4))


def _value(ind: Indicator, k: Knowledge, rng: random.Random) -> Any:
    t = ind.type
    if ind.lookup:
        return _place(ind, k, rng)
    if ind.id == k.sectors.indicator:  # sector codes or the words that resolve to them
        return rng.sample(sorted(k.sectors.alias), rng.randint(0, 3))
    if t == "str":
        return rng.choice(["Cluster", "Кластер", "Test <b>&", "x"]) + f" {rng.randint(1, 999)}"
    if t == "bool":
        return rng.random() < 0.5
    if t == "enum":
        return rng.choice(ind.values or ["x"])
    if t == "list":
        pool = (
            list(ind.values)
            if ind.values is not None
            else (_WORDS + [p.id for p in k.partners.partners[:5]])
        )
        return rng.sample(pool, rng.randint(0, min(len(pool), 5)))
    if t == "score":
        scale = k.indicators.scales[ind.scale] if ind.scale else None
        lo, hi = (scale.min, scale.max) if scale else _open_range(ind)
        steps = int((hi - lo) * 2)
        value = lo + rng.randint(0, steps) / 2  # whole and half points
        return int(value) if value.is_integer() else value
    lo, hi = _open_range(ind)
    if t == "int":
        return rng.randint(int(lo), int(hi)) if rng.random() < 0.8 else int(lo)
    value = round(rng.uniform(lo, hi), 2)
    return max(lo, min(hi, value))


def random_values(k: Knowledge, rng: random.Random, blank: float = 0.2) -> dict[str, Any]:
    """Raw indicator values as a user would write them in YAML; `blank` share left out."""
    out: dict[str, Any] = {}
    for ind in k.indicators.indicators:
        if not ind.required and rng.random() < blank:
            continue
        out[ind.id] = _value(ind, k, rng)
    return out


def random_assessment(
    k: Knowledge, rng: random.Random, blank: float = 0.2, name: str = "generated"
) -> Assessment:
    """A validated Assessment (values normalised exactly as a loaded file's would be)."""
    values: dict[str, Any] = {i.id: None for i in k.indicators.indicators}
    for key, raw in random_values(k, rng, blank).items():
        value, err = check_value(k.indicator[key], raw, k)
        if err:
            raise AssertionError(f"generator made an invalid value for {key}: {raw!r}: {err}")
        values[key] = value
    return Assessment(source=name, values=values)


# --- synthetic knowledge bases -----------------------------------------------------------------


class _RuleMaker:
    """Rules that can fire by construction: thresholds inside the scale, one condition per
    indicator, never a finding and its absence together."""

    def __init__(self, k: Knowledge, rng: random.Random) -> None:
        self.k = k
        self.rng = rng
        self.scores = [i for i in k.indicators.indicators if i.type == "score"]
        self.bools = [i.id for i in k.indicators.indicators if i.type == "bool"]
        self.numbers = sorted(
            m for m, (kind, _) in measure_catalogue(k).items() if kind == "number"
        )

    def atom(self, used: set[str]) -> dict[str, Any]:
        rng = self.rng
        for _ in range(20):
            roll = rng.random()
            if roll < 0.7:
                ind = rng.choice(self.scores)
                if ind.id in used:
                    continue
                used.add(ind.id)
                scale = self.k.indicators.scales[ind.scale] if ind.scale else None
                lo, hi = (scale.min, scale.max) if scale else (0.0, 4.0)
                op = rng.choice(["ge", "gt", "le", "lt", "eq", "ne"])
                steps = int((hi - lo) * 2)
                lo_step = {"ge": 1, "lt": 1}.get(op, 0)  # never trivially true or impossible
                hi_step = {"gt": steps - 1, "le": steps - 1}.get(op, steps)
                value = lo + rng.randint(lo_step, hi_step) / 2
                return {
                    "indicator": ind.id,
                    "op": op,
                    "value": int(value) if value.is_integer() else value,
                }
            if roll < 0.85 and self.numbers:
                m = rng.choice(self.numbers)
                if m in used:
                    continue
                used.add(m)
                return {
                    "measure": m,
                    "op": rng.choice(["ge", "lt", "gt", "le"]),
                    "value": rng.choice([5, 10, 25, 50]),
                }
            b = rng.choice(self.bools)
            if b in used:
                continue
            used.add(b)
            return {"indicator": b, "op": rng.choice(["is_true", "is_false", "is_missing"])}
        raise RuntimeError("could not draw a fresh condition")

    def diagnosis(self, i: int, finding: str) -> dict[str, Any]:
        used: set[str] = set()
        when: list[Any] = [self.atom(used) for _ in range(self.rng.randint(1, 3))]
        if self.rng.random() < 0.2:
            when.append({"any": [self.atom(used) for _ in range(2)]})
        return {
            "id": f"syn_diag_{i:04d}",
            "title": {"en": f"Synthetic diagnosis {i}", "ru": f"Синтетический диагноз {i}"},
            "when": when,
            "then": {"finding": finding},
            "proposal": True,
        }

    def advice(self, i: int, findings: list[str], rec: str) -> dict[str, Any]:
        rng = self.rng
        needed = rng.sample(findings, min(len(findings), 2 if rng.random() < 0.4 else 1))
        when: list[Any] = [{"finding": f} for f in needed]
        if rng.random() < 0.3:
            absent = rng.choice(findings)
            if absent not in needed:
                when.append({"not": {"finding": absent}})
        if rng.random() < 0.2 and "gate.not_ready" in self.k.finding:
            when.append({"not": {"finding": "gate.not_ready"}})
        return {
            "id": f"syn_rec_{i:04d}",
            "title": {"en": f"Synthetic advice {i}", "ru": f"Синтетический совет {i}"},
            "when": when,
            "then": {"recommend": rec},
            "proposal": True,
        }


def synthetic_rules(
    k: Knowledge, n_rules: int, seed: int = 0
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[dict[str, Any]]]:
    """(rules, findings, recommendations) to add so that the base has `n_rules` rules."""
    rng = random.Random(seed)
    maker = _RuleMaker(k, rng)
    extra = max(0, n_rules - len(k.rules))
    n_diag = (extra * 3) // 5
    n_recs = extra - n_diag
    n_findings = max(1, n_diag // 3)
    findings = [
        {
            "id": f"syn.f{i:04d}",
            "kind": "note",
            "label": {"en": f"Synthetic finding {i}", "ru": f"Синтетический вывод {i}"},
        }
        for i in range(n_findings)
    ]
    fids = [f["id"] for f in findings]
    rec_ids = [f"syn_r{i:04d}" for i in range(max(1, n_recs // 2))]
    template = k.recommendations.recommendations[0]
    recs = [
        {
            "id": rid,
            "actor": template.actor,
            "direction": template.direction,
            "priority": rng.choice(["high", "medium", "low"]),
            "timeframe": {"en": "Year 1", "ru": "1-й год"},
            "title": {"en": f"Synthetic measure {rid}", "ru": f"Синтетическая мера {rid}"},
            "text": {"en": "Generated for the benchmark.", "ru": "Создано для замеров."},
            "rationale": {"en": "Generated.", "ru": "Создано."},
            "applies_to": "any",
            "proposal": True,
        }
        for rid in rec_ids
    ]
    # every synthetic finding gets at least one rule, every recommendation at least one
    rules = [
        maker.diagnosis(i, fids[i % n_findings] if i < n_findings else rng.choice(fids))
        for i in range(n_diag)
    ]
    rules += [maker.advice(i, fids, rec_ids[i % len(rec_ids)]) for i in range(n_recs)]
    return rules, findings, recs


def synthetic_knowledge(
    dest: Path, n_rules: int, seed: int = 0, source: Path | None = None
) -> Path:
    """Copy `source` (the bundled knowledge base) to `dest` and grow it to `n_rules` rules.

    Generated rules are satisfiable by construction; any the verifier still rejects (its analysis
    of impossible rules is stricter than the generator's care) is replaced by a fresh diagnosis
    rule, so the base loads and has exactly `n_rules` rules.
    """
    from engine.knowledge.load import load_knowledge
    from engine.knowledge.read import read_knowledge
    from engine.knowledge.verify.checks import verify
    from engine.resources import bundled_root

    source = source or bundled_root("knowledge")
    if dest.exists():
        shutil.rmtree(dest)
    shutil.copytree(source, dest)
    k = load_knowledge(dest)
    rules, findings, recs = synthetic_rules(k, n_rules, seed)
    if not rules:
        return dest
    rng = random.Random(seed + 1)
    maker = _RuleMaker(k, rng)
    fids = [f["id"] for f in findings]
    findings_text = (dest / "findings.yaml").read_text(encoding="utf-8")
    recs_text = (dest / "recommendations.yaml").read_text(encoding="utf-8")
    resources_text = (dest / "resources.yaml").read_text(encoding="utf-8")
    extra_id = len(rules)
    for _ in range(10):
        produced = {r["then"].get("recommend") for r in rules}
        kept_recs = [r for r in recs if r["id"] in produced]
        _extend(dest / "findings.yaml", findings_text, "findings", findings)
        _extend(dest / "recommendations.yaml", recs_text, "recommendations", kept_recs)
        _add_resources(dest / "resources.yaml", resources_text, [r["id"] for r in kept_recs])
        text = yaml.safe_dump({"rules": rules}, allow_unicode=True, sort_keys=False, width=100)
        path = dest / "rules" / "zz_synthetic.yaml"
        path.write_text("# Generated by bench/synthetic.py: not advice.\n" + text, encoding="utf-8")
        grown, problems = read_knowledge(dest)
        if grown is not None:
            problems = problems + verify(grown)
        errors = [p for p in problems if p.severity == "error"]
        if not errors:
            return dest
        bad = {
            int(m.group(1))
            for p in errors
            if p.file.endswith("zz_synthetic.yaml")
            for m in [re.match(r"rules\[(\d+)\]", p.path)]
            if m
        }
        if not bad:
            raise RuntimeError(
                "synthetic knowledge base rejected:\n" + "\n".join(p.format() for p in errors)
            )
        rules = [r for i, r in enumerate(rules) if i not in bad]
        for _ in bad:
            rules.append(maker.diagnosis(extra_id, rng.choice(fids)))
            extra_id += 1
    raise RuntimeError("could not generate a valid synthetic knowledge base")


def _add_resources(path: Path, original: str, ids: list[str]) -> None:
    """A cost model and a deliverable of its own for each generated measure (kb check asks)."""
    data = yaml.safe_load(original)
    for rid in ids:
        data["measures"][rid] = {
            "cost": "within_current_activity",
            "result": {"en": f"Generated measure {rid} done", "ru": f"Мера {rid} выполнена"},
        }
    path.write_text(
        yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100), encoding="utf-8"
    )


def _extend(path: Path, original: str, key: str, items: list[dict[str, Any]]) -> None:
    data = yaml.safe_load(original)
    data[key] = list(data[key]) + items
    path.write_text(
        yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100), encoding="utf-8"
    )
