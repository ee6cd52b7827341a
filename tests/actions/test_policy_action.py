"""action_answer_policy through the rasa_sdk executor, on an ingested database."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.actions.conftest import bot, user
from tests.conftest import prepare


@pytest.fixture(scope="module")
def knowledge_db(tmp_path_factory) -> str:  # type: ignore[no-untyped-def]
    url = f"sqlite:///{tmp_path_factory.mktemp('kb') / 'kb.db'}"
    prepare(url)
    return url


@pytest.fixture(autouse=True)
def use_knowledge_db(knowledge_db: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("DATABASE_URL", knowledge_db)
    yield


def slots_of(result: dict) -> dict:
    return {e["name"]: e["value"] for e in result["events"] if e["event"] == "slot"}


def test_answers_with_citation_and_remembers_the_question(run_action) -> None:
    question = "特困失能老人护理补贴一个月多少钱"
    result = run_action(
        "action_answer_policy", [user(question, "ask_policy")], slots={"region": "赣州市"}
    )
    answer, source = result["responses"][0], result["responses"][1]
    assert "1200元" in answer["text"]
    assert answer["custom"]["citations"][0]["lines"] == [30, 30]
    assert source["text"].startswith("出处：《赣州规划》")
    assert slots_of(result) == {"policy_question": question, "awaiting_region": False}


def test_asks_for_the_region_once_when_none_is_known(run_action) -> None:
    result = run_action("action_answer_policy", [user("家庭养老床位是啥", "ask_policy")])
    reply = result["responses"][0]
    assert "哪里的政策" in reply["text"]
    assert [b["title"] for b in reply["buttons"]][-1] == "都行"
    assert slots_of(result) == {"policy_question": "家庭养老床位是啥", "awaiting_region": True}


def test_region_given_after_the_question_answers_it(run_action) -> None:
    events = [
        user("家庭养老床位是啥", "ask_policy"),
        bot("您问的是哪里的政策？"),
        user("宜兴", "inform", entities=[{"entity": "region", "value": "无锡市"}]),
    ]
    result = run_action(
        "action_answer_policy",
        events,
        slots={"region": "无锡市", "policy_question": "家庭养老床位是啥", "awaiting_region": True},
    )
    assert "无锡规划" in result["responses"][0]["text"]


def test_follow_up_for_another_region(run_action) -> None:
    events = [user("那赣州呢", "inform", entities=[{"entity": "region", "value": "赣州市"}])]
    result = run_action(
        "action_answer_policy",
        events,
        slots={"region": "赣州市", "policy_question": "家庭养老床位有啥要求"},
    )
    assert "赣州规划" in result["responses"][0]["text"]


def test_follow_up_question_builds_on_the_last_one(run_action) -> None:
    result = run_action(
        "action_answer_policy",
        [user("这个怎么申请", "ask_policy")],
        slots={"region": "无锡市", "policy_question": "适老化改造"},
    )
    assert slots_of(result)["policy_question"] == "适老化改造，这个怎么申请"


def test_declining_the_region_answers_across_regions(run_action) -> None:
    result = run_action(
        "action_answer_policy",
        [user("都行", "deny")],
        slots={"policy_question": "家庭养老床位", "awaiting_region": True},
    )
    texts = [r["text"] for r in result["responses"] if not r["text"].startswith("出处")]
    assert 2 <= len(texts) <= 3 and all("：" in t for t in texts)


def test_unknown_place_is_said_plainly(run_action) -> None:
    result = run_action("action_answer_policy", [user("北京的高龄津贴有多少", "ask_policy")])
    assert "没有北京的" in result["responses"][0]["text"]
