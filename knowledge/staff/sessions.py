"""Server-side staff sessions, shared by every gateway replica.

The browser holds a random token; the database holds only its SHA-256, the
user, and when the session ends: after `session_idle` without use (the
expiry slides with each request) and never later than `session_max` after
login. The CSRF token is an HMAC of the session token: it needs no storage,
changes with every login, and cannot be computed without the cookie.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import delete, or_, select, update
from sqlalchemy.engine import Engine

from knowledge.db import UnitOfWork, unit_of_work
from knowledge.models import StaffSession, StaffUser
from knowledge.models.base import utcnow
from knowledge.settings import StaffSettings

TOKEN_BYTES = 32
CSRF_CONTEXT = b"yinling-staff-csrf"
# Move the expiry at most once a minute, not with a write on every request.
SLIDE_STEP = timedelta(minutes=1)


@dataclass(frozen=True)
class StaffIdentity:
    """Who is making a request, as the gateway needs it (no ORM object)."""

    session_id: int
    user_id: int
    username: str
    display_name: str
    role: str
    csrf_token: str


@dataclass(frozen=True)
class NewSession:
    token: str  # for the cookie only; never stored or logged
    identity: StaffIdentity


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def csrf_token_for(token: str) -> str:
    digest = hmac.new(token.encode("utf-8"), CSRF_CONTEXT, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode("ascii").rstrip("=")


def csrf_matches(token: str, candidate: str | None) -> bool:
    if candidate is None:
        return False
    return hmac.compare_digest(csrf_token_for(token).encode(), candidate.encode("utf-8"))


def _identity(session: StaffSession, user: StaffUser, token: str) -> StaffIdentity:
    return StaffIdentity(
        session_id=session.id,
        user_id=user.id,
        username=user.username,
        display_name=user.display_name,
        role=user.role,
        csrf_token=csrf_token_for(token),
    )


def start_session(uow: UnitOfWork, user: StaffUser, settings: StaffSettings) -> NewSession:
    now = utcnow()
    token = secrets.token_urlsafe(TOKEN_BYTES)
    session = StaffSession(
        token_hash=token_hash(token),
        user_id=user.id,
        created_at=now,
        expires_at=now + min(settings.session_idle, settings.session_max),
    )
    uow.session.add(session)
    uow.session.flush()
    return NewSession(token, _identity(session, user, token))


def resume_session(
    token: str, settings: StaffSettings, engine: Engine | None = None
) -> StaffIdentity | None:
    """The identity behind `token`, its expiry moved on; None when the token
    is unknown, revoked or expired, or its user has been deactivated.

    The check and the (at most once a minute) move of the expiry are two
    transactions: on SQLite one that reads and then writes would have to
    lock out every other writer on every request.
    """
    now = utcnow()
    with unit_of_work(engine) as uow:
        row = uow.session.execute(
            select(StaffSession, StaffUser)
            .join(StaffUser, StaffUser.id == StaffSession.user_id)
            .where(StaffSession.token_hash == token_hash(token))
        ).one_or_none()
    if row is None:
        return None
    session, user = row
    ends = session.created_at + settings.session_max
    if session.revoked_at is not None or not user.active or min(session.expires_at, ends) <= now:
        return None
    slid = min(now + settings.session_idle, ends)
    if slid - session.expires_at >= SLIDE_STEP:
        with unit_of_work(engine) as uow:
            uow.session.execute(
                update(StaffSession)
                .where(StaffSession.id == session.id, StaffSession.revoked_at.is_(None))
                .values(expires_at=slid)
            )
    return _identity(session, user, token)


def end_session(uow: UnitOfWork, session_id: int) -> None:
    uow.session.execute(
        update(StaffSession)
        .where(StaffSession.id == session_id, StaffSession.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )


def revoke_sessions(uow: UnitOfWork, user_id: int) -> None:
    """End every open session of a user (deactivated, or a new password)."""
    uow.session.execute(
        update(StaffSession)
        .where(StaffSession.user_id == user_id, StaffSession.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )


def forget_ended_sessions(uow: UnitOfWork, user_id: int) -> None:
    """Delete a user's revoked and expired sessions, so the table holds
    about one row per live login."""
    uow.session.execute(
        delete(StaffSession).where(
            StaffSession.user_id == user_id,
            or_(StaffSession.revoked_at.is_not(None), StaffSession.expires_at <= utcnow()),
        )
    )
