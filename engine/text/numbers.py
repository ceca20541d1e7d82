"""Numbers as a reader writes them: a decimal comma in Russian, no trailing zeros, a dash for none."""

from __future__ import annotations


def fmt_num(v: float | None, lang: str, digits: int = 2) -> str:
    if v is None:
        return "—"
    if isinstance(v, float):
        s = f"{v:.{digits}f}".rstrip("0").rstrip(".")
    else:
        s = str(v)
    return s.replace(".", ",") if lang == "ru" else s
