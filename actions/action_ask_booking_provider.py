"""Suggests the nearest provider the form found, and asks to book there."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from actions.support import in_transaction
from knowledge.booking.directory import get_provider

BUTTONS = [
    {"title": "好，就这家", "payload": "/affirm"},
    {"title": "换一家", "payload": "换一家"},
]


class ActionAskBookingProvider(Action):
    def name(self) -> str:
        return "action_ask_booking_provider"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        suggestion = tracker.get_slot("booking_suggestion")
        provider = await in_transaction(get_provider, int(suggestion)) if suggestion else None
        if provider is None:
            dispatcher.utter_message(text="我再找找别的服务点。")
            return []
        first = not tracker.get_slot("booking_declined")
        lead = "离得最近的是" if first else "还有一家是"
        where = provider.address
        if not where.startswith(provider.district):
            where = provider.district + where
        dispatcher.utter_message(
            text=f"{lead}{provider.name}，在{where}，" f"电话{provider.phone}。就订这家吗？",
            buttons=BUTTONS,
        )
        return []
