"""Chinese numerals as callers say them: 八十二, 一百零五, 两千, 一九四三, 82."""

from __future__ import annotations

import re

DIGITS = {
    "零": 0,
    "〇": 0,
    "○": 0,
    "O": 0,
    "一": 1,
    "幺": 1,
    "二": 2,
    "两": 2,
    "俩": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
UNITS = {"十": 10, "百": 100, "千": 1000, "万": 10000}
_FULLWIDTH = str.maketrans("０１２３４５６７８９", "0123456789")
NUMERAL_CHARS = "".join(DIGITS) + "".join(UNITS) + "0123456789"
NUMBER_RE = re.compile(f"[{NUMERAL_CHARS}]+")


def parse_int(text: str) -> int | None:
    """The integer a numeral string denotes, or None if it is not one.

    Digit strings without units are read digit by digit (一九四三 → 1943),
    which is how years and phone numbers are spoken.
    """
    text = text.strip().translate(_FULLWIDTH)
    if not text:
        return None
    if text.isdigit():
        return int(text)
    if any(ch not in DIGITS and ch not in UNITS for ch in text):
        return None
    if not any(ch in UNITS for ch in text):
        return int("".join(str(DIGITS[ch]) for ch in text))
    total, section, digit = 0, 0, None
    for ch in text:
        if ch in DIGITS:
            if digit is not None and digit != 0:
                return None  # two digits in a row inside a unit number: not a numeral
            digit = DIGITS[ch]
        else:
            unit = UNITS[ch]
            if unit == 10000:
                total += (section + (digit or 0)) * unit
                section = 0
            else:
                section += (1 if digit is None else digit) * unit
            digit = None
    return total + section + (digit or 0)


def to_chinese(number: int) -> str:
    """82 → 八十二, 1200 → 一千二百: how an amount is read aloud."""
    if number < 0:
        return "负" + to_chinese(-number)
    if number < 10:
        return "零一二三四五六七八九"[number]
    digits = "零一二三四五六七八九"
    parts: list[str] = []
    for value, name in ((10**8, "亿"), (10**4, "万")):
        if number >= value:
            parts.append(to_chinese(number // value) + name)
            number %= value
            if 0 < number < value // 10:
                parts.append("零")
    out = ""
    pending_zero = False
    for value, name in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
        d = number // value
        number %= value
        if d:
            if pending_zero:
                out += "零"
            out += digits[d] + name
            pending_zero = False
        elif out:
            pending_zero = True
    if out.startswith("一十") and not parts:
        out = out[1:]
    spoken = "".join(parts) + out
    # 2000 is said 两千, not 二千 (but 十二, 二十 keep 二).
    return re.sub("二(?=[千万亿])", "两", spoken)
