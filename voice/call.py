"""One streaming call (the contract in `voice.protocol`), whatever carries it.

The WebSocket route feeds a `Call` what the client sends (PCM, control
messages, or None when the line drops) through a queue and gives it an
`Outbox` to answer on; the call does the rest: notices where each utterance
starts and ends (`voice.endpointing`), recognises it, asks the bot, and
speaks the answer back sentence by sentence, so the caller hears the first
sentence while the rest is still being made.

Two things keep the wait short after the caller stops speaking: Vosk has
decoded as the audio arrived, and for Whisper, which decodes whole
utterances, decoding starts at the first pause and is kept if the caller
says nothing more.
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any, Protocol

from voice import protocol
from voice.answers import Expected
from voice.asr import Stream, Transcript
from voice.audio import SAMPLE_RATE, decode, seconds
from voice.dialogue import Bot, Dialogue, Reply, sentences
from voice.endpointing import Endpointer, Event

logger = logging.getLogger(__name__)

PREROLL_S = 0.3  # audio kept from before the start was detected: the first syllable
UNAVAILABLE = "不好意思，系统暂时有点忙。请您过一会儿再说一遍。"
Inbound = bytes | dict[str, Any] | None  # audio, a control message, or the line closed


class Outbox(Protocol):
    async def send_json(self, message: dict[str, Any]) -> None: ...

    async def send_bytes(self, data: bytes) -> None: ...


class Call:
    def __init__(self, dialogue: Dialogue, sender: str, bot: Bot, out: Outbox) -> None:
        self.dialogue, self.sender, self.bot, self.out = dialogue, sender, bot, out
        self.partials = dialogue.recognizer.name == "vosk"
        self._endpointer = Endpointer()
        self._recent = bytearray()  # the last PREROLL_S before an utterance
        self._utterance = bytearray()
        self._stream: Stream | None = None
        self._partial = ""
        self._early: asyncio.Future[Transcript] | None = None  # Whisper, started at a pause
        self._early_speech_end = -1
        self._speech_ended_at = 0.0  # monotonic time the caller's last voiced audio arrived
        # When the caller will have heard the whole answer: audio is sent
        # faster than it is played, and the quiet that asks "are you there?"
        # only starts counting after it.
        self._played_until = 0.0

    async def run(self, inbox: asyncio.Queue[Inbound], greet: bool = False) -> None:
        """Serve the call until the caller hangs up (None or a hangup message)."""
        await self.out.send_json(
            {
                "type": protocol.READY,
                "sample_rate": SAMPLE_RATE,
                "engine": self.dialogue.recognizer.name,
                "partials": self.partials,
            }
        )
        if greet:
            await self._speak(await self._ask("/greet"))
        deadline = self._heard_by + protocol.NO_SPEECH_S
        while True:
            try:
                item = await asyncio.wait_for(inbox.get(), max(0.0, deadline - time.monotonic()))
            except asyncio.TimeoutError:
                item = {"type": protocol.END}  # quiet for too long: a turn with nothing heard
            if item is None or (isinstance(item, dict) and item["type"] == protocol.HANGUP):
                self._discard_early()
                return
            if isinstance(item, bytes) and not await self._listen(item):
                if self._endpointer.speaking:  # audio that stops mid-utterance ends it too
                    deadline = time.monotonic() + protocol.NO_SPEECH_S
                continue
            await self._turn()
            if _hung_up(inbox):
                return
            deadline = self._heard_by + protocol.NO_SPEECH_S

    async def _listen(self, pcm: bytes) -> bool:
        """Take the caller's audio; True once the utterance is over."""
        events = self._endpointer.feed(pcm)
        if not self._endpointer.speaking and Event.START not in events:
            self._recent += pcm
            del self._recent[: max(0, len(self._recent) - int(PREROLL_S * SAMPLE_RATE) * 2)]
            return Event.END in events
        if Event.START in events:
            await self.out.send_json({"type": protocol.SPEECH_STARTED})
            self._utterance = self._recent + pcm
            self._recent = bytearray()
            if self.partials:
                self._stream = self.dialogue.recognizer.stream()
                await self._accept(bytes(self._utterance))
        else:
            self._utterance += pcm
            if self._stream is not None:
                await self._accept(pcm)
        if self._endpointer.speech_end_frame == self._endpointer.frames:
            self._speech_ended_at = time.monotonic()
        if Event.PAUSE in events and not self.partials:
            self._discard_early()
            self._early_speech_end = self._endpointer.speech_end_frame
            audio = bytes(self._utterance)
            self._early = asyncio.ensure_future(
                asyncio.to_thread(self.dialogue.recognizer.transcribe, audio, self._expected)
            )
        return Event.END in events

    @property
    def _expected(self) -> Expected:
        return self.dialogue.expected(self.sender)

    @property
    def _heard_by(self) -> float:
        return max(time.monotonic(), self._played_until)

    async def _accept(self, pcm: bytes) -> None:
        assert self._stream is not None
        text = await asyncio.to_thread(self._stream.accept, pcm)
        if text and text != self._partial:
            self._partial = text
            await self.out.send_json({"type": protocol.PARTIAL, "text": text})

    def _discard_early(self) -> None:
        if self._early is not None:
            self._early.cancel()  # the thread finishes on its own; its result is dropped
            self._early = None

    async def _transcript(self) -> Transcript:
        audio, stream, early = bytes(self._utterance), self._stream, self._early
        self._utterance, self._stream, self._early, self._partial = bytearray(), None, None, ""
        if stream is not None:
            return await asyncio.to_thread(stream.finish, self._expected)
        if early is not None and self._early_speech_end == self._endpointer.speech_end_frame:
            return await early  # nothing was said after the pause: already (nearly) decoded
        if early is not None:
            early.cancel()
        return await asyncio.to_thread(self.dialogue.recognizer.transcribe, audio, self._expected)

    async def _turn(self) -> None:
        """The utterance is over: transcript, answer, speech."""
        heard_at = self._speech_ended_at or time.monotonic()
        self._endpointer.reset()
        self._recent = bytearray()
        transcript = self.dialogue.understood(await self._transcript())
        await self.out.send_json(
            {"type": protocol.TRANSCRIPT, "text": transcript.text, "engine": transcript.engine}
        )
        try:
            reply = await self.dialogue.respond(self.sender, transcript, self.bot)
        except Exception:  # the caller must never hear dead air: say so and go on
            logger.exception("voice call %s: the assistant did not answer", self.sender)
            reply = Reply([{"recipient_id": self.sender, "text": UNAVAILABLE}], 1.0)
        await self._speak(reply, heard_at)
        self._speech_ended_at = 0.0

    async def _ask(self, text: str) -> Reply:
        try:
            return Reply(await self.bot.send(self.sender, text), 1.0)
        except Exception:
            logger.exception("voice call %s: the assistant did not answer", self.sender)
            return Reply([{"recipient_id": self.sender, "text": UNAVAILABLE}], 1.0)

    async def _speak(self, reply: Reply, heard_at: float | None = None) -> None:
        """The reply's texts, then its audio sentence by sentence. `after_s` on
        the first audio: seconds since the caller stopped speaking."""
        await self.out.send_json(
            {"type": protocol.REPLY, "texts": reply.texts, "messages": reply.messages}
        )
        first = True
        frame = int(protocol.AUDIO_FRAME_S * SAMPLE_RATE) * 2
        self._played_until = time.monotonic()
        for sentence in sentences(reply.spoken):
            speech = await self.dialogue.say(sentence, reply.tempo)
            if speech is None:
                continue
            pcm = await asyncio.to_thread(decode, speech.audio, 600)
            header: dict[str, Any] = {
                "type": protocol.AUDIO,
                "sample_rate": SAMPLE_RATE,
                "engine": speech.engine,
                "text": speech.text,
            }
            if first and heard_at is not None:
                header["after_s"] = first_s = round(time.monotonic() - heard_at, 3)
                logger.info("voice call %s: answered %.2f s after speech", self.sender, first_s)
            first = False
            await self.out.send_json(header)
            self._played_until = max(self._played_until, time.monotonic()) + seconds(pcm)
            for start in range(0, len(pcm), frame):
                await self.out.send_bytes(pcm[start : start + frame])
        await self.out.send_json({"type": protocol.AUDIO_END})


def _hung_up(inbox: asyncio.Queue[Inbound]) -> bool:
    """Drop what the caller sent while the assistant was answering (the
    server is half duplex); True if they hung up meanwhile."""
    while not inbox.empty():
        item = inbox.get_nowait()
        if item is None or (isinstance(item, dict) and item["type"] == protocol.HANGUP):
            return True
    return False
