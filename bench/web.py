"""Web workspace benchmark: the what-if round trip through real HTTP (uvicorn, one keep-alive
connection), on the shipped knowledge base and the Nizhny Novgorod example.

    uv run python bench/web.py                 # about 20 s; updates its section of bench/results.md
    uv run python bench/web.py --out /tmp/r.md

Two paths are timed, each after a warm-up: `POST /api/what-if?set=...` with the assessment as the
body (what a script does; the base result is cached by the body's content), and the page's own
`POST /c/NAME/what-if` with the form fields (what the what-if panel does, an HTML fragment back).
Each request changes a different indicator, so no answer is served from a cache.
"""

from __future__ import annotations

import argparse
import http.client
import os
import platform
import re
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "nizhny-novgorod.yaml"
TOKEN = "bench-token"
SECTION = "## Web workspace: what-if round trip (bench/web.py)"

# one change per request, cycling over indicators of every kind (scores, yes/no, numbers)
CHANGES = (
    [f"direction_export={v}" for v in range(5)]
    + [f"geo_europe={v}" for v in range(5)]
    + [f"activity_smes={v}" for v in range(5)]
    + [f"direction_marketing={v}" for v in range(5)]
    + ["has_intl_working_group=true", "has_intl_working_group=false"]
    + ["internationalization_in_plans=false", "coordinator_is_government=false"]
    + [f"cluster_exports={v}" for v in (1000, 50000, 150000)]
    + [f"self_assessment_level={v}" for v in (1, 3, 6, 7)]
)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start(port: int) -> subprocess.Popen[str]:
    proc = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import cli; cli.main()",
            "serve",
            "--workspace",
            "examples",
            "--port",
            str(port),
            "--token",
            TOKEN,
        ],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    for _ in range(300):
        try:
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            c.request("GET", "/api/health")
            if c.getresponse().status == 200:
                c.close()
                return proc
        except OSError:
            time.sleep(0.1)
    proc.kill()
    raise SystemExit("the server did not start")


def timed(
    conn: http.client.HTTPConnection, method: str, path: str, body: bytes, headers: dict[str, str]
) -> float:
    t = time.perf_counter()
    conn.request(method, path, body=body, headers=headers)
    r = conn.getresponse()
    data = r.read()
    elapsed = time.perf_counter() - t
    if r.status != 200:
        raise SystemExit(f"{path}: {r.status} {data[:300]!r}")
    return elapsed * 1000


def run(n: int, warmup: int) -> dict[str, list[float]]:
    from engine.web.security import csrf_token

    port = free_port()
    proc = start(port)
    try:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        body = EXAMPLE.read_bytes()
        api_headers = {"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/yaml"}
        page_headers = {
            "Cookie": f"cluster_intl_token={TOKEN}",
            "X-CSRF-Token": csrf_token(TOKEN),
            "Content-Type": "application/x-www-form-urlencoded",
            "HX-Request": "true",
        }
        out: dict[str, list[float]] = {"api": [], "page": []}
        for i in range(warmup + n):
            change = CHANGES[i % len(CHANGES)]
            query = urlencode(
                [("set", change), ("lang", "en"), ("name", "examples/nizhny-novgorod.yaml")]
            )
            ms = timed(conn, "POST", f"/api/what-if?{query}", body, api_headers)
            if i >= warmup:
                out["api"].append(ms)
        for i in range(warmup + n):
            iid, value = CHANGES[i % len(CHANGES)].split("=", 1)
            form = urlencode({f"v.{iid}": value}).encode()
            ms = timed(conn, "POST", "/c/nizhny-novgorod.yaml/what-if?lang=en", form, page_headers)
            if i >= warmup:
                out["page"].append(ms)
        conn.close()
        return out
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def pct(values: list[float], q: float) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, round(q * (len(s) - 1)))]


def table(res: dict[str, list[float]], n: int) -> str:
    rows = [
        "| Path | Requests | Median, ms | p95, ms | Max, ms | Target |",
        "|---|---:|---:|---:|---:|---|",
    ]
    labels = {
        "api": "`POST /api/what-if?set=ID=VALUE` (YAML body, JSON back)",
        "page": "`POST /c/NAME/what-if` (the panel's form, HTML fragment back)",
    }
    for key, values in res.items():
        med, p95 = statistics.median(values), pct(values, 0.95)
        ok = "met" if med < 50 and p95 < 100 else "**missed**"
        rows.append(
            f"| {labels[key]} | {len(values)} | {med:.1f} | {p95:.1f} | {max(values):.1f} | "
            f"median < 50, p95 < 100: {ok} |"
        )
    cpu = os.cpu_count()
    head = (
        f"{SECTION}\n\n"
        f"Real HTTP through uvicorn on 127.0.0.1, one keep-alive connection, shipped knowledge base, "
        f"`examples/nizhny-novgorod.yaml`, a different single-indicator change per request "
        f"({len(CHANGES)} in turn), after a warm-up; {platform.python_implementation()} "
        f"{platform.python_version()}, {cpu} cores. Each request reruns the engine and explains "
        f"what moved; the base result comes from the cache keyed by the body's content.\n\n"
    )
    return head + "\n".join(rows) + "\n"


def update(path: Path, section: str) -> None:
    text = path.read_text("utf-8") if path.exists() else ""
    pattern = re.compile(re.escape(SECTION) + r".*?(?=\n## |\Z)", re.S)
    if pattern.search(text):
        text = pattern.sub(lambda _: section.rstrip("\n"), text)
        text = text.rstrip("\n") + "\n"
    else:
        text = text.rstrip("\n") + "\n\n" + section
    path.write_text(text, "utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=400, help="timed requests per path")
    parser.add_argument("--warmup", type=int, default=40)
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results.md")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    res = run(args.n, args.warmup)
    section = table(res, args.n)
    sys.stdout.write(section)
    update(args.out, section)


if __name__ == "__main__":
    main()
