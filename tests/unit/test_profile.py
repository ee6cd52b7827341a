"""Reading a caller's answers about a person into eligibility facts."""

from __future__ import annotations

import pytest

from actions.profile import (
    DONT_KNOW,
    MAX_FACTS,
    NO,
    YES,
    age_value,
    next_fact,
    profile_from_slots,
    read_age,
    read_choice,
    read_yes_no,
    subject,
    this_year,
    wants_to_stop,
)
from knowledge.zh.age import AgeReading


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("我八十二了", "82"),
        ("82", "82"),
        ("不对，是八十三", "83"),
        ("八十好几了", "81-89"),
        ("81-89", "81-89"),  # a stored range reads back as itself
        ("九十出头", "91-93"),
    ],
)
def test_read_age(text: str, value: str) -> None:
    reading = read_age(text)
    assert reading is not None and age_value(reading) == value


def test_birth_year_is_read_against_this_year() -> None:
    reading = read_age("一九四三年生的")
    assert reading == AgeReading(this_year() - 1943 - 1, this_year() - 1943)


@pytest.mark.parametrize("text", ["一个人住", "嗯嗯", "三十", "两百岁", ""])
def test_no_older_persons_age_in_text(text: str) -> None:
    assert read_age(text) is None


@pytest.mark.parametrize(
    ("attribute", "text", "value"),
    [
        ("economic_status", "俺是低保户", "低保"),
        ("economic_status", "我不是低保户", "一般"),  # the longer phrase wins
        ("economic_status", "五保户", "特困"),
        ("self_care", "俺娘瘫在床上", "失能"),
        ("self_care", "走路要人扶", "半失能"),
        ("living", "跟儿子住", "与家人同住"),
        ("living", "就一个人住", "独居"),
        ("living", "老两口", "空巢"),
        ("living", "今天天气不错", None),
    ],
)
def test_read_choice(attribute: str, text: str, value: str | None) -> None:
    assert read_choice(attribute, text) == value


@pytest.mark.parametrize(
    ("text", "intent", "value"),
    [
        ("是的", "affirm", YES),
        ("中", "affirm", YES),
        ("不是", "deny", NO),
        ("不清楚", "deny", DONT_KNOW),  # "don't know" is not "no"
        ("没有残疾", "inform", NO),
        ("有证", "inform", YES),
        ("啊？", "nlu_fallback", None),
    ],
)
def test_read_yes_no(text: str, intent: str, value: str | None) -> None:
    assert read_yes_no(text, intent) == value


@pytest.mark.parametrize("text", ["算了 不查了", "不问了", "算了吧"])
def test_stop_phrases(text: str) -> None:
    assert wants_to_stop(text)


def test_answers_are_not_stop_phrases() -> None:
    assert not wants_to_stop("算了算了 她是低保户")
    assert not wants_to_stop("不知道")


def test_subject_names_the_person() -> None:
    assert subject(None) == "您" and subject("本人") == "您"
    assert subject("母亲") == "您母亲" and subject("配偶") == "您老伴"


def test_profile_keeps_only_known_facts() -> None:
    slots = {
        "age": "81-89",
        "economic_status": "低保户",
        "self_care": DONT_KNOW,
        "living": "胡话",
        "disability": NO,
        "special_family": YES,
        "hukou_local": DONT_KNOW,
    }
    assert profile_from_slots(slots) == {
        "age": AgeReading(81, 89),
        "economic_status": "低保",
        "disability": False,
        "special_family": True,
    }
    assert profile_from_slots({"age": "八十三"}) == {"age": 83}


def test_next_fact_asks_what_settles_most_and_stops() -> None:
    first = next_fact({}, "赣州市")
    assert first is not None
    assert next_fact({first: DONT_KNOW}, "赣州市") not in (None, first)
    answered = {"age": "85", "economic_status": "特困", "self_care": "失能", "living": "独居"}
    answered["disability"] = NO
    assert len(answered) == MAX_FACTS and next_fact(answered, "赣州市") is None


def test_contradictory_answers_are_both_left_unknown() -> None:
    slots = {"disability": NO, "receives_disability_care_subsidy": YES, "age": "80"}
    assert profile_from_slots(slots) == {"age": 80}
