"""Configuration shared by the action server and the gateway.

Every setting comes from an environment variable with a documented default
(README, "Configuration"), so the same code runs on the embedded SQLite
default and on PostgreSQL in production without edits.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATABASE_URL = f"sqlite:///{REPO_ROOT / 'var' / 'yinling.db'}"


@dataclass(frozen=True)
class Settings:
    """Application settings from the environment."""

    database_url: str
    advisor_hotline: str | None

    @classmethod
    def from_env(cls) -> Settings:
        return cls(
            database_url=os.environ.get("DATABASE_URL") or DEFAULT_DATABASE_URL,
            advisor_hotline=os.environ.get("ADVISOR_HOTLINE") or None,
        )


def get_settings() -> Settings:
    """Return settings for the current environment (re-read on every call so
    tests can point a process at another database by setting the variable)."""
    return Settings.from_env()


@dataclass(frozen=True)
class StaffSettings:
    """Staff console sessions and login throttling (README, "Configuration")."""

    session_idle: timedelta  # a session unused this long ends (sliding)
    session_max: timedelta  # a session ends this long after login, however busy
    max_failures_per_user: int  # failed logins per username within the window
    max_failures_per_ip: int  # failed logins per client address within the window
    failure_window: timedelta

    @classmethod
    def from_env(cls) -> StaffSettings:
        return cls(
            session_idle=timedelta(minutes=int(os.environ.get("STAFF_SESSION_IDLE_MINUTES", "30"))),
            session_max=timedelta(hours=int(os.environ.get("STAFF_SESSION_MAX_HOURS", "12"))),
            max_failures_per_user=int(os.environ.get("STAFF_LOGIN_MAX_FAILURES_PER_USER", "5")),
            max_failures_per_ip=int(os.environ.get("STAFF_LOGIN_MAX_FAILURES_PER_IP", "20")),
            failure_window=timedelta(
                minutes=int(os.environ.get("STAFF_LOGIN_WINDOW_MINUTES", "15"))
            ),
        )


def get_staff_settings() -> StaffSettings:
    """Re-read on every call, like `get_settings`."""
    return StaffSettings.from_env()
