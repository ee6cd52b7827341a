"""A hand-off end to end through the real gateway, Rasa and action server, in
both deployments (SQLite; PostgreSQL trackers with the Redis lock store): the
bot queues the conversation, an advisor claims it and Rasa goes quiet for
that caller, the advisor's reply lands in the caller's conversation, and
closing hands the caller back to the bot."""

from __future__ import annotations

import uuid

import httpx

from gateway.auth import CSRF_HEADER
from knowledge.db import unit_of_work
from knowledge.staff.users import create_user
from tests.e2e.conftest import RunningStack

PASSWORD = "e2e advisor passphrase"


def advisor(stack: RunningStack) -> tuple[httpx.Client, str]:
    """A logged-in advisor's HTTP client and CSRF token."""
    username = f"adv-{uuid.uuid4().hex[:8]}"
    with unit_of_work(stack.engine) as uow:
        create_user(uow, username, "王顾问", "advisor", PASSWORD)
    client = httpx.Client(base_url=stack.url, timeout=60)
    login = client.post("/api/staff/login", json={"username": username, "password": PASSWORD})
    assert login.status_code == 200, login.text
    return client, login.json()["csrf_token"]


def history(stack: RunningStack, sender: str) -> list[dict]:
    response = httpx.get(f"{stack.url}/api/chat/{sender}/history", timeout=30)
    assert response.status_code == 200
    return list(response.json())


def test_an_advisor_takes_over_answers_and_hands_back(stack: RunningStack) -> None:
    sender = f"e2e-handoff-{uuid.uuid4().hex[:8]}"
    (queued,) = stack.chat(sender, "我要找真人")[-1:]
    assert queued["custom"] == {"kind": "handoff", "state": "queued"}
    staff, csrf = advisor(stack)
    try:
        (record,) = (
            h
            for h in staff.get("/api/staff/handoffs").json()["handoffs"]
            if h["sender_id"] == sender
        )
        url = f"/api/staff/handoffs/{record['id']}"
        assert staff.post(f"{url}/claim", headers={CSRF_HEADER: csrf}).status_code == 200

        # Paused: the caller is heard (and recorded) but the bot says nothing.
        assert stack.chat(sender, "我妈腿脚不好，想问问上门服务") == []
        reply = staff.post(
            f"{url}/reply",
            json={"text": "您好，上门助浴每周可以约一次。"},
            headers={CSRF_HEADER: csrf},
        )
        assert reply.status_code == 200
        detail = staff.get(url).json()
        said = [(t["role"], t["text"]) for t in detail["turns"]]
        assert ("user", "我妈腿脚不好，想问问上门服务") in said
        assert said[-1] == ("bot", "您好，上门助浴每周可以约一次。")
        assert detail["turns"][-1]["custom"] == {"kind": "advisor_message", "advisor": "王顾问"}

        closed = staff.post(f"{url}/close", headers={CSRF_HEADER: csrf})
        assert closed.status_code == 200 and closed.json()["status"] == "closed"
        late = staff.post(f"{url}/reply", json={"text": "还在吗"}, headers={CSRF_HEADER: csrf})
        assert late.status_code == 409
    finally:
        staff.close()

    # The bot answers again, and the family's history tells the whole story in order.
    assert stack.texts(sender, "你好")
    kinds = [(t["custom"] or {}).get("kind") for t in history(stack, sender)]
    assert kinds.index("handoff") < kinds.index("advisor_message")
    states = [
        t["custom"]["state"]
        for t in history(stack, sender)
        if (t["custom"] or {}).get("kind") == "handoff"
    ]
    assert states == ["queued", "claimed", "closed"]
