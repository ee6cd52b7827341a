"""再说一遍: say the previous bot turn again, unchanged (buttons included)."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.support import last_bot_turn


class ActionRepeat(Action):
    def name(self) -> str:
        return "action_repeat"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        previous = last_bot_turn(tracker)
        if not previous:
            dispatcher.utter_message(response="utter_greet")
            return []
        for message in previous:
            data = message.get("data") or {}
            dispatcher.utter_message(
                text=message.get("text"),
                buttons=data.get("buttons") or [],
                json_message=data.get("custom"),
            )
        return []
