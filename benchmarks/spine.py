"""Spine benchmark: training time, model size, NLU parse latency, memory.

Usage: python -m benchmarks.spine [--messages 500] [--skip-training]
Prints the figures and writes benchmarks/results/spine.json.
"""

from __future__ import annotations

import argparse
import itertools
import subprocess
import tempfile
import time
from pathlib import Path

import httpx
import yaml

from benchmarks.common import embedded_stack, latency_summary, report, rss_mb
from scripts.environment import MODEL_PATH, ROOT, service_env
from scripts.train import ensure_model, train_command


def holdout_sentences() -> list[str]:
    data = yaml.safe_load((ROOT / "tests" / "nlu" / "holdout.yml").read_text())
    return [
        line.strip()[2:]
        for block in data["nlu"]
        for line in block["examples"].splitlines()
        if line.strip().startswith("- ")
    ]


def time_training() -> float:
    """A full training run from scratch into a throw-away directory."""
    with tempfile.TemporaryDirectory() as out:
        command = train_command(force=True)
        command[command.index("--out") + 1] = out
        started = time.monotonic()
        subprocess.run(
            command,
            cwd=ROOT,
            env=service_env(),
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        return time.monotonic() - started


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--messages", type=int, default=500)
    parser.add_argument("--skip-training", action="store_true")
    args = parser.parse_args(argv)

    figures: dict[str, object] = {}
    ensure_model()
    if not args.skip_training:
        print("timing a full training run (a few minutes)…", flush=True)
        figures["training_time_s"] = round(time_training(), 1)
    figures["model_size_mb"] = round(MODEL_PATH.stat().st_size / 2**20, 1)

    with tempfile.TemporaryDirectory() as tmp, embedded_stack(Path(tmp)) as stack:
        env = stack.env
        figures["stack_start_s"] = round(stack.ready_after_s, 1)
        sentences = list(itertools.islice(itertools.cycle(holdout_sentences()), args.messages))
        parse, turns = [], []
        with httpx.Client(timeout=30) as client:
            for text in sentences:
                t0 = time.perf_counter()
                client.post(
                    f"{env['RASA_URL']}/model/parse",
                    params={"token": env["RASA_AUTH_TOKEN"]},
                    json={"text": text},
                ).raise_for_status()
                parse.append(time.perf_counter() - t0)
            for i, text in enumerate(sentences[:100]):
                t0 = time.perf_counter()
                client.post(
                    f"{stack.gateway_url}/api/chat",
                    json={"sender": f"bench-{i % 10}", "message": text},
                ).raise_for_status()
                turns.append(time.perf_counter() - t0)
        figures["nlu_parse_latency"] = latency_summary(parse)
        figures["chat_turn_latency_via_gateway"] = latency_summary(turns)
        figures["rss_mb"] = {name: rss_mb(p.pid) for name, p in stack.processes.items()}

    report("spine", figures)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
