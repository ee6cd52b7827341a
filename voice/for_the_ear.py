"""Stage 4 of a spoken turn: a reply as written → as it should be read aloud.

A speech engine reads "1200元" as "一二零零元" or in English, "12月3日" as
a list of digits, and reads markdown and emoji out loud. Older callers
also need numbers they must act on (a booking reference, a phone number)
one digit at a time. The rewrite is plain text in, plain text out, so it
serves every synthesiser alike. Text already written in Chinese numerals
passes through unchanged.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from knowledge.zh.numerals import to_chinese

DIGIT_WORDS = "零一二三四五六七八九"
# On the phone 1 is said 幺 inside numbers read digit by digit (一 and 七
# sound alike on a bad line).
PHONE_DIGIT_WORDS = "零幺二三四五六七八九"

_EMOJI = re.compile(
    "[\U0001f000-\U0001faff\u2600-\u27bf\u2b00-\u2bff\ufe0f\u200d\u20e3\u2190-\u21ff]+"
)
_MARKDOWN = [
    (re.compile(r"\[([^\]]+)\]\([^)]*\)"), r"\1"),  # [text](link) → text
    (re.compile(r"(\*\*|__|\*|`+|~~)"), ""),  # emphasis, code
    (re.compile(r"^\s{0,3}(#{1,6}|>|[-*+])\s+", re.M), ""),  # headings, quotes, bullets
    (re.compile(r"^\s{0,3}(\d+)[.)]\s+", re.M), r"第\1，"),  # "1. 先申请" → 第一，先申请
]
_URL = re.compile(r"https?://\S+|www\.\S+")
_SPACES = re.compile(r"[ \t]+")


def digit_by_digit(digits: str, words: str = DIGIT_WORDS, separator: str = "、") -> str:
    """358204 → 三、五、八、二、零、四."""
    return separator.join(words[int(d)] for d in digits)


def number(text: str) -> str:
    """ "1200" → 一千二百, "3.5" → 三点五."""
    whole, _, fraction = text.partition(".")
    spoken = to_chinese(int(whole))
    return spoken + ("点" + digit_by_digit(fraction, separator="") if fraction else "")


def _phone(match: re.Match[str]) -> str:
    """In the groups people say a number in: 139，1234，5678 and 0510，80000101."""
    written = match.group(0)
    digits = re.sub(r"\D", "", written)
    if len(digits) == 11 and digits.startswith("1"):
        groups = [digits[:3], digits[3:7], digits[7:]]
    else:
        groups = re.findall(r"\d+", written)
    return "，".join(digit_by_digit(g, PHONE_DIGIT_WORDS, "") for g in groups)


def _year(digits: str) -> str:
    return digit_by_digit(digits, separator="").replace("零", "〇")


def _date(match: re.Match[str]) -> str:
    year, month, day = match.group("y"), match.group("m"), match.group("d")
    said = f"{_year(year)}年" if year else ""
    said += f"{number(month)}月"
    return said + (f"{number(day)}{match.group('unit') or '日'}" if day else "")


def _clock(match: re.Match[str]) -> str:
    hour, minute = int(match.group(1)), int(match.group(2))
    if hour > 23 or minute > 59:
        return match.group(0)
    part = "上午" if hour < 12 else "下午"
    hour = hour if hour <= 12 else hour - 12
    rest = {0: "", 30: "半"}.get(minute, f"{number(str(minute))}分")
    return f"{part}{'两' if hour == 2 else number(str(hour))}点{rest}"


# Order matters: the specific forms first, bare numbers last.
REWRITES: list[tuple[re.Pattern[str], Callable[[re.Match[str]], str]]] = [
    # References and codes are acted on digit by digit.
    (
        re.compile(r"(预约号|编号|验证码|单号)([：:是为\s]*)(\d{4,})"),
        lambda m: m.group(1) + m.group(2) + digit_by_digit(m.group(3)),
    ),
    # Phone numbers: mobiles in 3-4-4 groups, landlines as one run.
    (re.compile(r"(?<!\d)1[3-9]\d[\s-]?\d{4}[\s-]?\d{4}(?!\d)"), _phone),
    (re.compile(r"(?<!\d)0\d{2,3}-\d{7,8}(?!\d)"), _phone),
    (re.compile(r"(?<![\d.])(?:[1-9]\d{2,3}|[1-9]\d{4})(?=\s*(?:热线|服务电话))"), _phone),
    # 2026-12-03, 2026年12月3日, 12月3号.
    (
        re.compile(r"(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})(?P<unit>)(?!\d)"),
        _date,
    ),
    (
        re.compile(r"(?:(?P<y>\d{4})年)?(?P<m>\d{1,2})月(?:(?P<d>\d{1,2})(?P<unit>[日号]))?"),
        _date,
    ),
    (re.compile(r"(?<!\d)(\d{4})(?=年)"), lambda m: _year(m.group(1))),
    (re.compile(r"(?<![\d:])([01]?\d|2[0-3]):([0-5]\d)(?![\d:])"), _clock),
    # Amounts and shares.
    (re.compile(r"(\d+(?:\.\d+)?)\s*%"), lambda m: "百分之" + number(m.group(1))),
    (re.compile(r"[¥￥]\s*(\d+(?:\.\d+)?)"), lambda m: number(m.group(1)) + "元"),
    (re.compile(r"(\d+(?:\.\d+)?)(?=\s*(?:元|块|万元|岁|周岁|天|个|人|次|小时|分钟|年|行|条|项|份))"),
     lambda m: number(m.group(1))),
    # Whatever numbers are left: in words.
    (re.compile(r"\d+(?:\.\d+)?"), lambda m: number(m.group(0))),
]  # fmt: skip


def for_the_ear(text: str) -> str:
    """The reply as a speech engine should read it to an older caller."""
    for pattern, replacement in _MARKDOWN:
        text = pattern.sub(replacement, text)
    text = _URL.sub("", text)
    text = _EMOJI.sub("", text)
    for pattern, rewrite in REWRITES:
        text = pattern.sub(rewrite, text)
    text = _SPACES.sub(" ", text)
    return "\n".join(line.strip() for line in text.splitlines() if line.strip())
