"""Read then verify: the knowledge base a command runs on, or an InputError with every error."""

from __future__ import annotations

from pathlib import Path

from engine.errors import InputError
from engine.knowledge.models import Knowledge
from engine.knowledge.read import read_knowledge
from engine.resources import bundled_root


def load_knowledge(root: Path | None = None) -> Knowledge:
    """Load and verify the knowledge base; any error (not warning) aborts with an InputError."""
    # imported here: a command whose knowledge cache is warm never verifies (nor imports the checks)
    from engine.knowledge.verify.checks import verify

    root = root or bundled_root("knowledge")
    knowledge, problems = read_knowledge(root)
    if knowledge is not None:
        problems = problems + verify(knowledge)
    errors = [p for p in problems if p.severity == "error"]
    if errors or knowledge is None:
        raise InputError(errors or problems)
    return knowledge
