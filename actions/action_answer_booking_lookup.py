"""Says what the caller has booked, or offers to cancel the one they mean.

At most three bookings are read out on the phone; each has its reference.
For a cancellation, one match is offered for a yes; several are listed
with a button each, and nothing is cancelled without a yes. A booking made
in another conversation (found by phone number or reference) is read out
without its address: knowing a number is not knowing where someone lives.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.booking_speech import describe_booking
from actions.support import in_transaction
from knowledge.booking.directory import get_provider
from knowledge.booking.errors import NotFoundError
from knowledge.booking.service import CONFIRMED, STATUS_NAMES, find_bookings, get_booking
from knowledge.db import UnitOfWork
from knowledge.models import Booking

MAX_SPOKEN = 3
ORDINALS = "一二三"


def _described(
    uow: UnitOfWork, bookings: list[Booking], sender_id: str
) -> list[tuple[Booking, str]]:
    return [
        (b, describe_booking(b, get_provider(uow, b.provider_id).name, b.sender_id == sender_id))
        for b in bookings
    ]


def lookup(
    uow: UnitOfWork, key: str, wanted: dict[str, str], sender_id: str
) -> list[tuple[Booking, str]]:
    """The bookings a lookup key names, narrowed by the caller's first sentence."""
    kind, value = key.split(":", 1)
    if kind == "reference":
        try:
            return _described(uow, [get_booking(uow, value)], sender_id)
        except NotFoundError:
            return []
    found = find_bookings(uow, **{"phone" if kind == "phone" else "sender_id": value})
    narrowed = [
        b
        for b in found
        if ("date" not in wanted or b.date == dt.date.fromisoformat(wanted["date"]))
        and ("kind" not in wanted or b.kind == wanted["kind"])
    ]
    return _described(uow, narrowed or found, sender_id)


class ActionAnswerBookingLookup(Action):
    def name(self) -> str:
        return "action_answer_booking_lookup"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        key = tracker.get_slot("booking_lookup")
        if not key:
            dispatcher.utter_message(text="好的。还有别的要帮忙的吗？")
            return []
        wanted = tracker.get_slot("booking_filter") or {}
        found = await in_transaction(lookup, key, wanted, tracker.sender_id)
        if not found:
            dispatcher.utter_message(
                text="没有找到预约。号码对的话，可能已经取消或者过期了。要重新订，说“订饭”或者“约上门服务”。"
            )
            return []
        if tracker.get_slot("booking_purpose") == "cancel":
            return self.offer_cancellation(found, dispatcher)
        lines = [
            f"{ORDINALS[i]}是{text}，预约号{b.reference}，{STATUS_NAMES.get(b.status, b.status)}"
            for i, (b, text) in enumerate(found[:MAX_SPOKEN])
        ]
        more = f"另外还有{len(found) - MAX_SPOKEN}个。" if len(found) > MAX_SPOKEN else ""
        dispatcher.utter_message(text=f"找到{len(found)}个预约：" + "；".join(lines) + f"。{more}")
        return []

    def offer_cancellation(
        self, found: list[tuple[Booking, str]], dispatcher: CollectingDispatcher
    ) -> list[EventType]:
        live = [(b, text) for b, text in found if b.status == CONFIRMED]
        if not live:
            status = STATUS_NAMES.get(found[0][0].status, "")
            dispatcher.utter_message(text=f"这个预约已经是“{status}”了，不用再取消。")
            return []
        if len(live) == 1:
            booking, text = live[0]
            dispatcher.utter_message(
                text=f"要取消{text}（预约号{booking.reference}）吗？",
                buttons=[
                    {"title": "确定取消", "payload": "/affirm"},
                    {"title": "不取消", "payload": "/deny"},
                ],
            )
            return [SlotSet("booking_cancel_candidate", booking.reference)]
        dispatcher.utter_message(
            text=f"找到{len(live)}个预约，要取消哪一个？",
            buttons=[
                {"title": f"取消：{text}", "payload": f"取消预约{b.reference}"}
                for b, text in live[:MAX_SPOKEN]
            ],
        )
        return []
