"""One command's runtime state, in one explicit object (drools' KieSession is the model).

A `Session` holds what used to live in module globals: the knowledge root and the loaded,
verified knowledge (loaded once per session; the on-disk cache between runs stays), the rule
runner (built once per session), the registry of the command's inputs (the writer never replaces
one of them), the templates root and the settings read from the environment. The CLI makes one
per command, the web service one for its lifetime, a batch worker one in its pool initializer;
engine.api functions take it (or the knowledge it holds) instead of reaching for globals.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from engine.errors import Problem
from engine.files import cache
from engine.files.atomic import Inputs
from engine.inference.run import Runner
from engine.knowledge.load import load_knowledge
from engine.knowledge.models import Knowledge
from engine.resources import bundled_root


@dataclass(frozen=True)
class Settings:
    """What the environment says, read once when the session starts."""

    cache_dir: Path | None  # None: caching is off (CLUSTER_INTL_CACHE=off) or has no place
    workers: int  # batch workers by default (--jobs 0): the cores, at most 2

    @classmethod
    def from_environment(cls) -> Settings:
        """The settings of this process's environment now."""
        return cls(cache_dir=cache.directory(), workers=max(1, min(2, os.cpu_count() or 1)))


class Session:
    """The knowledge base, its runner, the inputs and the settings of one command."""

    def __init__(
        self,
        knowledge_root: Path | None = None,
        *,
        templates_root: Path | None = None,
        settings: Settings | None = None,
        report: Callable[[str], None] | None = None,
    ) -> None:
        self.given_root = knowledge_root  # as the user spelled it: messages show it so
        self.knowledge_root = (knowledge_root or bundled_root("knowledge")).resolve()
        self.templates_root = templates_root or bundled_root("templates")
        self.settings = settings or Settings.from_environment()
        self.inputs = Inputs()
        # the warnings of the inputs read (a field of an earlier format), each once; `report`
        # shows one as it comes (the CLI: stderr)
        self.notices: list[Problem] = []
        self.report = report
        # the bundled knowledge and templates are never replaced, --force or not
        for kind in ("knowledge", "templates"):
            self.inputs.add_tree(bundled_root(kind))
        self.inputs.add_tree(self.knowledge_root)
        self.inputs.add_tree(self.templates_root)

    @cached_property
    def knowledge(self) -> Knowledge:
        """The knowledge base, read and verified on first use; from the on-disk cache when none
        of its files changed (keyed by a digest of their bytes and the working directory, since
        messages show paths relative to it)."""
        base = self.knowledge_root
        digest = cache.files_digest(base) if base.is_dir() else None
        return cache.cached(
            "knowledge",
            digest,
            lambda: load_knowledge(self.given_root),
            base=self.settings.cache_dir,
        )

    @cached_property
    def runner(self) -> Runner:
        """The compiled rules of this session's knowledge, built once and reused for every run."""
        return Runner(self.knowledge)

    def notify(self, *notices: Problem) -> None:
        """Record warnings about the inputs read, each once, and report the new ones."""
        for notice in notices:
            if notice in self.notices:
                continue
            self.notices.append(notice)
            if self.report is not None:
                self.report(notice.format(with_severity=True))

    def protect(self, *paths: Path | None) -> None:
        """Register paths the command reads: files, or folders (each file directly inside)."""
        for path in paths:
            if path is None:
                continue
            if path.is_dir():
                # a folder that cannot be listed is refused by the command that reads it
                with contextlib.suppress(OSError):
                    for child in path.iterdir():
                        self.inputs.add(child)
            else:
                self.inputs.add(path)
