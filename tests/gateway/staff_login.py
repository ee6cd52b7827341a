"""Staff accounts and logins for API tests of the routes behind the staff login."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from knowledge.db import unit_of_work
from knowledge.staff.users import create_user

PASSWORD = "correct horse battery"


def add_staff(engine: Engine, username: str, role: str = "advisor") -> None:
    with unit_of_work(engine) as uow:
        create_user(uow, username, f"测试{username}", role, PASSWORD)


def log_in(
    client: TestClient, engine: Engine, username: str = "advisor1", role: str = "advisor"
) -> str:
    """Create the account and log `client` in (it keeps the cookie);
    returns the CSRF token for writes."""
    add_staff(engine, username, role)
    response = client.post("/api/staff/login", json={"username": username, "password": PASSWORD})
    assert response.status_code == 200, response.text
    return response.json()["csrf_token"]
