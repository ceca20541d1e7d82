"""The sensitivity map's cost (issue 25): the whole map of the example against one draft, both
cold processes, and the map's engine time per cluster.

    uv run python bench/sensitivity.py [--rounds 7] [--corpus] [--repeat 3]

1. `cluster-intl sensitivity examples/nizhny-novgorod.yaml --format json` against
   `cluster-intl draft examples/nizhny-novgorod.yaml --format json`, each in a new process,
   interleaved in a shuffled order per round (the load of a shared machine changes faster than a
   block of runs takes), bytecode and a private knowledge cache warm; medians of wall time and of
   user+system CPU, and the ratio (target: within 5x).
2. In one process (knowledge loaded, rules compiled): the map of each example, unseen and corpus
   cluster, its CPU time, the best of --repeat maps (target: at most 1 s), the reruns of the
   engine and their share of it.
3. With --corpus: the maps of the corpus (examples/corpus) in one process against a fork pool of
   two (what a batch's worker pool would run), wall time.

Writes a Markdown table to stdout; copy it into bench/results.md.
"""

from __future__ import annotations

import argparse
import math
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.cold_start import run  # noqa: E402

EXAMPLE = ROOT / "examples" / "nizhny-novgorod.yaml"


def cold(rounds: int) -> list[str]:
    """Median wall and CPU of the map and of a draft, cold processes interleaved."""
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["CLUSTER_INTL_CACHE"] = tempfile.mkdtemp(prefix="sensitivity-bench-")
    py = sys.executable
    commands = {
        "draft --format json": [py, "-m", "cli", "draft", str(EXAMPLE), "--format", "json"],
        "sensitivity --format json": [
            py,
            "-m",
            "cli",
            "sensitivity",
            str(EXAMPLE),
            "--format",
            "json",
        ],
    }
    for cmd in commands.values():  # warm the bytecode and the knowledge cache
        run(cmd, env, ROOT)
    times: dict[str, list[tuple[float, float]]] = {k: [] for k in commands}
    order = list(commands)
    for _ in range(rounds):
        random.shuffle(order)
        for label in order:
            times[label].append(run(commands[label], env, ROOT))
    wall = {k: statistics.median(w for w, _ in v) for k, v in times.items()}
    cpu = {k: statistics.median(c for _, c in v) for k, v in times.items()}
    base = wall["draft --format json"]
    lines = [
        f"Cold processes, {rounds} interleaved rounds, medians:",
        "",
        "| command | wall s | CPU s | wall / draft |",
        "|---|---:|---:|---:|",
    ]
    for k in commands:
        lines.append(f"| `{k}` | {wall[k]:.2f} | {cpu[k]:.2f} | {wall[k] / base:.1f}x |")
    return lines


def engine_time(paths: list[Path], repeat: int) -> list[str]:
    """The map's CPU time per cluster in one process (the best of `repeat`), and the engine
    reruns' share."""
    from engine import api
    from engine.explain.sensitivity import SensitivityMap

    s = api.Session()
    runner = s.runner
    original = runner.run
    spent = [0.0]

    def timed(*a: object, **kw: object) -> object:
        t = time.process_time()
        out = original(*a, **kw)  # type: ignore[arg-type]
        spent[0] += time.process_time() - t
        return out

    lines = [
        "| cluster | map CPU s | reruns | rerun CPU s | candidates tried | outcomes |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    totals = []
    for path in paths:
        result = api.evaluate(path, s)
        best = (math.inf, 0.0)
        for _ in range(repeat):  # the best of `repeat` maps: the load of a shared machine varies
            runner.run = timed  # type: ignore[method-assign]
            spent[0] = 0.0
            t0 = time.process_time()
            smap = SensitivityMap(result, s.knowledge, runner)
            tried = smap.all_tried()
            best = min(best, (time.process_time() - t0, spent[0]))
            runner.run = original  # type: ignore[method-assign]
        took = best[0]
        totals.append(took)
        lines.append(
            f"| {path.relative_to(ROOT)} | {took:.2f} | {smap.runs} | {best[1]:.2f} "
            f"| {smap.candidates} | {len(tried)} |"
        )
    lines += [
        "",
        f"{len(paths)} clusters: median {statistics.median(totals):.2f} s, "
        f"max {max(totals):.2f} s, {sum(1 for t in totals if t <= 1.0)} within 1 s.",
    ]
    return lines


_SESSION: object = None


def _start() -> None:
    from engine import api

    global _SESSION
    _SESSION = api.Session()
    _SESSION.runner  # noqa: B018 (compiled once per worker)


def _one(path: Path) -> int:
    from engine import api

    s = _SESSION
    assert isinstance(s, api.Session)
    return len(api.sensitivity(api.evaluate(path, s), s, "en")["measures"])


def pool(paths: list[Path]) -> list[str]:
    """Wall time of the corpus's maps: one process, then a fork pool of two."""
    import multiprocessing

    _start()
    t0 = time.perf_counter()
    for p in paths:
        _one(p)
    one = time.perf_counter() - t0
    ctx = multiprocessing.get_context("fork")
    with ctx.Pool(2, initializer=_start) as workers:
        workers.map(_one, paths[:2])  # the workers are up and compiled
        t0 = time.perf_counter()
        workers.map(_one, paths, chunksize=1)
        two = time.perf_counter() - t0
    return [
        "",
        f"The corpus's {len(paths)} maps (wall, rules compiled): one process {one:.1f} s, "
        f"a fork pool of two {two:.1f} s ({one / two:.1f}x).",
    ]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=7)
    ap.add_argument("--corpus", action="store_true", help="also every corpus cluster")
    ap.add_argument("--repeat", type=int, default=3, help="maps per cluster, the best kept")
    args = ap.parse_args()
    paths = sorted((ROOT / "examples").glob("*.yaml"))
    paths += sorted((ROOT / "tests" / "fixtures" / "unseen").glob("*.yaml"))
    if args.corpus:
        paths += sorted((ROOT / "examples" / "corpus").glob("*.yaml"))
    out = cold(args.rounds) + [""] + engine_time(paths, args.repeat)
    if args.corpus:
        out += pool(sorted((ROOT / "examples" / "corpus").glob("*.yaml")))
    sys.stdout.write("\n".join(out) + "\n")


if __name__ == "__main__":
    main()
