"""Reads the whole booking back in one sentence before anything is saved."""

from __future__ import annotations

import datetime as dt
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from actions.booking_speech import describe, spoken_phone
from actions.support import in_transaction
from knowledge.booking.directory import get_provider

BUTTONS = [{"title": "对，就这样订", "payload": "/affirm"}, {"title": "不对", "payload": "/deny"}]


def read_back(slots: dict[str, Any], provider: str) -> str:
    """给您母亲王秀英订12月3号（星期四）的午餐，…。联系电话139 1234 5678，备注少盐。对吗？"""
    who = slots.get("subject") or "您"
    whom = f"给{who}{slots['booking_name']}" if who != "您" else f"给{slots['booking_name']}"
    what = describe(
        slots["booking_kind"],
        dt.date.fromisoformat(slots["booking_date"]),
        provider,
        period=slots.get("booking_period"),
        time=slots.get("booking_time"),
        service=slots.get("booking_service"),
        address=slots.get("booking_address"),
    )
    verb = "订" if slots["booking_kind"] == "meal" else "约"
    notes = f"，备注{slots['booking_notes']}" if slots.get("booking_notes") else ""
    phone = spoken_phone(slots["booking_phone"])
    return f"我核对一下：{whom}{verb}{what}。联系电话{phone}{notes}。对吗？"


class ActionAskBookingConfirmed(Action):
    def name(self) -> str:
        return "action_ask_booking_confirmed"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        provider = await in_transaction(get_provider, int(tracker.get_slot("booking_provider")))
        name = provider.name if provider else "服务点"
        dispatcher.utter_message(text=read_back(tracker.slots, name), buttons=BUTTONS)
        return []
