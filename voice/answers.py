"""The answers the assistant's last question invites, and choosing among them.

After a yes/no question (the booking read back, "cancel it?", the offer of
a person) or a question with quick replies (堂食 / 送餐上门, 换一家), the
caller's answer is usually one of a few short phrases. That is exactly where
recognisers are weakest: one syllable on its own, with no sentence around
it (Whisper base writes 对 as "B", 是的 as 失能, 不中 as 普通). So a
recogniser is told which phrases to expect and what each means
(`Recognizer.transcribe(pcm, expected)`), as Vosk's grammars and telephone
IVRs do. A short utterance that sounds like one of them as much as like
anything else is written as that phrase; one that sounds as much like a yes
as like a no is not guessed at, and the caller is asked again. Anything
else is transcribed exactly as it would have been without them, so a caller
who says more (不对，改成后天) is heard as well as ever.

The yes and no phrases are data (voice/data/answers.yml), each read by the
bot's NLU as the intent it is listed under, so a chosen phrase is the yes
or the no it sounds like.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from voice.transcript import bare

ANSWERS_FILE = Path(__file__).resolve().parent / "data" / "answers.yml"
YES_NO_PAYLOADS = {"/affirm": "affirm", "/deny": "deny"}
# The longest utterance compared with the expected answers, with the
# streaming call's 0.3 s lead-in and 0.8 s of trailing quiet: a yes, a no
# or a button's title (对，就这样订), not a sentence.
MAX_ANSWER_S = 3.0
# Figures in nats (natural-log probability of a whole phrase, to its end of
# text), measured with Whisper base on the project's synthesised answers
# (tests/voice/test_expected_answers.py, benchmarks/voice.py):
# - how much less likely than the recogniser's own free reading an expected
#   phrase may be and still be chosen: the right phrase trails a wrong free
#   reading by up to about 4.5, while sentences that are not an answer
#   (明天中午, 我不知道) beat the best phrase by 7 or more;
MARGIN = 5.0
# - how much likelier the best phrase must be than the best phrase that
#   means something else (a yes against a no): 要 against 不要 is often
#   closer than this on a lone syllable, and then the caller is asked again.
UNSURE_MARGIN = 1.0
# A free reading this confident (mean per token) and longer than the phrase
# by more than EXTRA_CHARS is the caller saying more than an answer.
CONFIDENT_PER_TOKEN = -1.0
EXTRA_CHARS = 2
UNSURE = ""  # the answer to write when it could be a yes as well as a no: nothing

Expected = Mapping[str, str]  # phrase → what it means (affirm, deny, a button's payload)


@dataclass(frozen=True)
class Reading:
    """The recogniser's own reading of the utterance, with its log-probability."""

    text: str
    score: float
    tokens: int  # including the end of text


@lru_cache(maxsize=1)
def _yes_no() -> dict[str, str]:
    data = yaml.safe_load(ANSWERS_FILE.read_text(encoding="utf-8"))
    return {phrase: intent for intent in ("affirm", "deny") for phrase in data[intent]}


def yes_no() -> dict[str, str]:
    """Every yes and no phrase, with its intent (yes first)."""
    return dict(_yes_no())


def button_payloads(messages: Sequence[Mapping[str, Any]]) -> dict[str, str]:
    """The bot's buttons, title → payload: a title said is that button tapped."""
    found: dict[str, str] = {}
    for message in messages:
        for button in message.get("buttons") or []:
            title, payload = button.get("title"), button.get("payload")
            if isinstance(title, str) and title.strip() and isinstance(payload, str) and payload:
                found.setdefault(title.strip(), payload)
    return found


def expected_answers(messages: Sequence[Mapping[str, Any]]) -> dict[str, str]:
    """What the bot's messages invite: their buttons' titles (meaning their
    payload), and every yes and no phrase when a button stands for one."""
    offered = button_payloads(messages)
    expected = {title: YES_NO_PAYLOADS.get(p, p) for title, p in offered.items()}
    if set(offered.values()) & set(YES_NO_PAYLOADS):
        expected |= {p: m for p, m in _yes_no().items() if p not in expected}
    return expected


def best_answer(scores: Mapping[str, float], expected: Expected, free: Reading) -> str | None:
    """The expected phrase to write for the utterance; UNSURE if phrases
    that mean different things fit about equally well; None if it is not
    an answer (no phrase fits within MARGIN of the free reading, or the
    caller confidently said more than the phrase)."""
    if not scores:
        return None
    phrase = max(scores, key=lambda p: scores[p])
    if free.text != phrase and scores[phrase] < free.score - MARGIN:
        return None
    confident = free.score / max(free.tokens, 1) > CONFIDENT_PER_TOKEN
    if confident and len(bare(free.text)) > len(bare(phrase)) + EXTRA_CHARS:
        return None
    rivals = [s for p, s in scores.items() if expected.get(p) != expected.get(phrase)]
    if rivals and max(rivals) > scores[phrase] - UNSURE_MARGIN:
        return UNSURE
    return phrase
