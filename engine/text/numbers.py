"""Numbers as a reader writes them: the language's decimal separator (templates/strings.yaml),
no trailing zeros, a dash for none."""

from __future__ import annotations

from engine.text.strings import strings


def decimal(text: str, lang: str) -> str:
    """A number already written with a point, with the language's decimal separator."""
    return text.replace(".", strings()[lang]["decimal_separator"])


def fmt_num(v: float | None, lang: str, digits: int = 2) -> str:
    if v is None:
        return "—"
    if isinstance(v, float):
        s = f"{v:.{digits}f}".rstrip("0").rstrip(".")
    else:
        s = str(v)
    return decimal(s, lang)
