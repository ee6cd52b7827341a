"""Database engine, sessions and the unit of work.

Services receive a `UnitOfWork`, do their reads and writes through its
session, and the unit of work commits once at the end or rolls everything
back on error: a half-written hand-off or booking can never be left behind.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from knowledge.settings import get_settings

T = TypeVar("T")
# Execution option for a transaction that reads, then writes what it read
# (capacity): SQLite then begins it IMMEDIATE; PostgreSQL needs nothing.
WRITES_AFTER_READS = "writes_after_reads"


def make_engine(url: str) -> Engine:
    """Create an engine; SQLite gets WAL, a busy timeout and enforced foreign
    keys so that concurrent writers wait instead of failing."""
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            url, future=True, connect_args={"timeout": 30, "check_same_thread": False}
        )

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA busy_timeout=30000")
            cursor.close()
            # SQLAlchemy, not the driver, begins transactions (see below).
            dbapi_connection.isolation_level = None

        @event.listens_for(engine, "begin")
        def _sqlite_begin(connection) -> None:  # type: ignore[no-untyped-def]
            # A transaction that reads and then writes (taking a place) must
            # hold the write lock from the start; otherwise SQLite fails it
            # instead of making it wait when another writer got in between.
            immediate = connection.get_execution_options().get(WRITES_AFTER_READS)
            connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

        return engine
    return create_engine(url, future=True, pool_pre_ping=True)


@lru_cache(maxsize=8)
def engine_for(url: str) -> Engine:
    """One engine (and connection pool) per database URL per process."""
    return make_engine(url)


def get_engine() -> Engine:
    return engine_for(get_settings().database_url)


class UnitOfWork:
    """A transaction boundary: `with UnitOfWork() as uow: ...; uow.commit()`.

    Leaving the block without `commit()` rolls back.
    """

    def __init__(self, engine: Engine | None = None) -> None:
        # Objects stay readable after commit: services return them to callers.
        self._factory = sessionmaker(
            bind=engine or get_engine(), future=True, expire_on_commit=False
        )
        self.session: Session
        self._locked = False

    def __enter__(self) -> UnitOfWork:
        self.session = self._factory()
        self._locked = False
        return self

    def __exit__(self, *exc_info: object) -> None:
        # close() rolls back anything uncommitted; loaded objects stay readable.
        self.session.close()

    def commit(self) -> None:
        self.session.commit()
        self._locked = False

    def lock_for_writing(self) -> None:
        """Call first in a transaction that reads and then writes based on
        what it read, so concurrent ones queue instead of failing. Calling
        it again in the same transaction (a caller, then the service it
        calls) is harmless."""
        if not self._locked:
            self.session.connection(execution_options={WRITES_AFTER_READS: True})
            self._locked = True


@contextmanager
def unit_of_work(engine: Engine | None = None) -> Iterator[UnitOfWork]:
    """Context-manager shortcut that commits when the block succeeds."""
    with UnitOfWork(engine) as uow:
        yield uow
        uow.commit()


async def in_transaction(work: Callable[..., T], *args: Any) -> T:
    """Run `work(uow, *args)` in one committed transaction in a worker thread,
    so an async server (action server, gateway) keeps serving other callers."""

    def _run() -> T:
        with unit_of_work() as uow:
            return work(uow, *args)

    return await asyncio.to_thread(_run)
