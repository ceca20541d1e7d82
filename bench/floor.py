"""A cold `draft` of the example to Markdown against the floor of the stack (issue 18).

    uv run python bench/floor.py [--rounds 30] [--other DIR] [--lang ru]

The floor is `bench/floor_app.py`: a minimal Typer command that reads the assessment with PyYAML,
imports experta and renders one Jinja template to a file. Against it runs `python -m cli draft
examples/nizhny-novgorod.yaml -o OUT.md --force` of this checkout (and of every `--other DIR`,
for a before/after table). Each command runs in a new process with the project's venv; bytecode
and the knowledge cache are warmed first (a private CLUSTER_INTL_CACHE, PYTHONDONTWRITEBYTECODE
unset); every round runs each command once in a shuffled order, since on a shared machine the
load changes faster than a block of runs of one command takes. The table gives medians of wall
time and of the child's user+system CPU, and their ratio to the floor.
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
EXAMPLE = "examples/nizhny-novgorod.yaml"


def run(cmd: list[str], env: dict[str, str], cwd: Path) -> tuple[float, float]:
    """Wall time and user+system CPU of one new process running `cmd`."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(
        cmd, env=env, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, check=True
    )
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def commands(others: list[str], lang: str, out_dir: Path) -> dict[str, tuple[list[str], Path]]:
    """Label -> (command, working directory): the floor first, then each checkout's draft."""
    py = sys.executable
    example = str(ROOT / EXAMPLE)
    floor_out = str(out_dir / "floor.md")
    cmds = {
        "floor": (
            [py, str(ROOT / "bench/floor_app.py"), example, "-o", floor_out, "--force"],
            ROOT,
        )
    }
    for i, (label, root) in enumerate([("this checkout", ROOT)] + [(d, Path(d)) for d in others]):
        out = str(out_dir / f"draft-{i}.md")
        cmd = [py, "-m", "cli", "draft", str(root / EXAMPLE), "-o", out, "--force"]
        cmds[label] = (cmd + ["--lang", lang], root)
    return cmds


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--rounds", type=int, default=30)
    ap.add_argument("--other", action="append", default=[], help="another checkout to compare")
    ap.add_argument("--lang", default="ru")
    args = ap.parse_args()
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env.pop("PYTHONPYCACHEPREFIX", None)
    env["CLUSTER_INTL_CACHE"] = tempfile.mkdtemp(prefix="floor-cache-")
    out_dir = Path(tempfile.mkdtemp(prefix="floor-out-"))
    cmds = commands(args.other, args.lang, out_dir)
    for cmd, cwd in cmds.values():  # warm the bytecode and knowledge caches
        for _ in range(2):
            run(cmd, env, cwd)
    walls: dict[str, list[float]] = {k: [] for k in cmds}
    cpus: dict[str, list[float]] = {k: [] for k in cmds}
    for _ in range(args.rounds):
        order = list(cmds)
        random.shuffle(order)
        for label in order:
            cmd, cwd = cmds[label]
            w, c = run(cmd, env, cwd)
            walls[label].append(w)
            cpus[label].append(c)
    load = os.getloadavg()
    base_w = statistics.median(walls["floor"])
    base_c = statistics.median(cpus["floor"])
    print(
        f"{args.rounds} interleaved rounds; load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}"
    )
    print()
    print("| Command | wall (median) | ratio to floor | CPU user+sys (median) | ratio to floor |")
    print("|---|---:|---:|---:|---:|")
    for label in cmds:
        w, c = statistics.median(walls[label]), statistics.median(cpus[label])
        print(
            f"| {label} | {w * 1000:.0f} ms | {w / base_w:.2f}× | {c * 1000:.0f} ms "
            f"| {c / base_c:.2f}× |"
        )


if __name__ == "__main__":
    main()
