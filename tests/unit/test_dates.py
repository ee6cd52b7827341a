"""Chinese dates and times relative to fixed "today"s: month and year
boundaries, weekends, and every phrase form the booking dialogue accepts."""

from __future__ import annotations

import datetime as dt

import pytest

from knowledge.zh.dates import TimeReading, is_lunar, parse_date, parse_time

D = dt.date
MON = D(2026, 11, 23)  # a Monday
SAT = D(2026, 11, 28)  # a Saturday
MONTH_END = D(2026, 11, 30)  # a Monday at the end of November
YEAR_END = D(2026, 12, 30)  # a Wednesday near the end of the year


@pytest.mark.parametrize(
    ("text", "today", "expected"),
    [
        ("今天", MON, D(2026, 11, 23)),
        ("明天中午", MON, D(2026, 11, 24)),
        ("明儿", MON, D(2026, 11, 24)),
        ("后天", MON, D(2026, 11, 25)),
        ("大后天早上", MON, D(2026, 11, 26)),
        ("明天", MONTH_END, D(2026, 12, 1)),  # month boundary
        ("后天", YEAR_END, D(2027, 1, 1)),  # year boundary
        ("大后天", YEAR_END, D(2027, 1, 2)),
        ("下周三", MON, D(2026, 12, 2)),
        ("下个星期一", SAT, D(2026, 11, 30)),  # said on a weekend
        ("下礼拜天", MON, D(2026, 12, 6)),
        ("下周三", YEAR_END, D(2027, 1, 6)),
        ("这个礼拜五", MON, D(2026, 11, 27)),
        ("这周五", SAT, D(2026, 11, 27)),  # this week's, already past: refused later
        ("本周日", MON, D(2026, 11, 29)),
        ("星期六", MON, D(2026, 11, 28)),
        ("礼拜一", SAT, D(2026, 11, 30)),  # the next one
        ("周六", SAT, D(2026, 11, 28)),  # today counts
        ("周末", MON, D(2026, 11, 28)),
        ("12月3号", MON, D(2026, 12, 3)),
        ("十二月三号", MON, D(2026, 12, 3)),
        ("1月5号", YEAR_END, D(2027, 1, 5)),  # said in December: next year
        ("11月20号", MON, D(2026, 11, 20)),  # just past: kept, refused later
        ("三号", MON, D(2026, 12, 3)),  # already past this month: next month's
        ("25号", MON, D(2026, 11, 25)),
        ("23号", MON, D(2026, 11, 23)),
        ("五号", YEAR_END, D(2027, 1, 5)),  # next month across the year
        ("31日", YEAR_END, D(2026, 12, 31)),
    ],
)
def test_parse_date(text: str, today: dt.date, expected: dt.date) -> None:
    assert parse_date(text, today) == expected


@pytest.mark.parametrize(
    ("text", "today"),
    [("随便哪天", MON), ("2月30号", MON), ("31号", D(2026, 11, 1)), ("", MON)],
)
def test_no_date_or_an_impossible_one(text: str, today: dt.date) -> None:
    assert parse_date(text, today) is None


def test_lunar_dates_are_recognised_not_guessed() -> None:
    assert is_lunar("初八") and is_lunar("腊月二十")
    assert parse_date("初八", MON) is None
    assert not is_lunar("12月3号")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("中午", TimeReading("lunch", None)),
        ("晚上那顿", TimeReading("dinner", None)),
        ("早饭", TimeReading("breakfast", None)),
        ("上午九点", TimeReading("breakfast", "09:00")),
        ("下午两点半", TimeReading(None, "14:30")),
        ("十点", TimeReading("lunch", "10:00")),
        ("三点", TimeReading(None, "15:00")),  # unqualified afternoon hour
        ("早上六点", TimeReading("breakfast", "06:00")),
        ("中午十二点", TimeReading("lunch", "12:00")),
        ("中午一点", TimeReading("lunch", "13:00")),
        ("晚上七点一刻", TimeReading("dinner", "19:15")),
        ("九点二十分", TimeReading("breakfast", "09:20")),
        ("14:30", TimeReading(None, "14:30")),
    ],
)
def test_parse_time(text: str, expected: TimeReading) -> None:
    assert parse_time(text) == expected


@pytest.mark.parametrize("text", ["随便", "二十五点", "九点七十分"])
def test_no_time_or_an_impossible_one(text: str) -> None:
    assert parse_time(text) is None
