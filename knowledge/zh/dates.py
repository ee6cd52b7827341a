"""Dates and times as callers say them, relative to today in Asia/Shanghai.

Dates: 今天, 明天, 后天, 大后天, 下周三, 这个礼拜五, 星期六, 12月3号, 三号.
Times: 中午 / 晚上 (a meal period), 上午九点, 下午两点半, 三点一刻.
The parser only reads; whether a date can be booked (past, beyond the
horizon, a closed day) is the booking service's decision, so a past date
is returned as said and refused there with a reason.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from knowledge.zh.numerals import NUMERAL_CHARS, parse_int

CHINA = ZoneInfo("Asia/Shanghai")
# A month-day already this far in the past means next year (said in
# December, "1月5号" is January next year); nearer, it is a mistake to refuse.
ROLL_OVER_DAYS = 60

_N = f"[{NUMERAL_CHARS}]+"
_RELATIVE = {
    "大后天": 3,
    "后天": 2,
    "后儿": 2,
    "明天": 1,
    "明儿": 1,
    "明日": 1,
    "今天": 0,
    "今儿": 0,
    "今日": 0,
}
_WEEKDAYS = {"一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6, "末": 5}
_WEEKDAY = re.compile(r"(下下|下|这|这个|本|今)?(?:个)?(?:周|星期|礼拜)([一二三四五六日天末1-7])")
_MONTH_DAY = re.compile(f"({_N})月({_N})(?:号|日)?")
_DAY = re.compile(f"({_N})(?:号|日)")
_LUNAR = re.compile("初[一二三四五六七八九十]|农历|阴历|腊月|正月")

MEAL_PERIODS = {"breakfast": "早餐", "lunch": "午餐", "dinner": "晚餐"}
_PERIOD_WORDS = (
    ("breakfast", ("早饭", "早餐", "早点", "早上", "早晨", "一早")),
    ("lunch", ("午饭", "午餐", "中饭", "中午", "晌午")),
    ("dinner", ("晚饭", "晚餐", "夜饭", "晚上", "傍晚")),
)
_CLOCK = re.compile(f"({_N})点(?:钟)?(半|一刻|三刻|({_N})分?)?|(\\d{{1,2}}):(\\d{{2}})")
# A clock time names a meal only inside its usual hours (下午三点 names none).
_MEAL_HOURS = {"breakfast": range(5, 10), "lunch": range(10, 14), "dinner": range(16, 21)}
_AFTERNOON = ("下午", "晚上", "傍晚", "夜里")
_MORNING = ("上午", "早上", "早晨", "清早", "一早")


def today_in_china() -> dt.date:
    return dt.datetime.now(CHINA).date()


def is_lunar(text: str) -> bool:
    """初八, 腊月: lunar dates, which the assistant asks to be said otherwise."""
    return bool(_LUNAR.search(text))


def _weekday(match: re.Match[str], today: dt.date) -> dt.date:
    which, day = match.group(1), match.group(2)
    weekday = int(day) - 1 if day.isdigit() else _WEEKDAYS[day]
    monday = today - dt.timedelta(days=today.weekday())
    if which in ("下", "下下"):
        return monday + dt.timedelta(weeks=len(which), days=weekday)
    if which:  # 这周三, 本周三: this calendar week, even if already past
        return monday + dt.timedelta(days=weekday)
    # A bare 星期三 is the next one, today included.
    return today + dt.timedelta(days=(weekday - today.weekday()) % 7)


def _month_day(month: int, day: int, today: dt.date) -> dt.date | None:
    try:
        date = dt.date(today.year, month, day)
    except ValueError:
        return None
    if (today - date).days > ROLL_OVER_DAYS:
        try:
            return dt.date(today.year + 1, month, day)
        except ValueError:  # 2月29号
            return None
    return date


def _day_of_month(day: int, today: dt.date) -> dt.date | None:
    """三号: this month's if not yet past, else next month's."""
    year, month = today.year, today.month
    if day < today.day:
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def parse_date(text: str, today: dt.date) -> dt.date | None:
    """The date `text` names, or None when it names none (or an impossible one)."""
    text = re.sub(r"\s+", "", text)
    for word, days in _RELATIVE.items():  # longest first: 大后天 before 后天
        if word in text:
            return today + dt.timedelta(days=days)
    if match := _WEEKDAY.search(text):
        return _weekday(match, today)
    if match := _MONTH_DAY.search(text):
        month, day = parse_int(match.group(1)), parse_int(match.group(2))
        if month is None or day is None:
            return None
        return _month_day(month, day, today)
    if match := _DAY.search(text):
        day = parse_int(match.group(1))
        return None if day is None else _day_of_month(day, today)
    return None


@dataclass(frozen=True)
class TimeReading:
    period: str | None  # breakfast | lunch | dinner, for meals
    clock: str | None  # "HH:MM", for visits


def _clock(match: re.Match[str], text: str) -> str | None:
    if match.group(4):  # 14:30
        hour, minute = int(match.group(4)), int(match.group(5))
    else:
        hour = parse_int(match.group(1))
        extra = match.group(2)
        minute = {"半": 30, "一刻": 15, "三刻": 45, None: 0}.get(extra)
        if minute is None:
            minute = parse_int(match.group(3) or "")
        if hour is None or minute is None:
            return None
        before = text[: match.start()]
        afternoon = any(word in before for word in _AFTERNOON) and hour < 12
        after_noon = "中午" in before and hour <= 2  # 中午一点
        # 三点 unqualified: nobody books a visit at 3 a.m.
        unqualified = not any(word in before for word in _MORNING) and 1 <= hour <= 6
        if afternoon or after_noon or unqualified:
            hour += 12
    if not (0 <= hour <= 23 and 0 <= minute <= 59):
        return None
    return f"{hour:02d}:{minute:02d}"


def parse_time(text: str) -> TimeReading | None:
    """A meal period and/or a clock time from `text`; None if neither."""
    text = re.sub(r"\s+", "", text)
    period = next((name for name, words in _PERIOD_WORDS if any(w in text for w in words)), None)
    match = _CLOCK.search(text)
    clock = _clock(match, text) if match else None
    if clock and period is None:
        hour = int(clock[:2])
        period = next((name for name, hours in _MEAL_HOURS.items() if hour in hours), None)
    if period is None and clock is None:
        return None
    return TimeReading(period, clock)
