"""Policy questions: search, cited answers and region comparison.

The one service the bot, the REST API and the staff console share. Regions
are resolved here: an explicit region wins, else a place named in the
question, else all documents; a resident of 无锡 also gets Jiangsu's
provincial document. A place we hold no documents for is said so, never
answered from another city's rules.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from functools import lru_cache

import jieba.posseg

from knowledge.db import UnitOfWork
from knowledge.regions import gazetteer
from knowledge.search.answer import Answer, compose, not_found
from knowledge.search.index import Hit, PolicyIndex, documents_fingerprint, load_entries
from knowledge.search.text import tokenizer

MAX_QUESTION_CHARS = 200
MAX_K = 20


class UnknownRegionError(ValueError):
    """A region parameter that is not one of the covered regions."""

    def __init__(self, region: str) -> None:
        super().__init__(f"没有“{region}”的政策文件，目前只有：{gazetteer().listing}")
        self.region = region


@dataclass(frozen=True)
class Scope:
    documents_regions: list[str] | None  # regions whose documents apply; None = all
    unsupported_place: str | None = None


_lock = threading.Lock()
_cache: dict[str, tuple[tuple[str, ...], PolicyIndex]] = {}


def index(uow: UnitOfWork) -> PolicyIndex:
    """The process-wide index, rebuilt when the ingested documents change."""
    key = str(uow.session.get_bind().url)
    fingerprint = documents_fingerprint(uow)
    cached = _cache.get(key)
    if cached and cached[0] == fingerprint:
        return cached[1]
    with _lock:
        built = PolicyIndex(load_entries(uow))
        _cache[key] = (fingerprint, built)
        return built


@lru_cache(maxsize=1)
def _posseg() -> jieba.posseg.POSTokenizer:
    return jieba.posseg.POSTokenizer(tokenizer())  # reads the dictionary: build once


def foreign_place(question: str) -> str | None:
    """A place name in the question that is not in our gazetteer (北京)."""
    for token in _posseg().cut(question):
        if (
            token.flag == "ns"
            and len(token.word) >= 2
            and gazetteer().normalise(token.word) is None
        ):
            return token.word
    return None


def resolve_scope(question: str, region: str | None) -> Scope:
    if region:
        canonical = gazetteer().normalise(region)
        if canonical is None:
            raise UnknownRegionError(region)
        return Scope(gazetteer().applicable(canonical))
    mentioned = gazetteer().normalise(question)
    if mentioned:
        return Scope(gazetteer().applicable(mentioned))
    return Scope(None, foreign_place(question))


def without_places(question: str) -> str:
    """Once the scope is set, place names only add noise to matching (every
    line of 重庆's title says 重庆)."""
    for name in sorted(gazetteer().index, key=len, reverse=True):
        question = question.replace(name, " ")
    return question


def search(uow: UnitOfWork, query: str, region: str | None = None, k: int = 5) -> list[Hit]:
    scope = resolve_scope(query, region)
    if scope.unsupported_place:
        return []
    return index(uow).search(without_places(query), scope.documents_regions, k)


def ask(uow: UnitOfWork, question: str, region: str | None = None) -> Answer:
    scope = resolve_scope(question, region)
    if scope.unsupported_place:
        return not_found(
            f"我这里只有{gazetteer().listing}的养老政策文件，没有{scope.unsupported_place}的。"
        )
    policy_index = index(uow)
    hits = policy_index.search(without_places(question), scope.documents_regions, k=5)
    return compose(question, hits, set(gazetteer().index), policy_index.rarity)


def compare(
    uow: UnitOfWork, topic: str, k: int = 3, regions: list[str] | None = None
) -> dict[str, list[Hit]]:
    """Each region's own document on one topic, for side-by-side reading;
    `regions` (canonical names) picks and orders the columns."""
    policy_index = index(uow)
    return {name: policy_index.search(topic, [name], k) for name in regions or gazetteer().names}
