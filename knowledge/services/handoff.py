"""Hand-off of a conversation from the bot to a 养老顾问.

The bot keeps answering (and keeps catching emergencies) until an advisor
claims the conversation; only then is the caller's Rasa conversation paused.
Asking for a person twice updates the waiting record instead of queueing the
caller twice. Lifecycle: open → claimed (by one advisor) → closed; only
the advisor holding a conversation replies in it or closes it, and an
admin may close any. The conversation itself (what was said, including the
advisor's replies) lives in Rasa's tracker; this record is the queue.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select

from knowledge.db import UnitOfWork
from knowledge.models import EmergencyAlert, Handoff

MAX_TRANSCRIPT_TURNS = 200
OPEN, CLAIMED, CLOSED = "open", "claimed", "closed"
ACTIVE_STATUSES = (OPEN, CLAIMED)


class HandoffError(Exception):
    """Why an advisor cannot do this with the conversation, in Chinese."""

    status = 409

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class HandoffNotFoundError(HandoffError):
    status = 404


def open_handoff(
    uow: UnitOfWork, sender_id: str, transcript: Sequence[dict], reason: str
) -> Handoff:
    """Queue the conversation for an advisor (idempotent per caller)."""
    turns = list(transcript)[-MAX_TRANSCRIPT_TURNS:]
    existing = active_handoff(uow, sender_id)
    if existing is not None:
        existing.transcript = turns
        existing.reason = reason[:200]
        uow.session.flush()
        return existing
    handoff = Handoff(sender_id=sender_id, transcript=turns, reason=reason[:200])
    uow.session.add(handoff)
    uow.session.flush()
    return handoff


def active_handoff(uow: UnitOfWork, sender_id: str) -> Handoff | None:
    """The caller's hand-off that is still waiting or being handled, if any."""
    stmt = (
        select(Handoff)
        .where(Handoff.sender_id == sender_id, Handoff.status.in_(ACTIVE_STATUSES))
        .order_by(Handoff.id.desc())
        .limit(1)
    )
    return uow.session.execute(stmt).scalars().first()


def queue(uow: UnitOfWork) -> list[Handoff]:
    """Conversations waiting for or held by an advisor, oldest first."""
    stmt = (
        select(Handoff)
        .where(Handoff.status.in_(ACTIVE_STATUSES))
        .order_by(Handoff.created_at, Handoff.id)
    )
    return list(uow.session.execute(stmt).scalars())


def get_handoff(uow: UnitOfWork, handoff_id: int, for_update: bool = False) -> Handoff:
    handoff = uow.session.get(Handoff, handoff_id, with_for_update=for_update or None)
    if handoff is None:
        raise HandoffNotFoundError(f"没有编号为{handoff_id}的转人工记录。")
    return handoff


def _locked(uow: UnitOfWork, handoff_id: int) -> Handoff:
    """The record, held until commit (SQLite: the write lock; PostgreSQL: the row)."""
    uow.lock_for_writing()
    return get_handoff(uow, handoff_id, for_update=True)


def claim(uow: UnitOfWork, handoff_id: int, advisor: str) -> Handoff:
    """Take a waiting conversation; two advisors clicking at once get one winner."""
    handoff = _locked(uow, handoff_id)
    if handoff.status == CLOSED:
        raise HandoffError("这个对话已经结束了。")
    if handoff.status == CLAIMED and handoff.claimed_by != advisor:
        raise HandoffError(f"这个对话已经由{handoff.claimed_by}接手了。")
    handoff.status, handoff.claimed_by = CLAIMED, advisor
    return handoff


def release(uow: UnitOfWork, handoff_id: int, advisor: str) -> None:
    """Undo a claim whose pause never reached the conversation."""
    handoff = _locked(uow, handoff_id)
    if handoff.status == CLAIMED and handoff.claimed_by == advisor:
        handoff.status, handoff.claimed_by = OPEN, None


def held_by(
    uow: UnitOfWork, handoff_id: int, advisor: str, admin: bool = False, lock: bool = False
) -> Handoff:
    """The conversation, if this advisor holds it (an admin may act on any
    claimed one); replying or closing needs it."""
    handoff = _locked(uow, handoff_id) if lock else get_handoff(uow, handoff_id)
    if handoff.status == CLOSED:
        raise HandoffError("这个对话已经结束了。")
    if handoff.status == OPEN:
        raise HandoffError("请先点“接手”，再回复或结束。")
    if handoff.claimed_by != advisor and not admin:
        raise HandoffError(f"这个对话由{handoff.claimed_by}在处理。")
    return handoff


def close(uow: UnitOfWork, handoff_id: int, advisor: str, admin: bool = False) -> Handoff:
    handoff = held_by(uow, handoff_id, advisor, admin, lock=True)
    handoff.status = CLOSED
    return handoff


def new_emergencies(uow: UnitOfWork) -> list[EmergencyAlert]:
    """Emergencies no advisor has acknowledged yet, newest first."""
    stmt = (
        select(EmergencyAlert)
        .where(EmergencyAlert.status == "new")
        .order_by(EmergencyAlert.created_at.desc(), EmergencyAlert.id.desc())
    )
    return list(uow.session.execute(stmt).scalars())


def acknowledge_emergency(uow: UnitOfWork, alert_id: int) -> EmergencyAlert:
    alert = uow.session.get(EmergencyAlert, alert_id)
    if alert is None:
        raise HandoffNotFoundError(f"没有编号为{alert_id}的紧急求助。")
    alert.status = "seen"
    return alert
