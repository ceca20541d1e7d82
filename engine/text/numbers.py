"""Numbers as a reader writes them, by the language's rules in templates/strings.yaml (decimal
separator, thousands separator, minus sign): no trailing zeros, a dash for none."""

from __future__ import annotations

from functools import lru_cache

from engine.text.strings import strings


def decimal(text: str, lang: str) -> str:
    """A number already written with a point, with the language's decimal separator."""
    return text.replace(".", strings()[lang]["decimal_separator"])


def fmt_num(v: float | None, lang: str, digits: int = 2) -> str:
    """A number as read in `lang`: grouped thousands, its decimal mark and minus; none is a dash."""
    if v is None:
        return "—"
    if type(v) is int and 0 <= v < 1000:  # most numbers of a document: written as they are
        return str(v)
    if type(v) is float and v:  # 0.0 and -0.0 are equal keys, and read "0" and "-0"
        return _fmt_float(v, lang, digits)
    return _fmt(v, lang, digits)


@lru_cache(maxsize=4096)
def _fmt_float(v: float, lang: str, digits: int) -> str:
    # writing a float is the slow part (scores and shares repeat within and across documents)
    return _fmt(v, lang, digits)


def _fmt(v: float, lang: str, digits: int) -> str:
    if isinstance(v, float):
        s = f"{v:.{digits}f}".rstrip("0").rstrip(".")
    else:
        s = str(v)
    w = strings()[lang]
    sign, s = ("-", s[1:]) if s.startswith("-") else ("", s)
    whole, _, frac = s.partition(".")
    if len(whole) > 3 and whole.isdigit():
        groups = [whole[: len(whole) % 3 or 3]] + [
            whole[i : i + 3] for i in range(len(whole) % 3 or 3, len(whole), 3)
        ]
        whole = w["thousands_separator"].join(groups)
    minus = w["minus_sign"] if sign else ""
    return minus + whole + (w["decimal_separator"] + frac if frac else "")


def plural(n: float | int | None, forms: list[str]) -> str:
    """The Russian form of a noun after `n`: forms [one, few, many, fraction] (e.g. балл, балла,
    баллов, балла); English texts give [one, other, other, other]."""
    if n is None:
        return forms[2]
    if isinstance(n, float) and not n.is_integer():
        return forms[3]
    i = abs(int(n))
    if i % 10 == 1 and i % 100 != 11:
        return forms[0]
    if 2 <= i % 10 <= 4 and not 12 <= i % 100 <= 14:
        return forms[1]
    return forms[2]
