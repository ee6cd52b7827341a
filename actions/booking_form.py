"""The booking conversation shared by the meal and the visit forms.

Every message is read for every detail (date, meal or time, service,
district, phone, dietary notes), so a caller who says it all in the first
sentence is asked nothing more, and "不对，是后天" changes the date at any
point, the read-back included. The form then asks only for what is still
missing, in a fixed order, and suggests the nearest provider that is open,
offers what was asked and has places left. Nothing is saved until the
caller confirms the read-back; `action_submit_booking` saves it.

The validator fills the slots itself (their mappings are `custom`), so a
message that says nothing about the booking (再说一遍, a policy question)
fills nothing and Rasa hands it to the rules for interruptions.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import REQUESTED_SLOT, FormValidationAction

from actions.booking_details import read_address, read_consent, read_details, read_name, visit_clock
from actions.profile import NO, YES, read_yes_no, wants_to_stop
from actions.support import in_transaction, latest_intent
from knowledge.booking.directory import get_provider, nearest
from knowledge.booking.errors import BookingError
from knowledge.booking.rules import (
    DELIVERY,
    DINE_IN,
    check_date,
    check_horizon,
    fits_window,
    spoken_date,
)
from knowledge.booking.service import remaining
from knowledge.db import UnitOfWork
from knowledge.models import Provider
from knowledge.zh.dates import MEAL_PERIODS, today_in_china

# Intents with their own rules mid-form: answered, then the form resumes
# (or ends, for a person or goodbye). A reply that does answer the question
# is taken as the answer whatever the intent ("清名桥街道…" is no goodbye);
# only an emergency always comes first.
INTERRUPTIONS = {"request_human", "repeat", "goodbye", "ask_policy"}
STOP_WORDS = ("不订了", "不约了", "不要了", "不用了", "先不订", "先不约")
CORRECTION = re.compile(r"^(不对|不是|错了|改)")
ORDER = {
    "meal": (
        "booking_date",
        "booking_period",
        "booking_service",
        "booking_district",
        "booking_provider",
        "booking_name",
        "booking_phone",
        "booking_address",
        "booking_confirmed",
    ),
    "visit": (
        "booking_service",
        "booking_date",
        "booking_time",
        "booking_district",
        "booking_provider",
        "booking_name",
        "booking_phone",
        "booking_address",
        "booking_confirmed",
    ),
}
# Details that decide which provider can serve; changing one re-checks it.
PROVIDER_FACTS = (
    "booking_date",
    "booking_period",
    "booking_time",
    "booking_service",
    "booking_district",
)
UNCLEAR = {
    "booking_date": "没听清是哪天。您说“明天”“下周三”或者“12月3号”都行。",
    "booking_period": "没听清是哪一顿。您说“午饭”或者“晚饭”就行。",
    "booking_time": "没听清几点。您说“上午九点”或者“下午两点半”就行。",
    "booking_service": "没听清要哪种服务。",
    "booking_district": "没听清是哪个区。您说区县的名字就行，比如“梁溪区”。",
    "booking_provider": "您说“好”就订这家，说“换一家”我再找找。",
    "booking_name": "没听清怎么称呼。说个名字就行，比如“王秀英”。",
    "booking_phone": "没听清手机号。请一位一位地说11位手机号。",
    "booking_address": "没听清地址。请说一下街道、小区和门牌号。",
    "booking_confirmed": "您说“对”我就订上；哪里不对，直接说要改的，比如“不对，是后天”。",
}


def capacity_slot(kind: str, slots: dict[str, Any]) -> str | None:
    """The capacity counter a booking takes: the meal period, or the day."""
    return slots.get("booking_period") if kind == "meal" else "day"


def needs_address(kind: str, slots: dict[str, Any]) -> bool:
    return kind == "visit" or slots.get("booking_service") == DELIVERY


def next_slot(kind: str, slots: dict[str, Any]) -> str | None:
    for name in ORDER[kind]:
        if name == "booking_address" and not needs_address(kind, slots):
            continue
        if slots.get(name) is None:
            return name
    return None


def why_not(
    uow: UnitOfWork, provider: Provider, kind: str, slots: dict[str, Any], today: dt.date
) -> str | None:
    """Why this provider cannot take the booking as it stands, or None."""
    if not slots.get("booking_date"):
        return None
    date = dt.date.fromisoformat(slots["booking_date"])
    try:
        check_date(provider, date, today)
    except BookingError as error:
        return error.message
    if kind == "meal":
        period = slots.get("booking_period")
        if period and period not in provider.periods:
            return f"{provider.name}不供应{MEAL_PERIODS[period]}。"
    else:
        clock = slots.get("booking_time")
        if clock and not fits_window(provider, clock):
            return f"{provider.name}上门的时间是{'、'.join(provider.periods)}。"
    slot = capacity_slot(kind, slots)
    if slot and remaining(uow, provider, date, slot) <= 0:
        return f"{provider.name}{spoken_date(date)}已经订满了。"
    return None


def suggest(uow: UnitOfWork, kind: str, slots: dict[str, Any], today: dt.date) -> int | None:
    """The nearest provider that can take the booking, skipping declined ones."""
    service = slots.get("booking_service")
    declined = set(slots.get("booking_declined") or [])
    region, district = slots.get("region"), slots.get("booking_district")
    candidates = nearest(
        uow,
        kind,
        region,
        district,
        service=service if kind == "visit" else None,
        delivery=(service == DELIVERY) if kind == "meal" and service else None,
    )
    for provider in candidates:
        if provider.id not in declined and why_not(uow, provider, kind, slots, today) is None:
            return provider.id
    return None


def recheck_provider(
    uow: UnitOfWork, kind: str, slots: dict[str, Any], today: dt.date
) -> str | None:
    """After a change, why the chosen provider no longer fits (or None)."""
    provider = get_provider(uow, int(slots["booking_provider"]))
    if provider is None:
        return "原来那家服务点已经不在名单里了。"
    return why_not(uow, provider, kind, slots, today)


def date_problem(date: dt.date, today: dt.date) -> str | None:
    try:
        check_horizon(date, today)
    except BookingError as error:
        return error.message
    return None


class ValidateBookingForm(FormValidationAction):
    """Base for `validate_meal_booking_form` and `validate_visit_booking_form`."""

    kind: str = "meal"

    def name(self) -> str:
        return f"validate_{self.kind}_booking_form"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        text = (tracker.latest_message.get("text") or "").strip()
        intent = latest_intent(tracker)
        requested = tracker.get_slot(REQUESTED_SLOT)
        if requested and intent == "emergency":
            return []  # nothing filled: Rasa's rules take over at once
        if requested and (
            wants_to_stop(text) or any(w in text for w in STOP_WORDS) or intent == "cancel_booking"
        ):
            return [SlotSet("booking_confirmed", False), SlotSet(REQUESTED_SLOT, None)]
        slots = dict(tracker.slots)
        said = len(dispatcher.messages)
        heard = self.read(text, intent, requested, slots, dispatcher)
        if not heard and requested and intent in INTERRUPTIONS:
            return []  # nothing filled: Rasa's interruption rules take over
        if not heard and requested:
            if len(dispatcher.messages) == said:  # not already told why (a past date)
                dispatcher.utter_message(text=UNCLEAR[requested])
            # An answer, though unclear: ask the same question again.
            return [SlotSet(requested, None), SlotSet(REQUESTED_SLOT, requested)]
        slots.update(heard)
        settled = await in_transaction(self.settle, slots, heard, dispatcher)
        slots.update(settled)
        if requested == "booking_confirmed" and heard.keys() & set(ORDER[self.kind][:-1]):
            dispatcher.utter_message(text="好的，改过来了。")
        following = None if slots.get("booking_confirmed") is False else next_slot(self.kind, slots)
        events = [SlotSet(name, value) for name, value in {**heard, **settled}.items()]
        return [*events, SlotSet(REQUESTED_SLOT, following)]

    def read(
        self,
        text: str,
        intent: str | None,
        requested: str | None,
        slots: dict[str, Any],
        dispatcher: CollectingDispatcher,
    ) -> dict[str, Any]:
        """The slots this message fills: every detail it names, and the
        answer to the question that was asked."""
        today = today_in_china()
        details = read_details(text, self.kind, today, slots.get("region"))
        heard: dict[str, Any] = details.as_slots()
        if details.lunar and not details.date:
            dispatcher.utter_message(
                text="农历的日子我还算不准，请说公历几月几号，或者说“下周三”。"
            )
        if details.date and (problem := date_problem(details.date, today)):
            dispatcher.utter_message(text=problem)  # the date said stays as it was
            del heard["booking_date"]
        if details.notes:
            known = [n for n in (slots.get("booking_notes") or "").split("，") if n]
            heard["booking_notes"] = "，".join(dict.fromkeys([*known, *details.notes]))
        clock = visit_clock(text) if self.kind == "visit" else None
        if clock and "booking_time" not in heard:
            heard["booking_time"] = clock
        # Only what changes counts: "对，就明天" at the read-back is a yes.
        heard = {k: v for k, v in heard.items() if slots.get(k) != v}
        answer = getattr(self, f"answer_{requested}", None)
        if answer is not None:
            heard = answer(text, intent, heard, slots, dispatcher)
        return heard

    def answer_booking_service(
        self, text: str, intent: str | None, heard: dict[str, Any], *_: Any
    ) -> dict[str, Any]:
        """For meals the question is "要送到家吗？": yes is delivery."""
        if self.kind != "meal" or "booking_service" in heard:
            return heard
        answer = read_yes_no(text, intent)
        if answer in (YES, NO):
            return heard | {"booking_service": DELIVERY if answer == YES else DINE_IN}
        return heard

    def answer_booking_name(
        self, text: str, _: str | None, heard: dict[str, Any], *__: Any
    ) -> dict[str, Any]:
        name = None if heard else read_name(text)
        return heard | {"booking_name": name} if name else heard

    def answer_booking_address(
        self, text: str, _: str | None, heard: dict[str, Any], *__: Any
    ) -> dict[str, Any]:
        """The whole reply is the address, though it has numbers that read as
        a date (8号楼) or names a district; only a correction is not."""
        if CORRECTION.match(text):
            return heard
        address = read_address(text)
        return {"booking_address": address} if address else heard

    def answer_booking_provider(
        self,
        text: str,
        intent: str | None,
        heard: dict[str, Any],
        slots: dict[str, Any],
        _: CollectingDispatcher,
    ) -> dict[str, Any]:
        answer = None if heard else read_consent(text, intent)
        suggestion = slots.get("booking_suggestion")
        if answer == YES:
            return {"booking_provider": suggestion}
        if answer == NO:
            declined = [*(slots.get("booking_declined") or []), suggestion]
            return {"booking_declined": declined, "booking_suggestion": None}
        return heard

    def answer_booking_confirmed(
        self,
        text: str,
        intent: str | None,
        heard: dict[str, Any],
        _: dict[str, Any],
        dispatcher: CollectingDispatcher,
    ) -> dict[str, Any]:
        answer = None if heard else read_consent(text, intent)
        if answer == YES:
            return {"booking_confirmed": True}
        if answer == NO:
            dispatcher.utter_message(text="好的，哪里要改？直接说就行，比如“不对，是后天”。")
            return {"booking_confirmed": None}
        return heard

    def settle(
        self,
        uow: UnitOfWork,
        slots: dict[str, Any],
        updates: dict[str, Any],
        dispatcher: CollectingDispatcher,
    ) -> dict[str, Any]:
        """Provider bookkeeping after the caller's changes: drop a chosen
        provider that no longer fits, and find the next suggestion."""
        today = today_in_china()
        more: dict[str, Any] = {}
        changed = any(k in updates for k in PROVIDER_FACTS)
        chosen = slots.get("booking_provider") is not None
        if changed and chosen and (problem := recheck_provider(uow, self.kind, slots, today)):
            dispatcher.utter_message(text=f"{problem}我给您换一家。")
            more |= {"booking_provider": None, "booking_suggestion": None}
        if changed and slots.get("booking_provider") is None:
            more["booking_suggestion"] = None
        if any(k in updates for k in PROVIDER_FACTS) or "booking_declined" in updates:
            more["booking_confirmed"] = None
        merged = {**slots, **more}
        if next_slot(self.kind, merged) == "booking_provider" and not merged.get(
            "booking_suggestion"
        ):
            suggestion = suggest(uow, self.kind, merged, today)
            if suggestion is None:
                who = merged.get("subject") or "您"
                dispatcher.utter_message(
                    text=f"{who}那附近暂时没有能订的服务点（{self.describe_need(merged)}）。"
                    "可以换一天再订，或者说“转人工”，请养老顾问帮您安排。"
                )
                more["booking_confirmed"] = False
            else:
                more["booking_suggestion"] = suggestion
        return more

    def describe_need(self, slots: dict[str, Any]) -> str:
        date = dt.date.fromisoformat(slots["booking_date"])
        if self.kind == "meal":
            return f"{spoken_date(date)}{MEAL_PERIODS.get(slots.get('booking_period') or '', '')}"
        return f"{spoken_date(date)}{slots.get('booking_service') or ''}"
