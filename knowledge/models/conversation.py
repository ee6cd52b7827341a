"""Records the bot leaves for people: hand-offs to a 养老顾问 and emergencies."""

from __future__ import annotations

from sqlalchemy import JSON, Boolean, Column, DateTime, Integer, String, Text

from knowledge.models.base import Base, utcnow


class Handoff(Base):
    """A conversation the bot passed to a human advisor.

    `open` waits in the advisors' queue; `claimed` means an advisor has taken
    it over (the bot is paused for that caller); `closed` ends it.
    """

    __tablename__ = "handoffs"

    id = Column(Integer, primary_key=True)
    sender_id = Column(String(128), nullable=False, index=True)
    status = Column(String(16), nullable=False, default="open", index=True)
    reason = Column(String(200), nullable=False, default="")
    transcript = Column(JSON, nullable=False, default=list)
    claimed_by = Column(String(64), nullable=True)
    created_at = Column(DateTime, nullable=False, default=utcnow)
    updated_at = Column(DateTime, nullable=False, default=utcnow, onupdate=utcnow)


class EmergencyAlert(Base):
    """An emergency the caller reported; advisors see it first in their queue."""

    __tablename__ = "emergency_alerts"

    id = Column(Integer, primary_key=True)
    sender_id = Column(String(128), nullable=False, index=True)
    message = Column(Text, nullable=False)
    notify_contact = Column(Boolean, nullable=False, default=False)
    status = Column(String(16), nullable=False, default="new", index=True)
    created_at = Column(DateTime, nullable=False, default=utcnow)
