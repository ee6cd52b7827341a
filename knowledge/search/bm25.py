"""Okapi BM25 over pre-tokenised documents (k1=1.2, b=0.75)."""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence


class BM25:
    def __init__(self, documents: Sequence[Sequence[str]], k1: float = 1.2, b: float = 0.75):
        self.k1, self.b = k1, b
        self.lengths = [len(doc) for doc in documents]
        self.avg_length = (sum(self.lengths) / len(self.lengths)) if self.lengths else 1.0
        self.postings: dict[str, list[tuple[int, int]]] = defaultdict(list)
        for index, doc in enumerate(documents):
            for term, count in Counter(doc).items():
                self.postings[term].append((index, count))
        n = len(documents)
        self.idf = {
            term: math.log(1 + (n - len(p) + 0.5) / (len(p) + 0.5))
            for term, p in self.postings.items()
        }

    def scores(self, query: Iterable[str], allowed: set[int] | None = None) -> dict[int, float]:
        """Score of every document sharing a term with the query."""
        totals: dict[int, float] = defaultdict(float)
        for term, weight in Counter(query).items():
            idf = self.idf.get(term)
            if idf is None:
                continue
            for index, count in self.postings[term]:
                if allowed is not None and index not in allowed:
                    continue
                norm = self.k1 * (1 - self.b + self.b * self.lengths[index] / self.avg_length)
                totals[index] += weight * idf * count * (self.k1 + 1) / (count + norm)
        return totals
