import pytest

from knowledge.zh.numerals import parse_int, to_chinese


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("八十二", 82),
        ("十", 10),
        ("十二", 12),
        ("二十", 20),
        ("一百", 100),
        ("一百零五", 105),
        ("一千二百", 1200),
        ("两千", 2000),
        ("三万五千", 35000),
        ("一九四三", 1943),
        ("82", 82),
        ("８２", 82),
        ("七十", 70),
    ],
)
def test_parse_int(text: str, value: int) -> None:
    assert parse_int(text) == value


@pytest.mark.parametrize("text", ["", "八十岁", "abc", "八八十"])
def test_parse_int_rejects_non_numerals(text: str) -> None:
    assert parse_int(text) is None


@pytest.mark.parametrize(
    ("value", "spoken"),
    [
        (0, "零"),
        (7, "七"),
        (10, "十"),
        (15, "十五"),
        (20, "二十"),
        (70, "七十"),
        (82, "八十二"),
        (105, "一百零五"),
        (300, "三百"),
        (1010, "一千零一十"),
        (1200, "一千二百"),
        (2000, "两千"),
        (10000, "一万"),
        (100005, "十万零五"),
    ],
)
def test_to_chinese(value: int, spoken: str) -> None:
    assert to_chinese(value) == spoken


@pytest.mark.parametrize(
    "value",
    [0, 1, 9, 10, 11, 19, 20, 99, 100, 101, 110, 999, 1001, 1200, 2022, 10000, 10010, 12345, 99999],
)
def test_round_trip(value: int) -> None:
    assert parse_int(to_chinese(value)) == value
