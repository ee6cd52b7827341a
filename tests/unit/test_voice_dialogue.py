"""What the voice layer decides around the bot's answer (voice.dialogue):
misses, the slow repeat, a question said once, and sentence cutting.
Recognition and synthesis are not involved: see tests/voice."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from voice.asr import Transcript
from voice.dialogue import NOT_HEARD, OFFER_PERSON, SLOW_TEMPO, Dialogue, Reply, sentences


def heard(text: str) -> Transcript:
    return Transcript(text, text, "whisper", 1.0, 0.1)


class Bot:
    def __init__(self, *answers: list[str]) -> None:
        self.answers, self.asked = list(answers), []

    async def __call__(self, sender: str, text: str) -> list[dict[str, Any]]:
        self.asked.append(text)
        return [{"recipient_id": sender, "text": t} for t in self.answers.pop(0)]


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
