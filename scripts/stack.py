"""Run the whole assistant: action server, Rasa server and web gateway.

`python -m scripts.stack run` migrates the database, trains the model if its
inputs changed, starts the three servers, waits until /health is green and
prints where to open it. The test suite and the benchmarks start the very
same stack (on free ports) through `Stack`.
"""

from __future__ import annotations

import argparse
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

import httpx

from scripts.environment import MODEL_PATH, ROOT, VAR, VENV_BIN, service_env
from scripts.train import ensure_model


def free_port() -> str:
    """A TCP port nobody listens on right now (for tests and benchmarks)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return str(sock.getsockname()[1])


def isolated_env(
    database_url: str, tracker_db_url: str, overrides: dict[str, str] | None = None
) -> dict[str, str]:
    """The servers' environment on free ports with the given databases: for
    tests and benchmarks that must not meet a running `make run`."""
    rasa_port, actions_port = free_port(), free_port()
    return service_env(
        {
            "DATABASE_URL": database_url,
            "TRACKER_DB_URL": tracker_db_url,
            "RASA_PORT": rasa_port,
            "RASA_URL": f"http://127.0.0.1:{rasa_port}",
            "ACTIONS_PORT": actions_port,
            "ACTION_SERVER_URL": f"http://127.0.0.1:{actions_port}",
            "GATEWAY_HOST": "127.0.0.1",
            "GATEWAY_PORT": free_port(),
            **(overrides or {}),
        }
    )


@dataclass
class Stack:
    """The three server processes, started in dependency order."""

    env: dict[str, str]
    log_dir: Path = VAR / "logs"
    processes: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)
    ready_after_s: float = 0.0  # from start() to healthy, set by wait_ready
    _logs: list[IO[bytes]] = field(default_factory=list)
    _started_at: float = 0.0

    @property
    def gateway_url(self) -> str:
        return f"http://{self.env['GATEWAY_HOST']}:{self.env['GATEWAY_PORT']}"

    def commands(self) -> dict[str, list[str]]:
        python = str(VENV_BIN / "python")
        return {
            "actions": [
                python,
                "-m",
                "rasa_sdk",
                "--actions",
                "actions",
                "--port",
                self.env["ACTIONS_PORT"],
            ],
            "rasa": [
                str(VENV_BIN / "rasa"),
                "run",
                "--enable-api",
                "--auth-token",
                self.env["RASA_AUTH_TOKEN"],
                "--port",
                self.env["RASA_PORT"],
                "--model",
                str(MODEL_PATH),
                "--endpoints",
                str(ROOT / "endpoints.yml"),
                "--credentials",
                str(ROOT / "credentials.yml"),
            ],
            "gateway": [
                python,
                "-m",
                "uvicorn",
                "gateway.app:app",
                "--host",
                self.env["GATEWAY_HOST"],
                "--port",
                self.env["GATEWAY_PORT"],
                "--ws",
                "websockets",
            ],
        }

    def start(self) -> None:
        self._started_at = time.monotonic()
        self.log_dir.mkdir(parents=True, exist_ok=True)
        for name, command in self.commands().items():
            log = open(self.log_dir / f"{name}.log", "wb")  # noqa: SIM115 (closed in stop)
            self._logs.append(log)
            self.processes[name] = subprocess.Popen(
                command, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT
            )

    def wait_ready(self, timeout_s: float = 180) -> dict[str, object]:
        """Block until the gateway reports every component healthy."""
        deadline = time.monotonic() + timeout_s
        last: object = None
        while time.monotonic() < deadline:
            for name, process in self.processes.items():
                if process.poll() is not None:
                    raise RuntimeError(f"{name} exited early; see {self.log_dir / name}.log")
            try:
                response = httpx.get(f"{self.gateway_url}/health", timeout=5)
                last = response.json()
                if response.status_code == 200:
                    self.ready_after_s = time.monotonic() - self._started_at
                    return response.json()
            except httpx.HTTPError as error:
                last = repr(error)
            time.sleep(1)
        raise TimeoutError(f"stack not healthy after {timeout_s:.0f} s: {last}")

    def stop(self) -> None:
        for process in reversed(list(self.processes.values())):
            if process.poll() is None:
                process.send_signal(signal.SIGINT)
        for process in self.processes.values():
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        for log in self._logs:
            log.close()


def migrate(env: dict[str, str]) -> None:
    """Bring the schema up to date, (re-)ingest changed policy documents and
    load the sample provider directory (unchanged rows are not rewritten)."""
    for module in ("knowledge.migrate", "knowledge.ingest", "knowledge.booking.providers_import"):
        subprocess.run([str(VENV_BIN / "python"), "-m", module], cwd=ROOT, env=env, check=True)


def run() -> int:
    env = service_env()
    migrate(env)
    ensure_model()
    stack = Stack(env)
    stack.start()
    try:
        stack.wait_ready()
        print(
            "\n银龄通 is running.\n"
            f"  Web chat:       {stack.gateway_url}/\n"
            f"  Staff console:  {stack.gateway_url}/staff  "
            "(first account: python -m knowledge.staff create-user NAME --role admin)\n"
            f"  Chat API:       {stack.gateway_url}/api/chat\n"
            f"  Voice API:      {stack.gateway_url}/api/voice/turn\n"
            f"  Voice stream:   {stack.gateway_url.replace('http', 'ws', 1)}/api/voice/stream"
            "  (make speaker, make phone)\n"
            f"  Health:         {stack.gateway_url}/health\n"
            f"  Rasa server:    {env['RASA_URL']}\n"
            f"  Action server:  {env['ACTION_SERVER_URL']}\n"
            f"  Logs:           {stack.log_dir}\n"
            "Try: curl -s " + stack.gateway_url + "/api/chat "
            '-H \'content-type: application/json\' -d \'{"sender":"t1","message":"你好"}\'\n'
            "Press Ctrl-C to stop.",
            flush=True,
        )
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
        while all(p.poll() is None for p in stack.processes.values()):
            time.sleep(1)
        print("a server stopped; shutting down (see logs)", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 0
    finally:
        stack.stop()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("command", choices=["run"])
    parser.parse_args(argv)
    return run()


if __name__ == "__main__":
    sys.exit(main())
