"""The staff console's login, sessions, CSRF and roles through the real
gateway against SQLite and PostgreSQL, and a check that every route under
/api/staff/ (and /staff) refuses anonymous callers."""

from __future__ import annotations

import hashlib
import logging
import re
from datetime import timedelta

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy import func, select, update
from sqlalchemy.engine import Engine

from gateway.app import create_app
from gateway.auth import COOKIE, CSRF_HEADER, SAFE_METHODS, staff_router
from knowledge.db import unit_of_work
from knowledge.models import StaffLoginFailure, StaffSession, StaffUser
from knowledge.models.base import utcnow
from knowledge.staff import passwords
from knowledge.staff.users import deactivate_user
from tests.gateway.staff_login import PASSWORD, add_staff, log_in

# The only routes under the protected prefixes that anonymous callers may use.
OPEN_ROUTES = {("POST", "/api/staff/login"), ("GET", "/staff/login")}
# Routes only an admin may use (an advisor gets 403 forbidden).
ADMIN_ROUTES = {("GET", "/api/staff/users"), ("POST", "/api/staff/providers/import")}
PATH_PARAMETER = re.compile(r"\{[^}]+\}")


def attempt(client: TestClient, username: str, password: str) -> Response:
    return client.post("/api/staff/login", json={"username": username, "password": password})


def is_chinese(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


def refused(response: Response, status: int, code: str) -> bool:
    body = response.json()
    return response.status_code == status and body["error"] == code and is_chinese(body["detail"])


def failures(engine: Engine, username: str) -> int:
    with unit_of_work(engine) as uow:
        return uow.session.execute(
            select(func.count()).where(StaffLoginFailure.username == username)
        ).scalar_one()


def the_session(engine: Engine) -> StaffSession:
    with unit_of_work(engine) as uow:
        return uow.session.execute(select(StaffSession)).scalar_one()


def change_session(engine: Engine, **values: object) -> None:
    with unit_of_work(engine) as uow:
        uow.session.execute(update(StaffSession).values(**values))


# ---- login ------------------------------------------------------------------------------


def test_login_sets_an_http_only_strict_cookie_whose_token_is_stored_hashed(
    client: TestClient, engine: Engine
) -> None:
    add_staff(engine, "wang.li", role="admin")
    response = attempt(client, "Wang.Li ", PASSWORD)  # usernames are not case-sensitive
    assert response.status_code == 200
    body = response.json()
    assert body["username"] == "wang.li" and body["role"] == "admin" and body["csrf_token"]
    assert response.headers["cache-control"] == "no-store"
    cookie = response.headers["set-cookie"]
    assert cookie.startswith(f"{COOKIE}=")
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie and "Path=/" in cookie
    assert "Secure" not in cookie and "Max-Age" not in cookie  # a browser-session cookie
    token = client.cookies[COOKIE]
    assert len(token) >= 43  # 32 random bytes
    stored = the_session(engine)
    assert stored.token_hash == hashlib.sha256(token.encode()).hexdigest()
    with unit_of_work(engine) as uow:
        assert uow.session.execute(select(StaffUser.last_login_at)).scalar_one() is not None
    me = client.get("/api/staff/me")
    assert me.status_code == 200 and me.json() == body


def test_the_cookie_is_secure_when_configured(
    use_database: str, engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("STAFF_COOKIE_SECURE", "1")
    add_staff(engine, "wang")
    with TestClient(create_app()) as client:
        assert "Secure" in attempt(client, "wang", PASSWORD).headers["set-cookie"]


def test_a_wrong_password_and_an_unknown_user_look_the_same(
    client: TestClient, engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    add_staff(engine, "wang")
    add_staff(engine, "gone")
    with unit_of_work(engine) as uow:
        deactivate_user(uow, "gone")
    attempt(client, "warm-up", "x")  # the decoy hash is made once per process
    scrypt = passwords.hashlib.scrypt
    calls: list[int] = []

    def counted(*args: object, **kwargs: object) -> bytes:
        calls.append(1)
        return scrypt(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(passwords.hashlib, "scrypt", counted)
    answers = []
    for username, password in [
        ("wang", "wrong password"),
        ("nobody", PASSWORD),
        ("gone", PASSWORD),
    ]:
        calls.clear()
        response = attempt(client, username, password)
        answers.append((response.status_code, response.json()))
        assert len(calls) == 1, username  # the same scrypt work: the same time
        assert COOKIE not in response.headers.get("set-cookie", "")
    assert answers == [(401, {"error": "login_failed", "detail": "用户名或密码不对。"})] * 3


@pytest.mark.parametrize(
    ("content_type", "body"),
    [
        ("application/x-www-form-urlencoded", b"username=wang&password=correct+horse+battery"),
        ("text/plain", b'{"username": "wang", "password": "correct horse battery"}'),
        ("multipart/form-data; boundary=x", b"--x--"),
    ],
)
def test_login_only_accepts_json(
    client: TestClient, engine: Engine, content_type: str, body: bytes
) -> None:
    add_staff(engine, "wang")
    response = client.post("/api/staff/login", content=body, headers={"content-type": content_type})
    assert refused(response, 415, "unsupported_media_type")
    assert COOKIE not in client.cookies


# ---- throttling ---------------------------------------------------------------------------


def test_five_failures_lock_the_username_until_the_window_passes(
    client: TestClient, engine: Engine
) -> None:
    add_staff(engine, "wang")
    add_staff(engine, "lina")
    for _ in range(5):
        assert attempt(client, "wang", "wrong password").status_code == 401
    locked = attempt(client, "wang", PASSWORD)  # even the right password
    assert refused(locked, 429, "too_many_attempts")
    assert 890 <= int(locked.headers["retry-after"]) <= 900  # 15 minutes after the first failure
    assert COOKIE not in client.cookies
    assert attempt(client, "WANG", PASSWORD).status_code == 429
    assert failures(engine, "wang") == 5  # blocked attempts do not prolong the block
    assert attempt(client, "lina", PASSWORD).status_code == 200  # only that username is locked

    with unit_of_work(engine) as uow:
        uow.session.execute(
            update(StaffLoginFailure).values(
                attempted_at=StaffLoginFailure.attempted_at - timedelta(minutes=15)
            )
        )
    assert attempt(client, "wang", PASSWORD).status_code == 200
    assert failures(engine, "wang") == 0


def test_a_success_clears_the_usernames_failures(client: TestClient, engine: Engine) -> None:
    add_staff(engine, "wang")
    for _ in range(4):
        assert attempt(client, "wang", "wrong password").status_code == 401
    assert attempt(client, "wang", PASSWORD).status_code == 200
    assert failures(engine, "wang") == 0
    for _ in range(4):
        assert attempt(client, "wang", "wrong password").status_code == 401


def test_twenty_failures_from_one_address_lock_that_address(
    client: TestClient, engine: Engine
) -> None:
    add_staff(engine, "wang")
    for index in range(20):
        assert attempt(client, f"guess{index:02d}", "wrong password").status_code == 401
    assert refused(attempt(client, "wang", PASSWORD), 429, "too_many_attempts")
    with TestClient(client.app, client=("203.0.113.9", 50000)) as elsewhere:
        assert attempt(elsewhere, "wang", PASSWORD).status_code == 200


# ---- sessions -----------------------------------------------------------------------------


def test_logout_ends_the_session_for_good(client: TestClient, engine: Engine) -> None:
    csrf = log_in(client, engine)
    token = client.cookies[COOKIE]
    response = client.post("/api/staff/logout", headers={CSRF_HEADER: csrf})
    assert response.status_code == 200 and response.json() == {"ok": True}
    assert f'{COOKIE}=""' in response.headers["set-cookie"]
    assert the_session(engine).revoked_at is not None
    client.cookies.set(COOKIE, token)  # a copy of the cookie kept from before
    assert refused(client.get("/api/staff/me"), 401, "login_required")


def test_a_session_ends_after_the_idle_timeout_and_slides_with_use(
    client: TestClient, engine: Engine
) -> None:
    log_in(client, engine)
    change_session(engine, expires_at=utcnow() + timedelta(minutes=2))
    assert client.get("/api/staff/me").status_code == 200
    assert the_session(engine).expires_at > utcnow() + timedelta(minutes=29)  # slid to 30

    change_session(engine, expires_at=utcnow() - timedelta(seconds=1))
    assert refused(client.get("/api/staff/me"), 401, "login_required")


def test_a_session_ends_at_the_maximum_age_however_busy(client: TestClient, engine: Engine) -> None:
    log_in(client, engine)
    change_session(
        engine,
        created_at=utcnow() - timedelta(hours=11, minutes=50),
        expires_at=utcnow() + timedelta(minutes=2),
    )
    assert client.get("/api/staff/me").status_code == 200
    assert the_session(engine).expires_at < utcnow() + timedelta(minutes=11)  # slid 10, not 30

    change_session(engine, created_at=utcnow() - timedelta(hours=12, seconds=1))
    assert refused(client.get("/api/staff/me"), 401, "login_required")


def test_a_deactivated_users_sessions_are_refused(client: TestClient, engine: Engine) -> None:
    log_in(client, engine, "wang")
    with unit_of_work(engine) as uow:
        deactivate_user(uow, "wang")
    assert the_session(engine).revoked_at is not None
    assert refused(client.get("/api/staff/me"), 401, "login_required")
    assert refused(attempt(client, "wang", PASSWORD), 401, "login_failed")


def test_a_session_is_refused_once_its_user_is_inactive_even_unrevoked(
    client: TestClient, engine: Engine
) -> None:
    log_in(client, engine, "wang")
    with unit_of_work(engine) as uow:
        uow.session.execute(update(StaffUser).values(active=False))
    assert the_session(engine).revoked_at is None
    assert refused(client.get("/api/staff/me"), 401, "login_required")


def test_a_made_up_token_is_refused(client: TestClient) -> None:
    client.cookies.set(COOKIE, "x" * 43)
    assert refused(client.get("/api/staff/me"), 401, "login_required")


# ---- CSRF and roles -------------------------------------------------------------------------


@pytest.mark.parametrize("header", [None, "", "wrong", "我".encode()])
def test_a_write_without_the_right_csrf_token_is_refused(
    client: TestClient, engine: Engine, header: str | bytes | None
) -> None:
    log_in(client, engine)
    headers = {CSRF_HEADER: header} if header is not None else {}
    assert refused(client.post("/api/staff/logout", headers=headers), 403, "csrf")
    assert the_session(engine).revoked_at is None
    assert client.get("/api/staff/me").status_code == 200  # reads need no token


def test_the_csrf_token_belongs_to_its_session(client: TestClient, engine: Engine) -> None:
    first = log_in(client, engine, "wang")
    second = client.post("/api/staff/login", json={"username": "wang", "password": PASSWORD})
    assert second.json()["csrf_token"] != first
    assert refused(client.post("/api/staff/logout", headers={CSRF_HEADER: first}), 403, "csrf")
    assert client.get("/api/staff/me").json()["csrf_token"] == second.json()["csrf_token"]


def test_only_admins_list_the_staff(client: TestClient, engine: Engine) -> None:
    log_in(client, engine, "adviser", role="advisor")
    assert refused(client.get("/api/staff/users"), 403, "forbidden")
    client.cookies.clear()
    log_in(client, engine, "boss", role="admin")
    response = client.get("/api/staff/users")
    assert response.status_code == 200 and response.headers["cache-control"] == "no-store"
    items = response.json()["items"]
    assert [(item["username"], item["role"], item["active"]) for item in items] == [
        ("adviser", "advisor", True),
        ("boss", "admin", True),
    ]
    assert all(item["last_login_at"] for item in items)
    assert "password" not in response.text and "hash" not in response.text


def test_the_staff_bookings_listing_needs_a_login(client: TestClient, engine: Engine) -> None:
    assert refused(client.get("/api/staff/bookings"), 401, "login_required")
    log_in(client, engine)
    response = client.get("/api/staff/bookings")
    assert response.status_code == 200 and response.json() == {"total": 0, "items": []}


def test_no_password_or_token_reaches_the_logs(
    client: TestClient, engine: Engine, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    csrf = log_in(client, engine)
    token = client.cookies[COOKIE]
    attempt(client, "advisor1", "wrong password 1234")
    client.get("/api/staff/me")
    client.post("/api/staff/logout", headers={CSRF_HEADER: csrf})
    assert caplog.records  # the requests were logged
    logged = caplog.text + "".join(str(record.args) for record in caplog.records)
    for secret in (PASSWORD, "wrong password 1234", csrf, token):
        assert secret not in logged


# ---- every protected route refuses anonymous callers ------------------------------------------


def protected_routes(app: FastAPI) -> list[tuple[str, str]]:
    """(method, path) of every route under /api/staff/ or /staff."""
    found = []
    for route in app.routes:
        path = getattr(route, "path", "")
        if path == "/staff" or path.startswith(("/staff/", "/api/staff/")):
            found += [(method, path) for method in getattr(route, "methods", None) or {"GET"}]
    return sorted(found)


def anonymous_openings(app: FastAPI) -> list[str]:
    """The protected routes an anonymous caller is not refused by (401 login_required)."""
    openings = []
    with TestClient(app) as anonymous:
        for method, path in protected_routes(app):
            if (method, path) in OPEN_ROUTES:
                continue
            response = anonymous.request(method, PATH_PARAMETER.sub("1", path), json={})
            if response.status_code != 401 or (
                method != "HEAD" and response.json()["error"] != "login_required"
            ):
                openings.append(f"{method} {path} → {response.status_code}")
    return openings


def test_every_staff_route_refuses_anonymous_callers(use_database: str) -> None:
    app = create_app()
    routes = protected_routes(app)
    assert {
        ("GET", "/staff"),
        ("GET", "/api/staff/bookings"),
        ("GET", "/api/staff/bookings/export.csv"),
        ("POST", "/api/staff/bookings/{reference}/status"),
        ("GET", "/api/staff/providers"),
        ("GET", "/api/staff/handoffs"),
        ("GET", "/api/staff/handoffs/{handoff_id}"),
        ("POST", "/api/staff/handoffs/{handoff_id}/claim"),
        ("POST", "/api/staff/handoffs/{handoff_id}/reply"),
        ("POST", "/api/staff/handoffs/{handoff_id}/close"),
        ("POST", "/api/staff/emergencies/{alert_id}/ack"),
        ("GET", "/api/staff/me"),
        ("POST", "/api/staff/logout"),
    } | OPEN_ROUTES | ADMIN_ROUTES <= set(routes)
    assert anonymous_openings(app) == []


def test_a_browser_without_a_session_is_sent_to_the_login_page(client: TestClient) -> None:
    page = client.get("/staff", headers={"accept": "text/html"}, follow_redirects=False)
    assert page.status_code == 303 and page.headers["location"] == "/staff/login?next=/staff"
    login = client.get("/staff/login")
    assert login.status_code == 200 and '<form id="login"' in login.text
    # An API is never redirected, whatever the caller accepts.
    api = client.get("/api/staff/me", headers={"accept": "text/html"}, follow_redirects=False)
    assert refused(api, 401, "login_required")


def test_an_advisor_is_refused_every_admin_route(client: TestClient, engine: Engine) -> None:
    csrf = log_in(client, engine, "advisor1", role="advisor")
    for method, path in sorted(ADMIN_ROUTES):
        response = client.request(
            method, PATH_PARAMETER.sub("1", path), headers={CSRF_HEADER: csrf}, content=b"code\n"
        )
        assert refused(response, 403, "forbidden"), (method, path, response.text)


def test_the_check_finds_a_route_left_open(use_database: str) -> None:
    app = create_app()
    guarded = staff_router(prefix="/api/staff")

    @guarded.delete("/things/{thing_id}")
    async def guarded_route(thing_id: int) -> dict[str, int]:
        return {"deleted": thing_id}

    @app.get("/api/staff/forgotten/{name}")
    async def forgotten(name: str) -> dict[str, str]:
        return {"name": name}

    app.include_router(guarded)
    assert anonymous_openings(app) == ["GET /api/staff/forgotten/{name} → 200"]


def test_every_staff_write_needs_the_csrf_token(client: TestClient, engine: Engine) -> None:
    log_in(client, engine, "boss", role="admin")
    writes = [
        (method, path)
        for method, path in protected_routes(client.app)  # type: ignore[arg-type]
        if method not in SAFE_METHODS and (method, path) not in OPEN_ROUTES
    ]
    assert ("POST", "/api/staff/logout") in writes
    for method, path in writes:
        response = client.request(method, PATH_PARAMETER.sub("1", path), json={})
        assert refused(response, 403, "csrf"), (method, path)
