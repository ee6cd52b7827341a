"""What the voice layer decides around the bot's answer (voice.dialogue):
misses, the offer of a person and its answer, the slow repeat, a question
said once, what a question invites the recogniser to expect, and sentence
cutting.
Recognition and synthesis are not involved: see tests/voice."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from voice.answers import Expected
from voice.asr import Transcript
from voice.dialogue import (
    GO_ON,
    HAND_OFF,
    HAND_OFF_REASON,
    NOT_HEARD,
    OFFER_PERSON,
    PERSON,
    SLOW_TEMPO,
    Callers,
    Dialogue,
    Reply,
    sentences,
)
from voice.tts import pcm_wav


def heard(text: str) -> Transcript:
    return Transcript(text, text, "whisper", 1.0, 0.1)


class Bot:
    """Answers in turn; its NLU knows a few words (None: unavailable)."""

    def __init__(self, *answers: list[str], nlu: dict[str, str] | None = None) -> None:
        self.answers, self.asked, self.classified = list(answers), [], []
        self.nlu = nlu

    async def send(
        self, sender: str, text: str, metadata: dict[str, Any] | None = None
    ) -> list[dict[str, Any]]:
        self.asked.append(text)
        self.metadata = metadata
        return [{"recipient_id": sender, "text": t} for t in self.answers.pop(0)]

    async def intent(self, text: str) -> str | None:
        self.classified.append(text)
        if self.nlu is None:
            raise ConnectionError("Rasa is down")
        return self.nlu.get(text, "inform")


def respond(dialogue: Dialogue, text: str, bot: Bot, sender: str = "s1") -> Reply:
    return asyncio.run(dialogue.respond(sender, heard(text), bot))


@pytest.fixture
def dialogue() -> Dialogue:
    return Dialogue(recognizer=None, speaker=None)  # type: ignore[arg-type]  # respond uses neither


def test_two_misses_in_a_row_offer_a_person_and_spare_the_bot(dialogue: Dialogue) -> None:
    bot = Bot(["好的。"])
    assert respond(dialogue, "", bot).texts == [NOT_HEARD]
    assert respond(dialogue, "", bot).texts == [OFFER_PERSON]
    assert bot.asked == []
    assert respond(dialogue, "你好", bot).texts == ["好的。"]
    assert respond(dialogue, "", bot).texts == [NOT_HEARD]  # counting starts again


NLU = {"要": "affirm", "行": "affirm", "不用了": "deny", "转人工": "request_human"}


@pytest.mark.parametrize("answer", ["要", "行"])
def test_a_yes_to_the_offer_of_a_person_is_the_bots_hand_off(
    dialogue: Dialogue, answer: str
) -> None:
    bot = Bot(["好的，正在为您转接养老顾问。"], nlu=NLU)
    respond(dialogue, "", bot)
    respond(dialogue, "", bot)
    assert respond(dialogue, answer, bot).texts == ["好的，正在为您转接养老顾问。"]
    assert bot.asked == [HAND_OFF] and bot.classified == [answer]
    assert bot.metadata == {"handoff_reason": HAND_OFF_REASON}


def test_a_no_to_the_offer_lets_the_caller_go_on_without_the_bot(dialogue: Dialogue) -> None:
    bot = Bot(["您好。"], nlu=NLU)
    respond(dialogue, "", bot)
    respond(dialogue, "", bot)
    assert respond(dialogue, "不用了", bot).texts == [GO_ON]
    assert bot.asked == []
    assert respond(dialogue, "不用了", bot).texts == ["您好。"]  # the offer is answered once
    assert bot.classified == ["不用了"]


def test_anything_else_after_the_offer_goes_to_the_bot_as_said(dialogue: Dialogue) -> None:
    bot = Bot(["正在转接。"], ["好的。"], nlu=NLU)
    respond(dialogue, "", bot)
    respond(dialogue, "", bot)
    respond(dialogue, "转人工", bot)  # the bot's own intent: its words go as they are
    assert bot.asked == ["转人工"]
    down = Bot(["好的。"], nlu=None)
    respond(dialogue, "", down, "other")
    respond(dialogue, "", down, "other")
    assert respond(dialogue, "要", down, "other").texts == ["好的。"]  # NLU down: words pass on
    assert down.asked == ["要"]


def test_only_the_turn_after_the_offer_is_read_as_its_answer(dialogue: Dialogue) -> None:
    bot = Bot(["您好。"], ["好的。"], nlu=NLU)
    respond(dialogue, "", bot)
    assert respond(dialogue, "要", bot).texts == ["您好。"]  # after a plain NOT_HEARD
    assert bot.classified == [] and bot.asked == ["要"]


def test_misses_are_counted_per_caller(dialogue: Dialogue) -> None:
    bot = Bot()
    assert respond(dialogue, "", bot, "a").texts == [NOT_HEARD]
    assert respond(dialogue, "", bot, "b").texts == [NOT_HEARD]


def test_an_answer_heard_again_is_slower_and_said_once(dialogue: Dialogue) -> None:
    question = "请说一下预约时留的手机号。"
    bot = Bot([question], [question, question], ["好的，找到了。"])
    assert respond(dialogue, "查预约", bot).tempo == 1.0
    again = respond(dialogue, "再说一遍", bot)
    assert again.tempo == SLOW_TEMPO and again.spoken == [question]
    assert again.texts == [question, question]  # the chat still shows what the bot sent
    assert respond(dialogue, "13912345678", bot).tempo == 1.0


def test_replies_are_cut_where_a_speaker_breathes() -> None:
    assert sentences(["您好。我是银龄通！能帮您查政策；订餐。", "好的\n\n谢谢"]) == [
        "您好。我是银龄通！",
        "能帮您查政策；订餐。",
        "好的谢谢",
    ]
    assert sentences(["。。", ""]) == []


def test_a_long_first_sentence_starts_with_its_opening_words() -> None:
    """The caller hears 好的 while the rest of the answer is being made."""
    assert sentences(["好的，我已经把您的情况转给养老顾问。请稍等。"]) == [
        "好的，",
        "我已经把您的情况转给养老顾问。",
        "请稍等。",
    ]
    said = sentences(["好的。请说一下预约时留的手机号。"])
    assert said == ["好的。", "请说一下预约时留的手机号。"]
    assert sentences(["请问您住在哪个区？"]) == ["请问您住在哪个区？"]  # short: whole
    assert sentences(["1，您在赣州市章贡区的助餐点可以吃饭。"])[0].startswith("1，您在")


READ_BACK = {
    "text": "明天中午送到家，对吗？",
    "buttons": [
        {"title": "对，就这样订", "payload": "/affirm"},
        {"title": "不对", "payload": "/deny"},
    ],
}


class Asking:
    """A bot that reads a booking back, with 对/不对 buttons, then says 好的."""

    def __init__(self) -> None:
        self.sent: list[str] = []

    async def send(
        self, sender: str, text: str, metadata: dict[str, Any] | None = None
    ) -> list[dict[str, Any]]:
        self.sent.append(text)
        reply = READ_BACK if text == "订饭" else {"text": "好的。"}
        return [{"recipient_id": sender, **reply}]

    async def intent(self, text: str) -> str | None:
        return {"要": "affirm"}.get(text)


def test_a_question_s_answers_are_expected_until_the_caller_answers(dialogue: Dialogue) -> None:
    bot = Asking()
    assert dialogue.expected("s1") == {}
    asyncio.run(dialogue.respond("s1", heard("订饭"), bot))
    assert list(dialogue.expected("s1"))[:2] == ["对，就这样订", "不对"]
    assert {"是的", "不中"} <= set(dialogue.expected("s1"))
    asyncio.run(dialogue.respond("s1", heard(""), bot))  # not heard: asked again
    assert {"是的", "不中"} <= set(dialogue.expected("s1"))
    asyncio.run(dialogue.respond("s1", heard("对"), bot))
    assert dialogue.expected("s1") == {}
    assert dialogue.expected("someone else") == {}


def test_the_offer_of_a_person_expects_a_yes_a_no_or_the_word(dialogue: Dialogue) -> None:
    bot = Asking()
    asyncio.run(dialogue.respond("s1", heard(""), bot))
    assert dialogue.expected("s1") == {}  # nothing was asked before
    asyncio.run(dialogue.respond("s1", heard(""), bot))
    expected = dialogue.expected("s1")
    assert (expected["要"], expected["不用"], expected[PERSON]) == (
        "affirm",
        "deny",
        "request_human",
    )


class Hearing:
    """A recogniser that writes down what it was told to expect."""

    name = "whisper"

    def __init__(self) -> None:
        self.told: list[list[str]] = []

    def transcribe(self, pcm: bytes, expected: Expected | None = None) -> Transcript:
        self.told.append(list(expected or {}))
        return heard("对")

    def stream(self) -> Any:
        raise NotImplementedError


def test_a_recorded_answer_is_heard_with_what_the_question_invites() -> None:
    hearing = Hearing()
    dialogue = Dialogue(hearing, speaker=None)  # type: ignore[arg-type]
    asyncio.run(dialogue.respond("s1", heard("订饭"), Asking()))
    silence = pcm_wav(bytes(3200))
    transcript = asyncio.run(dialogue.hear("s1", silence))
    assert transcript.text == "对" and hearing.told[0][:2] == ["对，就这样订", "不对"]
    asyncio.run(dialogue.hear("s2", silence))
    assert hearing.told[1] == []


def test_a_question_asked_in_text_is_what_a_spoken_answer_answers() -> None:
    """The web chat's typing reaches the bot without the voice layer; the
    gateway tells the callers' memory what the bot asked there."""
    callers = Callers()
    hearing = Hearing()
    dialogue = Dialogue(hearing, speaker=None, callers=callers)  # type: ignore[arg-type]
    asyncio.run(dialogue.respond("s1", heard(""), Asking()))
    asyncio.run(dialogue.respond("s1", heard(""), Asking()))  # the offer of a person
    callers.bot_said("s1", [{"recipient_id": "s1", **READ_BACK}])  # then typed: 订饭
    asyncio.run(dialogue.hear("s1", pcm_wav(bytes(3200))))
    assert hearing.told[-1][:2] == ["对，就这样订", "不对"]
    bot = Bot(["好的。"], nlu=NLU)
    assert respond(dialogue, "要", bot).texts == ["好的。"]  # not the offer's answer any more
    assert bot.asked == ["要"] and bot.classified == []
    callers.bot_said("s1", [{"recipient_id": "s1", "text": "赣州的高龄津贴……"}])
    assert dialogue.expected("s1") == {}


def test_a_button_s_title_said_is_that_button_tapped(dialogue: Dialogue) -> None:
    bot = Asking()
    asyncio.run(dialogue.respond("s1", heard("订饭"), bot))
    asyncio.run(dialogue.respond("s1", heard("对，就这样订"), bot))
    asyncio.run(dialogue.respond("s1", heard("订饭"), bot))
    asyncio.run(dialogue.respond("s1", heard("对"), bot))  # a yes in words: the NLU reads it
    asyncio.run(dialogue.respond("s1", heard("对，就这样订"), bot))  # nothing offered now
    assert bot.sent == ["订饭", "/affirm", "订饭", "对", "对，就这样订"]
