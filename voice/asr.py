"""Stage 1 of a spoken turn: 16 kHz mono PCM → text, behind one interface.

Two engines, each loaded once per process and used by any number of turns:

- `VoskRecognizer` streams: partial text while the caller speaks, the final
  text when they stop. It needs a model the deployer supplies (VOSK_MODEL_PATH).
- `WhisperRecognizer` (faster-whisper, Whisper base from the package
  registry) understands Mandarin out of the box; it decodes a whole
  utterance, so its stream buffers the audio and has no partials.

Both return a `Transcript` already through `clean_transcript` (Whisper's
also without any echo of its prompt). Decoding is
CPU-bound and blocking: async callers run it with `asyncio.to_thread`.
"""

from __future__ import annotations

import json
import re
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from voice.audio import SAMPLE_RATE, seconds, to_float
from voice.models import ModelError, prepare_whisper, vosk_model
from voice.settings import VoiceSettings
from voice.transcript import clean_transcript

# Whisper follows the style of the prompt: simplified Chinese, everyday
# words of this service, so 津贴 is more likely than 金贴.
PROMPT_TERMS = ("高龄津贴", "护理补贴", "助餐", "上门服务", "失能老人")
WHISPER_PROMPT = f"以下是普通话：{'、'.join(PROMPT_TERMS)}。"
# On line noise after the words, Whisper may carry on with its prompt
# ("帮我查一下我的预约：高龄津贴、助餐、上门服务、失能老人。"). An echo is a
# list of the prompt's terms in the prompt's order, at the end of the text,
# introduced by the prompt's colon or at least three terms long; a caller
# naming one or two benefits in their own words is not one.
_TERM = "|".join(PROMPT_TERMS)
_ECHO = re.compile(
    rf"(?P<lead>以下是普通话)?(?P<colon>[：:])?"
    rf"(?P<run>(?:{_TERM})(?:[、，,](?:{_TERM}))+)[。.]?$"
)
_PROMPT_LEAD = re.compile(r"^以下是普通话[：:，。]?")


def without_prompt_echo(text: str) -> str:
    """The caller's words without Whisper's continuation of its own prompt."""
    match = _ECHO.search(text)
    if match:
        terms = re.findall(_TERM, match["run"])
        in_order = [t for t in PROMPT_TERMS if t in terms] == terms
        if in_order and (match["colon"] or match["lead"] or len(terms) >= 3):
            text = text[: match.start()]
    return _PROMPT_LEAD.sub("", text).rstrip("：:，,、 ")


@dataclass(frozen=True)
class Transcript:
    text: str  # cleaned: what the dialogue reads ("" when nothing was said)
    raw: str  # as the engine wrote it
    engine: str
    audio_s: float
    decode_s: float


class Stream(Protocol):
    def accept(self, pcm: bytes) -> str:
        """Take more audio; return the text so far (may be "")."""

    def finish(self) -> Transcript:
        """The whole utterance's transcript."""


class Recognizer(Protocol):
    name: str

    def transcribe(self, pcm: bytes) -> Transcript: ...

    def stream(self) -> Stream: ...


class VoskRecognizer:
    name = "vosk"

    def __init__(self, model_path: Path | None) -> None:
        from vosk import Model, SetLogLevel

        SetLogLevel(-1)
        folder = vosk_model(model_path)
        started = time.perf_counter()
        try:
            self._model = Model(str(folder))  # never Model(lang=…): that downloads
        except Exception as error:  # vosk raises a bare Exception
            raise ModelError(f"Vosk could not load the model in {folder}: {error}") from error
        self.load_s = time.perf_counter() - started

    def stream(self) -> VoskStream:
        return VoskStream(self._model)

    def transcribe(self, pcm: bytes) -> Transcript:
        stream = self.stream()
        stream.accept(pcm)
        return stream.finish()


class VoskStream:
    """One utterance through Kaldi: text grows as audio arrives."""

    def __init__(self, model: object) -> None:
        from vosk import KaldiRecognizer

        self._recognizer = KaldiRecognizer(model, SAMPLE_RATE)
        self._finished: list[str] = []  # segments Kaldi closed at pauses
        self._audio = 0
        self._decode_s = 0.0

    def accept(self, pcm: bytes) -> str:
        started = time.perf_counter()
        self._audio += len(pcm)
        if self._recognizer.AcceptWaveform(pcm):
            self._finished.append(json.loads(self._recognizer.Result()).get("text", ""))
            partial = ""
        else:
            partial = json.loads(self._recognizer.PartialResult()).get("partial", "")
        self._decode_s += time.perf_counter() - started
        return clean_transcript(" ".join([*self._finished, partial]))

    def finish(self) -> Transcript:
        started = time.perf_counter()
        last = json.loads(self._recognizer.FinalResult()).get("text", "")
        raw = " ".join(t for t in [*self._finished, last] if t)
        decode_s = self._decode_s + time.perf_counter() - started
        audio_s = self._audio / 2 / SAMPLE_RATE
        return Transcript(clean_transcript(raw), raw, "vosk", audio_s, decode_s)


class WhisperRecognizer:
    name = "whisper"

    def __init__(self, model_dir: Path, threads: int = 0) -> None:
        from faster_whisper import WhisperModel

        folder = prepare_whisper(model_dir)
        started = time.perf_counter()
        self._model = WhisperModel(
            str(folder), device="cpu", compute_type="int8", cpu_threads=threads
        )
        self.load_s = time.perf_counter() - started
        self._lock = threading.Lock()  # one decode at a time per model: predictable latency

    def transcribe(self, pcm: bytes) -> Transcript:
        started = time.perf_counter()
        with self._lock:
            segments, _ = self._model.transcribe(
                to_float(pcm),
                language="zh",
                beam_size=1,
                initial_prompt=WHISPER_PROMPT,
                condition_on_previous_text=False,
                # Silero VAD ships inside faster-whisper: silence yields no
                # segments instead of an invented sentence.
                vad_filter=True,
            )
            raw = "".join(segment.text for segment in segments)
        decode_s = time.perf_counter() - started
        text = without_prompt_echo(clean_transcript(raw))
        return Transcript(text, raw, "whisper", seconds(pcm), decode_s)

    def stream(self) -> WhisperStream:
        return WhisperStream(self)


class WhisperStream:
    """Whisper decodes a whole utterance: collect it, decode at the end."""

    def __init__(self, recognizer: WhisperRecognizer) -> None:
        self._recognizer = recognizer
        self._audio = bytearray()

    def accept(self, pcm: bytes) -> str:
        self._audio += pcm
        return ""

    def finish(self) -> Transcript:
        return self._recognizer.transcribe(bytes(self._audio))


def load_recognizer(settings: VoiceSettings) -> Recognizer:
    """The configured engine; `auto` prefers Vosk (it streams) when a model is set."""
    engine = settings.asr_engine
    if engine == "auto":
        engine = "vosk" if settings.vosk_model_path else "whisper"
    if engine == "vosk":
        return VoskRecognizer(settings.vosk_model_path)
    return WhisperRecognizer(settings.whisper_model_dir, settings.asr_threads)
