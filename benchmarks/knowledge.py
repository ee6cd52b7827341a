"""Knowledge benchmark: retrieval quality against plain BM25, answer honesty,
and search latency.

Usage: python -m benchmarks.knowledge
Prints hit@1 / hit@3 for our retrieval and for plain BM25 over the same
passages (same run, same questions), the found/not-found confusion of
/api/ask's service, and search latency at k=5 in-process and over HTTP;
writes benchmarks/results/knowledge.json.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from fastapi.testclient import TestClient

from benchmarks.common import latency_summary, report
from knowledge.db import UnitOfWork, make_engine
from knowledge.regions import gazetteer
from knowledge.search.index import BaselineIndex, load_entries
from knowledge.services import policy
from tests.conftest import prepare
from tests.knowledge.conftest import load_questions


def is_hit(hit, expected) -> bool:  # type: ignore[no-untyped-def]
    return any(
        hit.entry.source == e["source"]
        and hit.entry.start_line <= e["lines"][1]
        and e["lines"][0] <= hit.entry.end_line
        for e in expected
    )


def region_of(question: dict) -> str | None:
    return question["region"] if question.get("region") in gazetteer().names else None


def main() -> int:
    questions = load_questions()
    found = [q for q in questions if q["found"]]
    figures: dict[str, object] = {"questions": len(questions), "answerable": len(found)}
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'kb.db'}"
        prepare(url)
        engine = make_engine(url)
        with UnitOfWork(engine) as uow:
            baseline = BaselineIndex(load_entries(uow))
            systems = {
                "ours": lambda q: policy.search(uow, q["question"], region_of(q), k=3),
                "plain_bm25": lambda q: baseline.search(q["question"], k=3),
            }
            for name, run in systems.items():
                ranked = [(run(q), q["expect"]) for q in found]
                figures[name] = {
                    "hit@1": round(
                        sum(bool(h) and is_hit(h[0], e) for h, e in ranked) / len(found), 3
                    ),
                    "hit@3": round(
                        sum(any(is_hit(x, e) for x in h) for h, e in ranked) / len(found), 3
                    ),
                }
            confusion = {"answered": 0, "missed": 0, "invented": 0, "honest_not_found": 0}
            for q in questions:
                answer = policy.ask(uow, q["question"], region_of(q))
                key = {
                    (True, True): "answered",
                    (True, False): "missed",
                    (False, True): "invented",
                    (False, False): "honest_not_found",
                }[(q["found"], answer.found)]
                confusion[key] += 1
            figures["ask"] = confusion

            timings = []
            for _ in range(3):
                for q in questions:
                    started = time.perf_counter()
                    policy.search(uow, q["question"], region_of(q), k=5)
                    timings.append(time.perf_counter() - started)
            figures["search_latency_in_process_k5"] = latency_summary(timings)

        import os

        os.environ["DATABASE_URL"] = url
        from gateway.app import create_app

        with TestClient(create_app()) as client:
            timings = []
            for q in questions * 2:
                started = time.perf_counter()
                client.get("/api/knowledge/search", params={"q": q["question"], "k": 5})
                timings.append(time.perf_counter() - started)
        figures["search_latency_http_k5"] = latency_summary(timings)
        engine.dispose()

    report("knowledge", figures)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
