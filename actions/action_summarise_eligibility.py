"""The end of an eligibility check: at most three benefits, said first.

A caller on the phone cannot take in thirty results. The summary names the
(up to) three most relevant benefits with any stated amount and a short
caveat for the uncertain ones, says how many more there are, and offers the
details, a visit booking or an advisor. Everything said comes from the cited
catalogue; the web chat also receives the results with their citations.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.profile import evaluate_slots, subject, wants_to_stop
from knowledge.eligibility.engine import ELIGIBLE, MAYBE, Evaluation, Result, highlights
from knowledge.regions import gazetteer
from knowledge.search.answer import REFERRAL

ORDINALS = "一二三"
NEXT_STEP_BUTTONS = [
    {"title": "约上门服务", "payload": "/book_visit"},
    {"title": "转人工", "payload": "/request_human"},
]
COMMITMENT_CAVEATS = {"pilot": "文件说的是试点", "encouraged": "文件只是鼓励"}


def documents_phrase(region: str) -> str:
    """按无锡市和江苏省的文件 — whose documents the answer rests on."""
    return "按" + "和".join(gazetteer().applicable(region)) + "的文件"


def caveat(result: Result) -> str | None:
    """The one thing that keeps a `maybe` from being certain, in a few words."""
    if result.status != MAYBE:
        return None
    benefit = result.benefit
    if result.missing:
        return "还要看" + "、".join(
            c.describe() for c in benefit.conditions if c.attribute in result.missing
        )
    if benefit.unstated:
        return "文件没写明具体条件"
    if benefit.assessment:
        return f"要经过{benefit.assessment}"
    return COMMITMENT_CAVEATS.get(benefit.commitment)


def item_phrase(result: Result) -> str:
    parts = [result.benefit.name]
    if result.amount:
        parts.append(f"标准是{result.amount}")
    if note := caveat(result):
        parts.append(note)
    return "，".join(parts)


def summary_text(region: str, evaluation: Evaluation, who: str) -> str:
    top = highlights(evaluation)
    if not top:
        return f"{documents_phrase(region)}，没有找到{who}能享受的补贴或服务。{REFERRAL}"
    certain = all(r.status == ELIGIBLE for r in top)
    items = "；".join(f"{ORDINALS[i]}是{item_phrase(r)}" for i, r in enumerate(top))
    text = f"{documents_phrase(region)}，{who}{'可以' if certain else '可能可以'}享受：{items}。"
    rest = sum(r.status != "not_eligible" for r in evaluation.results) - len(top)
    if rest > 0:
        text += f"另外还有{rest}项可能相关。"
    return text + "要我详细说说吗？"


class ActionSummariseEligibility(Action):
    def name(self) -> str:
        return "action_summarise_eligibility"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        if wants_to_stop(tracker.latest_message.get("text") or ""):
            dispatcher.utter_message(text="好的，不查了。以后想查，跟我说“查补贴”就行。")
            return []
        evaluated = evaluate_slots(tracker.slots)
        if evaluated is None:  # the form always fills the region; be safe anyway
            dispatcher.utter_message(text="还不知道是哪个城市，没法查。您可以说“查补贴”重新开始。")
            return []
        region, evaluation = evaluated
        dispatcher.utter_message(
            text=summary_text(region, evaluation, subject(tracker.get_slot("relation"))),
            buttons=[{"title": "详细说说", "payload": "/affirm"}, *NEXT_STEP_BUTTONS],
            json_message={
                "kind": "eligibility_summary",
                "region": region,
                "benefits": [r.as_dict() for r in highlights(evaluation)],
            },
        )
        return []
