"""One spoken turn, end to end: audio in → transcript → the bot → audio out.

The voice channel is a thin client of the same conversation the text
channels use (`chat`: the gateway's Rasa client), so a caller can start on
the phone and a relative can read the conversation in the web chat.
What is particular to speech lives here: a turn that was not understood
(silence, noise, unintelligible audio) is answered with a gentle request to
say it again, without bothering the bot, and after two such turns in a row
the caller is offered a person.
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from voice.asr import Recognizer, Transcript
from voice.audio import decode
from voice.tts import Speaker, Speech, SpeechError

Chat = Callable[[str, str], Awaitable[list[dict[str, Any]]]]

NOT_HEARD = "不好意思，我没听清。请您慢一点，再说一遍。"
OFFER_PERSON = "还是没听清，真对不起。要不要我帮您转给养老顾问？您说“要”或者“转人工”就行。"
MAX_MISSES = 2
MAX_CALLERS = 10_000  # remembered miss counts (oldest dropped first)


@dataclass(frozen=True)
class Turn:
    transcript: Transcript
    messages: list[dict[str, Any]]  # the bot's messages, as the chat API returns them
    speech: Speech | None  # None only if no voice at all could speak

    @property
    def replies(self) -> list[str]:
        return [m["text"] for m in self.messages if m.get("text")]


class Dialogue:
    """Speech around the chat: shared by the HTTP, WebSocket and phone clients."""

    def __init__(self, recognizer: Recognizer, speaker: Speaker) -> None:
        self.recognizer = recognizer
        self.speaker = speaker
        self._misses: OrderedDict[str, int] = OrderedDict()

    async def hear(self, audio: bytes) -> Transcript:
        """Any audio file → its transcript (decoding off the event loop)."""
        pcm = await asyncio.to_thread(decode, audio)
        return await asyncio.to_thread(self.recognizer.transcribe, pcm)

    async def answer(self, sender: str, transcript: Transcript, chat: Chat) -> Turn:
        """The bot's answer to what was heard, spoken."""
        if transcript.text:
            self._misses.pop(sender, None)
            messages = await chat(sender, transcript.text)
        else:
            misses = self._misses.pop(sender, 0) + 1
            self._misses[sender] = misses
            while len(self._misses) > MAX_CALLERS:
                self._misses.popitem(last=False)
            text = OFFER_PERSON if misses >= MAX_MISSES else NOT_HEARD
            messages = [{"recipient_id": sender, "text": text}]
        return Turn(transcript, messages, await self.say(messages))

    async def say(self, messages: list[dict[str, Any]]) -> Speech | None:
        text = "\n".join(m["text"] for m in messages if m.get("text"))
        if not text:
            return None
        try:
            return await self.speaker.speak(text)
        except SpeechError:
            return None

    async def turn(self, sender: str, audio: bytes, chat: Chat) -> Turn:
        return await self.answer(sender, await self.hear(audio), chat)
