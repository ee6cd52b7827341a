"""A streaming call (voice.call) with the real recognisers and offline voices;
the bot is a recording function here (the real one: tests/e2e/test_voice_stream.py).

These pin down what the call decides: when Whisper's early decode at a
pause is kept and when it is thrown away, Vosk's partials, a quiet caller,
and audio that arrives while the assistant is answering."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Any

import pytest

from tests.voice.speech import korean_wav, mandarin_wav
from voice import call as call_module
from voice import protocol
from voice.answers import Expected
from voice.asr import Transcript, VoskRecognizer, WhisperRecognizer
from voice.audio import decode
from voice.call import Call, Inbound
from voice.dialogue import NOT_HEARD, OFFER_PERSON, Dialogue
from voice.tts import default_speaker

SILENCE_S = bytes(32_000)  # one second


class Counting:
    """A recogniser that counts its whole-utterance decodes."""

    def __init__(self, inner: WhisperRecognizer | VoskRecognizer) -> None:
        self.inner, self.name, self.decodes = inner, inner.name, 0

    def transcribe(self, pcm: bytes, expected: Expected | None = None) -> Transcript:
        self.decodes += 1
        return self.inner.transcribe(pcm, expected)

    def stream(self) -> Any:
        return self.inner.stream()


class Recorder:
    """The outbox and the bot, both written down."""

    def __init__(self) -> None:
        self.events: list[dict[str, Any]] = []
        self.audio = 0
        self.asked: list[str] = []

    async def send_json(self, message: dict[str, Any]) -> None:
        self.events.append(message | {"at": time.monotonic(), "audio_before": self.audio})

    async def send_bytes(self, data: bytes) -> None:
        self.audio += len(data)

    async def send(
        self, sender: str, text: str, metadata: dict[str, Any] | None = None
    ) -> list[dict[str, Any]]:
        self.asked.append(text)
        return [{"recipient_id": sender, "text": "好的，我记下了。"}]

    async def intent(self, text: str) -> str | None:
        raise AssertionError("only an answer to the offer of a person is classified")

    def of(self, kind: str) -> list[dict[str, Any]]:
        return [e for e in self.events if e["type"] == kind]


def run_call(recognizer: Any, items: list[Inbound], tmp_path: Path) -> Recorder:
    recorder = Recorder()
    dialogue = Dialogue(recognizer, default_speaker(tmp_path / "tts", online=False))
    call = Call(dialogue, "caller-1", recorder, recorder)
    inbox: asyncio.Queue[Inbound] = asyncio.Queue()
    for item in [*items, None]:
        inbox.put_nowait(item)

    async def serve() -> None:
        await call.run(inbox)

    asyncio.run(serve())
    return recorder


def frames(pcm: bytes, size: int = 640) -> list[Inbound]:
    return [pcm[i : i + size] for i in range(0, len(pcm), size)]


def test_the_decode_begun_at_the_pause_is_the_transcript(
    whisper: WhisperRecognizer, tmp_path: Path
) -> None:
    counting = Counting(whisper)
    speech = decode(mandarin_wav("帮我查一下我的预约。"))
    recorder = run_call(counting, frames(SILENCE_S[:8000] + speech + SILENCE_S), tmp_path)
    assert counting.decodes == 1  # started at the pause and kept
    assert "预约" in recorder.of(protocol.TRANSCRIPT)[0]["text"]
    assert recorder.asked and "预约" in recorder.asked[0]
    assert [e["type"] for e in recorder.events][-1] == protocol.AUDIO_END and recorder.audio > 0


def test_speech_after_a_pause_is_not_lost(whisper: WhisperRecognizer, tmp_path: Path) -> None:
    counting = Counting(whisper)
    first = decode(mandarin_wav("帮我查一下我的预约。"))
    second = decode(mandarin_wav("我要找真人。"))
    # 0.2 s between the clips, 0.55 s of quiet with their own quiet edges:
    # a pause (0.3 s), not an end (0.8 s).
    pcm = SILENCE_S[:8000] + first + SILENCE_S[:6400] + second + SILENCE_S
    recorder = run_call(counting, frames(pcm), tmp_path)
    # The decode begun at the breath is thrown away; the one begun at the
    # final pause holds the whole utterance.
    assert counting.decodes == 2
    (transcript,) = recorder.of(protocol.TRANSCRIPT)
    assert "预约" in transcript["text"] and "真人" in transcript["text"]


def test_vosk_streams_partials_then_the_final_text(
    vosk_korean: VoskRecognizer, tmp_path: Path
) -> None:
    speech = decode(korean_wav("안녕하세요 오늘 날씨가 좋네요"))
    recorder = run_call(
        Counting(vosk_korean), frames(SILENCE_S[:8000] + speech + SILENCE_S), tmp_path
    )
    partials = recorder.of(protocol.PARTIAL)
    assert recorder.of(protocol.READY)[0]["partials"] is True
    assert len(partials) >= 2 and all(p["text"] for p in partials)
    (transcript,) = recorder.of(protocol.TRANSCRIPT)
    assert transcript["engine"] == "vosk" and transcript["text"]
    assert recorder.asked == [transcript["text"]]


def test_a_quiet_caller_is_asked_again_then_offered_a_person(
    whisper: WhisperRecognizer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(protocol, "NO_SPEECH_S", 0.2)
    recorder = Recorder()
    dialogue = Dialogue(whisper, default_speaker(tmp_path / "tts", online=False))
    call = Call(dialogue, "quiet-1", recorder, recorder)

    async def serve() -> None:
        inbox: asyncio.Queue[Inbound] = asyncio.Queue()
        task = asyncio.create_task(call.run(inbox))
        while len(recorder.of(protocol.AUDIO_END)) < 2:
            await asyncio.sleep(0.05)
        inbox.put_nowait({"type": protocol.HANGUP})
        await asyncio.wait_for(task, 10)

    asyncio.run(serve())
    replies = recorder.of(protocol.REPLY)
    assert [r["texts"] for r in replies[:2]] == [[NOT_HEARD], [OFFER_PERSON]]
    assert recorder.asked == []  # the bot was not bothered with silence
    # The quiet is counted from when the caller has heard the request, not
    # from when its audio was sent (much faster than it is played).
    first_end = recorder.of(protocol.AUDIO_END)[0]
    heard_s = first_end["audio_before"] / 2 / 16_000
    assert heard_s > 2 and replies[1]["at"] - replies[0]["at"] >= heard_s + 0.2


def test_audio_sent_while_answering_is_not_heard_and_a_hang_up_is(
    whisper: WhisperRecognizer, tmp_path: Path
) -> None:
    inbox: asyncio.Queue[Inbound] = asyncio.Queue()
    for item in [b"\x01\x00" * 100, {"type": protocol.END}]:
        inbox.put_nowait(item)
    assert call_module._hung_up(inbox) is False and inbox.empty()
    for item in [b"\x01\x00" * 100, {"type": protocol.HANGUP}, b"\x01\x00"]:
        inbox.put_nowait(item)
    assert call_module._hung_up(inbox) is True
