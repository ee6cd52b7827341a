"""A migrated database with the policy documents ingested, on SQLite and on
the local PostgreSQL, plus the evaluation question set."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from knowledge.db import UnitOfWork, make_engine
from tests.conftest import database, prepare

QUESTIONS = Path(__file__).resolve().parent / "questions.yml"


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def knowledge_url(request: pytest.FixtureRequest, tmp_path_factory) -> Iterator[str]:  # type: ignore[no-untyped-def]
    for url in database(request.param, tmp_path_factory.mktemp("kb")):
        prepare(url)
        yield url


@pytest.fixture
def uow(knowledge_url: str) -> Iterator[UnitOfWork]:
    engine = make_engine(knowledge_url)
    with UnitOfWork(engine) as unit:
        yield unit
    engine.dispose()


def load_questions() -> list[dict[str, Any]]:
    return yaml.safe_load(QUESTIONS.read_text(encoding="utf-8"))["questions"]
