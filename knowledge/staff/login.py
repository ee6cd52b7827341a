"""Logging a staff member in: throttled, and the same answer in about the
same time for an unknown user, a wrong password and a deactivated account.

It runs as three short transactions rather than one: the attempt must be
committed before failures are counted, so that replicas counting at the
same moment see each other's attempts, and no transaction stays open while
scrypt runs.
"""

from __future__ import annotations

from sqlalchemy.engine import Engine

from knowledge.db import unit_of_work
from knowledge.models import StaffUser
from knowledge.models.base import utcnow
from knowledge.settings import StaffSettings
from knowledge.staff.errors import LoginFailedError, TooManyAttemptsError
from knowledge.staff.passwords import verify_or_decoy
from knowledge.staff.sessions import NewSession, forget_ended_sessions, start_session
from knowledge.staff.throttle import clear_failures, record_attempt, seconds_blocked
from knowledge.staff.users import find_user, normalise_username


def log_in(
    username: str,
    password: str,
    client_ip: str,
    settings: StaffSettings,
    engine: Engine | None = None,
) -> NewSession:
    """A new session, or LoginFailedError / TooManyAttemptsError."""
    username = normalise_username(username)
    with unit_of_work(engine) as uow:
        attempt_id = record_attempt(uow, username, client_ip, settings)
    with unit_of_work(engine) as uow:
        wait_s = seconds_blocked(uow, attempt_id, username, client_ip, settings)
        user = find_user(uow, username)
    if wait_s:
        raise TooManyAttemptsError(wait_s)
    verified = verify_or_decoy(password, user.password_hash if user else None)
    if not verified or user is None or not user.active:
        raise LoginFailedError()
    with unit_of_work(engine) as uow:
        uow.lock_for_writing()
        current = uow.session.get(StaffUser, user.id)
        if current is None or not current.active:  # deactivated meanwhile
            raise LoginFailedError()
        clear_failures(uow, username)
        current.last_login_at = utcnow()
        forget_ended_sessions(uow, current.id)
        return start_session(uow, current, settings)
