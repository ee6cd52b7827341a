"""Who may use the staff console: FastAPI dependencies and the session cookie.

`require_staff` admits a request that carries a live session cookie and,
for a state-changing method, the session's CSRF token in `X-CSRF-Token`;
`require_admin` also wants the admin role. Every route under /api/staff/
(and the /staff console page) belongs on a router made by
`staff_router()`, which applies `require_staff` to each route it holds, so
a route cannot be left open by a forgotten parameter;
tests/gateway/test_staff_auth.py calls every such route of the app
anonymously to make sure.
"""

from __future__ import annotations

import asyncio
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, FastAPI, Request, Response
from fastapi.responses import RedirectResponse

from gateway.errors import RefusalError
from knowledge.settings import get_staff_settings
from knowledge.staff.sessions import StaffIdentity, csrf_matches, resume_session
from knowledge.staff.users import ADMIN

COOKIE = "yinling_staff"
LOGIN_PAGE = "/staff/login"
CSRF_HEADER = "X-CSRF-Token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
LOGIN_REQUIRED = "请先登录养老顾问工作台。"
CSRF_REFUSED = "安全校验没有通过（缺少或错误的 X-CSRF-Token），请刷新页面后再试。"
ADMIN_ONLY = "这项操作只有管理员可以做。"
JSON_ONLY = "请用 JSON 提交（Content-Type: application/json）。"


class AccessError(RefusalError):
    """A refusal by the staff access layer."""


async def require_staff(request: Request) -> StaffIdentity:
    """The logged-in staff member (any role); 401 without a live session,
    403 for a write without the session's CSRF token."""
    token = request.cookies.get(COOKIE)
    staff = await asyncio.to_thread(resume_session, token, get_staff_settings()) if token else None
    if not token or staff is None:
        raise AccessError(401, "login_required", LOGIN_REQUIRED)
    writes = request.method not in SAFE_METHODS
    if writes and not csrf_matches(token, request.headers.get(CSRF_HEADER)):
        raise AccessError(403, "csrf", CSRF_REFUSED)
    return staff


Staff = Annotated[StaffIdentity, Depends(require_staff)]


async def require_admin(staff: Staff) -> StaffIdentity:
    if staff.role != ADMIN:
        raise AccessError(403, "forbidden", ADMIN_ONLY)
    return staff


async def require_json(request: Request) -> None:
    """A cross-site HTML form cannot send JSON: requiring it (with the
    SameSite cookie) is what protects the login, which has no CSRF token yet."""
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media_type != "application/json":
        raise AccessError(415, "unsupported_media_type", JSON_ONLY)


def no_store(response: Response) -> None:
    """Staff answers carry full phone numbers and CSRF tokens: no cache may
    keep them. (FastAPI adds it to answers returned as data, not to a
    Response a route builds itself.)"""
    response.headers["Cache-Control"] = "no-store"


def staff_router(**options: Any) -> APIRouter:
    """A router whose every route requires a logged-in staff member."""
    return APIRouter(dependencies=[Depends(require_staff), Depends(no_store)], **options)


def set_session_cookie(response: Response, token: str, secure: bool) -> None:
    """A browser-session cookie (gone when the browser closes); the server
    decides when the session itself expires."""
    response.set_cookie(COOKIE, token, path="/", httponly=True, samesite="strict", secure=secure)


def clear_session_cookie(response: Response, secure: bool) -> None:
    response.delete_cookie(COOKIE, path="/", httponly=True, samesite="strict", secure=secure)


def install(app: FastAPI) -> None:
    """A browser opening a console page without a session is sent to the
    login page (and back afterwards); API callers get the 401 as JSON."""

    @app.exception_handler(AccessError)
    async def _refused(request: Request, error: AccessError) -> Response:
        page = not request.url.path.startswith("/api/")
        if page and error.status == 401 and "text/html" in request.headers.get("accept", ""):
            return RedirectResponse(f"{LOGIN_PAGE}?next={quote(request.url.path)}", 303)
        return error.response()
