"""Polite redirect for out-of-scope or unclear input.

Says what the assistant can do; after two misunderstandings in a row it
offers a human advisor instead of letting the caller go round in circles.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

UNCLEAR_INTENTS = {"nlu_fallback", "out_of_scope"}
CAPABILITY_BUTTONS = [
    {"title": "查政策", "payload": "/ask_policy"},
    {"title": "查补贴", "payload": "/check_eligibility"},
    {"title": "订餐", "payload": "/book_meal"},
    {"title": "约上门服务", "payload": "/book_visit"},
]


def consecutive_unclear_turns(tracker: Tracker) -> int:
    """How many of the caller's latest messages in a row were not understood."""
    count = 0
    for event in reversed(tracker.events):
        if event.get("event") != "user":
            continue
        intent = (event.get("parse_data") or {}).get("intent") or {}
        if intent.get("name") not in UNCLEAR_INTENTS:
            break
        count += 1
    return count


class ActionRedirect(Action):
    def name(self) -> str:
        return "action_redirect"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        if consecutive_unclear_turns(tracker) >= 2:
            dispatcher.utter_message(
                text="不好意思，我还是没听明白。要不要我请养老顾问来帮您？",
                buttons=[
                    {"title": "转人工", "payload": "/request_human"},
                    {"title": "不用", "payload": "/deny"},
                ],
            )
            return [SlotSet("offered_handoff", True)]
        dispatcher.utter_message(
            text="不好意思，这个我帮不上。我能帮您查养老政策、看看能领哪些补贴，还能订餐、约上门服务。",
            buttons=CAPABILITY_BUTTONS,
        )
        return [SlotSet("offered_handoff", False)]
