"""The NLU training data is consistent, big enough, aligned with the
tokenizer, and disjoint from the held-out evaluation set."""

from __future__ import annotations

import re
import subprocess
import sys
from collections import Counter
from functools import lru_cache

import jieba
import pytest
from rasa.shared.core.domain import Domain
from rasa.shared.nlu.training_data.loading import load_data
from rasa.shared.nlu.training_data.training_data import TrainingData

from scripts.environment import ROOT
from scripts.train import NLU_DATA

MAJOR_INTENTS = {
    "ask_policy",
    "check_eligibility",
    "book_meal",
    "book_visit",
    "query_booking",
    "cancel_booking",
    "request_human",
    "emergency",
    "inform",
    "out_of_scope",
}
MINOR_INTENTS = {"greet", "goodbye", "affirm", "deny", "thank", "repeat"}


@lru_cache(maxsize=1)
def training() -> TrainingData:
    return TrainingData().merge(*(load_data(str(path)) for path in NLU_DATA))


@lru_cache(maxsize=1)
def tokenizer() -> jieba.Tokenizer:
    """jieba configured exactly as Rasa's JiebaTokenizer configures it."""
    jieba.setLogLevel(60)
    tok = jieba.Tokenizer()
    for path in sorted((ROOT / "nlu_data" / "jieba").iterdir()):
        tok.load_userdict(str(path))
    return tok


def normalise(text: str) -> str:
    return re.sub(r"[\s，,。.！!？?、~～]+", "", text)


def test_generated_region_resources_are_up_to_date() -> None:
    result = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "gen_nlu_resources.py"), "--check"],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_domain_intent_has_enough_varied_examples() -> None:
    counts = Counter(ex.get("intent") for ex in training().intent_examples)
    domain = Domain.load(str(ROOT / "bot" / "domain"))
    assert set(counts) == MAJOR_INTENTS | MINOR_INTENTS
    assert set(counts) <= set(domain.intents)
    short = {i: counts[i] for i in MAJOR_INTENTS if counts[i] < 40}
    short |= {i: counts[i] for i in MINOR_INTENTS if counts[i] < 20}
    assert not short, f"too few examples: {short}"


def test_no_sentence_is_labelled_twice() -> None:
    seen = Counter(normalise(ex.get("text")) for ex in training().intent_examples)
    assert [text for text, n in seen.items() if n > 1] == []


def test_entity_spans_are_whole_jieba_tokens() -> None:
    misaligned = []
    for example in training().intent_examples:
        text = example.get("text")
        bounds = {0}
        for _, _, end in tokenizer().tokenize(text):
            bounds.add(end)
        starts = {start for _, start, _ in tokenizer().tokenize(text)}
        for entity in example.get("entities") or []:
            if entity["start"] not in starts or entity["end"] not in bounds:
                misaligned.append(f"{text} [{text[entity['start']:entity['end']]}]")
    assert misaligned == []


@pytest.mark.parametrize(
    ("phrase", "token"),
    [
        ("我八十一岁了", "八十一"),
        ("今天下午两点", "今天"),
        ("俺在宜兴住", "宜兴"),
        ("下周三上午九点", "上午九点"),
        ("给我妈订", "我妈"),
    ],
)
def test_entity_values_stay_whole_tokens(phrase: str, token: str) -> None:
    assert token in list(tokenizer().cut(phrase))


@pytest.mark.parametrize("held_out", ["holdout", "holdout_fresh"])
def test_holdout_set_is_never_used_for_training(held_out: str) -> None:
    holdout = load_data(str(ROOT / "tests" / "nlu" / f"{held_out}.yml"))
    trained = {normalise(ex.get("text")) for ex in training().intent_examples}
    leaked = [
        ex.get("text") for ex in holdout.intent_examples if normalise(ex.get("text")) in trained
    ]
    assert leaked == []
    assert len(holdout.intent_examples) >= 150
    assert set(holdout.intents) == MAJOR_INTENTS | MINOR_INTENTS
