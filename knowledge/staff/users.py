"""Staff accounts: create, change password, deactivate, list.

There is no default account and no default password: the first
administrator is created on the command line (`python -m knowledge.staff`).
Changing a password or deactivating an account ends its sessions.
"""

from __future__ import annotations

import re

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from knowledge.db import UnitOfWork
from knowledge.models import StaffUser
from knowledge.staff.errors import InvalidUserError, UnknownUserError, UserExistsError
from knowledge.staff.passwords import check_strength, hash_password
from knowledge.staff.sessions import revoke_sessions

ADVISOR, ADMIN = "advisor", "admin"
ROLES = (ADVISOR, ADMIN)
ROLE_NAMES = {ADVISOR: "养老顾问", ADMIN: "管理员"}
USERNAME = re.compile(r"^[a-z0-9_.-]{3,32}$")
MAX_DISPLAY_NAME = 40  # the column's width


def normalise_username(username: str) -> str:
    """Usernames are lower case; `Wang.Li` and `wang.li` are one account."""
    return username.strip().lower()


def find_user(uow: UnitOfWork, username: str) -> StaffUser | None:
    return uow.session.execute(
        select(StaffUser).where(StaffUser.username == normalise_username(username))
    ).scalar_one_or_none()


def _existing(uow: UnitOfWork, username: str) -> StaffUser:
    user = find_user(uow, username)
    if user is None:
        raise UnknownUserError(f"没有用户“{username}”。", f"No user named {username!r}.")
    return user


def _checked_username(username: str) -> str:
    username = normalise_username(username)
    if not USERNAME.match(username):
        raise InvalidUserError(
            "用户名要3到32个字符，只能用小写字母、数字和 _.-",
            "A username has 3 to 32 characters: lower-case letters, digits and _.-",
        )
    return username


def _checked_display_name(name: str) -> str:
    name = name.strip()
    if not name or len(name) > MAX_DISPLAY_NAME or not name.isprintable():
        raise InvalidUserError(
            f"名字要1到{MAX_DISPLAY_NAME}个字，不能有控制字符。",
            f"A display name has 1 to {MAX_DISPLAY_NAME} printable characters.",
        )
    return name


def _checked_role(role: str) -> str:
    if role not in ROLES:
        raise InvalidUserError(
            "角色只能是 advisor（养老顾问）或 admin（管理员）。",
            "The role is advisor or admin.",
        )
    return role


def _taken(username: str) -> UserExistsError:
    return UserExistsError(f"用户“{username}”已经有了。", f"User {username!r} already exists.")


def create_user(
    uow: UnitOfWork, username: str, display_name: str, role: str, password: str
) -> StaffUser:
    uow.lock_for_writing()
    user = StaffUser(
        username=_checked_username(username),
        display_name=_checked_display_name(display_name),
        role=_checked_role(role),
    )
    check_strength(password)
    if find_user(uow, user.username) is not None:
        raise _taken(user.username)
    user.password_hash = hash_password(password)
    uow.session.add(user)
    try:
        uow.session.flush()
    except IntegrityError as error:  # created at the same moment elsewhere
        raise _taken(user.username) from error
    return user


def set_password(uow: UnitOfWork, username: str, password: str) -> StaffUser:
    """A new password also logs the account out everywhere."""
    uow.lock_for_writing()
    user = _existing(uow, username)
    check_strength(password)
    user.password_hash = hash_password(password)
    revoke_sessions(uow, user.id)
    return user


def deactivate_user(uow: UnitOfWork, username: str) -> StaffUser:
    """The account can no longer log in, and its open sessions end now."""
    uow.lock_for_writing()
    user = _existing(uow, username)
    user.active = False
    revoke_sessions(uow, user.id)
    return user


def list_users(uow: UnitOfWork) -> list[StaffUser]:
    return list(uow.session.execute(select(StaffUser).order_by(StaffUser.username)).scalars())
