"""Starts a meal or visit booking with a clean slate.

A second booking in the same conversation must not inherit the first one's
date or provider; who it is for (relation) and where they live (region)
are kept, since a family usually books for the same person.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.support import latest_intent

BOOKING_SLOTS = (
    "booking_date",
    "booking_period",
    "booking_time",
    "booking_service",
    "booking_district",
    "booking_provider",
    "booking_suggestion",
    "booking_declined",
    "booking_name",
    "booking_phone",
    "booking_address",
    "booking_notes",
    "booking_confirmed",
)


class ActionStartBooking(Action):
    def name(self) -> str:
        return "action_start_booking"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        kind = "visit" if latest_intent(tracker) == "book_visit" else "meal"
        return [SlotSet("booking_kind", kind), *(SlotSet(name, None) for name in BOOKING_SLOTS)]
