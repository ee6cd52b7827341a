"""Helpers shared by the benchmarks: percentiles, process memory, result
files, and the servers on a throw-away database."""

from __future__ import annotations

import json
import platform
import statistics
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from scripts.stack import Stack, isolated_env, migrate

RESULTS = Path(__file__).resolve().parent / "results"


def percentile(samples: list[float], pct: float) -> float:
    ordered = sorted(samples)
    index = min(len(ordered) - 1, max(0, round(pct / 100 * (len(ordered) - 1))))
    return ordered[index]


def latency_summary(seconds: list[float]) -> dict[str, float]:
    ms = [s * 1000 for s in seconds]
    return {
        "n": len(ms),
        "p50_ms": round(percentile(ms, 50), 1),
        "p95_ms": round(percentile(ms, 95), 1),
        "mean_ms": round(statistics.fmean(ms), 1),
    }


def rss_mb(pid: int) -> float:
    """Resident memory of a process and all its children, in MB."""
    total_kb = 0
    pids = [pid]
    while pids:
        current = pids.pop()
        try:
            status = Path(f"/proc/{current}/status").read_text()
            children = Path(f"/proc/{current}/task/{current}/children").read_text().split()
        except FileNotFoundError:
            continue
        for line in status.splitlines():
            if line.startswith("VmRSS:"):
                total_kb += int(line.split()[1])
        pids.extend(int(c) for c in children)
    return round(total_kb / 1024, 1)


def report(name: str, figures: dict[str, Any]) -> None:
    """Print the figures and record them in benchmarks/results/<name>.json."""
    path = write_results(name, figures)
    print(json.dumps(figures, ensure_ascii=False, indent=2))
    print(f"written to {path}")


def write_results(name: str, figures: dict[str, Any]) -> Path:
    RESULTS.mkdir(parents=True, exist_ok=True)
    record = {
        "benchmark": name,
        "recorded_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "machine": {"cpus": __import__("os").cpu_count(), "python": platform.python_version()},
        "figures": figures,
    }
    path = RESULTS / f"{name}.json"
    path.write_text(json.dumps(record, ensure_ascii=False, indent=2) + "\n")
    return path


@contextmanager
def embedded_stack(tmp: Path, overrides: dict[str, str] | None = None) -> Iterator[Stack]:
    """The three servers on free ports over fresh SQLite databases in `tmp`,
    healthy (the trained model must exist: scripts.train.ensure_model)."""
    env = isolated_env(f"sqlite:///{tmp / 'app.db'}", f"sqlite:///{tmp / 'tracker.db'}", overrides)
    migrate(env)
    stack = Stack(env, log_dir=tmp / "logs")
    stack.start()
    try:
        stack.wait_ready(timeout_s=300)
        yield stack
    finally:
        stack.stop()
