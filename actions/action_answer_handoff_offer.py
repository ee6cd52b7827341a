"""好 / 行 right after a redirect: a yes to the offer of a person, if one was made.

The offer is only made after repeated misunderstandings (action_redirect
records it in `offered_handoff`); a yes to a plain redirect just invites the
caller to say what they need.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.action_handoff import hand_off


class ActionAnswerHandoffOffer(Action):
    def name(self) -> str:
        return "action_answer_handoff_offer"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        if tracker.get_slot("offered_handoff"):
            await hand_off(dispatcher, tracker)
        else:
            dispatcher.utter_message(response="utter_ok_what_else")
        return [SlotSet("offered_handoff", False)]
