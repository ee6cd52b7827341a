"""The caller accepted: flag their emergency for the advisor on duty."""

from __future__ import annotations

import logging
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.support import in_transaction
from knowledge.services.emergency import request_contact_notification

logger = logging.getLogger(__name__)


class ActionNotifyContact(Action):
    def name(self) -> str:
        return "action_notify_contact"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        try:
            alert = await in_transaction(request_contact_notification, tracker.sender_id)
        except Exception:
            logger.exception("could not flag emergency notification")
            alert = None
        if alert is None:
            dispatcher.utter_message(
                text="抱歉，通知没有发出去。请您直接打120，或者给家里人打电话。"
            )
            return []
        dispatcher.utter_message(
            text="好的，我已经报给值班的养老顾问，他们会尽快联系您的家人。请先打120。"
        )
        return []
