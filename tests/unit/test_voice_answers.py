"""What a question invites the caller to say, and the choice between an
expected phrase and the recogniser's free reading (voice.answers)."""

from __future__ import annotations

import math

import pytest
import yaml

from voice.answers import (
    ANSWERS_FILE,
    MARGIN,
    UNSURE,
    UNSURE_MARGIN,
    Reading,
    best_answer,
    expected_answers,
    yes_no,
)


def test_the_yes_and_no_phrases_are_distinct_and_few() -> None:
    data = yaml.safe_load(ANSWERS_FILE.read_text(encoding="utf-8"))
    assert set(data) == {"affirm", "deny"}
    assert all(data.values()) and not set(data["affirm"]) & set(data["deny"])
    assert all(len(phrase) <= 4 for phrase in yes_no())  # lone answers, not sentences
    assert set(yes_no().values()) == {"affirm", "deny"}
    # That the bot reads each as its intent: tests/e2e/test_voice_turn.py.


def test_a_yes_no_question_invites_its_buttons_and_every_yes_and_no() -> None:
    read_back = [
        {"text": "我给您念一遍……对吗？"},
        {
            "text": "",
            "buttons": [
                {"title": "对，就这样订", "payload": "/affirm"},
                {"title": "不对", "payload": "/deny"},
            ],
        },
    ]
    expected = expected_answers(read_back)
    assert list(expected)[:2] == ["对，就这样订", "不对"]
    assert expected["对，就这样订"] == expected["是的"] == expected["中"] == "affirm"
    assert expected["不对"] == expected["不中"] == expected["不要"] == "deny"
    assert set(yes_no()) <= set(expected)


def test_quick_replies_invite_their_titles_meaning_their_payloads() -> None:
    menu = [
        {"text": "堂食还是送餐上门？", "buttons": [{"title": "堂食", "payload": "/inform{}"}]},
        {"text": "", "buttons": [{"title": "送餐上门", "payload": "/deliver"}, {"title": " "}]},
    ]
    assert expected_answers(menu) == {"堂食": "/inform{}", "送餐上门": "/deliver"}
    assert expected_answers([{"text": "赣州的高龄津贴……"}]) == {}
    assert expected_answers([]) == {}


YES_NO = {"对": "affirm", "对对对": "affirm", "中": "affirm", "不中": "deny", "不对": "deny"}


@pytest.mark.parametrize(
    ("scores", "free", "chosen"),
    [
        ({"对": -4.6, "不对": -11.7}, Reading("(字幕)", -25.0, 10), "对"),  # the reading: noise
        ({"不中": -3.9, "中": -6.0}, Reading("播中", -2.2, 3), "不中"),  # a slip, within MARGIN
        ({"对": -0.6, "对对对": -4.6}, Reading("对", -0.6, 2), "对"),  # the same words
        ({"对": -7.9, "不中": -9.1}, Reading("明天中午", -0.6, 5), None),  # something else
        ({"不对": -3.0, "对": -9.0}, Reading("无对，改成后天", -2.6, 8), None),  # said more
        ({"对": -3.0}, Reading("(字幕:郭文贵)", -25.0, 10), "对"),  # more, but noise
        ({"中": -6.2, "不中": -6.4}, Reading("拨中", -2.2, 3), UNSURE),  # a yes or a no?
        ({}, Reading("明天", -0.5, 3), None),
    ],
)
def test_an_expected_phrase_is_chosen_only_when_it_fits_and_is_clear(
    scores: dict[str, float], free: Reading, chosen: str | None
) -> None:
    assert best_answer(scores, YES_NO, free) == chosen


def test_the_margins_are_the_boundaries() -> None:
    free = Reading("有", -1.0, 2)
    assert best_answer({"对": -1.0 - MARGIN}, YES_NO, free) == "对"
    just_below = math.nextafter(-1.0 - MARGIN, -math.inf)
    assert best_answer({"对": just_below}, YES_NO, free) is None
    assert best_answer({"对": -3.0, "不对": -3.0 - UNSURE_MARGIN}, YES_NO, free) == "对"
    assert best_answer({"对": -3.0, "对对对": -3.0}, YES_NO, free) == "对"  # same meaning
