"""Start the real servers (action server, Rasa, gateway) on free ports.

Two deployments are exercised: the embedded default (SQLite app database and
tracker store, in-memory lock store) and the production one (PostgreSQL for
both, Redis lock store), each against real engines on this machine.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from sqlalchemy.engine import Engine

from knowledge.db import make_engine
from scripts.stack import Stack, isolated_env
from scripts.train import ensure_model
from tests.conftest import _postgres_database, prepare


@dataclass
class RunningStack:
    url: str
    rasa_url: str
    token: str
    engine: Engine
    deployment: str

    def chat(self, sender: str, message: str) -> list[dict]:
        response = httpx.post(
            f"{self.url}/api/chat", json={"sender": sender, "message": message}, timeout=60
        )
        assert response.status_code == 200, response.text
        return response.json()

    def texts(self, sender: str, message: str) -> list[str]:
        return [m.get("text", "") for m in self.chat(sender, message)]

    def tracker(self, sender: str) -> dict:
        response = httpx.get(
            f"{self.rasa_url}/conversations/{sender}/tracker",
            params={"token": self.token},
            timeout=30,
        )
        response.raise_for_status()
        return response.json()


def _databases(deployment: str, tmp: Path) -> Iterator[tuple[str, str]]:
    if deployment == "embedded":
        yield f"sqlite:///{tmp / 'app.db'}", f"sqlite:///{tmp / 'tracker.db'}"
        return
    for app_url in _postgres_database():
        for tracker_url in _postgres_database():
            yield app_url, tracker_url


@pytest.fixture(scope="session", params=["embedded", "production"])
def stack(request: pytest.FixtureRequest, tmp_path_factory) -> Iterator[RunningStack]:  # type: ignore[no-untyped-def]
    deployment = request.param
    tmp = tmp_path_factory.mktemp(f"stack-{deployment}")
    ensure_model()
    for app_db, tracker_db in _databases(deployment, tmp):
        prepare(app_db)
        env = isolated_env(
            app_db,
            tracker_db,
            {
                "RASA_AUTH_TOKEN": "e2e-token",
                "REDIS_LOCK_DB": "3",
                "LOCK_STORE_TYPE": "redis" if deployment == "production" else "in_memory",
                "GATEWAY_WARM_UP": "1",  # as deployed (tests/conftest.py turns it off in-process)
                # Offline voices only, whatever the network does today.
                "TTS_ONLINE": "0",
                "TTS_CACHE_DIR": str(tmp / "tts-cache"),
            },
        )
        running = Stack(env, log_dir=tmp / "logs")
        running.start()
        engine = make_engine(app_db)
        try:
            running.wait_ready(timeout_s=240)
            yield RunningStack(
                running.gateway_url, env["RASA_URL"], env["RASA_AUTH_TOKEN"], engine, deployment
            )
        finally:
            running.stop()
            engine.dispose()
