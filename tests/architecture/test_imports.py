"""The import direction of engine/, enforced: stages import only downwards, no module cycles, and
cli/ talks to engine.api (and the web workspace) only. Every import counts, function-local
ones included: a lazy import still couples two modules."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# Lowest first. A module may import from its own package and from any lower stage; two packages
# on the same stage (deliverables, authoring) do not import each other.
STAGES: list[tuple[str, ...]] = [
    ("errors", "resources"),
    ("files",),
    ("text",),
    ("knowledge",),
    ("assessment",),
    ("measures",),
    ("inference",),
    ("explain",),
    ("program",),
    ("render",),
    ("deliverables", "authoring"),
    ("session",),
    ("api",),
    ("web",),
]
RANK = {name: rank for rank, names in enumerate(STAGES) for name in names}
# and the registry of output formats, which --help reads (pure data: it imports no engine module)
CLI_MAY_IMPORT = {"engine.api", "engine.web", "engine.render.formats"}


def module_name(path: Path, root: Path = ROOT) -> str:
    parts = path.relative_to(root).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports(path: Path, root: Path = ROOT) -> Iterator[tuple[str, int]]:
    """(imported engine module, line) for every import in the file, at any depth."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    here = module_name(path, root)
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for a in node.names:
                if a.name == "engine" or a.name.startswith("engine."):
                    yield a.name, node.lineno
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                pkg = here.split(".")
                if path.name != "__init__.py":
                    pkg = pkg[:-1]
                pkg = pkg[: len(pkg) - node.level + 1]
                base = ".".join(pkg + ([base] if base else []))
            if not (base == "engine" or base.startswith("engine.")):
                continue
            for a in node.names:
                sub = f"{base}.{a.name}"
                # `from engine.x import y`: y is a module when a file says so
                yield (sub if _is_module(sub, root) else base), node.lineno


def _is_module(name: str, root: Path) -> bool:
    p = root.joinpath(*name.split("."))
    return p.with_suffix(".py").is_file() or (p / "__init__.py").is_file()


def stage(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[0] == "engine" else None


def graph(root: Path = ROOT) -> dict[str, dict[str, int]]:
    out: dict[str, dict[str, int]] = {}
    for path in sorted((root / "engine").rglob("*.py")):
        if "_bundled" in path.parts:
            continue
        deps: dict[str, int] = {}
        for mod, line in imports(path, root):
            deps.setdefault(mod, line)
        out[module_name(path, root)] = deps
    return out


def violations(root: Path = ROOT) -> list[str]:
    """Every import against the stage order, as `module:line imports target`."""
    bad = []
    for mod, deps in graph(root).items():
        s = stage(mod)
        if s is None:
            continue
        if s not in RANK:
            bad.append(f"{mod}: stage {s!r} is not declared in STAGES")
            continue
        for dep, line in deps.items():
            d = stage(dep)
            if d is None or d == s or dep == "engine":
                continue
            if d not in RANK or RANK[d] >= RANK[s]:
                bad.append(f"{mod}:{line} imports {dep} (stage {d!r} is not below {s!r})")
    return bad


def cycles(root: Path = ROOT) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    full = graph(root)
    g = {m: [d for d in deps if d in full] for m, deps in full.items()}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    out: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in g[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1 or v in g[v]:
                out.append(sorted(comp))

    for v in sorted(g):
        if v not in index:
            visit(v)
    return out


def test_engine_imports_follow_the_stage_order():
    assert violations() == []


def test_engine_has_no_import_cycle():
    assert cycles() == []


def test_every_engine_package_is_a_declared_stage():
    packages = {
        p.name for p in (ROOT / "engine").iterdir() if p.is_dir() and (p / "__init__.py").exists()
    }
    modules = {p.stem for p in (ROOT / "engine").glob("*.py") if p.stem != "__init__"}
    assert (packages | modules) - {"_bundled"} <= set(RANK)


def test_cli_talks_to_engine_api_only():
    used = {mod for p in (ROOT / "cli").glob("*.py") for mod, _ in imports(p)}
    assert used <= CLI_MAY_IMPORT, used - CLI_MAY_IMPORT


def test_a_cycle_and_an_upward_import_are_caught(tmp_path):
    # the checks themselves, on a throwaway tree: measures -> program is upward, and a <-> b loop
    eng = tmp_path / "engine"
    (eng / "program").mkdir(parents=True)
    (eng / "__init__.py").write_text("")
    (eng / "program" / "__init__.py").write_text("")
    (eng / "program" / "a.py").write_text("from engine.program import b\n")
    (eng / "program" / "b.py").write_text("def f():\n    from engine.program.a import x\n")
    (eng / "measures.py").write_text("from engine.program.a import y\n")
    assert cycles(tmp_path) == [["engine.program.a", "engine.program.b"]]
    assert violations(tmp_path) == [
        "engine.measures:1 imports engine.program.a (stage 'program' is not below 'measures')"
    ]
