"""Batch throughput: `cluster-intl batch` on generated assessments, clusters per second.

    uv run python bench/batch_throughput.py [--clusters 400] [--workers 2] [--rounds 5]
                                            [--lang ru] [--format md] [--other DIR]
                                            [--known-to DIR]

The parent writes `--clusters` seeded assessments (bench/synthetic.py, the shipped knowledge
base) to a temporary folder once. Each round then runs, for this checkout and every `--other
DIR` in a shuffled order, a new child process that loads the knowledge base (from a warm private
CLUSTER_INTL_CACHE) and times `engine.api.batch` alone, as `cluster-intl batch -j WORKERS` calls
it: planning, the forked workers, writing every program and the summaries. Process start and the
knowledge base are outside the timing. The table gives the median and the best round, and the
CPU time (parent and workers) per cluster: on a shared machine the wall time says how busy the
neighbours were, while 2 / CPU-per-cluster is what two free cores would reach (the summary at
the end runs on one core, so the real figure is a little lower).

`--known-to DIR` leaves out of each assessment the indicators DIR's knowledge base does not know
(a blank is unknown here): a checkout from before an indicator was added refuses an assessment
that gives it, so comparing with such a checkout (the issue's start) needs this.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def generate(folder: Path, n: int, seed: int = 7, known: set[str] | None = None) -> None:
    """`n` valid assessments as a user would write them, seeded (only the `known` indicators,
    when given)."""
    import yaml

    sys.path.insert(0, str(ROOT))
    from bench.synthetic import random_values
    from engine.knowledge.load import load_knowledge

    k = load_knowledge()
    rng = random.Random(seed)
    for i in range(n):
        values = {"cluster_name": f"Кластер {i:04d}", **random_values(k, rng)}
        if known is not None:
            values = {key: v for key, v in values.items() if key in known or key == "cluster_name"}
        (folder / f"cluster-{i:04d}.yaml").write_text(
            yaml.safe_dump(values, allow_unicode=True), encoding="utf-8"
        )


def child(root: str, inputs: str, out: str, lang: str, fmt: str, workers: int) -> None:
    """In a new process: load the knowledge base, then time one batch of `inputs`."""
    sys.path.insert(0, root)
    from engine import api

    if hasattr(api, "Session"):
        s = api.Session()
        s.knowledge  # noqa: B018 - loaded before the clock starts
    else:  # a checkout from before the session object (issue 18 item 5), for --other
        s = api.knowledge()
    failed: list[str] = []
    before = _cpu()
    start = time.perf_counter()
    ok, total, _ = api.batch(
        [Path(inputs)],
        Path(out),
        s,
        fmt=fmt,
        lang=lang,
        force=True,
        workers=workers,
        report=failed.append,
    )
    seconds = time.perf_counter() - start
    cpu = _cpu() - before
    print(
        json.dumps({"seconds": seconds, "cpu": cpu, "ok": ok, "total": total, "failed": failed[:3]})
    )


def indicators_of(root: str) -> None:
    """In a new process: print the indicator ids `root`'s knowledge base knows, as JSON."""
    sys.path.insert(0, root)
    from engine.knowledge.load import load_knowledge

    print(json.dumps([ind.id for ind in load_knowledge().indicators.indicators]))


def _cpu() -> float:
    """User+system CPU seconds of this process and of its finished children (the workers)."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--clusters", type=int, default=400)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--lang", default="ru")
    ap.add_argument("--format", default="md")
    ap.add_argument("--other", action="append", default=[], help="another checkout to compare")
    ap.add_argument("--known-to", help="a checkout: leave out the indicators it does not know")
    ap.add_argument("--child", nargs=6, help=argparse.SUPPRESS)
    ap.add_argument("--child-indicators", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        root, inputs, out, lang, fmt, workers = args.child
        child(root, inputs, out, lang, fmt, int(workers))
        return
    if args.child_indicators:
        indicators_of(args.child_indicators)
        return
    tmp = Path(tempfile.mkdtemp(prefix="batch-bench-"))
    inputs = tmp / "inputs"
    inputs.mkdir()
    known = None
    if args.known_to:  # its own modules, so in a process of its own
        cmd = [sys.executable, __file__, "--child-indicators", args.known_to]
        done = subprocess.run(cmd, cwd=args.known_to, capture_output=True, text=True, check=True)
        known = set(json.loads(done.stdout.strip().splitlines()[-1]))
    generate(inputs, args.clusters, known=known)
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # bytecode warm, as for a user's installed copy
    env.pop("PYTHONPYCACHEPREFIX", None)
    env["CLUSTER_INTL_CACHE"] = str(tmp / "cache")
    checkouts = {"this checkout": ROOT} | {d: Path(d) for d in args.other}

    def run(label: str) -> tuple[float, float]:
        root = checkouts[label]
        out = tmp / f"out-{list(checkouts).index(label)}"
        cmd = [sys.executable, __file__, "--child", str(root), str(inputs), str(out)]
        cmd += [args.lang, args.format, str(args.workers)]
        done = subprocess.run(cmd, env=env, cwd=root, capture_output=True, text=True, check=True)
        result = json.loads(done.stdout.strip().splitlines()[-1])
        if result["ok"] != args.clusters:
            raise SystemExit(f"{label}: {result['ok']} of {result['total']}: {result['failed']}")
        return float(result["seconds"]), float(result["cpu"])

    for label in checkouts:  # warm the knowledge and template caches
        run(label)
    seconds: dict[str, list[float]] = {label: [] for label in checkouts}
    cpus: dict[str, list[float]] = {label: [] for label in checkouts}
    for _ in range(args.rounds):
        order = list(checkouts)
        random.shuffle(order)
        for label in order:
            wall, cpu = run(label)
            seconds[label].append(wall)
            cpus[label].append(cpu)
    load = os.getloadavg()
    print(
        f"{args.clusters} generated clusters"
        + (f" (indicators known to {args.known_to})" if known is not None else "")
        + f", {args.format} in {args.lang}, {args.workers} workers, "
        f"{os.cpu_count()} CPUs; {args.rounds} interleaved rounds; "
        f"load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}"
    )
    print()
    print(
        "| Checkout | time (median) | clusters / s (median) | clusters / s (best) "
        "| CPU per cluster (median) | CPU-bound clusters / s on 2 free cores |"
    )
    print("|---|---:|---:|---:|---:|---:|")
    for label, times in seconds.items():
        median = statistics.median(times)
        per = statistics.median(cpus[label]) / args.clusters
        print(
            f"| {label} | {median:.2f} s | {args.clusters / median:.0f} "
            f"| {args.clusters / min(times):.0f} | {per * 1000:.1f} ms | {2 / per:.0f} |"
        )


if __name__ == "__main__":
    main()
