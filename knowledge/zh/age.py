"""How old someone is, from what a caller actually says.

Handles exact ages (八十二, 82岁), vague ones (八十好几, 七十多, 九十出头,
快八十了) and birth years (一九四三年生的, 43年的). A vague age keeps its
range so that eligibility can still decide "80 or over" from 八十好几 while
treating 七十好几 as "under 80" only when the whole range is.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from knowledge.zh.numerals import NUMERAL_CHARS, parse_int

MIN_AGE, MAX_AGE = 0, 125

_N = f"[{NUMERAL_CHARS}]+"
_BIRTH_YEAR = re.compile(f"({_N})年(?:出生|生|的人|的)")
_ALMOST = re.compile(f"(?:快|将近|差不多|马上)({_N})(?:岁|了)?")
_MORE = re.compile(f"({_N})(好几|多|来|出头)")
_EXACT = re.compile(f"({_N})(?:周)?(?:岁|了|啦)?")


@dataclass(frozen=True)
class AgeReading:
    """An age with the range it certainly lies in (equal when exact)."""

    minimum: int
    maximum: int

    @property
    def exact(self) -> int | None:
        return self.minimum if self.minimum == self.maximum else None

    @property
    def estimate(self) -> int:
        return (self.minimum + self.maximum) // 2


def _valid(reading: AgeReading) -> AgeReading | None:
    ok = MIN_AGE <= reading.minimum <= reading.maximum <= MAX_AGE
    return reading if ok else None


def parse_age(text: str, current_year: int) -> AgeReading | None:
    """Read an age from `text`; None when there is none or it is impossible."""
    text = re.sub(r"\s+", "", text)
    if match := _BIRTH_YEAR.search(text):
        year = parse_int(match.group(1))
        if year is None:
            return None
        if year < 100:
            year += 1900
        age = current_year - year
        # Birthday not yet reached this year → one year younger.
        return _valid(AgeReading(age - 1, age))
    if match := _ALMOST.search(text):
        value = parse_int(match.group(1))
        return None if value is None else _valid(AgeReading(value - 2, value - 1))
    if match := _MORE.search(text):
        base = parse_int(match.group(1))
        if base is None:
            return None
        kind = match.group(2)
        if kind == "出头":
            return _valid(AgeReading(base + 1, base + 3))
        if kind == "来":
            return _valid(AgeReading(base - 2, base + 2))
        step = 10 if base % 10 == 0 else 1
        return _valid(AgeReading(base + 1, base + step - 1 if step > 1 else base + 1))
    for match in _EXACT.finditer(text):
        value = parse_int(match.group(1))
        if value is not None:
            return _valid(AgeReading(value, value))
    return None
