"""The eligibility form's validator, summary and details through the real
rasa_sdk executor, the real domain and the real benefit catalogue."""

from __future__ import annotations

from typing import Any

from actions.profile import next_fact
from tests.actions.conftest import bot, slot, user

FORM = "eligibility_form"


def set_slots(result: dict) -> dict[str, Any]:
    return {e["name"]: e["value"] for e in result["events"] if e["event"] == "slot"}


def texts(result: dict) -> list[str]:
    return [r["text"] for r in result["responses"] if r.get("text")]


def answer(
    run_action,
    text: str,
    intent: str,
    candidates: dict[str, Any],
    slots: dict,
    entities: list | None = None,
    history: list | None = None,
) -> dict:  # type: ignore[no-untyped-def]
    """One caller turn inside the form, shaped as Rasa sends it: the slot
    candidates extracted from the message follow the user event."""
    events = [*(history or []), user(text, intent, entities=entities)]
    events += [slot(name, value) for name, value in candidates.items()]
    return run_action(
        "validate_eligibility_form", events, slots=slots | candidates, active_loop=FORM
    )


def test_activation_asks_the_region_first_and_names_the_person(run_action) -> None:
    result = answer(
        run_action,
        "帮我妈查查能领啥",
        "check_eligibility",
        {"self_care": "失能"},
        {"relation": "母亲"},
    )
    events = set_slots(result)
    assert events["requested_slot"] == "region" and events["self_care"] == "失能"
    # Only the caller's facts count as progress: an interruption that fills
    # nothing must leave the form rejected so the rules can answer it.
    assert set(events) == {"requested_slot", "self_care"}


def test_after_the_region_the_engine_picks_the_next_question(run_action) -> None:
    result = answer(
        run_action,
        "在赣州",
        "inform",
        {"region": "赣州市"},
        {"requested_slot": "region"},
        entities=[{"entity": "region", "value": "赣州市"}],
    )
    events = set_slots(result)
    assert events["region"] == "赣州市"
    assert events["requested_slot"] in {"age", "economic_status", "self_care", "living"}


def test_free_text_region_answer_is_read(run_action) -> None:
    result = answer(
        run_action,
        "住在宜兴那边",
        "inform",
        {"region": "住在宜兴那边"},
        {"requested_slot": "region"},
    )
    assert set_slots(result)["region"] == "无锡市"


def test_a_place_without_documents_is_said_plainly(run_action) -> None:
    result = answer(
        run_action, "我在北京", "inform", {"region": "我在北京"}, {"requested_slot": "region"}
    )
    assert set_slots(result)["region"] is None
    assert "北京" in texts(result)[0] and "转人工" in texts(result)[0]


def test_natural_age_answers(run_action) -> None:
    slots = {"region": "赣州市", "requested_slot": "age"}
    result = answer(run_action, "俺今年八十二了", "inform", {"age": "八十二"}, slots)
    assert set_slots(result)["age"] == "82"
    vague = answer(run_action, "八十好几了", "inform", {"age": "八十好几了"}, slots)
    assert set_slots(vague)["age"] == "81-89"


def test_garbled_age_is_asked_again_politely(run_action) -> None:
    slots = {"region": "赣州市", "requested_slot": "age"}
    result = answer(run_action, "嗯嗯那个啥", "nlu_fallback", {"age": "嗯嗯那个啥"}, slots)
    assert set_slots(result)["age"] is None
    assert "没听清岁数" in texts(result)[0]
    # Nothing was learnt, so the form asks the engine's first question again.
    assert set_slots(result)["requested_slot"] == next_fact({}, "赣州市")


def test_another_fact_instead_of_the_answer_is_taken_quietly(run_action) -> None:
    slots = {"region": "赣州市", "requested_slot": "age"}
    result = answer(
        run_action,
        "她是低保户",
        "inform",
        {"economic_status": "低保", "age": "她是低保户"},
        slots,
        entities=[{"entity": "economic_status", "value": "低保"}],
    )
    events = set_slots(result)
    assert events["economic_status"] == "低保" and events["age"] is None
    assert texts(result) == []


def test_a_correction_replaces_the_answer_and_is_acknowledged(run_action) -> None:
    history = [user("我八十二了", "inform"), slot("age", "82"), bot("家里是低保吗？")]
    slots = {"region": "赣州市", "requested_slot": "economic_status", "age": "82"}
    result = answer(
        run_action,
        "不对，是八十三",
        "inform",
        {"age": "八十三", "economic_status": "不对，是八十三"},
        slots,
        entities=[{"entity": "age", "value": "八十三"}],
        history=history,
    )
    events = set_slots(result)
    assert events["age"] == "83" and events["economic_status"] is None
    assert texts(result) == ["好的，改过来了：83岁。"]


def test_yes_no_and_dont_know(run_action) -> None:
    slots = {"region": "赣州市", "requested_slot": "disability"}
    assert (
        set_slots(answer(run_action, "是的", "affirm", {"disability": "是的"}, slots))["disability"]
        == "是"
    )
    assert (
        set_slots(answer(run_action, "不清楚", "deny", {"disability": "不清楚"}, slots))[
            "disability"
        ]
        == "不知道"
    )


def test_the_latest_of_two_contradictory_answers_wins(run_action) -> None:
    slots = {
        "region": "赣州市",
        "requested_slot": "receives_disability_care_subsidy",
        "disability": "否",
    }
    result = answer(
        run_action, "领着呢", "affirm", {"receives_disability_care_subsidy": "领着呢"}, slots
    )
    events = set_slots(result)
    assert events["receives_disability_care_subsidy"] == "是" and events["disability"] is None
    assert "我按您刚才说的改了" in texts(result)[0]


def test_stop_ends_the_form(run_action) -> None:
    slots = {"region": "赣州市", "requested_slot": "living"}
    result = answer(run_action, "算了 不查了", "deny", {"living": "算了 不查了"}, slots)
    assert set_slots(result) == {"living": None, "requested_slot": None}


def test_enough_answers_end_the_form(run_action) -> None:
    slots = {
        "region": "赣州市",
        "requested_slot": "living",
        "age": "85",
        "economic_status": "特困",
        "self_care": "失能",
        "disability": "否",
    }
    result = answer(
        run_action,
        "一个人住",
        "inform",
        {"living": "独居"},
        slots,
        entities=[{"entity": "living", "value": "独居"}],
    )
    assert set_slots(result)["requested_slot"] is None


PERSON = {
    "region": "赣州市",
    "relation": "母亲",
    "age": "85",
    "economic_status": "特困",
    "self_care": "失能",
}


def test_summary_names_at_most_three_with_stated_amounts(run_action) -> None:
    result = run_action("action_summarise_eligibility", [user("是", "affirm")], slots=PERSON)
    text = texts(result)[0]
    assert text.startswith("按赣州市的文件，您母亲")
    assert "一是" in text and "四是" not in text
    assert "1200元/月" in text  # 特困 失能: the document's stated rate
    assert "要我详细说说吗" in text
    payload = result["responses"][0]["custom"]
    assert payload["kind"] == "eligibility_summary" and len(payload["benefits"]) <= 3
    for benefit in payload["benefits"]:
        assert benefit["citations"][0]["document"] and benefit["citations"][0]["lines"]


def test_summary_after_a_stop_just_says_so(run_action) -> None:
    result = run_action("action_summarise_eligibility", [user("算了不查了", "deny")], slots=PERSON)
    assert texts(result) == ["好的，不查了。以后想查，跟我说“查补贴”就行。"]


def test_details_give_reasons_sources_and_next_steps(run_action) -> None:
    result = run_action("action_explain_eligibility", [user("详细说说", "affirm")], slots=PERSON)
    details = texts(result)
    assert len(details) == 4  # three benefits, then what else and the offer
    for text in details[:3]:
        assert "依据：《赣州规划》" in text and "怎么办：" in text
    assert "约上门服务" in details[-1]
    assert [b["title"] for b in result["responses"][-1]["buttons"]] == ["约上门服务", "转人工"]


def test_talking_about_another_person_forgets_the_first(run_action) -> None:
    events = [
        user("我妈八十五了", "inform"),
        slot("relation", "母亲"),
        slot("age", "85"),
        bot("好的"),
        user("那我爸呢", "check_eligibility", entities=[{"entity": "relation", "value": "父亲"}]),
        slot("relation", "父亲"),
    ]
    result = run_action(
        "action_validate_slot_mappings", events, slots={"relation": "父亲", "age": "85"}
    )
    events_set = set_slots(result)
    assert events_set["relation"] == "父亲" and events_set["age"] is None
    assert events_set["subject"] == "您父亲"
