"""The facade of the sensitivity map (`cluster-intl sensitivity`): how firm each measure is."""

from __future__ import annotations

from typing import Any

from engine.errors import UsageError
from engine.inference.trace import Result
from engine.program.firmness import SHOWN_RANKS, map_of, tornado
from engine.render.formats import get_format
from engine.render.formats import render as render_format
from engine.render.sensitivity_text import map_words
from engine.session import Session
from engine.text.message import Locale, localize


def sensitivity(result: Result, s: Session, lang: str) -> dict[str, Any]:
    """The sensitivity map of a result in `lang`: every margin a rerun of the session's engine."""
    if lang not in ("ru", "en"):
        raise UsageError(f"--lang: {lang!r} is not supported; use ru or en")
    return map_words(map_of(result, s.knowledge, s.runner), lang)


def sensitivity_text(result: Result, s: Session, fmt: str, lang: str) -> str:
    """The sensitivity map rendered as text, md or json."""
    get_format(fmt, "sensitivity")  # an unknown format fails before the work
    view = sensitivity(result, s, lang)
    out = render_format("sensitivity", fmt, view=lambda: view)
    assert isinstance(out, str)  # every format of the map is text
    return out


def sensitivity_chart(view: dict[str, Any], lang: str) -> Any:
    """The tornado chart of a map in words (`sensitivity(...)`): the indicators that move the
    most advice, as the bar charts of the documents draw it."""
    return localize(tornado(view["ranking"][:SHOWN_RANKS]), Locale(lang))
