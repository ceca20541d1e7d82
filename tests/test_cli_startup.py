"""`cluster-intl --help` stays instant: it imports none of the heavy modules.

Measured (bench/results.md): 0.07 s with a bytecode cache. Rich-formatted help alone imported
0.25 s of modules, so the app uses plain help; the engine, pydantic, experta and jinja2 load only
when a command runs.
"""

from __future__ import annotations

import subprocess
import sys

from tests.conftest import ROOT

HEAVY = (
    "rich",
    "pydantic",
    "engine",
    "experta",
    "jinja2",
    "yaml",
    "openpyxl",
    "matplotlib",
    "docx",
    "clips",
)

REGISTRY = {"engine", "engine.render", "engine.render.formats"}

PROBE = f"""
import sys
sys.argv = ["cluster-intl"] + sys.argv[1:]
import cli
try:
    cli.main()
except SystemExit:
    pass
loaded = {{m.split(".")[0] for m in sys.modules}}
# the registry of output formats is the one engine module --help reads (pure data)
loaded -= {{"engine"}} if {{m for m in sys.modules if m.startswith("engine")}} <= {REGISTRY!r} else set()
print("LOADED:" + ",".join(sorted(m for m in {HEAVY!r} if m in loaded)))
"""


def _loaded(*args: str) -> str:
    proc = subprocess.run(
        [sys.executable, "-c", PROBE, *args], cwd=ROOT, capture_output=True, text=True, check=True
    )
    return proc.stdout.strip().splitlines()[-1].removeprefix("LOADED:")


def test_help_imports_no_heavy_module():
    assert _loaded("--help") == ""


def test_the_probe_sees_imports_when_a_command_runs():
    # the probe can fail: a real command loads the engine
    assert "engine" in _loaded("assess", "examples/nizhny-novgorod.yaml").split(",")


DRAFT_NEEDS_NONE_OF = (
    "engine.authoring.scenarios",  # the rule author's tools (kb test, schema, impact)
    "engine.authoring.schema",
    "engine.deliverables.batch",  # the batch, with multiprocessing
    "multiprocessing",
    "engine.assessment.workbook",  # the reader of a questionnaire workbook
    "engine.knowledge.verify.checks",  # the knowledge checks, with the knowledge cache warm
    "engine.explain.shapes",  # the documented shapes of the explanations (type checking only)
    "engine.api.sensitivity_map",  # the sensitivity map
    "engine.assessment.migrate",
    "engine.deliverables.compare",
    "engine.render.docx_setup",  # a Word template
)


def test_a_draft_imports_none_of_the_kb_tools_nor_the_batch(tmp_path):
    """A cold `draft` is measured against the floor of the stack (issue 18): the facade loads the
    kb tools and the batch on first use, so a draft does not pay for them; and the texts of the
    views are built without pydantic's validator, whose schema costs a tenth of a cold draft."""
    probe = (
        "import sys, cli\n"
        "sys.argv = ['cluster-intl', 'draft', 'examples/nizhny-novgorod.yaml', '-o', sys.argv[1]]\n"
        "try:\n    cli.main()\nexcept SystemExit as e:\n    assert not e.code, e.code\n"
        f"print('LOADED:' + ','.join(m for m in {DRAFT_NEEDS_NONE_OF!r} if m in sys.modules))\n"
        "from engine.text.bilingual import Text\n"
        "assert not Text.__pydantic_complete__, 'a draft built the validator of Text'\n"
        "import engine.api as api\n"
        "assert callable(api.check_knowledge) and 'engine.authoring.scenarios' in sys.modules\n"
    )
    out = tmp_path / "p.md"
    for _ in range(2):  # the first run may fill the knowledge cache (and verify the knowledge)
        out.unlink(missing_ok=True)
        proc = subprocess.run(
            [sys.executable, "-c", probe, str(out)], cwd=ROOT, capture_output=True, text=True
        )
        assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip().splitlines()[-1] == "LOADED:"
    assert out.stat().st_size > 10_000


def test_every_name_the_facade_lends_is_what_its_module_defines_after_the_import():
    """The facade imports some modules on first use; importing `engine.api.X` binds the module
    as the package's attribute `X`, so a module named like the function it lends (the
    sensitivity map was `engine/api/sensitivity.py`) turned `api.sensitivity` into a module."""
    import importlib

    from engine import api

    for name, module in api._LAZY.items():
        importlib.import_module(module)
        assert getattr(api, name) is getattr(importlib.import_module(module), name), name
