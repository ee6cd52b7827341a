"""Emergencies reported to the bot: recorded first, so no alert is lost even
if the caller hangs up before answering the follow-up question."""

from __future__ import annotations

from sqlalchemy import select

from knowledge.db import UnitOfWork
from knowledge.models import EmergencyAlert

MAX_MESSAGE_CHARS = 1000


def record_emergency(uow: UnitOfWork, sender_id: str, message: str) -> EmergencyAlert:
    alert = EmergencyAlert(sender_id=sender_id, message=message[:MAX_MESSAGE_CHARS])
    uow.session.add(alert)
    uow.session.flush()
    return alert


def request_contact_notification(uow: UnitOfWork, sender_id: str) -> EmergencyAlert | None:
    """Mark the caller's latest alert as 'please notify my contact'."""
    stmt = (
        select(EmergencyAlert)
        .where(EmergencyAlert.sender_id == sender_id)
        .order_by(EmergencyAlert.id.desc())
        .limit(1)
    )
    alert = uow.session.execute(stmt).scalars().first()
    if alert is not None:
        alert.notify_contact = True
        uow.session.flush()
    return alert
