"""Run actions the way the action server does: through rasa_sdk's executor,
with tracker payloads shaped like the ones Rasa sends, and the real domain."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from rasa.shared.core.domain import Domain
from rasa_sdk.executor import ActionExecutor

from scripts.environment import ROOT


@pytest.fixture(scope="session")
def domain() -> dict[str, Any]:
    return Domain.load(str(ROOT / "bot" / "domain")).as_dict()


@pytest.fixture(scope="session")
def executor() -> ActionExecutor:
    executor = ActionExecutor()
    executor.register_package("actions")
    return executor


def user(text: str, intent: str, confidence: float = 0.9, entities: list | None = None) -> dict:
    return {
        "event": "user",
        "text": text,
        "timestamp": 1.0,
        "parse_data": {
            "text": text,
            "intent": {"name": intent, "confidence": confidence},
            "entities": entities or [],
        },
    }


def bot(text: str, buttons: list | None = None) -> dict:
    return {"event": "bot", "text": text, "timestamp": 1.0, "data": {"buttons": buttons}}


def slot(name: str, value: Any) -> dict:
    return {"event": "slot", "name": name, "value": value, "timestamp": 1.0}


@pytest.fixture
def run_action(executor: ActionExecutor, domain: dict[str, Any]):  # type: ignore[no-untyped-def]
    """run_action(name, events, slots=None, sender="t", active_loop=None)
    -> {"events", "responses"}."""

    def _run(
        name: str,
        events: list[dict],
        slots: dict | None = None,
        sender: str = "caller-1",
        active_loop: str | None = None,
    ) -> dict[str, Any]:
        latest = next((e for e in reversed(events) if e["event"] == "user"), None)
        tracker = {
            "sender_id": sender,
            "slots": {**{s: None for s in domain["slots"]}, **(slots or {})},
            "latest_message": latest["parse_data"] | {"text": latest["text"]} if latest else {},
            "events": events,
            "paused": False,
            "followup_action": None,
            "active_loop": {"name": active_loop} if active_loop else {},
            "latest_action_name": "action_listen",
        }
        call = {
            "next_action": name,
            "sender_id": sender,
            "tracker": tracker,
            "domain": domain,
            "version": "3.6.2",
        }
        result = asyncio.run(executor.run(call))
        assert result is not None
        return result

    return _run
