"""Dates of birth as the lists and master files write them ("1962", "1980-02-08", "10 Dec 1948",
"circa 1955", "12-Feb-1973", "01/09/1986"), in ISO form: YYYY-MM-DD where the date is certain, YYYY
where only the year is (a numeric day/month order cannot be told apart: 01/09/1986 is the year)."""
from __future__ import annotations

import re

_MONTHS = {m: i for i, m in enumerate("jan feb mar apr may jun jul aug sep oct nov dec".split(), 1)}
_ISO = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_WORDS = re.compile(r"(\d{1,2})[\s\-/.]+([A-Za-z]{3})[A-Za-z]*\.?[\s\-/.,]+(\d{4})")
_MONTH_YEAR = re.compile(r"([A-Za-z]{3})[A-Za-z]*\.?[\s\-/.,]+(\d{4})")
_YEAR = re.compile(r"(?<!\d)(1[89]\d{2}|20\d{2})(?!\d)")


def birth_date(text: str) -> str:
    """The date in ISO form ("" when it holds none); see the module docstring."""
    text = text.strip()
    if m := _ISO.search(text):
        return _date(int(m[1]), int(m[2]), int(m[3])) or m[1]
    if (m := _WORDS.search(text)) and m[2].lower() in _MONTHS:
        return _date(int(m[3]), _MONTHS[m[2].lower()], int(m[1])) or m[3]
    if (m := _MONTH_YEAR.search(text)) and m[1].lower() in _MONTHS:
        return m[2]
    m = _YEAR.search(text)
    return m[1] if m else ""


def _date(year: int, month: int, day: int) -> str:
    return f"{year:04d}-{month:02d}-{day:02d}" if 1 <= month <= 12 and 1 <= day <= 31 else ""


def birth_agreement(party: str, listed: tuple[str, ...]) -> float | None:
    """1 for the same date, 0.5 for the same year where one side gives only the year, 0 when no
    listed date of birth can be the party's; None when either side gives none."""
    if not party or not listed:
        return None
    best = 0.0
    for date in listed:
        if date == party:
            return 1.0
        if date[:4] == party[:4] and (len(date) == 4 or len(party) == 4):
            best = 0.5
    return best
