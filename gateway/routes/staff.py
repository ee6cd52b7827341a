"""Staff console API: log in, log out, who am I, and the staff list.

POST /api/staff/login   {"username", "password"}  200 {me} + cookie; 401 login_failed;
                                                  429 too_many_attempts (Retry-After);
                                                  415 not JSON
POST /api/staff/logout  (X-CSRF-Token)            200; the session ends, the cookie goes
GET  /api/staff/me      {me} = {"username", "display_name", "role", "csrf_token"}
GET  /api/staff/users   (admin)                   {"items": [...]}

Login is the only route under /api/staff/ open to anonymous callers.
"""

from __future__ import annotations

import asyncio
from typing import Any

from fastapi import APIRouter, Depends, Request, Response
from pydantic import BaseModel, constr

from gateway.auth import (
    Staff,
    clear_session_cookie,
    no_store,
    require_admin,
    require_json,
    set_session_cookie,
    staff_router,
)
from gateway.errors import error_response
from gateway.schemas import utc_iso
from knowledge.db import UnitOfWork, in_transaction
from knowledge.models import StaffUser
from knowledge.settings import get_staff_settings
from knowledge.staff.errors import LoginFailedError, TooManyAttemptsError
from knowledge.staff.login import log_in
from knowledge.staff.sessions import StaffIdentity, end_session
from knowledge.staff.users import list_users

PREFIX = "/api/staff"
login_router = APIRouter(prefix=PREFIX, dependencies=[Depends(no_store)])
router = staff_router(prefix=PREFIX)


class Credentials(BaseModel):
    username: constr(strict=True, max_length=64)  # type: ignore[valid-type]
    password: constr(strict=True, max_length=1024)  # type: ignore[valid-type]

    class Config:
        extra = "forbid"


def identity_json(staff: StaffIdentity) -> dict[str, str]:
    return {
        "username": staff.username,
        "display_name": staff.display_name,
        "role": staff.role,
        "csrf_token": staff.csrf_token,
    }


def user_json(user: StaffUser) -> dict[str, Any]:
    return {
        "username": user.username,
        "display_name": user.display_name,
        "role": user.role,
        "active": user.active,
        "created_at": utc_iso(user.created_at),
        "last_login_at": utc_iso(user.last_login_at),
    }


@login_router.post("/login", dependencies=[Depends(require_json)])
async def login(body: Credentials, request: Request, response: Response) -> Any:
    client_ip = request.client.host if request.client else "unknown"
    try:
        session = await asyncio.to_thread(
            log_in, body.username, body.password, client_ip, get_staff_settings()
        )
    except TooManyAttemptsError as error:
        refused = error_response(429, error.code, error.message)
        refused.headers["Retry-After"] = str(error.retry_after_s)
        return refused
    except LoginFailedError as error:
        return error_response(401, error.code, error.message)
    set_session_cookie(response, session.token, request.app.state.settings.staff_cookie_secure)
    return identity_json(session.identity)


@router.post("/logout")
async def logout(request: Request, response: Response, staff: Staff) -> dict[str, bool]:
    await in_transaction(end_session, staff.session_id)
    clear_session_cookie(response, request.app.state.settings.staff_cookie_secure)
    return {"ok": True}


@router.get("/me")
async def me(staff: Staff) -> dict[str, str]:
    return identity_json(staff)


def _users(uow: UnitOfWork) -> dict[str, Any]:
    return {"items": [user_json(user) for user in list_users(uow)]}


@router.get("/users", dependencies=[Depends(require_admin)])
async def users() -> dict[str, Any]:
    return await in_transaction(_users)
