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

After a question with a few expected answers (voice.answers), both are told
them: Whisper scores each phrase against the audio, Vosk decodes with them
as its grammar, and a short utterance that fits one is written as it.
"""

from __future__ import annotations

import json
import re
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from voice.answers import MAX_ANSWER_S, Expected, Reading, best_answer
from voice.audio import SAMPLE_RATE, seconds, to_float
from voice.models import ModelError, prepare_whisper, vosk_model
from voice.settings import VoiceSettings
from voice.transcript import bare, clean_transcript

# Whisper follows the style of the prompt: simplified Chinese, everyday
# words of this service, so 津贴 is more likely than 金贴.
PROMPT_TERMS = ("高龄津贴", "护理补贴", "助餐", "上门服务", "失能老人")
WHISPER_PROMPT = f"以下是普通话：{'、'.join(PROMPT_TERMS)}。"
# On line noise after the words, or after a word said on its own, Whisper
# may carry on with its prompt ("帮我查一下我的预约：高龄津贴、助餐、上门服务、
# 失能老人。", "是的：高龄津贴、助餐、上门"). An echo is a list of the
# prompt's terms in the prompt's order, at the end of the text, introduced
# by the prompt's colon or at least three terms long, and perhaps cut off in
# its last term where decoding stopped; a caller naming one or two benefits
# in their own words is not one.
_TERM = "|".join(PROMPT_TERMS)
_CUT_TERM = "|".join(sorted({t[:i] for t in PROMPT_TERMS for i in range(1, len(t))}, key=len)[::-1])
_ECHO = re.compile(
    rf"(?P<lead>以下是普通话)?(?P<colon>[：:]+)?"
    rf"(?P<run>(?:{_TERM})(?:[、，,](?:{_TERM}))*)(?P<cut>[、，,](?:{_CUT_TERM})?)?[。.]?$"
)
_PROMPT_LEAD = re.compile(r"^以下是普通话[：:，。]?")
# What an echo leaves behind: a colon or comma with nothing after it
# (帮我买火车票：。 → 帮我买火车票。).
_DANGLING = re.compile(r"[：:，,、\s]+(?=[。.！？!?]?$)")
_CJK_ONLY = re.compile(r"^[\u3400-\u9fff]+$")


def without_prompt_echo(text: str) -> str:
    """The caller's words without Whisper's continuation of its own prompt."""
    match = _ECHO.search(text)
    if match:
        terms = re.findall(_TERM, match["run"])
        in_order = [t for t in PROMPT_TERMS if t in terms] == terms
        runs_on = len(terms) >= 2 or bool(match["cut"])  # one whole term could be said
        if in_order and runs_on and (match["colon"] or match["lead"] or len(terms) >= 3):
            text = text[: match.start()]
    return _DANGLING.sub("", _PROMPT_LEAD.sub("", text))


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

    def finish(self, expected: Expected | None = None) -> Transcript:
        """The whole utterance's transcript (`expected`: as in transcribe)."""


class Recognizer(Protocol):
    name: str

    def transcribe(self, pcm: bytes, expected: Expected | None = None) -> Transcript:
        """The utterance's text. `expected`: the answers the last question
        invites and what each means (voice.answers); a short utterance that
        sounds like one is written as it, or as "" if it could as well be
        one of another meaning."""

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

    def transcribe(self, pcm: bytes, expected: Expected | None = None) -> Transcript:
        stream = self.stream()
        stream.accept(pcm)
        return stream.finish(expected)


class VoskStream:
    """One utterance through Kaldi: text grows as audio arrives."""

    # A phrase of the grammar is taken only if Kaldi is this sure of every
    # word; below it, an utterance that is none of them is forced into one.
    MIN_CONFIDENCE = 0.8

    def __init__(self, model: object) -> None:
        from vosk import KaldiRecognizer

        self._model = model
        self._recognizer = KaldiRecognizer(model, SAMPLE_RATE)
        self._finished: list[str] = []  # segments Kaldi closed at pauses
        self._audio = bytearray()  # kept for a second pass with a grammar
        self._decode_s = 0.0

    def accept(self, pcm: bytes) -> str:
        started = time.perf_counter()
        self._audio += pcm
        if self._recognizer.AcceptWaveform(pcm):
            self._finished.append(json.loads(self._recognizer.Result()).get("text", ""))
            partial = ""
        else:
            partial = json.loads(self._recognizer.PartialResult()).get("partial", "")
        self._decode_s += time.perf_counter() - started
        return clean_transcript(" ".join([*self._finished, partial]))

    def finish(self, expected: Expected | None = None) -> Transcript:
        started = time.perf_counter()
        last = json.loads(self._recognizer.FinalResult()).get("text", "")
        raw = " ".join(t for t in [*self._finished, last] if t)
        text = clean_transcript(raw)
        audio_s = seconds(bytes(self._audio))
        if expected and audio_s <= MAX_ANSWER_S and text not in expected:
            text = self._grammar_answer(expected) or text
        decode_s = self._decode_s + time.perf_counter() - started
        return Transcript(text, raw, "vosk", audio_s, decode_s)

    def _grammar_answer(self, expected: Expected) -> str | None:
        """The utterance decoded again with only the expected phrases (and
        "[unk]" for anything else) as Kaldi's grammar: the phrase, if Kaldi
        heard exactly one and is sure of every word. Kaldi may string the
        grammar's words together in any order, so anything else is not an
        answer. Chinese phrases are offered whole and character by
        character, since the model's lexicon decides what a word is."""
        from vosk import KaldiRecognizer

        by_sound = {bare(p): p for p in expected if bare(p)}
        grammar = {w for b in by_sound for w in (b, " ".join(b) if _CJK_ONLY.match(b) else b)}
        grammar |= {p for p in expected if " " in p.strip()}  # words as written (Korean …)
        # Kaldi reads the grammar as UTF-8: an escaped \uXXXX is an unknown word.
        phrases = json.dumps([*grammar, "[unk]"], ensure_ascii=False)
        recognizer = KaldiRecognizer(self._model, SAMPLE_RATE, phrases)
        recognizer.SetWords(True)
        recognizer.AcceptWaveform(bytes(self._audio))
        result = json.loads(recognizer.FinalResult())
        words = result.get("result") or []
        if not words or min(w.get("conf", 0.0) for w in words) < self.MIN_CONFIDENCE:
            return None
        return by_sound.get(bare(result.get("text", "")))


class WhisperRecognizer:
    name = "whisper"
    SHORTLIST = 2  # phrases of each meaning scored over the whole window
    SHORTLIST_CONTEXT = 50  # encoder frames (1 s) after the utterance, for the first ranking
    MAX_FREE_TOKENS = 32  # Whisper's own reading of a short answer, and the cap's base
    TOKENS_PER_S = 10  # Mandarin is said at 4–5 characters a second, 1–2 tokens each

    def __init__(self, model_dir: Path, threads: int = 0) -> None:
        from faster_whisper import WhisperModel
        from faster_whisper.tokenizer import Tokenizer

        folder = prepare_whisper(model_dir)
        started = time.perf_counter()
        self._model = WhisperModel(
            str(folder), device="cpu", compute_type="int8", cpu_threads=threads
        )
        self.load_s = time.perf_counter() - started
        self._lock = threading.Lock()  # one decode at a time per model: predictable latency
        self._tokenizer = Tokenizer(
            self._model.hf_tokenizer,
            self._model.model.is_multilingual,
            task="transcribe",
            language="zh",
        )

    def transcribe(self, pcm: bytes, expected: Expected | None = None) -> Transcript:
        started = time.perf_counter()
        if expected and seconds(pcm) <= MAX_ANSWER_S:
            answer = self._answer(pcm, expected)
            if answer is not None:
                return Transcript(answer[0], answer[1], self.name, seconds(pcm), _since(started))
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
                # One greedy pass, at most a few tokens more than anyone can
                # say in the time: the default re-decoding at higher
                # temperatures rescues nothing here and made a lone word
                # take up to 13 s (a repetition loop, six times over).
                temperature=0.0,
                max_new_tokens=self.MAX_FREE_TOKENS + int(self.TOKENS_PER_S * seconds(pcm)),
            )
            raw = "".join(segment.text for segment in segments)
        text = without_prompt_echo(clean_transcript(raw))
        return Transcript(text, raw, self.name, seconds(pcm), _since(started))

    def _answer(self, pcm: bytes, expected: Expected) -> tuple[str, str] | None:
        """A short utterance after a question: (the expected phrase it is,
        or "" if nothing or nothing certain was said; Whisper's own reading),
        or None if it is something else, to be transcribed as usual."""
        from faster_whisper.vad import VadOptions, get_speech_timestamps

        audio = to_float(pcm)
        if not get_speech_timestamps(audio, VadOptions()):  # silence, hiss: not a yes
            return "", ""
        with self._lock:
            free, scores = self._scores(audio, expected)
        chosen = best_answer(scores, expected, free)
        return None if chosen is None else (chosen, free.text)

    def _scores(self, audio: np.ndarray, expected: Expected) -> tuple[Reading, dict[str, float]]:
        """Whisper's greedy reading (without the domain prompt, which turns a
        lone 是的 into 失能) and the log-probability of the likeliest phrases
        of each meaning, to their end of text, from one pass of the encoder.

        Scoring a phrase costs the decoder's attention over the whole 30 s
        window (about 80 ms here), so every phrase is first scored over the
        utterance alone (the window cut SHORTLIST_CONTEXT after it: cheap,
        and a fair ranking), and the best SHORTLIST of each meaning again
        over the whole window, as Whisper was trained."""
        from faster_whisper.audio import pad_or_trim

        model, tokenizer = self._model, self._tokenizer
        features = model.feature_extractor(audio)
        encoded = np.asarray(model.encode(pad_or_trim(features)))
        start = [*tokenizer.sot_sequence, tokenizer.no_timestamps]
        eot = tokenizer.eot
        (greedy,) = self._generate(encoded, [start], len(start) + self.MAX_FREE_TOKENS)
        tokens = greedy.sequences_ids[0]
        free = Reading(
            clean_transcript(tokenizer.decode(tokens)),
            _sequence_score(greedy, tokens, eot),
            len(tokens) + 1,
        )
        phrases = {p: t for p in expected if (t := tokenizer.encode(p))}
        if not phrases:
            return free, {}
        near = encoded[:, : features.shape[-1] // 2 + self.SHORTLIST_CONTEXT, :]
        rough = self._phrase_scores(near, start, phrases, eot)
        shortlist: dict[str, list[int]] = {}
        for meaning in dict.fromkeys(expected[p] for p in phrases):
            ranked = sorted((p for p in phrases if expected[p] == meaning), key=rough.__getitem__)
            shortlist |= {p: phrases[p] for p in ranked[-self.SHORTLIST :]}
        return free, self._phrase_scores(encoded, start, shortlist, eot)

    def _phrase_scores(
        self, encoded: np.ndarray, start: list[int], phrases: dict[str, list[int]], eot: int
    ) -> dict[str, float]:
        """log P(phrase, then the end of text) for each phrase."""
        longest = max(len(tokens) for tokens in phrases.values())
        prompts = [start + tokens for tokens in phrases.values()]
        results = self._generate(encoded, prompts, len(start) + longest + 2)
        return {
            p: _sequence_score(r, tokens, eot)
            for (p, tokens), r in zip(phrases.items(), results, strict=True)
        }

    def _generate(self, encoded: np.ndarray, prompts: list[list[int]], max_length: int) -> list:
        """Greedy decoding from each prompt (its tokens forced), with the
        logits of every position, over the one encoded utterance."""
        import ctranslate2

        batch = np.ascontiguousarray(np.repeat(encoded, len(prompts), axis=0))
        return self._model.model.generate(
            ctranslate2.StorageView.from_array(batch),
            prompts,
            beam_size=1,
            max_length=max_length,
            return_logits_vocab=True,
            suppress_blank=False,
            suppress_tokens=[],
        )

    def stream(self) -> WhisperStream:
        return WhisperStream(self)


def _since(started: float) -> float:
    return time.perf_counter() - started


def _log_softmax(logits: Any) -> np.ndarray:
    values = np.asarray(logits, dtype=np.float32).reshape(-1)
    top = values.max()
    return values - (top + np.log(np.exp(values - top).sum()))


def _sequence_score(result: Any, tokens: list[int], eot: int) -> float:
    """log P(tokens, then the end of text) from a generation's logits; a
    reading that never ended is scored without its end."""
    steps = result.logits[0] if result.logits else []
    if len(steps) < len(tokens):
        return float("-inf")
    score = sum(float(_log_softmax(steps[k])[t]) for k, t in enumerate(tokens))
    if len(steps) > len(tokens):
        score += float(_log_softmax(steps[len(tokens)])[eot])
    return score


class WhisperStream:
    """Whisper decodes a whole utterance: collect it, decode at the end."""

    def __init__(self, recognizer: WhisperRecognizer) -> None:
        self._recognizer = recognizer
        self._audio = bytearray()

    def accept(self, pcm: bytes) -> str:
        self._audio += pcm
        return ""

    def finish(self, expected: Expected | None = None) -> Transcript:
        return self._recognizer.transcribe(bytes(self._audio), expected)


def load_recognizer(settings: VoiceSettings) -> Recognizer:
    """The configured engine; `auto` prefers Vosk (it streams) when a model is set."""
    engine = settings.asr_engine
    if engine == "auto":
        engine = "vosk" if settings.vosk_model_path else "whisper"
    if engine == "vosk":
        return VoskRecognizer(settings.vosk_model_path)
    return WhisperRecognizer(settings.whisper_model_dir, settings.asr_threads)
