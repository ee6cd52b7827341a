"""Finds whose bookings a caller means: by reference, by phone, or by this
conversation.

A caller who booked in this conversation is not asked for anything; otherwise the form
asks once for the phone number or the 6-digit reference. What the first
sentence says about the booking ("明天的饭不要了") narrows the search.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import REQUESTED_SLOT, FormValidationAction

from actions.booking_details import read_phone, read_reference
from actions.booking_form import INTERRUPTIONS, STOP_WORDS
from actions.profile import wants_to_stop
from actions.support import in_transaction, latest_intent
from knowledge.booking.service import has_bookings
from knowledge.zh.dates import parse_date, today_in_china

UNCLEAR = "没听清。请一位一位地说预约时留的手机号，或者6位预约号。"


def lookup_key(text: str) -> str | None:
    """reference:358204 or phone:13912345678 from what the caller said."""
    if reference := read_reference(text):
        return f"reference:{reference}"
    if phone := read_phone(text):
        return f"phone:{phone}"
    return None


def booking_filter(text: str) -> dict[str, str]:
    """Which of the caller's bookings the first sentence is about."""
    found: dict[str, str] = {}
    if date := parse_date(text, today_in_china()):
        found["date"] = date.isoformat()
    if any(word in text for word in ("饭", "餐")):
        found["kind"] = "meal"
    return found


class ValidateBookingLookupForm(FormValidationAction):
    def name(self) -> str:
        return "validate_booking_lookup_form"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        text = (tracker.latest_message.get("text") or "").strip()
        requested = tracker.get_slot(REQUESTED_SLOT)
        if requested is None:
            return await self.start(tracker, text)
        if latest_intent(tracker) == "emergency":
            return []
        if wants_to_stop(text) or any(word in text for word in STOP_WORDS):
            return [SlotSet("booking_lookup", None), SlotSet(REQUESTED_SLOT, None)]
        key = lookup_key(text)
        if key is None and latest_intent(tracker) in INTERRUPTIONS:
            return []
        if key is None:
            dispatcher.utter_message(text=UNCLEAR)
            return [SlotSet("booking_lookup", None), SlotSet(REQUESTED_SLOT, "booking_lookup")]
        return [SlotSet("booking_lookup", key), SlotSet(REQUESTED_SLOT, None)]

    async def start(self, tracker: Tracker, text: str) -> list[EventType]:
        """At activation: the purpose, the filter, and any key already known."""
        key = lookup_key(text)
        if key is None and await in_transaction(has_bookings, tracker.sender_id):
            key = f"sender:{tracker.sender_id}"
        purpose = "cancel" if latest_intent(tracker) == "cancel_booking" else "query"
        return [
            SlotSet("booking_purpose", purpose),
            SlotSet("booking_filter", booking_filter(text)),
            SlotSet("booking_cancel_candidate", None),
            SlotSet("booking_lookup", key),
            SlotSet(REQUESTED_SLOT, None if key else "booking_lookup"),
        ]
