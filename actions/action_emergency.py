"""Emergencies come before everything: say 120/119 first, then record.

The caller hears the emergency numbers even if the database is down; the
alert is written afterwards so advisors see it at the top of their queue.
"""

from __future__ import annotations

import logging
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.support import in_transaction
from knowledge.services.emergency import record_emergency

logger = logging.getLogger(__name__)

EMERGENCY_TEXT = "如果有人摔伤、犯病或者情况危急，请马上拨打120急救电话；着火请拨119。"
OFFER_TEXT = "需要我帮您通知紧急联系人吗？"


class ActionEmergency(Action):
    def name(self) -> str:
        return "action_emergency"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        dispatcher.utter_message(text=EMERGENCY_TEXT)
        dispatcher.utter_message(
            text=OFFER_TEXT,
            buttons=[
                {"title": "要，帮我通知", "payload": "/affirm"},
                {"title": "不用", "payload": "/deny"},
            ],
        )
        message = tracker.latest_message.get("text") or ""
        try:
            await in_transaction(record_emergency, tracker.sender_id, message)
        except Exception:  # the caller has been told what to do; never fail the turn
            logger.exception("could not record emergency for a caller")
        return []
