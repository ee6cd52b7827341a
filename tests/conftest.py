"""Shared fixtures: real databases (SQLite and the local PostgreSQL), and a
session hook that turns any skipped test into a failure: the suite must never
pass by quietly not running something."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine

from knowledge.booking.providers_import import SAMPLE_FILE, import_providers
from knowledge.db import make_engine, unit_of_work
from knowledge.ingest.store import ingest
from knowledge.migrate import upgrade

# Gateways built in-process by the tests use a fresh database each, so building
# the policy index at start-up would cost seconds per test for nothing; the
# real servers of tests/e2e keep the warm-up, as deployed.
os.environ["GATEWAY_WARM_UP"] = "0"

POSTGRES_ADMIN_URL = os.environ.get(
    "TEST_POSTGRES_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
)


def _postgres_database() -> Iterator[str]:
    """A fresh, uniquely named PostgreSQL database, dropped afterwards."""
    name = f"yinling_test_{uuid.uuid4().hex[:8]}"
    admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT", future=True)
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield POSTGRES_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def database(kind: str, folder: Path) -> Iterator[str]:
    """An empty database of `kind` (sqlite in `folder`, or a fresh PostgreSQL
    database dropped afterwards)."""
    if kind == "sqlite":
        yield f"sqlite:///{folder / 'test.db'}"
    else:
        yield from _postgres_database()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A migrated, empty database of each kind the product supports."""
    for url in database(request.param, tmp_path):
        upgrade(url)
        yield url


def prepare(url: str) -> None:
    """Migrate, load the policy documents and the sample provider directory,
    as `make run` does."""
    upgrade(url)
    engine = make_engine(url)
    with unit_of_work(engine) as uow:
        ingest(uow)
        report = import_providers(uow, SAMPLE_FILE)
    assert not report.errors, report.errors
    engine.dispose()


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def use_database(database_url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """Point code that reads DATABASE_URL (actions, gateway) at the test DB."""
    monkeypatch.setenv("DATABASE_URL", database_url)
    return database_url


FIGURES: list[str] = []


def report_figure(line: str) -> None:
    """A measured figure (e.g. NLU macro-F1) to print at the end of the run."""
    FIGURES.append(line)


def pytest_terminal_summary(terminalreporter, exitstatus, config) -> None:  # type: ignore[no-untyped-def]
    for line in FIGURES:
        terminalreporter.write_line(line)
    skipped = terminalreporter.stats.get("skipped", [])
    if skipped and os.environ.get("ALLOW_SKIPS") != "1":
        terminalreporter.write_line(
            f"FAILED: {len(skipped)} test(s) were skipped; the suite does not allow skips.",
            red=True,
        )


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    skipped = reporter.stats.get("skipped", []) if reporter else []
    if skipped and os.environ.get("ALLOW_SKIPS") != "1" and exitstatus == 0:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
