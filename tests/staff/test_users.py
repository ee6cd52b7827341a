"""Staff accounts on SQLite and PostgreSQL: creation rules, password
changes and deactivation ending sessions."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from knowledge.db import unit_of_work
from knowledge.models import StaffSession, StaffUser
from knowledge.settings import StaffSettings
from knowledge.staff.errors import (
    InvalidUserError,
    UnknownUserError,
    UserExistsError,
    WeakPasswordError,
)
from knowledge.staff.login import log_in
from knowledge.staff.passwords import verify_password
from knowledge.staff.users import create_user, deactivate_user, list_users, set_password

PASSWORD = "correct horse battery"
SETTINGS = StaffSettings.from_env()


def users(engine: Engine) -> int:
    with unit_of_work(engine) as uow:
        return uow.session.execute(select(func.count(StaffUser.id))).scalar_one()


def live_sessions(engine: Engine) -> int:
    with unit_of_work(engine) as uow:
        return uow.session.execute(
            select(func.count(StaffSession.id)).where(StaffSession.revoked_at.is_(None))
        ).scalar_one()


def test_a_user_is_created_with_a_hashed_password(engine: Engine) -> None:
    with unit_of_work(engine) as uow:
        create_user(uow, " Wang.Li ", " 王丽 ", "admin", PASSWORD)
    with unit_of_work(engine) as uow:
        (user,) = list_users(uow)
    assert (user.username, user.display_name, user.role, user.active) == (
        "wang.li",
        "王丽",
        "admin",
        True,
    )
    assert user.created_at is not None and user.last_login_at is None
    assert PASSWORD not in user.password_hash and verify_password(PASSWORD, user.password_hash)


@pytest.mark.parametrize(
    ("username", "name", "role", "password", "error"),
    [
        ("ab", "王丽", "advisor", PASSWORD, InvalidUserError),
        ("a" * 33, "王丽", "advisor", PASSWORD, InvalidUserError),
        ("wang li", "王丽", "advisor", PASSWORD, InvalidUserError),
        ("王丽", "王丽", "advisor", PASSWORD, InvalidUserError),
        ("wang", "", "advisor", PASSWORD, InvalidUserError),
        ("wang", "王" * 41, "advisor", PASSWORD, InvalidUserError),
        ("wang", "王\n丽", "advisor", PASSWORD, InvalidUserError),
        ("wang", "王丽", "root", PASSWORD, InvalidUserError),
        ("wang", "王丽", "advisor", "short", WeakPasswordError),
    ],
)
def test_bad_accounts_are_refused_and_nothing_is_written(
    engine: Engine, username: str, name: str, role: str, password: str, error: type[Exception]
) -> None:
    with pytest.raises(error), unit_of_work(engine) as uow:
        create_user(uow, username, name, role, password)
    assert users(engine) == 0


def test_a_username_is_taken_once(engine: Engine) -> None:
    with unit_of_work(engine) as uow:
        create_user(uow, "wang", "王丽", "advisor", PASSWORD)
    with pytest.raises(UserExistsError), unit_of_work(engine) as uow:
        create_user(uow, "WANG", "王丽", "admin", PASSWORD)
    assert users(engine) == 1


def test_the_database_refuses_an_unknown_role(engine: Engine) -> None:
    with pytest.raises(IntegrityError), unit_of_work(engine) as uow:
        uow.session.add(StaffUser(username="x1x", display_name="x", role="root", password_hash="x"))
        uow.session.flush()


def test_a_new_password_replaces_the_old_and_ends_the_sessions(engine: Engine) -> None:
    with unit_of_work(engine) as uow:
        create_user(uow, "wang", "王丽", "advisor", PASSWORD)
    log_in("wang", PASSWORD, "127.0.0.1", SETTINGS, engine)
    assert live_sessions(engine) == 1
    with pytest.raises(WeakPasswordError), unit_of_work(engine) as uow:
        set_password(uow, "wang", "short")
    assert live_sessions(engine) == 1
    with unit_of_work(engine) as uow:
        user = set_password(uow, "wang", "a much better passphrase")
    assert verify_password("a much better passphrase", user.password_hash)
    assert not verify_password(PASSWORD, user.password_hash)
    assert live_sessions(engine) == 0


def test_deactivation_ends_the_sessions(engine: Engine) -> None:
    with unit_of_work(engine) as uow:
        create_user(uow, "wang", "王丽", "advisor", PASSWORD)
    log_in("wang", PASSWORD, "127.0.0.1", SETTINGS, engine)
    log_in("wang", PASSWORD, "127.0.0.2", SETTINGS, engine)
    assert live_sessions(engine) == 2
    with unit_of_work(engine) as uow:
        assert deactivate_user(uow, "wang").active is False
    assert live_sessions(engine) == 0


def test_changing_an_unknown_user_is_refused(engine: Engine) -> None:
    with pytest.raises(UnknownUserError), unit_of_work(engine) as uow:
        set_password(uow, "nobody", PASSWORD)
    with pytest.raises(UnknownUserError), unit_of_work(engine) as uow:
        deactivate_user(uow, "nobody")
