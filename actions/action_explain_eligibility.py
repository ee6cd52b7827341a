"""Details after the summary: for each benefit named, why, how much (only
when the document says), the source lines and what to do next; then the
names of the rest and what is still unknown."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.action_summarise_eligibility import NEXT_STEP_BUTTONS
from actions.profile import evaluate_slots, subject
from knowledge.eligibility.catalogue import BOOLEAN_LABELS
from knowledge.eligibility.engine import ELIGIBLE, NOT_ELIGIBLE, Result, highlights

MAX_NAMED = 8
STATUS_WORDS = {ELIGIBLE: "按文件可以享受", "maybe": "可能可以享受"}
FACT_NAMES = {
    "age": "多大岁数",
    "economic_status": "是不是低保、特困或低收入",
    "self_care": "能不能自理",
    "living": "一个人住还是跟家人住",
    **{name: f"是不是{label}" for name, label in BOOLEAN_LABELS.items()},
}


def detail_text(result: Result) -> str:
    text = f"{result.benefit.name}：{STATUS_WORDS[result.status]}。"
    if result.amount:
        text += f"标准是{result.amount}。"
    text += "；".join(result.reasons) + "。"
    text += f"依据：{result.benefit.citation.spoken()}。"
    return text + f"怎么办：{result.benefit.next_step}。"


class ActionExplainEligibility(Action):
    def name(self) -> str:
        return "action_explain_eligibility"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        evaluated = evaluate_slots(tracker.slots)
        if evaluated is None:
            dispatcher.utter_message(text="还不知道是哪个城市，您可以说“查补贴”重新开始。")
            return []
        _, evaluation = evaluated
        top = highlights(evaluation)
        for result in top:
            dispatcher.utter_message(
                text=detail_text(result),
                json_message={"kind": "eligibility_result", "benefit": result.as_dict()},
            )
        rest = [r for r in evaluation.results if r.status != NOT_ELIGIBLE and r not in top]
        closing = ""
        if rest:
            names = "、".join(r.benefit.name for r in rest[:MAX_NAMED])
            more = f"等{len(rest)}项" if len(rest) > MAX_NAMED else ""
            closing += f"可能相关的还有：{names}{more}。"
        if evaluation.missing:
            unknown = "、".join(FACT_NAMES[f] for f in evaluation.missing[:3])
            closing += f"要是能弄清{subject(tracker.get_slot('relation'))}{unknown}，能查得更准。"
        dispatcher.utter_message(
            text=closing + "需要的话，我可以帮您约上门服务，或者请养老顾问帮您办。",
            buttons=NEXT_STEP_BUTTONS,
        )
        return []
