"""Login throttling in the database, so every gateway replica counts the
same failures: at most `max_failures_per_user` per username and
`max_failures_per_ip` per client address within `failure_window`.

An attempt is written as a failure *before* its password is checked, and
only then are failures counted: parallel guesses cannot all slip in under
the limit. A success deletes the username's failures; an attempt refused
for being over the limit deletes its own row, so retrying while blocked
does not prolong the block.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import InstrumentedAttribute

from knowledge.db import UnitOfWork
from knowledge.models import StaffLoginFailure
from knowledge.models.base import utcnow
from knowledge.settings import StaffSettings

USERNAME_WIDTH, CLIENT_IP_WIDTH = 64, 45  # the columns' widths


def record_attempt(uow: UnitOfWork, username: str, client_ip: str, settings: StaffSettings) -> int:
    """Write the attempt as a failure (and drop failures too old to count)."""
    now = utcnow()
    uow.session.execute(
        delete(StaffLoginFailure).where(
            StaffLoginFailure.attempted_at < now - settings.failure_window
        )
    )
    attempt = StaffLoginFailure(
        username=username[:USERNAME_WIDTH], client_ip=client_ip[:CLIENT_IP_WIDTH], attempted_at=now
    )
    uow.session.add(attempt)
    uow.session.flush()
    return attempt.id


def _wait_s(times: list[datetime], limit: int, window: timedelta, now: datetime) -> int:
    """Seconds until fewer than `limit` of the failures at `times` are within
    the window; 0 when fewer already are."""
    if len(times) < limit:
        return 0
    ages_out = sorted(times)[len(times) - limit] + window
    return max(1, math.ceil((ages_out - now).total_seconds()))


def seconds_blocked(
    uow: UnitOfWork, attempt_id: int, username: str, client_ip: str, settings: StaffSettings
) -> int:
    """0 when the attempt may go on; otherwise the seconds until one could,
    and the attempt is deleted."""
    uow.lock_for_writing()
    now = utcnow()

    def earlier(column: InstrumentedAttribute, value: str) -> list[datetime]:
        return list(
            uow.session.execute(
                select(StaffLoginFailure.attempted_at).where(
                    column == value,
                    StaffLoginFailure.attempted_at > now - settings.failure_window,
                    StaffLoginFailure.id != attempt_id,
                )
            ).scalars()
        )

    checks = (
        (StaffLoginFailure.username, username[:USERNAME_WIDTH], settings.max_failures_per_user),
        (StaffLoginFailure.client_ip, client_ip[:CLIENT_IP_WIDTH], settings.max_failures_per_ip),
    )
    wait = max(
        _wait_s(earlier(column, value), limit, settings.failure_window, now)
        for column, value, limit in checks
    )
    if wait:
        uow.session.execute(delete(StaffLoginFailure).where(StaffLoginFailure.id == attempt_id))
    return wait


def clear_failures(uow: UnitOfWork, username: str) -> None:
    uow.session.execute(
        delete(StaffLoginFailure).where(StaffLoginFailure.username == username[:USERNAME_WIDTH])
    )
