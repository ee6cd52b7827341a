"""Cancels the booking the caller said yes to, and gives its place back."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.support import in_transaction
from knowledge.booking.errors import BookingError
from knowledge.booking.service import cancel_booking


class ActionCancelBooking(Action):
    def name(self) -> str:
        return "action_cancel_booking"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        reference = tracker.get_slot("booking_cancel_candidate")
        if not reference:
            dispatcher.utter_message(text="好的。还有别的要帮忙的吗？")
            return []
        try:
            await in_transaction(cancel_booking, reference)
        except BookingError as error:
            dispatcher.utter_message(text=error.message)
        else:
            dispatcher.utter_message(
                text=f"已经取消了，预约号{reference}。还有别的要帮忙的吗？",
                json_message={"kind": "booking_cancelled", "reference": reference},
            )
        return [SlotSet("booking_cancel_candidate", None)]
