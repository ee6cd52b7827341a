"""Eligibility checks by conversation, through the real gateway, Rasa, the
action server and the benefit catalogue. The caller answers whatever the
bot asks (the engine chooses the order), the way a person would."""

from __future__ import annotations

import uuid

from tests.e2e.conftest import RunningStack

SUMMARY_END = "要我详细说说吗？"
# A 特困 mother in 赣州 who cannot leave her bed: the document's care subsidy
# for her is 1200元 a month.
MOTHER = {
    "region": "赣州",
    "age": "她今年八十五了",
    "economic_status": "俺家是特困户",
    "self_care": "瘫在床上",
    "living": "她一个人住",
    "disability": "不是",
    "receives_disability_care_subsidy": "没领",
    "special_family": "不清楚",
    "hukou_local": "是本地户口",
}


def caller() -> str:
    return f"e2e-elig-{uuid.uuid4().hex[:10]}"


def answer_until_summary(
    stack: RunningStack, sender: str, persona: dict[str, str], limit: int = 8
) -> tuple[list[str], list[str]]:
    """Answer each question from the persona; returns (questions asked,
    the summary turn's texts)."""
    asked: list[str] = []
    for _ in range(limit):
        requested = stack.tracker(sender)["slots"]["requested_slot"]
        if requested is None:
            break
        asked.append(requested)
        replies = stack.texts(sender, persona[requested])
        if any(SUMMARY_END in t for t in replies):
            return asked, replies
    raise AssertionError(f"no summary after {asked}")


def test_on_behalf_of_a_mother_asks_only_what_matters_then_summarises(
    stack: RunningStack,
) -> None:
    sender = caller()
    first = stack.texts(sender, "帮我妈查查能领啥补贴")
    assert first[-1] == "您母亲住在哪个城市？"
    asked, summary = answer_until_summary(stack, sender, MOTHER)
    assert asked[0] == "region" and len(asked) <= 6 and len(set(asked)) == len(asked)
    text = next(t for t in summary if SUMMARY_END in t)
    assert text.startswith("按赣州市的文件，您母亲")
    assert "特困人员护理补贴，标准是1200元/月" in text
    details = stack.chat(sender, "/affirm")  # the 详细说说 button
    assert sum("依据：《赣州规划》" in m.get("text", "") for m in details) >= 1
    results = [m["custom"] for m in details if "custom" in m]
    assert results and all(r["kind"] == "eligibility_result" for r in results)


def test_natural_answers_and_a_correction(stack: RunningStack) -> None:
    sender = caller()
    stack.texts(sender, "我八十二了，在淄博，能领啥")
    slots = stack.tracker(sender)["slots"]
    assert slots["region"] == "淄博市" and slots["age"] == "82"
    replies = stack.texts(sender, "不对，是八十三")
    assert "好的，改过来了：83岁。" in replies
    assert stack.tracker(sender)["slots"]["age"] == "83"


def test_policy_question_mid_form_is_answered_and_the_form_resumes(stack: RunningStack) -> None:
    sender = caller()
    stack.texts(sender, "我想查查补贴")
    stack.texts(sender, "赣州")
    question = stack.tracker(sender)["slots"]["requested_slot"]
    replies = stack.texts(sender, "赣州的家庭养老床位政策是怎么规定的")
    assert any("赣州规划" in t for t in replies)
    assert stack.tracker(sender)["slots"]["requested_slot"] == question
    assert stack.tracker(sender)["active_loop"]["name"] == "eligibility_form"


def test_emergency_mid_form_comes_first_and_asking_again_resumes(stack: RunningStack) -> None:
    sender = caller()
    stack.texts(sender, "帮我爸看看能领啥")
    stack.texts(sender, "无锡")
    remaining = stack.tracker(sender)["slots"]["requested_slot"]
    replies = stack.texts(sender, "我爸摔倒了起不来了")
    assert "120" in replies[0]
    assert not stack.tracker(sender)["active_loop"]
    stack.texts(sender, "不用")
    again = stack.texts(sender, "帮我查查补贴")
    # The region is remembered: the form picks up at the question it was on.
    assert stack.tracker(sender)["slots"]["requested_slot"] == remaining
    assert "住在哪个城市" not in again[-1]


def test_stopping_mid_form(stack: RunningStack) -> None:
    sender = caller()
    stack.texts(sender, "查一下我能领什么补贴")
    assert stack.texts(sender, "算了 不查了") == ["好的，不查了。以后想查，跟我说“查补贴”就行。"]
    assert not stack.tracker(sender)["active_loop"]
