"""Configuration shared by the action server and the gateway.

Every setting comes from an environment variable with a documented default
(README, "Configuration"), so the same code runs on the embedded SQLite
default and on PostgreSQL in production without edits.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
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
