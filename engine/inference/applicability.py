"""Pipeline step 5b: the cluster's kind (sectors.yaml) and which measures apply to it.

The kind is derived from the assessment's sector codes by the `kind_rule` of sectors.yaml; each
measure's `applies_to:` is read on it once per run. The runner never declares a measure that does
not apply (its firing records it as `excluded`), so nothing downstream sees it and `why-not`
reads the reason from the record.
"""

from __future__ import annotations

from engine.assessment.validate import Assessment
from engine.inference.trace import Applicability, ClusterKind, KindCheck
from engine.knowledge.models import Knowledge
from engine.knowledge.sector_model import AppliesTo

KB_INDICATOR = "knowledge_base"


def cluster_kind(a: Assessment, k: Knowledge) -> ClusterKind:
    """The cluster's kind: outputs and markets of its sectors, and its knowledge base."""
    sf = k.sectors
    codes = tuple(c for c in (a.get(sf.indicator) or []) if c in sf.code)
    output = tuple(dict.fromkeys(sf.code[c].output for c in codes))
    market = tuple(dict.fromkeys(sf.code[c].market for c in codes))
    kb = a.get(KB_INDICATOR) if KB_INDICATOR in k.indicator else None
    return ClusterKind(codes, output, market, str(kb) if kb else None)


def _expand(values: tuple[str, ...] | list[str], k: Knowledge) -> set[str]:
    """Values with `mixed` read as the markets the kind rule says it counts as."""
    out = set(values)
    if "mixed" in out:
        out |= set(k.sectors.kind_rule.mixed_market)
    return out


def _per_sector(kind: ClusterKind, dim: str, k: Knowledge) -> list[set[str]]:
    """What each of the cluster's sectors contributes to a dimension."""
    if dim == "sectors":
        return [{c} for c in kind.sectors]
    return [_expand([getattr(k.sectors.code[c], dim)], k) for c in kind.sectors]


def read_kind(cond: AppliesTo, kind: ClusterKind, k: Knowledge) -> tuple[KindCheck, ...]:
    """Each key of the condition read on the kind (None where the kind is unknown)."""
    checks = []
    combine = k.sectors.kind_rule.combine
    for dim in ("sectors", "output", "market", "knowledge_base"):
        required = getattr(cond, dim)
        if required is None:
            continue
        if dim == "knowledge_base":
            actual: tuple[str, ...] = (kind.knowledge_base,) if kind.knowledge_base else ()
            holds = (kind.knowledge_base in required) if actual else None
        else:
            actual = getattr(kind, dim)
            want = _expand(required, k)
            fits = [bool(s & want) for s in _per_sector(kind, dim, k)]
            holds = (any(fits) if combine == "any" else all(fits)) if fits else None
        checks.append(KindCheck(dim, tuple(required), actual, holds))
    return tuple(checks)


def _wheres(k: Knowledge) -> dict[str, str]:
    """Where each measure's `applies_to:` is written (recommendations.yaml:line), once per
    knowledge base."""
    located = k.located.get("recommendations.yaml")
    out: dict[str, str] = {}
    for i, rec in enumerate(k.recommendations.recommendations):
        where = "recommendations.yaml"
        if located is not None:
            where = f"{located.file}:{located.pos(('recommendations', i, 'applies_to'))[0]}"
        out.setdefault(rec.id, where)  # the first entry of an id, as a search from the top finds
    return out


def _conditional(k: Knowledge) -> tuple[tuple[str, AppliesTo, str], ...]:
    """The catalogue's measures with an `applies_to:` condition, in catalogue order, each with
    its condition and where it is written: what `excluded_measures` reads for every cluster."""
    wheres = k.derived(_wheres)
    return tuple(
        (rec.id, rec.applies_to, wheres[rec.id])
        for rec in k.recommendations.recommendations
        if isinstance(rec.applies_to, AppliesTo)
    )


def applicability(rid: str, kind: ClusterKind, k: Knowledge) -> Applicability:
    """Whether the measure applies to the cluster's kind; `any` (or none) always does."""
    cond = k.recommendation[rid].applies_to
    where = k.derived(_wheres)[rid]
    if not isinstance(cond, AppliesTo):
        return Applicability(rid, True, (), where)
    checks = read_kind(cond, kind, k)
    return Applicability(rid, all(c.holds is not False for c in checks), checks, where)


def excluded_measures(kind: ClusterKind, k: Knowledge) -> dict[str, Applicability]:
    """Every measure of the catalogue that does not apply to the cluster's kind."""
    out = {}
    for rid, cond, where in k.derived(_conditional):
        checks = read_kind(cond, kind, k)
        if any(c.holds is False for c in checks):
            out[rid] = Applicability(rid, False, checks, where)
    return out


def read_of_kind(kind: ClusterKind, k: Knowledge) -> tuple[tuple[str, ...] | str | None, ...]:
    """What `excluded_measures` reads of a kind: its outputs, markets and knowledge base, and its
    sectors when some `applies_to:` names sectors (a measure's checks read each sector's output
    and market, whose any / all is that of the distinct values the kind lists)."""
    sectors = kind.sectors if k.derived(_names_sectors) else ()
    return (sectors, kind.output, kind.market, kind.knowledge_base)


def _names_sectors(k: Knowledge) -> bool:
    """Whether some measure's `applies_to:` names sectors, once per knowledge base."""
    return any(cond.sectors is not None for _, cond, _ in k.derived(_conditional))


def kind_fits(cond: AppliesTo, kind: ClusterKind, k: Knowledge) -> bool:
    """A sector variant's `for:` holds: every key is met on a known kind (unknown is no match)."""
    return all(c.holds is True for c in read_kind(cond, kind, k))
