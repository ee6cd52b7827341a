"""Core actions through the real rasa_sdk executor and a real database."""

from __future__ import annotations

from sqlalchemy import select

from actions.action_handoff import handoff_reason
from knowledge.db import UnitOfWork
from knowledge.models import EmergencyAlert, Handoff
from tests.actions.conftest import bot, slot, user

GREETING_BUTTONS = [{"title": "查政策", "payload": "/ask_policy"}]


def texts(result: dict) -> list[str]:
    return [r["text"] for r in result["responses"]]


def test_repeat_replays_the_previous_turn_with_its_buttons(run_action) -> None:
    events = [
        user("你好", "greet"),
        bot("您好，我是银龄通。", GREETING_BUTTONS),
        bot("第二句"),
        user("再说一遍", "repeat"),
    ]
    result = run_action("action_repeat", events)
    assert texts(result) == ["您好，我是银龄通。", "第二句"]
    assert result["responses"][0]["buttons"] == GREETING_BUTTONS


def test_repeat_with_nothing_said_yet_greets(run_action) -> None:
    result = run_action("action_repeat", [user("啥", "repeat")])
    assert result["responses"][0]["response"] == "utter_greet"


def test_redirect_offers_a_human_after_two_misunderstandings(run_action) -> None:
    first = run_action("action_redirect", [user("讲个笑话", "out_of_scope")])
    assert "查养老政策" in texts(first)[0]
    assert first["events"] == [
        {"event": "slot", "timestamp": None, "name": "offered_handoff", "value": False}
    ]
    second = run_action(
        "action_redirect",
        [user("讲个笑话", "out_of_scope"), bot("不好意思"), user("asdf", "nlu_fallback")],
    )
    assert "养老顾问" in texts(second)[0]
    assert second["events"][0]["value"] is True


def test_redirect_count_resets_after_an_understood_message(run_action) -> None:
    events = [user("讲个笑话", "out_of_scope"), user("你好", "greet"), user("asdf", "nlu_fallback")]
    assert run_action("action_redirect", events)["events"][0]["value"] is False


def test_emergency_answers_first_and_records_an_alert(run_action, use_database) -> None:
    result = run_action("action_emergency", [user("俺老伴摔倒了起不来", "emergency")])
    assert "120" in texts(result)[0] and "119" in texts(result)[0]
    with UnitOfWork() as uow:
        alert = uow.session.execute(select(EmergencyAlert)).scalar_one()
    assert alert.sender_id == "caller-1" and "摔倒" in alert.message
    notified = run_action("action_notify_contact", [user("要", "affirm")])
    assert "养老顾问" in texts(notified)[0]
    with UnitOfWork() as uow:
        assert uow.session.execute(select(EmergencyAlert)).scalar_one().notify_contact


def test_emergency_still_answers_when_the_database_is_down(run_action, monkeypatch) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgresql://nobody@127.0.0.1:1/none")
    result = run_action("action_emergency", [user("救命", "emergency")])
    assert "120" in texts(result)[0]


def test_handoff_records_the_transcript(run_action, use_database, monkeypatch) -> None:
    monkeypatch.setenv("ADVISOR_HOTLINE", "0510-12345678")
    events = [user("你好", "greet"), bot("您好"), user("我要找真人", "request_human")]
    result = run_action("action_handoff", events, sender="family-7")
    assert "养老顾问" in texts(result)[0] and "0510-12345678" in texts(result)[0]
    with UnitOfWork() as uow:
        handoff = uow.session.execute(select(Handoff)).scalar_one()
    assert handoff.sender_id == "family-7" and handoff.status == "open"
    assert [t["text"] for t in handoff.transcript] == ["你好", "您好", "我要找真人"]


def test_handoff_reason_prefers_the_channels_words_then_the_callers() -> None:
    voice = {"text": "/request_human", "metadata": {"handoff_reason": "两次没听清"}}
    assert handoff_reason(voice) == "两次没听清"
    assert handoff_reason({"text": "我要找真人", "metadata": {}}) == "我要找真人"
    assert handoff_reason({"text": "/request_human"}) == "转人工"  # a button, not words
    assert handoff_reason({"text": "好", "metadata": {"handoff_reason": ["x"]}}) == "好"


def test_handoff_without_a_hotline_does_not_invent_one(run_action, use_database) -> None:
    result = run_action("action_handoff", [user("转人工", "request_human")])
    assert "居委会" in texts(result)[0]


def test_region_is_normalised_and_unknown_places_are_not_kept(run_action) -> None:
    said = [
        user("我在宜兴", "inform", entities=[{"entity": "region", "value": "宜兴"}]),
        slot("region", "宜兴"),
    ]
    events = run_action("action_validate_slot_mappings", said)["events"]
    assert {"name": "region", "value": "无锡市"} in [
        {"name": e["name"], "value": e["value"]} for e in events
    ]
    said = [
        user("我在北京", "inform", entities=[{"entity": "region", "value": "北京"}]),
        slot("region", "北京"),
    ]
    result = run_action("action_validate_slot_mappings", said)
    assert {e["name"]: e["value"] for e in result["events"]} == {
        "region": None,
        "unsupported_region": "北京",
    }


def test_acknowledge_says_which_region_was_understood(run_action) -> None:
    entity = [{"entity": "region", "value": "无锡市"}]
    result = run_action(
        "action_acknowledge_inform",
        [user("宜兴的", "inform", entities=entity)],
        slots={"region": "无锡市"},
    )
    assert "无锡市" in texts(result)[0]
    unknown = run_action(
        "action_acknowledge_inform",
        [user("北京", "inform", entities=[{"entity": "region", "value": "北京"}])],
        slots={"unsupported_region": "北京"},
    )
    assert "北京" in texts(unknown)[0] and "淄博市" in texts(unknown)[0]


def test_yes_to_an_offered_person_hands_off(run_action, use_database) -> None:
    result = run_action(
        "action_answer_handoff_offer", [user("好", "affirm")], slots={"offered_handoff": True}
    )
    assert "转给养老顾问" in texts(result)[0]
    with UnitOfWork() as uow:
        assert uow.session.execute(select(Handoff)).scalar_one().status == "open"


def test_yes_without_an_offer_does_not_hand_off(run_action, use_database) -> None:
    result = run_action(
        "action_answer_handoff_offer", [user("好", "affirm")], slots={"offered_handoff": False}
    )
    assert result["responses"][0]["response"] == "utter_ok_what_else"
    with UnitOfWork() as uow:
        assert uow.session.execute(select(Handoff)).first() is None
