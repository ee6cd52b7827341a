"""Validates the caller facts caught from entities on every turn.

Regions are normalised to the city or province the documents cover
(宜兴 → 无锡市); a place we have no documents for is kept aside in
`unsupported_region` so the bot can say so instead of answering for the
wrong city. When the conversation turns to another person (我妈 → 我爸),
what was said about the first one is forgotten, so nobody's benefits are
worked out from someone else's age; questions then name the new person.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import ValidationAction

from actions.profile import FACT_SLOTS, subject
from actions.support import mentioned_entities, previous_value
from knowledge.regions import gazetteer


def _entity_values(tracker: Tracker, entity: str) -> list[str]:
    return [
        str(e.get("value"))
        for e in tracker.latest_message.get("entities", [])
        if e.get("entity") == entity
    ]


class ValidateSlotMappings(ValidationAction):
    def name(self) -> str:
        return "action_validate_slot_mappings"

    def domain_slots(self, domain: dict[str, Any]) -> list[str]:
        # Region also has a form-only mapping, which would hide it from the
        # SDK's default list of global slots.
        return ["region", "relation"]

    async def validate_region(
        self,
        slot_value: Any,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: dict[str, Any],
    ) -> dict[str, Any]:
        mentioned = _entity_values(tracker, "region")
        if not mentioned:
            # A form's free-text answer: the form's own validator reads it.
            return {"region": slot_value}
        region = gazetteer().normalise(mentioned[-1])
        if region is None:
            return {"region": None, "unsupported_region": mentioned[-1]}
        return {"region": region, "unsupported_region": None}

    async def validate_relation(
        self,
        slot_value: Any,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: dict[str, Any],
    ) -> dict[str, Any]:
        named = {"relation": slot_value, "subject": subject(slot_value)}
        before = previous_value(tracker, "relation")
        if before is None or before == slot_value:
            return named
        said_now = mentioned_entities(tracker)
        return named | {name: None for name in FACT_SLOTS if name not in said_now}
