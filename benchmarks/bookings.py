"""Booking benchmark: bookings per second and latency through the real gateway.

Usage: python -m benchmarks.bookings [--database sqlite|postgresql] [--requests 1000]
       [--clients 20]
Creates a fresh database (a SQLite file in a temporary folder, or a uniquely
named database on the local PostgreSQL server, dropped afterwards), migrates
it, adds providers with room for every request, starts the gateway with
uvicorn in a subprocess and has the clients POST distinct bookings (no
duplicates, never full) as fast as they are answered. Prints the figures and
records them under the database's name in benchmarks/results/bookings.json.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import signal
import subprocess
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import create_engine, func, select, text

from benchmarks.common import RESULTS, latency_summary, rss_mb, write_results
from knowledge.db import make_engine, unit_of_work
from knowledge.migrate import upgrade
from knowledge.models import Booking, Provider
from knowledge.zh.dates import today_in_china
from scripts.environment import ROOT, VENV_BIN, service_env
from scripts.stack import free_port

POSTGRES_ADMIN_URL = os.environ.get(
    "TEST_POSTGRES_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
)
PROVIDERS = 4
PERIODS = ("breakfast", "lunch", "dinner")
DAYS_AHEAD = 14


@contextmanager
def fresh_database(kind: str) -> Iterator[str]:
    """The URL of an empty, migrated database that is thrown away afterwards."""
    if kind == "sqlite":
        with tempfile.TemporaryDirectory() as tmp:
            url = f"sqlite:///{Path(tmp) / 'bookings.db'}"
            upgrade(url)
            yield url
        return
    name = f"yinling_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT", future=True)
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        url = POSTGRES_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
        upgrade(url)
        yield url
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def add_providers(url: str, count: int, capacity: int) -> list[int]:
    engine = make_engine(url)
    with unit_of_work(engine) as uow:
        providers = [
            Provider(
                code=f"BENCH-{index}",
                kind="meal",
                name=f"压测长者食堂{index}",
                region="无锡市",
                district="梁溪区",
                street="清名桥街道",
                address=f"清名桥街道{index}号",
                phone="051000000000",
                services=["堂食", "送餐上门"],
                periods=list(PERIODS),
                daily_capacity=capacity,
                dine_in=True,
                delivery=True,
                service_area=[],
                closed_weekdays=[],
            )
            for index in range(count)
        ]
        uow.session.add_all(providers)
        uow.session.flush()
        ids = [provider.id for provider in providers]
    engine.dispose()
    return ids


def booking_body(index: int, provider_ids: list[int], today: dt.date) -> dict[str, Any]:
    """Request `index`: its own beneficiary, spread over providers, days and meals."""
    return {
        "kind": "meal",
        "provider_id": provider_ids[index % len(provider_ids)],
        "date": (today + dt.timedelta(days=1 + index % DAYS_AHEAD)).isoformat(),
        "period": PERIODS[index % len(PERIODS)],
        "delivery": index % 2 == 0,
        "beneficiary": {"name": f"老人{index}", "phone": f"139{index:08d}", "address": "清名桥"},
        "notes": "少盐",
    }


@contextmanager
def gateway(url: str, log: Path) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """The gateway as production runs it (uvicorn, one process) on a free port."""
    port = free_port()
    command = [
        str(VENV_BIN / "python"),
        "-m",
        "uvicorn",
        "gateway.app:app",
        "--host",
        "127.0.0.1",
        "--port",
        port,
        "--ws",
        "websockets",
        "--no-access-log",
        "--log-level",
        "warning",
    ]
    env = service_env({"DATABASE_URL": url})
    with log.open("wb") as output:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=output, stderr=output)
        base = f"http://127.0.0.1:{port}"
        try:
            wait_until_serving(base, process, log)
            yield base, process
        finally:
            process.send_signal(signal.SIGINT)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def wait_until_serving(base: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the gateway exited: {log.read_text()[-2000:]}")
        try:
            if httpx.get(f"{base}/api/providers", timeout=5).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise TimeoutError("the gateway did not start within 60 s")


async def load(
    base: str, bodies: list[dict[str, Any]], clients: int
) -> tuple[list[float], Counter[int], float]:
    """(latencies, status counts, wall seconds) for `clients` callers each
    sending its next request as soon as the previous one is answered."""
    latencies: list[float] = []
    statuses: Counter[int] = Counter()
    queue = iter(bodies)  # shared: each caller takes the next request

    async def caller(client: httpx.AsyncClient) -> None:
        for body in queue:
            started = time.perf_counter()
            response = await client.post("/api/bookings", json=body)
            latencies.append(time.perf_counter() - started)
            statuses[response.status_code] += 1

    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(base_url=base, timeout=60, limits=limits) as client:
        await asyncio.gather(*(client.get("/api/providers") for _ in range(clients)))  # warm
        started = time.perf_counter()
        await asyncio.gather(*(caller(client) for _ in range(clients)))
        return latencies, statuses, time.perf_counter() - started


def confirmed_rows(url: str) -> int:
    engine = make_engine(url)
    with unit_of_work(engine) as uow:
        count = uow.session.execute(
            select(func.count(Booking.id)).where(Booking.status == "confirmed")
        ).scalar_one()
    engine.dispose()
    return count


def run(database: str, requests: int, clients: int) -> dict[str, Any]:
    with fresh_database(database) as url, tempfile.TemporaryDirectory() as tmp:
        provider_ids = add_providers(url, PROVIDERS, capacity=requests)
        today = today_in_china()
        bodies = [booking_body(index, provider_ids, today) for index in range(requests)]
        with gateway(url, Path(tmp) / "gateway.log") as (base, process):
            latencies, statuses, wall = asyncio.run(load(base, bodies, clients))
            memory = rss_mb(process.pid)
        rows = confirmed_rows(url)
    if statuses[201] != requests or rows != requests:
        raise RuntimeError(f"expected {requests} bookings, got {dict(statuses)}, {rows} rows")
    return {
        "requests": requests,
        "clients": clients,
        "statuses": {str(code): n for code, n in sorted(statuses.items())},
        "bookings_per_s": round(statuses[201] / wall, 1),
        "wall_s": round(wall, 2),
        "latency": latency_summary(latencies) | {"max_ms": round(max(latencies) * 1000, 1)},
        "confirmed_rows": rows,
        "gateway_rss_mb": memory,
    }


def recorded() -> dict[str, Any]:
    """Figures recorded earlier, so SQLite and PostgreSQL runs share one file."""
    path = RESULTS / "bookings.json"
    return json.loads(path.read_text())["figures"] if path.exists() else {}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument("--clients", type=int, default=20)
    args = parser.parse_args(argv)

    figures = run(args.database, args.requests, args.clients)
    print(json.dumps({args.database: figures}, ensure_ascii=False, indent=2))
    path = write_results("bookings", recorded() | {args.database: figures})
    print(f"written to {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
