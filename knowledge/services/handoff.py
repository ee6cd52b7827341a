"""Hand-off of a conversation from the bot to a 养老顾问.

The bot keeps answering (and keeps catching emergencies) until an advisor
claims the conversation; only then is the caller's Rasa conversation paused.
Asking for a person twice updates the waiting record instead of queueing the
caller twice.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select

from knowledge.db import UnitOfWork
from knowledge.models import Handoff

MAX_TRANSCRIPT_TURNS = 200
ACTIVE_STATUSES = ("open", "claimed")


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
