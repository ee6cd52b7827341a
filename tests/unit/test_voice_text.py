"""The text stages of a spoken turn (voice/): cleaning what a recogniser
wrote, and rewriting a reply for the ear."""

from __future__ import annotations

import pytest

from voice.asr import without_prompt_echo
from voice.for_the_ear import for_the_ear
from voice.transcript import clean_transcript


@pytest.mark.parametrize(
    ("heard", "cleaned"),
    [
        ("我 今年 八十二 了", "我今年八十二了"),  # Vosk's word spaces
        ("俺娘 癱在 床上", "俺娘瘫在床上"),  # traditional characters from Whisper
        ("護理補貼 怎麼 申請", "护理补贴怎么申请"),
        ("電話是 139 1234 5678", "电话是13912345678"),
        ("电话是139-1234-5678", "电话是13912345678"),
        ("我 82 岁", "我82岁"),
        ("８２岁，住在　梁溪区", "82岁，住在梁溪区"),  # full-width digits and space
        ("订 2026-12-03 的饭", "订2026-12-03的饭"),  # a date keeps its hyphens
        ("Hello 你好", "Hello 你好"),
        ("我的预约,帮我查一下?", "我的预约，帮我查一下？"),  # Whisper's ASCII punctuation
        ("时间是9:30", "时间是9:30"),
        ("  ", ""),
        ("字幕由Amara.org社区提供", ""),  # Whisper on silence
        ("请不吝点赞 订阅 转发 打赏支持明镜与点点栏目。", ""),
        ("谢谢观看", ""),
        ("谢谢观看我的预约", "谢谢观看我的预约"),  # only a whole hallucination is dropped
        ("这位置,这位置,这位置,这位置,这位置", "这位置"),  # a decoding loop said it once
        ("重庆是………………………………", "重庆是"),
        ("对对对对对对对", "对对对"),
        ("谢谢谢谢", "谢谢谢谢"),  # said twice is said
        ("电话13912121212", "电话13912121212"),  # digits never collapse
        ("上门服\ufffd", "上门服"),  # a character cut in two
    ],
)
def test_a_transcript_is_cleaned_for_the_dialogue(heard: str, cleaned: str) -> None:
    assert clean_transcript(heard) == cleaned


@pytest.mark.parametrize(
    ("heard", "said"),
    [
        # Whisper carrying on with its prompt over line noise (seen in CI)
        ("帮我查一下我的预约：高龄津贴、助餐、上门服务、失能老人。", "帮我查一下我的预约"),
        ("我要订饭：高龄津贴、护理补贴。", "我要订饭"),
        ("以下是普通话：高龄津贴、护理补贴、助餐、上门服务、失能老人。", ""),
        ("以下是普通话。我想订一份饭", "我想订一份饭"),
        ("高龄津贴、护理补贴、助餐", ""),
        # … cut off where decoding stopped, after a word said on its own
        ("是的：高龄津贴、助餐、上", "是的"),
        ("换一家：：高龄津贴、助餐、上门服", "换一家"),
        ("鼻保护：高龄津贴、助餐、", "鼻保护"),
        ("我想问：失能老人", "我想问：失能老人"),  # one whole term: could be said
        ("帮我买火车票：。", "帮我买火车票。"),  # what an echo leaves behind
        ("再说一遍：", "再说一遍"),
        # a caller's own words stay
        ("高龄津贴怎么领", "高龄津贴怎么领"),
        ("高龄津贴、护理补贴", "高龄津贴、护理补贴"),  # two, no colon: could be said
        ("我想问高龄津贴、护理补贴怎么领", "我想问高龄津贴、护理补贴怎么领"),
        ("我想问：失能老人、护理补贴", "我想问：失能老人、护理补贴"),  # not the prompt's order
        ("助餐和上门服务", "助餐和上门服务"),
    ],
)
def test_whisper_echoing_its_prompt_is_not_the_caller(heard: str, said: str) -> None:
    assert without_prompt_echo(heard) == said


@pytest.mark.parametrize(
    ("written", "said"),
    [
        ("80周岁以上老人每月发放尊老金1200元。", "八十周岁以上老人每月发放尊老金一千二百元。"),
        ("每人每月2000元", "每人每月两千元"),
        ("费用¥35.5", "费用三十五点五元"),
        ("占比达到70%以上", "占比达到百分之七十以上"),
        ("预约号358204，请记好。", "预约号三、五、八、二、零、四，请记好。"),
        ("预约号：906345", "预约号：九、零、六、三、四、五"),
        ("电话13912345678", "电话幺三九，幺二三四，五六七八"),
        ("打0510-80000101", "打零五幺零，八零零零零幺零幺"),
        ("拨打12345热线", "拨打幺二三四五热线"),
        ("2026-12-03上午", "二〇二六年十二月三日上午"),
        ("2026年12月3日", "二〇二六年十二月三日"),
        ("12月3号 14:30 到", "十二月三号 下午两点半 到"),
        ("9:00到17:30", "上午九点到下午五点半"),
        ("1943年出生", "一九四三年出生"),
        ("原文第205行", "原文第二百零五行"),
        ("共3项，年满65周岁", "共三项，年满六十五周岁"),
        ("**重点**：看 [文件](https://example.org/a) 😀", "重点：看 文件"),
        ("- 第一条\n- 第二条", "第一条\n第二条"),
        ("1. 先申请\n2. 再审核", "第一，先申请\n第二，再审核"),
        ("一千二百元，八十周岁", "一千二百元，八十周岁"),  # already in words
        ("", ""),
    ],
)
def test_a_reply_is_rewritten_for_the_ear(written: str, said: str) -> None:
    assert for_the_ear(written) == said


def test_no_digit_or_markup_is_left_for_the_engine_to_guess() -> None:
    reply = (
        "## 结果\n您可能符合**3**项：\n1. 尊老金，每月100元（第205行）\n"
        "2. 护理补贴 ✅\n预约号为358204，电话0510-80000101，时间12:00。"
    )
    said = for_the_ear(reply)
    assert not any(ch.isdigit() or ch in "#*✅" for ch in said), said
