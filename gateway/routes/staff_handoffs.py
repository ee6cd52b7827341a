"""The hand-off queue: conversations the bot passed to a 养老顾问.

GET  /api/staff/handoffs                 {"emergencies": [...], "handoffs": [...]}, oldest first
GET  /api/staff/handoffs/{id}            the record and the live conversation (turns)
POST /api/staff/handoffs/{id}/claim      the bot pauses; the family sees who took over
POST /api/staff/handoffs/{id}/reply      {"text"} into the family's conversation
POST /api/staff/handoffs/{id}/close      the bot resumes
POST /api/staff/emergencies/{id}/ack     an emergency has been seen to

What the advisor says is added to the caller's Rasa conversation as a bot
utterance marked `advisor_message`; the family chat polls the
conversation while a hand-off is under way and shows it. Claiming pauses
Rasa for that caller (a `pause` event: messages are still recorded, the
bot no longer answers) and closing resumes it.
"""

from __future__ import annotations

from typing import Any

from fastapi import Request
from pydantic import BaseModel, StrictStr, validator

from gateway.auth import Staff, staff_router
from gateway.errors import RefusalError
from gateway.routes.chat import turns
from gateway.schemas import utc_iso
from knowledge.db import UnitOfWork, in_transaction
from knowledge.models import EmergencyAlert, Handoff
from knowledge.services import handoff as handoffs
from knowledge.staff.sessions import StaffIdentity
from knowledge.staff.users import ADMIN

router = staff_router(prefix="/api/staff")
MAX_REPLY_CHARS = 500


def handoff_json(handoff: Handoff) -> dict[str, Any]:
    return {
        "id": handoff.id,
        "sender_id": handoff.sender_id,
        "status": handoff.status,
        "reason": handoff.reason,
        "claimed_by": handoff.claimed_by,
        "created_at": utc_iso(handoff.created_at),
        "updated_at": utc_iso(handoff.updated_at),
    }


def emergency_json(alert: EmergencyAlert) -> dict[str, Any]:
    return {
        "id": alert.id,
        "sender_id": alert.sender_id,
        "message": alert.message,
        "notify_contact": alert.notify_contact,
        "created_at": utc_iso(alert.created_at),
    }


def _queue(uow: UnitOfWork) -> dict[str, Any]:
    return {
        "emergencies": [emergency_json(a) for a in handoffs.new_emergencies(uow)],
        "handoffs": [handoff_json(h) for h in handoffs.queue(uow)],
    }


async def _do(work: Any, *args: Any) -> Any:
    """Run a hand-off service call; its refusals become API errors."""
    try:
        return await in_transaction(work, *args)
    except handoffs.HandoffError as error:
        code = "not_found" if error.status == 404 else "conflict"
        raise RefusalError(error.status, code, error.message) from None


@router.get("/handoffs")
async def queue() -> Any:
    return await in_transaction(_queue)


@router.get("/handoffs/{handoff_id}")
async def show(handoff_id: int, request: Request) -> Any:
    record = await _do(lambda uow: handoff_json(handoffs.get_handoff(uow, handoff_id)))
    events = await request.app.state.rasa.events(record["sender_id"])
    return {**record, "turns": turns(events)}


def _advisor_says(text: str, kind: str, staff: StaffIdentity, **custom: Any) -> dict[str, Any]:
    """A Rasa bot-utterance event the family chat shows as the advisor's."""
    payload = {"kind": kind, "advisor": staff.display_name, **custom}
    return {"event": "bot", "text": text, "data": {"custom": payload}}


@router.post("/handoffs/{handoff_id}/claim")
async def claim(handoff_id: int, request: Request, staff: Staff) -> Any:
    def _claim(uow: UnitOfWork) -> dict[str, Any]:
        return handoff_json(handoffs.claim(uow, handoff_id, staff.username))

    record = await _do(_claim)
    greeting = f"您好，我是养老顾问{staff.display_name}，接下来由我来回答您。"
    events = [{"event": "pause"}, _advisor_says(greeting, "handoff", staff, state="claimed")]
    try:
        await request.app.state.rasa.append_events(record["sender_id"], events)
    except Exception:
        await in_transaction(handoffs.release, handoff_id, staff.username)
        raise
    return record


class Reply(BaseModel):
    text: StrictStr

    class Config:
        extra = "forbid"

    @validator("text")
    def _text(cls, value: str) -> str:  # noqa: N805
        value = value.strip()
        if not value:
            raise ValueError("回复是空的")
        if len(value) > MAX_REPLY_CHARS:
            raise ValueError(f"回复太长了，请不超过{MAX_REPLY_CHARS}个字，分几次发")
        return value


async def _held(handoff_id: int, staff: StaffIdentity) -> dict[str, Any]:
    """The record, if this staff member may speak in the conversation."""
    admin = staff.role == ADMIN
    return await _do(
        lambda uow: handoff_json(handoffs.held_by(uow, handoff_id, staff.username, admin))
    )


@router.post("/handoffs/{handoff_id}/reply")
async def reply(handoff_id: int, body: Reply, request: Request, staff: Staff) -> Any:
    record = await _held(handoff_id, staff)
    event = _advisor_says(body.text, "advisor_message", staff)
    await request.app.state.rasa.append_events(record["sender_id"], [event])
    return {"ok": True}


@router.post("/handoffs/{handoff_id}/close")
async def close(handoff_id: int, request: Request, staff: Staff) -> Any:
    """The bot resumes before the record closes: if Rasa cannot be reached,
    nothing changes and the advisor can try again."""
    record = await _held(handoff_id, staff)
    farewell = "养老顾问已经结束了这次对话。还有什么事，直接跟我说就行。"
    events = [_advisor_says(farewell, "handoff", staff, state="closed"), {"event": "resume"}]
    await request.app.state.rasa.append_events(record["sender_id"], events)
    admin = staff.role == ADMIN
    return await _do(
        lambda uow: handoff_json(handoffs.close(uow, handoff_id, staff.username, admin))
    )


@router.post("/emergencies/{alert_id}/ack")
async def acknowledge(alert_id: int) -> Any:
    return await _do(lambda uow: emergency_json(handoffs.acknowledge_emergency(uow, alert_id)))
