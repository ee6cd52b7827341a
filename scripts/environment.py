"""The documented defaults for every environment variable (README, "Configuration").

One place for them: the run command, the test suite and the benchmarks all
start processes with `service_env()`, so they run exactly the same way.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VAR = ROOT / "var"
VENV_BIN = ROOT / ".venv" / "bin"
MODEL_PATH = ROOT / "models" / "yinling.tar.gz"


def _local_token() -> str:
    """A per-checkout random token for Rasa's HTTP API (never committed)."""
    path = VAR / "rasa_auth_token"
    if not path.exists():
        VAR.mkdir(exist_ok=True)
        path.write_text(secrets.token_urlsafe(32))
        path.chmod(0o600)
    return path.read_text().strip()


def defaults() -> dict[str, str]:
    return {
        "DATABASE_URL": f"sqlite:///{VAR / 'yinling.db'}",
        "TRACKER_DB_URL": f"sqlite:///{VAR / 'tracker.db'}",
        "LOCK_STORE_TYPE": "in_memory",
        "REDIS_HOST": "127.0.0.1",
        "REDIS_PORT": "6379",
        "REDIS_LOCK_DB": "1",
        "RASA_PORT": "5005",
        "ACTIONS_PORT": "5055",
        "GATEWAY_HOST": "127.0.0.1",
        "GATEWAY_PORT": "8000",
        "RASA_TELEMETRY_ENABLED": "false",
        "TF_CPP_MIN_LOG_LEVEL": "2",
        "PYTHONHASHSEED": "0",
    }


def service_env(overrides: dict[str, str] | None = None) -> dict[str, str]:
    """The environment for the servers: defaults < current env < overrides."""
    env = {**defaults(), **os.environ, **(overrides or {})}
    env.setdefault("RASA_AUTH_TOKEN", _local_token())
    env.setdefault("RASA_URL", f"http://127.0.0.1:{env['RASA_PORT']}")
    env.setdefault("ACTION_SERVER_URL", f"http://127.0.0.1:{env['ACTIONS_PORT']}")
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    VAR.mkdir(exist_ok=True)
    return env
