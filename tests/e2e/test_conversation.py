"""Conversations through the real gateway → Rasa → action server → database."""

from __future__ import annotations

import uuid

import httpx
from sqlalchemy import inspect, select

from knowledge.db import UnitOfWork
from knowledge.models import EmergencyAlert, Handoff
from tests.e2e.conftest import RunningStack


def caller() -> str:
    return f"e2e-{uuid.uuid4().hex[:10]}"


def test_all_components_are_healthy(stack: RunningStack) -> None:
    body = httpx.get(f"{stack.url}/health", timeout=10).json()
    assert body == {"status": "ok", "components": {"rasa": "ok", "actions": "ok", "database": "ok"}}


def test_greeting_in_rasa_rest_format(stack: RunningStack) -> None:
    sender = caller()
    messages = stack.chat(sender, "你好")
    assert messages[0]["recipient_id"] == sender
    assert "银龄通" in messages[0]["text"]
    assert [b["title"] for b in messages[0]["buttons"]] == [
        "查政策",
        "查补贴",
        "订餐",
        "约上门服务",
    ]


def test_region_is_remembered_across_turns(stack: RunningStack) -> None:
    sender = caller()
    assert any("无锡市" in t for t in stack.texts(sender, "俺住在宜兴"))
    stack.texts(sender, "谢谢你")
    assert stack.tracker(sender)["slots"]["region"] == "无锡市"


def test_repeat_says_the_last_turn_again(stack: RunningStack) -> None:
    sender = caller()
    first = stack.texts(sender, "你好")
    assert stack.texts(sender, "没听清，再说一遍") == first


def test_emergency_mid_conversation_comes_first_and_is_recorded(stack: RunningStack) -> None:
    sender = caller()
    stack.texts(sender, "你好")
    stack.texts(sender, "我在张店")
    replies = stack.texts(sender, "俺老伴摔倒了起不来了")
    assert "120" in replies[0]
    assert any("紧急联系人" in t for t in replies)
    assert any("养老顾问" in t for t in stack.texts(sender, "要"))
    with UnitOfWork(stack.engine) as uow:
        alert = uow.session.execute(
            select(EmergencyAlert).where(EmergencyAlert.sender_id == sender)
        ).scalar_one()
    assert "摔倒" in alert.message and alert.notify_contact


def test_handoff_is_recorded_with_the_transcript(stack: RunningStack) -> None:
    sender = caller()
    stack.texts(sender, "你好")
    replies = stack.texts(sender, "我要找真人说话")
    assert any("养老顾问" in t for t in replies)
    with UnitOfWork(stack.engine) as uow:
        handoff = uow.session.execute(
            select(Handoff).where(Handoff.sender_id == sender)
        ).scalar_one()
    texts = [turn["text"] for turn in handoff.transcript]
    assert texts[0] == "你好" and "我要找真人说话" in texts


def test_out_of_scope_is_redirected_then_a_person_offered(stack: RunningStack) -> None:
    sender = caller()
    first = stack.texts(sender, "今天天气咋样")
    assert "查养老政策" in first[0]
    second = stack.texts(sender, "给我讲个笑话吧")
    assert "养老顾问" in second[0]


def test_hostile_input_is_answered_not_executed(stack: RunningStack) -> None:
    sender = caller()
    for message in [
        "<script>alert('x')</script>",
        "'; DROP TABLE handoffs; --",
        "\u0000\u202e控制字符",
        "😀😀😀",
    ]:
        replies = stack.chat(sender, message)
        # Words for the person, plus any payload for the page (a hand-off
        # offer that is taken up comes with {"kind": "handoff"}).
        assert any(isinstance(r.get("text"), str) for r in replies)
        assert all(isinstance(r.get("text"), str) or "custom" in r for r in replies)
    assert "handoffs" in inspect(stack.engine).get_table_names()


def test_oversized_message_is_refused_politely(stack: RunningStack) -> None:
    response = httpx.post(
        f"{stack.url}/api/chat", json={"sender": caller(), "message": "养" * 10_000}, timeout=30
    )
    assert response.status_code in (413, 422)
    assert response.json()["detail"]


def test_conversations_are_kept_apart(stack: RunningStack) -> None:
    a, b = caller(), caller()
    stack.texts(a, "我在宜兴")
    stack.texts(b, "我在万州")
    assert stack.tracker(a)["slots"]["region"] == "无锡市"
    assert stack.tracker(b)["slots"]["region"] == "重庆市"


def test_rasa_http_api_requires_the_token(stack: RunningStack) -> None:
    sender = caller()
    stack.texts(sender, "你好")
    for params in ({}, {"token": "wrong"}):
        response = httpx.get(f"{stack.rasa_url}/conversations/{sender}/tracker", params=params)
        assert response.status_code == 401
    assert stack.tracker(sender)["sender_id"] == sender


def test_policy_answer_with_source_and_follow_up_for_another_region(stack: RunningStack) -> None:
    sender = caller()
    messages = stack.chat(sender, "赣州的家庭养老床位政策是怎么规定的")
    assert "赣州规划" in messages[0]["text"]
    # Rasa's REST channel sends a message's custom payload as its own entry.
    custom = next(m["custom"] for m in messages if "custom" in m)
    assert custom["kind"] == "policy_answer"
    assert custom["citations"][0]["source"] == "001_5fc364c34bb5a4b3.txt"
    assert messages[-1]["text"].startswith("出处：《赣州规划》")
    follow_up = stack.texts(sender, "那淄博呢")
    assert "淄博规划" in follow_up[0]
    assert stack.tracker(sender)["slots"]["region"] == "淄博市"


def test_policy_question_without_region_asks_once(stack: RunningStack) -> None:
    sender = caller()
    assert "哪里的政策" in stack.texts(sender, "适老化改造是怎么回事")[0]
    assert "无锡规划" in stack.texts(sender, "宜兴")[0]


def parse(stack: RunningStack, text: str) -> dict:
    response = httpx.post(
        f"{stack.rasa_url}/model/parse",
        params={"token": stack.token},
        json={"text": text},
        timeout=30,
    )
    response.raise_for_status()
    return response.json()


def entities(parsed: dict) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for entity in parsed["entities"]:
        found.setdefault(entity["entity"], set()).add(str(entity["value"]))
    return found


def test_entities_are_extracted_and_normalised(stack: RunningStack) -> None:
    assert "无锡市" in entities(parse(stack, "俺住在宜兴"))["region"]
    assert "赣州市" in entities(parse(stack, "我在章贡区"))["region"]
    assert "重庆市" in entities(parse(stack, "渝中区的"))["region"]
    assert "淄博市" in entities(parse(stack, "张店这边的"))["region"]
    assert entities(parse(stack, "我今年八十二了"))["age"] == {"八十二"}
    assert "八十好几" in entities(parse(stack, "俺娘八十好几了"))["age"]
    booking = entities(parse(stack, "给我妈订明天中午的饭，送到家"))
    assert booking["relation"] == {"母亲"} and "明天" in booking["date"]
    assert "中午" in booking["time"]
    assert "失能" in entities(parse(stack, "俺娘瘫在床上了"))["self_care"]
