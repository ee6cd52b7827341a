"""One spoken turn, end to end: audio in → transcript → the bot → audio out.

The voice channel is a thin client of the same conversation the text
channels use (`Bot`: the gateway's Rasa client), so a caller can start on
the phone and a relative can read the conversation in the web chat.
What is particular to speech lives here:

- a misheard domain word is corrected by pinyin before the bot reads it;
- a turn that was not understood (silence, noise, unintelligible audio) is
  answered with a gentle request to say it again, without bothering the
  bot, and after two such turns in a row the caller is offered a person;
  the NLU reads the answer to that offer, and a yes is the bot's hand-off
  (so the advisor's queue and the conversation record it), a no lets the
  caller go on;
- an answer the caller has just heard and asked for again (再说一遍, or the
  same question twice) is said more slowly;
- after a question with a few expected answers (a yes/no question, quick
  replies), the recogniser is told them (voice.answers), since a lone 对 or
  不中 is what recognisers mishear most; a button's title said is that
  button tapped.

Every client shares one `Dialogue`: the HTTP turn, the WebSocket stream and
through it the telephone bridge and the speaker client.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import re
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from voice.answers import Expected, button_payloads, expected_answers, yes_no
from voice.asr import Recognizer, Transcript
from voice.audio import decode
from voice.tts import Speaker, Speech, SpeechError

Correct = Callable[[str], str]
logger = logging.getLogger(__name__)

NOT_HEARD = "不好意思，我没听清。请您慢一点，再说一遍。"
# "好" rather than "要": a lone 要 is as often heard as 不要 (voice.answers).
OFFER_PERSON = "还是没听清，真对不起。要不要我帮您转给养老顾问？您说“好”或者“转人工”就行。"
GO_ON = "好的。请您慢慢说，我在听。"  # the offer of a person declined
HAND_OFF = "/request_human"  # the bot's own hand-off, as its 转人工 button sends it
PERSON = "转人工"  # what OFFER_PERSON asks the caller to say, besides a yes
HAND_OFF_REASON = "语音通话：两次没听清，来电人同意转人工"  # shown in the advisors' queue
MAX_MISSES = 2
MAX_CALLERS = 10_000  # remembered callers (the oldest forgotten first)
SLOW_TEMPO = 0.8  # an answer said again: a fifth slower, same pitch
# A reply is spoken sentence by sentence, so the first sentence is heard
# while the next is made; very short pieces ride with their neighbour. A
# long first piece is cut after its opening words (好的，/ 您好，) so the
# caller hears the answer begin sooner: the voice takes time in proportion
# to the text.
_SENTENCE_END = re.compile(r"(?<=[。！？!?；;])|\n+")
_CLAUSE_END = re.compile(r"(?<=[。！？!?；;，,：:])")
MIN_SENTENCE_CHARS = 8
LONG_FIRST_PIECE = 12  # characters
_WORDS = re.compile(r"\w")


class Bot(Protocol):
    """The assistant as the voice layer reaches it (the gateway's RasaClient)."""

    async def send(
        self, sender: str, message: str, metadata: dict[str, Any] | None = None
    ) -> list[dict[str, Any]]:
        """The bot's messages in answer to one of the caller's."""

    async def intent(self, text: str) -> str | None:
        """The NLU's intent for `text`, outside any conversation."""


@dataclass
class _Caller:
    misses: int = 0
    offered_person: bool = False  # the last thing said was OFFER_PERSON
    last_said: str = ""
    # What the last question invites the caller to say, and what each means;
    # its buttons, title → payload.
    expected: dict[str, str] = field(default_factory=dict)
    buttons: dict[str, str] = field(default_factory=dict)

    def asked(self, messages: list[dict[str, Any]]) -> None:
        """The bot's latest messages to the caller: the question to answer."""
        self.expected, self.buttons = expected_answers(messages), button_payloads(messages)


class Callers:
    """What the voice layer remembers of each caller, the most recent
    MAX_CALLERS of them. It lives apart from the speech models so that the
    text channel can tell it what the bot asked (`bot_said`) before any
    model has loaded."""

    def __init__(self) -> None:
        self._callers: OrderedDict[str, _Caller] = OrderedDict()

    def __getitem__(self, sender: str) -> _Caller:
        caller = self._callers.pop(sender, None) or _Caller()
        self._callers[sender] = caller  # most recent last
        while len(self._callers) > MAX_CALLERS:
            self._callers.popitem(last=False)
        return caller

    def bot_said(self, sender: str, messages: list[dict[str, Any]]) -> None:
        """The bot answered the caller on another channel (the web chat's
        typing): their next spoken turn answers that."""
        caller = self[sender]
        caller.asked(messages)
        caller.offered_person = False

    def expected(self, sender: str) -> Expected:
        """The answers the caller's last question invites (none: any)."""
        caller = self._callers.get(sender)
        return caller.expected if caller else {}


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
    """The replies cut where a speaker would breathe, short pieces joined,
    a long first piece's opening words apart."""
    pieces = [p.strip() for text in texts for p in _SENTENCE_END.split(text)]
    pieces = [p for p in pieces if _WORDS.search(p)]  # a lone "。" is not a sentence
    out: list[str] = []
    for piece in pieces:
        if out and len(out[-1]) < MIN_SENTENCE_CHARS:
            out[-1] += piece
        else:
            out.append(piece)
    if out and len(out[0]) > LONG_FIRST_PIECE:
        head, *rest = (c for c in _CLAUSE_END.split(out[0]) if c)
        if rest and len(_WORDS.findall(head)) >= 2:
            out[:1] = [head, "".join(rest)]
    return out


class Dialogue:
    """Speech around the chat: shared by the HTTP, WebSocket and phone clients."""

    def __init__(
        self,
        recognizer: Recognizer,
        speaker: Speaker,
        correct: Correct | None = None,
        callers: Callers | None = None,
    ) -> None:
        self.recognizer = recognizer
        self.speaker = speaker
        self._correct = correct
        self.callers = callers or Callers()

    def expected(self, sender: str) -> Expected:
        return self.callers.expected(sender)

    def understood(self, transcript: Transcript) -> Transcript:
        """The transcript with misheard domain words put right."""
        if not self._correct or not transcript.text:
            return transcript
        return dataclasses.replace(transcript, text=self._correct(transcript.text))

    async def hear(self, sender: str, audio: bytes) -> Transcript:
        """Any audio file → its transcript (decoding off the event loop)."""
        pcm = await asyncio.to_thread(decode, audio)
        expected = self.expected(sender)
        return self.understood(await asyncio.to_thread(self.recognizer.transcribe, pcm, expected))

    async def respond(self, sender: str, transcript: Transcript, bot: Bot) -> Reply:
        """The bot's answer to what was heard, or a request to say it again."""
        caller = self.callers[sender]
        offered, caller.offered_person = caller.offered_person, False
        if transcript.text:
            caller.misses = 0
            # A button's title said is that button tapped, as in the web chat.
            message = caller.buttons.get(transcript.text, transcript.text)
            messages = await self._answer(sender, message, bot, offered)
            caller.asked(messages)
        else:  # asked to say it again: the same answers are expected
            caller.misses += 1
            caller.offered_person = caller.misses >= MAX_MISSES
            text = OFFER_PERSON if caller.offered_person else NOT_HEARD
            messages = [{"recipient_id": sender, "text": text}]
            if caller.offered_person:
                caller.expected, caller.buttons = yes_no() | {PERSON: "request_human"}, {}
        reply = Reply(messages, 1.0)
        said = "\n".join(reply.spoken)
        if caller.last_said and caller.last_said in said:  # heard it just now: slower
            reply = Reply(messages, SLOW_TEMPO)
        caller.last_said = said
        return reply

    async def _answer(
        self, sender: str, text: str, bot: Bot, offered_person: bool
    ) -> list[dict[str, Any]]:
        """The bot's messages; just after the offer of a person, a yes (要,
        好, 行 …, as the NLU reads it) is a request for one and a no is
        answered here, since the bot never heard the offer."""
        if offered_person:
            try:
                intent = await bot.intent(text)
            except Exception:  # the bot's NLU unreachable: pass the words on as they are
                logger.warning("voice: no intent for the answer to the offer of a person")
                intent = None
            if intent == "affirm":
                return await bot.send(sender, HAND_OFF, {"handoff_reason": HAND_OFF_REASON})
            if intent == "deny":
                return [{"recipient_id": sender, "text": GO_ON}]
        return await bot.send(sender, text)

    async def say(self, text: str, tempo: float = 1.0) -> Speech | None:
        """The text spoken, or None if no voice could say it."""
        if not text:
            return None
        try:
            return await self.speaker.speak(text, tempo)
        except SpeechError:
            return None

    async def turn(self, sender: str, audio: bytes, bot: Bot) -> Turn:
        """A whole recorded utterance in, the whole answer spoken out."""
        transcript = await self.hear(sender, audio)
        reply = await self.respond(sender, transcript, bot)
        return Turn(transcript, reply, await self.say("\n".join(reply.spoken), reply.tempo))
