"""Bring the database at DATABASE_URL (or --url) up to the latest schema.

Usage: python -m knowledge.migrate [--url URL] [--check]
`--check` exits non-zero when the models and the migrations disagree.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from alembic import command
from alembic.config import Config

from knowledge.settings import get_settings

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


def alembic_config(url: str | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", url or get_settings().database_url)
    return config


def upgrade(url: str | None = None) -> None:
    command.upgrade(alembic_config(url), "head")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--url", help="database URL (default: DATABASE_URL)")
    parser.add_argument("--check", action="store_true", help="fail if models drift")
    args = parser.parse_args(argv)
    upgrade(args.url)
    if args.check:
        command.check(alembic_config(args.url))
    return 0


if __name__ == "__main__":
    sys.exit(main())
