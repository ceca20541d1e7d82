"""State without globals (issue 18, item 5): runtime state lives in an `engine.session.Session`
passed where needed, never in module-level containers that functions fill at run time.

The scan reads every module of engine/ (AST): a function that writes a module-level name (item or attribute assignment, `del`, augmented assignment, or a mutating
method such as `.append`, `.add`, `.update`, `.clear`, `.pop`, `.setdefault`) fails the test,
as does any `global` statement. Module constants built at import time are fine; so are pure
memos (functools.lru_cache keyed by their whole input), which are not containers here.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

MUTATORS = {
    "append",
    "extend",
    "insert",
    "remove",
    "add",
    "discard",
    "update",
    "clear",
    "pop",
    "popitem",
    "setdefault",
    "appendleft",
    "popleft",
}

# "module:name" -> why this module-level object may change at run time. Keep it short: every
# entry is state a session cannot hold.
ALLOWED: dict[str, str] = {}


def _module_names(tree: ast.Module) -> set[str]:
    names: set[str] = set()
    for node in tree.body:
        targets: list[ast.expr] = []
        if isinstance(node, ast.Assign):
            targets = node.targets
        elif isinstance(node, ast.AnnAssign | ast.AugAssign):
            targets = [node.target]
        for t in targets:
            for n in ast.walk(t):
                if isinstance(n, ast.Name):
                    names.add(n.id)
    return names


def _locals(fn: ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda) -> set[str]:
    """Names bound inside the function (parameters, assignments, loops, imports, with, except)."""
    args = fn.args
    bound = {a.arg for a in [*args.posonlyargs, *args.args, *args.kwonlyargs]}
    bound |= {a.arg for a in (args.vararg, args.kwarg) if a is not None}
    body = fn.body if isinstance(fn.body, list) else [fn.body]
    for stmt in body:
        for n in ast.walk(stmt):
            if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store):
                bound.add(n.id)
            elif isinstance(n, ast.alias):
                bound.add((n.asname or n.name).split(".")[0])
            elif isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef) or (
                isinstance(n, ast.ExceptHandler) and n.name
            ):
                bound.add(n.name)
    return bound


def _root_name(node: ast.expr) -> str | None:
    while isinstance(node, ast.Subscript | ast.Attribute):
        node = node.value
    return node.id if isinstance(node, ast.Name) else None


def findings(source: str, module: str) -> list[str]:
    """Each run-time write to module-level state in `source`, as `module:line: what`."""
    tree = ast.parse(source)
    module_level = _module_names(tree)
    out: list[str] = []
    for fn in ast.walk(tree):
        if isinstance(fn, ast.Global):
            out.append(f"{module}:{fn.lineno}: `global {', '.join(fn.names)}`")
        if not isinstance(fn, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        shadowed = _locals(fn)

        def hit(name: str | None, node: ast.AST, what: str, shadowed: set[str] = shadowed) -> None:
            if name and name in module_level and name not in shadowed:
                key = f"{module}:{name}"
                if key not in ALLOWED:
                    out.append(f"{module}:{getattr(node, 'lineno', 0)}: {what} of `{name}`")

        for node in ast.walk(fn):
            if isinstance(node, ast.Assign | ast.AugAssign | ast.AnnAssign | ast.Delete):
                targets = (
                    node.targets if isinstance(node, ast.Assign | ast.Delete) else [node.target]
                )
                for t in targets:
                    if isinstance(t, ast.Subscript | ast.Attribute):
                        hit(_root_name(t), node, "a write")
            elif (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr in MUTATORS
            ):
                hit(_root_name(node.func.value), node, f"`.{node.func.attr}()`")
    return out


def test_no_module_level_state_is_written_at_run_time():
    bad: list[str] = []
    for path in sorted((ROOT / "engine").rglob("*.py")):
        module = path.relative_to(ROOT).with_suffix("").as_posix().replace("/", ".")
        bad += findings(path.read_text(encoding="utf-8"), module)
    assert not bad, "module-level state written at run time (hold it in a Session):\n  " + (
        "\n  ".join(bad)
    )


def test_every_allowed_exception_names_an_existing_global_and_says_why():
    for key, why in ALLOWED.items():
        module, name = key.rsplit(":", 1)
        path = ROOT / (module.replace(".", "/") + ".py")
        assert name in _module_names(ast.parse(path.read_text(encoding="utf-8"))), key
        assert len(why.split()) >= 4, f"{key}: say why it is allowed"


def test_the_scan_finds_the_shapes_it_forbids():
    source = """
_MEMO: dict[int, int] = {}
_SEEN = set()
_FILES = []
COUNT = 0

def remember(k, v):
    _MEMO[k] = v

def see(x):
    _SEEN.add(x)

def forget():
    _FILES.clear()

def bump():
    global COUNT
    COUNT += 1

def fine(_MEMO):
    _MEMO[1] = 2  # a parameter, not the global

def local():
    _SEEN = set()
    _SEEN.add(1)
"""
    found = sorted(f.split(": ", 1)[1] for f in findings(source, "m"))
    assert found == sorted(
        ["a write of `_MEMO`", "`.add()` of `_SEEN`", "`.clear()` of `_FILES`", "`global COUNT`"]
    )
