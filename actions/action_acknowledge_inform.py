"""A bare fact outside any question (我在宜兴): confirm what was understood
and ask what the caller wants, so they know it was heard."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.action_redirect import CAPABILITY_BUTTONS
from actions.support import mentioned_entities
from knowledge.regions import gazetteer

ASK_WHAT = "您想查政策、查补贴，还是订餐、约上门服务？"


def covered_regions_sentence() -> str:
    return f"我这里有{gazetteer().listing}的养老政策。"


class ActionAcknowledgeInform(Action):
    def name(self) -> str:
        return "action_acknowledge_inform"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        mentioned = mentioned_entities(tracker)
        unsupported = tracker.get_slot("unsupported_region")
        region = tracker.get_slot("region")
        if "region" in mentioned and unsupported:
            text = f"不好意思，{unsupported}的政策我这里还没有。" + covered_regions_sentence()
        elif "region" in mentioned and region:
            text = f"好的，记下了，您在{region}。" + ASK_WHAT
        else:
            text = "好的，记下了。" + ASK_WHAT
        dispatcher.utter_message(text=text, buttons=CAPABILITY_BUTTONS)
        return []
