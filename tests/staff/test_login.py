"""Logging in through the service on SQLite and PostgreSQL: parallel
guesses and the failure table."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.engine import Engine

from knowledge.db import unit_of_work
from knowledge.models import StaffLoginFailure
from knowledge.settings import StaffSettings
from knowledge.staff.errors import LoginFailedError, TooManyAttemptsError
from knowledge.staff.login import log_in
from knowledge.staff.users import create_user

PASSWORD = "correct horse battery"
SETTINGS = StaffSettings.from_env()
GUESSES = 12


@pytest.fixture
def wang(engine: Engine) -> str:
    with unit_of_work(engine) as uow:
        create_user(uow, "wang", "王丽", "advisor", PASSWORD)
    return "wang"


def failures(engine: Engine) -> int:
    with unit_of_work(engine) as uow:
        return uow.session.execute(select(func.count(StaffLoginFailure.id))).scalar_one()


def test_parallel_guesses_cannot_get_past_the_limit(engine: Engine, wang: str) -> None:
    """Each attempt is recorded before failures are counted, so guesses sent
    at the same moment (from different addresses) get at most five tries
    (fewer when they see each other in flight); counted afterwards, all
    twelve would be tried."""
    start = threading.Barrier(GUESSES)

    def guess(index: int) -> str:
        start.wait()
        try:
            log_in(wang, f"guess {index}", f"198.51.100.{index}", SETTINGS, engine)
        except LoginFailedError:
            return "tried"
        except TooManyAttemptsError:
            return "blocked"
        return "in"

    with ThreadPoolExecutor(GUESSES) as pool:
        outcomes = list(pool.map(guess, range(GUESSES)))
    tried = outcomes.count("tried")
    assert tried <= SETTINGS.max_failures_per_user
    assert tried + outcomes.count("blocked") == GUESSES
    assert failures(engine) == tried


def test_failures_older_than_the_window_are_dropped(engine: Engine, wang: str) -> None:
    for _ in range(3):
        with pytest.raises(LoginFailedError):
            log_in(wang, "wrong password", "127.0.0.1", SETTINGS, engine)
    with unit_of_work(engine) as uow:
        uow.session.execute(
            update(StaffLoginFailure).values(
                attempted_at=StaffLoginFailure.attempted_at - SETTINGS.failure_window
            )
        )
    with pytest.raises(LoginFailedError):
        log_in("nobody", "wrong password", "127.0.0.2", SETTINGS, engine)
    assert failures(engine) == 1


def test_the_limits_come_from_the_settings(engine: Engine, wang: str) -> None:
    strict = StaffSettings(
        session_idle=timedelta(minutes=5),
        session_max=timedelta(hours=1),
        max_failures_per_user=2,
        max_failures_per_ip=100,
        failure_window=timedelta(minutes=1),
    )
    for _ in range(2):
        with pytest.raises(LoginFailedError):
            log_in(wang, "wrong password", "127.0.0.1", strict, engine)
    with pytest.raises(TooManyAttemptsError) as blocked:
        log_in(wang, PASSWORD, "127.0.0.1", strict, engine)
    assert 55 <= blocked.value.retry_after_s <= 60
    assert "1分钟" in blocked.value.message
