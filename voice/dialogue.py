"""One spoken turn, end to end: audio in → transcript → the bot → audio out.

The voice channel is a thin client of the same conversation the text
channels use (`chat`: the gateway's Rasa client), so a caller can start on
the phone and a relative can read the conversation in the web chat.
What is particular to speech lives here:

- a misheard domain word is corrected by pinyin before the bot reads it;
- a turn that was not understood (silence, noise, unintelligible audio) is
  answered with a gentle request to say it again, without bothering the
  bot, and after two such turns in a row the caller is offered a person;
- an answer the caller has just heard and asked for again (再说一遍, or the
  same question twice) is said more slowly.

Every client shares one `Dialogue`: the HTTP turn, the WebSocket stream and
through it the telephone bridge and the speaker client.
"""

from __future__ import annotations

import asyncio
import dataclasses
import re
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from voice.asr import Recognizer, Transcript
from voice.audio import decode
from voice.tts import Speaker, Speech, SpeechError

Chat = Callable[[str, str], Awaitable[list[dict[str, Any]]]]
Correct = Callable[[str], str]

NOT_HEARD = "不好意思，我没听清。请您慢一点，再说一遍。"
OFFER_PERSON = "还是没听清，真对不起。要不要我帮您转给养老顾问？您说“要”或者“转人工”就行。"
MAX_MISSES = 2
MAX_CALLERS = 10_000  # remembered callers (the oldest forgotten first)
SLOW_TEMPO = 0.8  # an answer said again: a fifth slower, same pitch
# A reply is spoken sentence by sentence, so the first sentence is heard
# while the next is made; very short pieces ride with their neighbour.
_SENTENCE_END = re.compile(r"(?<=[。！？!?；;])|\n+")
MIN_SENTENCE_CHARS = 8
_WORDS = re.compile(r"\w")


@dataclass
class _Caller:
    misses: int = 0
    last_said: str = ""


@dataclass(frozen=True)
class Reply:
    messages: list[dict[str, Any]]  # the bot's messages, as the chat API returns them
    tempo: float  # 1.0, or SLOW_TEMPO for an answer said again

    @property
    def texts(self) -> list[str]:
        return [m["text"] for m in self.messages if m.get("text")]

    @property
    def spoken(self) -> list[str]:
        """The texts to say: a sentence the bot sends twice in a row (a form
        repeating its question after 再说一遍) is said once."""
        return [t for i, t in enumerate(self.texts) if i == 0 or t != self.texts[i - 1]]


@dataclass(frozen=True)
class Turn:
    transcript: Transcript
    reply: Reply
    speech: Speech | None  # None only if no voice at all could speak

    @property
    def messages(self) -> list[dict[str, Any]]:
        return self.reply.messages

    @property
    def replies(self) -> list[str]:
        return self.reply.texts


def sentences(texts: list[str]) -> list[str]:
    """The replies cut where a speaker would breathe, short pieces joined."""
    pieces = [p.strip() for text in texts for p in _SENTENCE_END.split(text)]
    pieces = [p for p in pieces if _WORDS.search(p)]  # a lone "。" is not a sentence
    out: list[str] = []
    for piece in pieces:
        if out and len(out[-1]) < MIN_SENTENCE_CHARS:
            out[-1] += piece
        else:
            out.append(piece)
    return out


class Dialogue:
    """Speech around the chat: shared by the HTTP, WebSocket and phone clients."""

    def __init__(
        self, recognizer: Recognizer, speaker: Speaker, correct: Correct | None = None
    ) -> None:
        self.recognizer = recognizer
        self.speaker = speaker
        self._correct = correct
        self._callers: OrderedDict[str, _Caller] = OrderedDict()

    def _caller(self, sender: str) -> _Caller:
        caller = self._callers.pop(sender, None) or _Caller()
        self._callers[sender] = caller  # most recent last
        while len(self._callers) > MAX_CALLERS:
            self._callers.popitem(last=False)
        return caller

    def understood(self, transcript: Transcript) -> Transcript:
        """The transcript with misheard domain words put right."""
        if not self._correct or not transcript.text:
            return transcript
        return dataclasses.replace(transcript, text=self._correct(transcript.text))

    async def hear(self, audio: bytes) -> Transcript:
        """Any audio file → its transcript (decoding off the event loop)."""
        pcm = await asyncio.to_thread(decode, audio)
        return self.understood(await asyncio.to_thread(self.recognizer.transcribe, pcm))

    async def respond(self, sender: str, transcript: Transcript, chat: Chat) -> Reply:
        """The bot's answer to what was heard, or a request to say it again."""
        caller = self._caller(sender)
        if transcript.text:
            caller.misses = 0
            messages = await chat(sender, transcript.text)
        else:
            caller.misses += 1
            text = OFFER_PERSON if caller.misses >= MAX_MISSES else NOT_HEARD
            messages = [{"recipient_id": sender, "text": text}]
        reply = Reply(messages, 1.0)
        said = "\n".join(reply.spoken)
        if caller.last_said and caller.last_said in said:  # heard it just now: slower
            reply = Reply(messages, SLOW_TEMPO)
        caller.last_said = said
        return reply

    async def say(self, text: str, tempo: float = 1.0) -> Speech | None:
        """The text spoken, or None if no voice could say it."""
        if not text:
            return None
        try:
            return await self.speaker.speak(text, tempo)
        except SpeechError:
            return None

    async def turn(self, sender: str, audio: bytes, chat: Chat) -> Turn:
        """A whole recorded utterance in, the whole answer spoken out."""
        transcript = await self.hear(audio)
        reply = await self.respond(sender, transcript, chat)
        return Turn(transcript, reply, await self.say("\n".join(reply.spoken), reply.tempo))
