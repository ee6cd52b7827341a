"""python -m knowledge.ingest: load the policy documents into DATABASE_URL."""

from __future__ import annotations

import sys

from knowledge.db import unit_of_work
from knowledge.ingest.store import ingest


def main() -> int:
    with unit_of_work() as uow:
        report = ingest(uow)
    for label in ("added", "updated", "removed", "unchanged"):
        names = getattr(report, label)
        if names:
            print(f"{label}: {', '.join(names)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
