"""The engine's located messages in the page's language.

The engine speaks English (its messages are the CLI's). A Russian page says each problem again
from its kind (`Problem.code`) and the values it names (`Problem.params`), with the words of
`templates/web/strings.yaml` (`p_<code>`); the place (`file:line:col: path`) stays as it is. A kind
without words there keeps the engine's English sentence, so nothing is ever lost in translation.
"""

from __future__ import annotations

import dataclasses

from engine import api

PREFIX = "p_"  # strings.yaml keys: p_ + the code with `_` for `-`


def key(code: str) -> str:
    """The strings.yaml key of a problem kind."""
    return PREFIX + code.replace("-", "_")


def say(problem: api.Problem, words: dict[str, str], lang: str) -> str:
    """One problem as a line of the page: located, in the page's language where its kind has
    words, else in the engine's English."""
    template = words.get(key(problem.code))
    if lang == "en" or template is None:
        return problem.format()
    params = {"detail": problem.message, **dict(problem.params)}
    try:
        message = template.format(**params)
    except (KeyError, IndexError, ValueError):  # the words name a value this problem lacks
        return problem.format()
    hint = ""
    if params.get("suggestion"):
        hint = words[key("suggestion")].format(suggestion=params["suggestion"])
    elif problem.hint:
        hint = problem.hint  # a hint the words cannot say: kept as given
    return dataclasses.replace(problem, message=message, hint=hint).format()


def say_all(exc: api.ClusterIntlError, words: dict[str, str], lang: str) -> list[str]:
    """The lines of an engine error for a page: each problem of bad input said again, other
    errors as their message."""
    if isinstance(exc, api.InputError):
        return [say(p, words, lang) for p in api.capped(exc.problems)]
    return str(exc).splitlines() or [type(exc).__name__]
