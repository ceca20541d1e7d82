"""The engine as the web workspace uses it: one verified knowledge base, results cached by content.

The rule engine is one per process and not made for threads, so every call into it runs on one
worker thread (a capacity limiter of one) and the event loop stays free for other requests.
"""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

import anyio
import anyio.to_thread

from engine import api
from engine.web import forms

T = TypeVar("T")
CACHE_SIZE = 64


class Service:
    def __init__(self, knowledge_root: Path | None) -> None:
        self.knowledge_root = knowledge_root
        # the server's one session: knowledge read and verified once, at start; one runner
        self.session = api.Session(knowledge_root)
        self.k = self.session.knowledge
        self._results: OrderedDict[tuple[str, str], api.Result] = OrderedDict()
        self._memo: dict[tuple[Any, ...], Any] = {}
        self._limiter: anyio.CapacityLimiter | None = None

    async def run(self, fn: Callable[..., T], *args: Any) -> T:
        """Run engine work on the one engine thread."""
        if self._limiter is None:
            self._limiter = anyio.CapacityLimiter(1)
        return await anyio.to_thread.run_sync(partial(fn, *args), limiter=self._limiter)

    # --- called on the engine thread -----------------------------------------------------------

    def result(self, data: bytes, name: str) -> api.Result:
        """The result of an assessment given as bytes, cached by its content (and its name, which
        the messages and the trace show)."""
        key = (hashlib.sha256(data).hexdigest(), name)
        hit = self._results.get(key)
        if hit is not None:
            self._results.move_to_end(key)
            return hit
        if len(data) > api.upload_limit(name):
            raise api.too_large(name)
        result = api.run(api.load_bytes(data, name, self.k), self.session)
        self._results[key] = result
        while len(self._results) > CACHE_SIZE:
            self._results.popitem(last=False)
        return result

    def memo(self, key: tuple[Any, ...], build: Callable[[], T]) -> T:
        """Things computed once per server for the served knowledge base (kb check, kb test...)."""
        if key not in self._memo:
            self._memo[key] = build()
        return self._memo[key]  # type: ignore[no-any-return]

    def indicators(self, lang: str) -> list[dict[str, Any]]:
        """The indicators as the what-if panel shows them in one language, memoized."""
        return self.memo(("indicators", lang), lambda: forms.indicators(self.k, lang))
