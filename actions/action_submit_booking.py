"""Saves a confirmed booking and gives the caller its reference code.

The code is spoken digit by digit. If the place went in the meantime or the
day turned out to be closed, the caller hears why and is offered the next
open day, read back again for a yes before anything is saved. The
idempotency key is the confirming message, so a retried request never
books twice.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.action_start_booking import BOOKING_SLOTS
from actions.booking_speech import describe_booking, spoken_reference
from actions.support import in_transaction
from knowledge.booking.directory import get_provider
from knowledge.booking.errors import BookingError
from knowledge.booking.rules import DELIVERY, BookingRequest, Person
from knowledge.booking.service import submit_booking

FORMS = {"meal": "meal_booking_form", "visit": "visit_booking_form"}


def booking_request(tracker: Tracker) -> BookingRequest:
    slots = tracker.slots
    kind = slots["booking_kind"]
    message = tracker.latest_message.get("message_id") or tracker.latest_message.get("text")
    return BookingRequest(
        kind=kind,
        provider_id=int(slots["booking_provider"]),
        date=dt.date.fromisoformat(slots["booking_date"]),
        beneficiary=Person(
            slots["booking_name"], slots["booking_phone"], slots.get("booking_address")
        ),
        period=slots.get("booking_period") if kind == "meal" else None,
        time=slots.get("booking_time") if kind == "visit" else None,
        service=slots.get("booking_service"),
        delivery=kind == "meal" and slots.get("booking_service") == DELIVERY,
        notes=slots.get("booking_notes") or "",
        idempotency_key=f"chat:{tracker.sender_id}:{message}"[:80],
        sender_id=tracker.sender_id,
    )


class ActionSubmitBooking(Action):
    def name(self) -> str:
        return "action_submit_booking"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        if tracker.get_slot("booking_confirmed") is not True:
            dispatcher.utter_message(text="好的，这次先不订了。还有别的要帮忙的吗？")
            return [SlotSet(name, None) for name in BOOKING_SLOTS]
        try:
            booking, _ = await asyncio.to_thread(submit_booking, booking_request(tracker))
        except BookingError as error:
            return self.refused(error, dispatcher, tracker)
        provider = await in_transaction(get_provider, booking.provider_id)
        code = booking.reference
        dispatcher.utter_message(
            text=f"订好了！预约号是{code}，我一个一个念：{spoken_reference(code)}。"
            f"{describe_booking(booking, provider.name)}。要查或者取消，说“查预约”就行。",
            json_message={
                "kind": "booking_confirmation",
                "reference": code,
                "status": booking.status,
                "summary": describe_booking(booking, provider.name),
                "provider": {"name": provider.name, "phone": provider.phone},
            },
        )
        return [SlotSet("booking_reference", code), *(SlotSet(n, None) for n in BOOKING_SLOTS)]

    def refused(
        self, error: BookingError, dispatcher: CollectingDispatcher, tracker: Tracker
    ) -> list[EventType]:
        """Say why; with another day to offer, read the booking back for it."""
        if error.alternative is None:
            dispatcher.utter_message(
                text=f"{error.message}这次没订上。可以说“转人工”，请养老顾问帮您安排。"
            )
            return [SlotSet(name, None) for name in BOOKING_SLOTS]
        dispatcher.utter_message(text=error.message)
        form = FORMS[tracker.get_slot("booking_kind")]
        return [
            SlotSet("booking_date", error.alternative.isoformat()),
            SlotSet("booking_confirmed", None),
            FollowupAction(form),
        ]
