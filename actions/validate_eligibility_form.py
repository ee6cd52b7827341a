"""The eligibility form: ask only what changes the answer, one question at a time.

Which question comes next is not a fixed list: after the region, the engine
says which unknown fact would settle most of the open results, and that is
asked; the form ends when nothing more would help or the caller has answered
`MAX_FACTS` questions. Answers come in natural speech (我八十二了, 瘫在床上,
俺是低保户, 跟儿子住, 不知道) and corrections (不对，是八十三) replace the
earlier answer with a short acknowledgement.
"""

from __future__ import annotations

from functools import partialmethod
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import REQUESTED_SLOT, FormValidationAction

from actions.profile import (
    DONT_KNOW,
    FACT_SLOTS,
    NO,
    YES,
    age_value,
    contradiction,
    is_dont_know,
    next_fact,
    read_age,
    read_choice,
    read_yes_no,
    wants_to_stop,
)
from actions.support import latest_intent, mentioned_entities, previous_value
from knowledge.eligibility.catalogue import BOOLEAN_LABELS, ENUMS
from knowledge.regions import gazetteer
from knowledge.services.policy import foreign_place

PERSON_ENTITIES = {"region", "relation", *FACT_SLOTS}
UNCLEAR = {
    "region": "没听清是哪个地方。",
    "age": "没听清岁数，您说个数就行，比如“八十二”。",
    "economic_status": "没听明白。您说“低保”“特困”“低收入”或者“一般”就行。",
    "self_care": "没听明白。您说“能自理”“半失能”或者“瘫在床上”就行。",
    "living": "没听明白。您说“一个人住”“老两口住”或者“跟孩子住”就行。",
}


def _answered_something_else(tracker: Tracker, slot: str) -> bool:
    """The caller gave another fact instead of answering this question
    (asked the age, said 她是低保户): not a misunderstanding."""
    return bool(mentioned_entities(tracker) & (PERSON_ENTITIES - {slot}))


class ValidateEligibilityForm(FormValidationAction):
    def name(self) -> str:
        return "validate_eligibility_form"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        requested = tracker.get_slot(REQUESTED_SLOT)
        if requested and wants_to_stop(tracker.latest_message.get("text") or ""):
            # Ends the form; the summary action sees the stop and says so.
            return [SlotSet(requested, None), SlotSet(REQUESTED_SLOT, None)]
        return await super().run(dispatcher, tracker, domain)

    async def required_slots(
        self,
        domain_slots: list[str],
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: dict[str, Any],
    ) -> list[str]:
        answered = [name for name in FACT_SLOTS if tracker.get_slot(name) is not None]
        region = gazetteer().normalise(tracker.get_slot("region"))
        following = next_fact(tracker.slots, region) if region else None
        return ["region", *answered, *([following] if following else [])]

    def _unclear(
        self, slot: str, text: str, dispatcher: CollectingDispatcher, tracker: Tracker
    ) -> dict[str, Any]:
        if is_dont_know(text):
            return {slot: DONT_KNOW}
        if not _answered_something_else(tracker, slot):
            dispatcher.utter_message(text=UNCLEAR.get(slot, "没听明白。您说“是”或者“不是”就行。"))
        return {slot: None}

    def _confirm_change(
        self, slot: str, value: str, shown: str, dispatcher: CollectingDispatcher, tracker: Tracker
    ) -> None:
        """Acknowledge a correction so the caller hears it was taken."""
        before = previous_value(tracker, slot)
        if before not in (None, DONT_KNOW, value):
            dispatcher.utter_message(text=f"好的，改过来了：{shown}。")

    async def validate_region(
        self,
        slot_value: Any,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: dict[str, Any],
    ) -> dict[str, Any]:
        text = str(slot_value or "")
        region = gazetteer().normalise(text) if text else None
        if region:
            return {"region": region, "unsupported_region": None}
        place = foreign_place(text) if text else tracker.get_slot("unsupported_region")
        if place:
            dispatcher.utter_message(
                text=f"不好意思，{place}的政策我这里还没有，只有{gazetteer().listing}的。"
                "别的地方可以说“转人工”，请养老顾问帮您查。"
            )
            return {"region": None, "unsupported_region": place}
        return self._unclear("region", text, dispatcher, tracker) | {"region": None}

    async def validate_age(
        self,
        slot_value: Any,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: dict[str, Any],
    ) -> dict[str, Any]:
        if slot_value == DONT_KNOW:
            return {"age": DONT_KNOW}
        text = str(slot_value)
        # The whole sentence first: 一九四三年生的 needs the 生 outside the entity.
        reading = read_age(tracker.latest_message.get("text") or "") or read_age(text)
        if reading is None:
            return self._unclear("age", text, dispatcher, tracker)
        value = age_value(reading)
        shown = (
            f"{value}岁" if reading.exact is not None else f"{reading.minimum}到{reading.maximum}岁"
        )
        self._confirm_change("age", value, shown, dispatcher, tracker)
        return {"age": value}

    def validate_choice(
        self,
        slot: str,
        slot_value: Any,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: dict[str, Any],
    ) -> dict[str, Any]:
        """低保户 → 低保: one of the fact's options, or ask again."""
        text = str(slot_value)
        if text == DONT_KNOW:
            return {slot: DONT_KNOW}
        choice = read_choice(slot, text)
        if choice is None:
            return self._unclear(slot, text, dispatcher, tracker)
        self._confirm_change(slot, choice, choice, dispatcher, tracker)
        return {slot: choice}

    def validate_yes_no(
        self,
        slot: str,
        slot_value: Any,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: dict[str, Any],
    ) -> dict[str, Any]:
        """是/否/不知道 from the reply and its intent, or ask again."""
        text = str(slot_value)
        if text in (YES, NO, DONT_KNOW):
            return {slot: text}
        answer = read_yes_no(text, latest_intent(tracker))
        if answer is None:
            return self._unclear(slot, text, dispatcher, tracker)
        label = BOOLEAN_LABELS[slot]
        self._confirm_change(
            slot, answer, label if answer == YES else f"不是{label}", dispatcher, tracker
        )
        if error := contradiction({**tracker.slots, slot: answer}):
            # The latest answer wins; the earlier one it contradicts is dropped.
            earlier = next(f for f in error.facts if f != slot)
            dispatcher.utter_message(text=f"{error.why}。我按您刚才说的改了。")
            return {slot: answer, earlier: None}
        return {slot: answer}


# rasa_sdk looks validators up by name (validate_<slot>): one per fact.
for _slot in ENUMS:
    setattr(
        ValidateEligibilityForm,
        f"validate_{_slot}",
        partialmethod(ValidateEligibilityForm.validate_choice, _slot),
    )
for _slot in BOOLEAN_LABELS:
    setattr(
        ValidateEligibilityForm,
        f"validate_{_slot}",
        partialmethod(ValidateEligibilityForm.validate_yes_no, _slot),
    )
