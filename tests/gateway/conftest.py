"""The gateway on the test database, with the settings from the environment."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from gateway.app import create_app
from knowledge.db import engine_for


@pytest.fixture
def client(use_database: str) -> Iterator[TestClient]:
    with TestClient(create_app()) as client:
        yield client
    engine_for(use_database).dispose()
