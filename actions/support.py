"""Helpers every action uses: database calls off the event loop, transcripts."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any, TypeVar

from rasa_sdk import Tracker

from knowledge.db import unit_of_work

logger = logging.getLogger(__name__)
T = TypeVar("T")


async def in_transaction(work: Callable[..., T], *args: Any) -> T:
    """Run `work(uow, *args)` in one committed transaction in a worker thread,
    so the action server's event loop keeps serving other callers."""

    def _run() -> T:
        with unit_of_work() as uow:
            return work(uow, *args)

    return await asyncio.to_thread(_run)


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
