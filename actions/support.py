"""Helpers every action uses: transcripts, and database calls off the event
loop (`in_transaction`, shared with the gateway)."""

from __future__ import annotations

import logging
from typing import Any

from rasa_sdk import Tracker

from knowledge.db import in_transaction

__all__ = [
    "in_transaction",
    "last_bot_turn",
    "latest_intent",
    "mentioned_entities",
    "previous_value",
    "transcript",
]
logger = logging.getLogger(__name__)


def transcript(tracker: Tracker) -> list[dict[str, Any]]:
    """The conversation so far as [{"role": "user"|"bot", "text", "time"}]."""
    turns: list[dict[str, Any]] = []
    for event in tracker.events:
        kind = event.get("event")
        if kind in ("user", "bot") and event.get("text"):
            turns.append({"role": kind, "text": event["text"], "time": event.get("timestamp")})
    return turns


def last_bot_turn(tracker: Tracker) -> list[dict[str, Any]]:
    """The bot messages of the turn before the caller's latest message."""
    events = list(tracker.events)
    # Skip back over the caller's latest message (e.g. "再说一遍").
    index = len(events) - 1
    while index >= 0 and events[index].get("event") != "user":
        index -= 1
    messages: list[dict[str, Any]] = []
    index -= 1
    while index >= 0 and events[index].get("event") != "user":
        if events[index].get("event") == "bot":
            messages.append(events[index])
        index -= 1
    return list(reversed(messages))


def previous_value(tracker: Tracker, slot: str) -> Any:
    """The slot's value before the caller's latest message (what a correction
    replaces)."""
    past_this_turn = False
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            past_this_turn = True
        elif past_this_turn and event.get("event") == "slot" and event.get("name") == slot:
            return event.get("value")
    return None


def mentioned_entities(tracker: Tracker) -> set[str]:
    """The entity types the caller's latest message named."""
    return {e.get("entity") for e in tracker.latest_message.get("entities", [])}


def latest_intent(tracker: Tracker) -> str | None:
    return (tracker.latest_message.get("intent") or {}).get("name")
