import pytest

from knowledge.zh.age import AgeReading, parse_age

THIS_YEAR = 2026


@pytest.mark.parametrize(
    ("text", "minimum", "maximum"),
    [
        ("我今年八十一了", 81, 81),
        ("82岁", 82, 82),
        ("俺都九十了", 90, 90),
        ("八十好几了", 81, 89),
        ("七十多岁", 71, 79),
        ("九十出头", 91, 93),
        ("七十来岁", 68, 72),
        ("快八十了", 78, 79),
        ("一九四三年生的", 82, 83),
        ("1938年出生", 87, 88),
        ("43年的", 82, 83),
    ],
)
def test_parse_age(text: str, minimum: int, maximum: int) -> None:
    assert parse_age(text, THIS_YEAR) == AgeReading(minimum, maximum)


@pytest.mark.parametrize("text", ["我200岁", "两百岁", "你好", "", "三零二五年生的"])
def test_impossible_or_missing_ages_are_rejected(text: str) -> None:
    assert parse_age(text, THIS_YEAR) is None


def test_exact_and_estimate() -> None:
    assert AgeReading(82, 82).exact == 82
    vague = parse_age("八十好几", THIS_YEAR)
    assert vague is not None and vague.exact is None and vague.minimum >= 80
