"""转人工: queue the conversation for a 养老顾问 and say how to reach a person.

The bot keeps answering until an advisor claims the conversation in the
staff console, so a caller is never left talking to nobody.
"""

from __future__ import annotations

import logging
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.support import in_transaction, transcript
from knowledge.services.handoff import open_handoff
from knowledge.settings import get_settings

logger = logging.getLogger(__name__)


def contact_sentence(hotline: str | None) -> str:
    if hotline:
        return f"着急的话，也可以直接打{hotline}找人工。"
    return "着急的话，也可以找您所在社区的居委会或者当地民政部门。"


def handoff_reason(message: dict[str, Any]) -> str:
    """Why the caller wants a person, for the advisor's queue: what a channel
    says in the message's metadata (the voice layer after two misses), else
    the caller's words, else the button they tapped."""
    stated = (message.get("metadata") or {}).get("handoff_reason")
    text = message.get("text") or ""
    if isinstance(stated, str) and stated.strip():
        return stated.strip()
    return text if text and not text.startswith("/") else "转人工"


async def hand_off(dispatcher: CollectingDispatcher, tracker: Tracker) -> None:
    """Queue the conversation and tell the caller how a person will reach them."""
    reason = handoff_reason(tracker.latest_message)
    contact = contact_sentence(get_settings().advisor_hotline)
    try:
        await in_transaction(open_handoff, tracker.sender_id, transcript(tracker), reason)
    except Exception:
        logger.exception("could not queue hand-off")
        dispatcher.utter_message(text="抱歉，现在没能转给养老顾问。" + contact)
        return
    dispatcher.utter_message(
        text="好的，我已经把您的情况转给养老顾问，他们会在这里回复您。" + contact,
        # Tells the web chat to watch the conversation for the advisor's replies.
        json_message={"kind": "handoff", "state": "queued"},
    )


class ActionHandoff(Action):
    def name(self) -> str:
        return "action_handoff"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        await hand_off(dispatcher, tracker)
        return []
