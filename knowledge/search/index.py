"""In-memory retrieval index over the searchable passages in the database.

Built once per process from the passages table and rebuilt only when the
ingested documents change, so a search costs no database round trip beyond
a fingerprint check.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from sqlalchemy import select

from knowledge.db import UnitOfWork
from knowledge.ingest.parse import heading_text
from knowledge.models import Document, Passage, Section
from knowledge.search.bm25 import BM25
from knowledge.search.text import (
    AMOUNT,
    DEFINITION,
    DIGIT,
    asks_amount,
    asks_definition,
    asks_quantity,
    expand,
    plain_terms,
    terms,
)

SEARCHABLE = ("text", "table")
# A question for an amount prefers text that states one; "what is X"
# prefers a definition (the glossaries write "X：指…").
INTENT_BOOST = 1.6


@dataclass(frozen=True)
class Entry:
    passage_id: int
    source: str
    document: str
    short_name: str
    region: str
    section: str
    start_line: int
    end_line: int
    kind: str
    text: str


@dataclass(frozen=True)
class Hit:
    entry: Entry
    score: float
    best: str = ""  # the sentences of the passage that matched best


SENTENCE_END = re.compile(r"(?<=[。；！？])")
CHUNK_CHARS = 120


def chunks(text: str) -> list[str]:
    """Consecutive sentences grouped up to ~CHUNK_CHARS: long policy
    paragraphs pack many facts, and scoring each fact on its own keeps a
    one-line answer from drowning in a 1,000-character paragraph."""
    out: list[str] = []
    for sentence in (s for s in SENTENCE_END.split(text) if s.strip()):
        if out and len(out[-1]) + len(sentence) <= CHUNK_CHARS:
            out[-1] += sentence
        else:
            out.append(sentence)
    return out or [text]


def _section_paths(sections: list[Section]) -> dict[int, list[str]]:
    by_id = {s.id: s for s in sections}
    paths: dict[int, list[str]] = {}
    for section in sections:
        chain, current = [], section
        while current is not None:
            chain.append(current.title)
            current = by_id.get(current.parent_id) if current.parent_id else None
        paths[section.id] = list(reversed(chain))
    return paths


def load_entries(uow: UnitOfWork) -> list[Entry]:
    documents = {d.id: d for d in uow.session.execute(select(Document)).scalars()}
    paths = _section_paths(list(uow.session.execute(select(Section)).scalars()))
    passages = uow.session.execute(
        select(Passage)
        .where(Passage.kind.in_(SEARCHABLE), Passage.topic == "elderly")
        .order_by(Passage.document_id, Passage.start_line)
    ).scalars()
    return [
        Entry(
            passage_id=p.id,
            source=documents[p.document_id].source,
            document=documents[p.document_id].title,
            short_name=documents[p.document_id].short_name,
            region=documents[p.document_id].region,
            section=" > ".join(paths.get(p.section_id, [])) if p.section_id else "",
            start_line=p.start_line,
            end_line=p.end_line,
            kind=p.kind,
            text=p.text,
        )
        for p in passages
    ]


def documents_fingerprint(uow: UnitOfWork) -> tuple[str, ...]:
    return tuple(uow.session.execute(select(Document.sha256).order_by(Document.source)).scalars())


class PolicyIndex:
    """Our retrieval: expanded questions, domain-aware terms, region scope."""

    def __init__(self, entries: list[Entry]) -> None:
        self.entries = entries
        self.chunks: list[tuple[int, str]] = []  # (entry index, chunk text)
        for index, entry in enumerate(entries):
            self.chunks.extend((index, chunk) for chunk in chunks(entry.text))
        self.bm25 = BM25([self.chunk_terms(entries[i], text) for i, text in self.chunks])
        self._rarity: dict[str, float | None] = {}
        self.by_region: dict[str, set[int]] = {}
        for number, (index, _) in enumerate(self.chunks):
            self.by_region.setdefault(entries[index].region, set()).add(number)

    @staticmethod
    def chunk_terms(entry: Entry, text: str) -> list[str]:
        # The two innermost headings say what a paragraph is about even when
        # the paragraph itself does not repeat it.
        headings = [heading_text(t) for t in entry.section.split(" > ")[-2:]]
        return terms(text) + terms(" ".join(headings))

    def rarity(self, word: str) -> float | None:
        """How rare `word` is in the passages (log inverse share of chunks
        containing it as written), None if no passage uses it."""
        if word not in self._rarity:
            used = sum(1 for _, text in self.chunks if word in text)
            self._rarity[word] = math.log(len(self.chunks) / used) if used else None
        return self._rarity[word]

    def search(self, question: str, regions: list[str] | None = None, k: int = 5) -> list[Hit]:
        allowed = None
        if regions:
            allowed = set().union(*(self.by_region.get(r, set()) for r in regions))
        scores = self.bm25.scores(terms(expand(question)), allowed)
        intents = (
            (AMOUNT, asks_amount(question)),
            (DIGIT, asks_quantity(question)),
            (DEFINITION, asks_definition(question)),
        )
        wants = [pattern for pattern, asked in intents if asked]
        best: dict[int, tuple[float, str]] = {}
        for number, score in scores.items():
            index, text = self.chunks[number]
            if any(pattern.search(text) for pattern in wants):
                score *= INTENT_BOOST
            if score > best.get(index, (0.0, ""))[0]:
                best[index] = (score, text)
        ranked = sorted(best.items(), key=lambda item: (-item[1][0], item[0]))[:k]
        return [Hit(self.entries[i], round(score, 3), text) for i, (score, text) in ranked]


class BaselineIndex:
    """Plain BM25 over the same passages: default jieba words, no expansion,
    no region scope. Kept to measure what our retrieval adds."""

    def __init__(self, entries: list[Entry]) -> None:
        self.entries = entries
        self.bm25 = BM25([plain_terms(e.text) for e in entries])

    def search(self, question: str, regions: list[str] | None = None, k: int = 5) -> list[Hit]:
        scores = self.bm25.scores(plain_terms(question))
        best = sorted(scores.items(), key=lambda item: (-item[1], item[0]))[:k]
        return [Hit(self.entries[i], round(score, 3)) for i, score in best]
