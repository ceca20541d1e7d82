"""Cold start of `cluster-intl draft` against the bare imports, measured interleaved.

    uv run python bench/cold_start.py [--rounds 40] [--other DIR]

Each round runs the baseline (`python -c "import experta, jinja2, yaml"`) and `python -m cli draft` of
the example to stdout, in a shuffled order, each in a new process; the table gives medians of
wall time and of user+system CPU. Interleaving matters on a shared machine: the load changes
faster than a block of runs of one command takes. Bytecode and knowledge caches are warmed
first (CLUSTER_INTL_CACHE points at a private folder, PYTHONDONTWRITEBYTECODE is unset);
`--no-bytecode` measures with an empty pycache prefix instead. `--other DIR` adds another
checkout (for example `git archive main | tar -x -C /tmp/main`) for a before/after table.
"""

from __future__ import annotations

import argparse
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


def run(cmd: list[str], env: dict[str, str], cwd: Path | None = None) -> tuple[float, float]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(
        cmd, env=env, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True
    )
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=40)
    ap.add_argument("--other", action="append", default=[])
    ap.add_argument("--no-bytecode", action="store_true")
    args = ap.parse_args()
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["CLUSTER_INTL_CACHE"] = tempfile.mkdtemp(prefix="cold-start-cache-")
    if args.no_bytecode:
        env["PYTHONDONTWRITEBYTECODE"] = "1"
        env["PYTHONPYCACHEPREFIX"] = tempfile.mkdtemp(prefix="no-pyc-")
    py = sys.executable
    commands = {"baseline": [py, "-c", "import experta, jinja2, yaml"]}
    roots: dict[str, Path | None] = {"baseline": None}
    for label, root in [("this checkout", ROOT)] + [(d, Path(d)) for d in args.other]:
        commands[label] = [
            py,
            "-m",
            "cli",
            "draft",
            str(root / "examples/nizhny-novgorod.yaml"),
        ]
        roots[label] = root  # `python -m cli` runs the checkout it is started in
    for label, cmd in commands.items():  # warm the bytecode and knowledge caches
        for _ in range(2):
            run(cmd, env, roots[label])
    walls: dict[str, list[float]] = {k: [] for k in commands}
    cpus: dict[str, list[float]] = {k: [] for k in commands}
    for _ in range(args.rounds):
        order = list(commands)
        random.shuffle(order)
        for label in order:
            w, c = run(commands[label], env, roots[label])
            walls[label].append(w)
            cpus[label].append(c)
    base_w = statistics.median(walls["baseline"])
    base_c = statistics.median(cpus["baseline"])
    print("| Command | wall (median) | ratio | CPU user+sys (median) | ratio |")
    print("|---|---:|---:|---:|---:|")
    for label in commands:
        w, c = statistics.median(walls[label]), statistics.median(cpus[label])
        print(
            f"| {label} | {w * 1000:.0f} ms | {w / base_w:.2f}× | {c * 1000:.0f} ms | {c / base_c:.2f}× |"
        )


if __name__ == "__main__":
    main()
