"""Validates the slots filled from entities on every turn (outside forms).

Regions are normalised to the city or province the documents cover
(宜兴 → 无锡市); a place we have no documents for is kept aside in
`unsupported_region` so the bot can say so instead of answering for the
wrong city.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import ValidationAction

from knowledge.regions import gazetteer


class ValidateSlotMappings(ValidationAction):
    def name(self) -> str:
        return "action_validate_slot_mappings"

    async def validate_region(
        self,
        slot_value: Any,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: dict[str, Any],
    ) -> dict[str, Any]:
        mentioned = slot_value[-1] if isinstance(slot_value, list) else slot_value
        region = gazetteer().normalise(str(mentioned)) if mentioned else None
        if region is None:
            return {"region": None, "unsupported_region": mentioned}
        return {"region": region, "unsupported_region": None}
