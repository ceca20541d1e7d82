"""The cluster's index ranked against a peer set (`draft --peers`, `batch`): a comparative
sentence is made only against peers, never from the absolute bands.

Peers are other assessments, loaded and scored through the assessment and measures stages; only
their index is kept. The settings (minimum set size, percentile statements) are scoring.yaml
`peers`, the sentences program.yaml `peer_texts`.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from engine.assessment.load import load_assessment
from engine.errors import Problem, UsageError, printable
from engine.files.folders import folder_entries
from engine.knowledge.models import Knowledge
from engine.measures import compute
from engine.program.leaves import Format, tx

SUFFIXES = (".yaml", ".yml", ".xlsx", ".xlsm")


@dataclass(frozen=True)
class PeerIndex:
    source: str
    name: str
    index: float | None
    notices: tuple[Problem, ...] = ()  # the fields the file gave in an earlier format


def peer_files(paths: list[Path]) -> list[Path]:
    """The assessment files of FILE|DIR arguments (a folder gives its files sorted by name).

    A path that exists but is no folder (a FIFO, a device) goes to the reader, which says what
    it is; only a path that is not there is "no such file"."""
    out: list[Path] = []
    for p in paths:
        if p.is_dir():
            out += sorted(
                f
                for f in folder_entries(p, "--peers")
                if f.is_file() and f.suffix.lower() in SUFFIXES and not f.name.startswith(".")
            )
        elif os.path.lexists(p):
            out.append(p)
        else:
            raise UsageError(f"--peers: {printable(p)}: no such file or folder")
    return out


def peer_indices(paths: list[Path], k: Knowledge, exclude: Path | None = None) -> list[PeerIndex]:
    """The index of every peer assessment (`exclude`, the cluster's own file, is skipped)."""
    skip = exclude.resolve() if exclude else None
    out = []
    for f in peer_files(paths):
        if skip is not None and f.resolve() == skip:
            continue
        a = load_assessment(f, k)
        m = compute(a, k).values
        notices = tuple(n.problem for n in a.notices)
        out.append(PeerIndex(str(f), str(a.get("cluster_name") or f.stem), m.get("index"), notices))
    return out


def rank_values(index: float | None, others: list[float]) -> dict[str, Any] | None:
    """Position (1 = highest), N and percentile (100 = highest, 0 = lowest) of `index` in the set
    made of it and `others`; None when the cluster has no index."""
    if index is None:
        return None
    n = len(others) + 1
    position = 1 + sum(1 for v in others if v > index)
    below = sum(1 for v in others if v < index)
    percentile = round(100 * below / (n - 1)) if n > 1 else 100
    return {"position": position, "n": n, "percentile": percentile}


def rank(index: float | None, peers: list[PeerIndex], k: Knowledge) -> dict[str, Any] | None:
    """The rank against the peers with a determined index, with the statement id that applies;
    None without an index or with fewer than `min_n` clusters in the set."""
    others = [p.index for p in peers if p.index is not None]
    r = rank_values(index, others)
    if r is None or r["n"] < k.scoring.peers.min_n:
        return None
    for st in k.scoring.peers.statements:
        if st.at_least is None or r["percentile"] >= st.at_least:
            return {**r, "statement": st.id}
    return {**r, "statement": k.scoring.peers.statements[-1].id}


def peer_text(r: dict[str, Any] | None, k: Knowledge) -> Any:
    """The program.yaml sentence comparing the index with the peers ("" without a peer rank)."""
    if r is None:
        return ""
    text = tx(k.program.peer_texts.get(r["statement"]))
    return Format(text, n=r["n"], position=r["position"], percentile=r["percentile"])
