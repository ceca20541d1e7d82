"""engine/knowledge/verify/schedule_checks.py: who is asked for data, and who instead."""

from __future__ import annotations

import shutil

from engine import api
from tests.conftest import ROOT


def test_kb_check_places_an_unknown_body_or_finding_of_ask_instead(tmp_path):
    """`ask_instead` names bodies of document.yaml and findings: a typo in either is an error at
    its place in program.yaml, with its code."""
    root = tmp_path / "knowledge"
    shutil.copytree(ROOT / "knowledge", root)
    path = root / "program.yaml"
    text = path.read_text(encoding="utf-8")
    good = "    - {if: [governance.no_council], body: council, ask: cluster_org}\n"
    assert good in text
    path.write_text(
        text.replace(
            good, "    - {if: [governance.no_councl], body: council, ask: cluster_orgg}\n"
        ),
        encoding="utf-8",
    )
    errors = [p for p in api.check_knowledge(root) if p.severity == "error"]
    found = {(p.code, p.message) for p in errors if "ask_instead" in p.format()}
    assert ("unknown-body", "unknown body 'cluster_orgg' (document.yaml)") in found
    assert ("unknown-finding", "unknown finding 'governance.no_councl'") in found
    assert all("program.yaml:" in p.format() for p in errors if "ask_instead" in p.format())
