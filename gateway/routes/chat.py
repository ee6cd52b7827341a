"""The chat API.

POST /api/chat                    one caller message in, Rasa's bot messages out, unchanged
GET  /api/chat/{sender}/history   the conversation so far, as the web chat shows it
"""

from __future__ import annotations

from typing import Any, Literal, TypedDict

from fastapi import APIRouter, Request

from gateway.errors import error_response
from gateway.schemas import BAD_SENDER, ChatRequest, is_sender

router = APIRouter()


class Turn(TypedDict):
    role: Literal["user", "bot"]
    text: str | None
    buttons: list[dict[str, Any]]
    custom: dict[str, Any] | None
    timestamp: float | None  # seconds since the epoch, as Rasa recorded it


@router.post("/api/chat")
async def chat(body: ChatRequest, request: Request) -> Any:
    """Returns `[{"recipient_id", "text", "buttons", "custom", ...}]` exactly as
    Rasa's REST channel does, so any Rasa REST client works against it."""
    settings = request.app.state.settings
    if len(body.message) > settings.max_message_chars:
        return error_response(
            422,
            "message_too_long",
            f"消息太长了，请分几次说，每次不超过{settings.max_message_chars}个字。",
        )
    messages = await request.app.state.rasa.send(body.sender, body.message)
    # A spoken answer next (按住说话) is heard against this question.
    request.app.state.callers.bot_said(body.sender, messages)
    return messages


@router.get("/api/chat/{sender}/history")
async def history(sender: str, request: Request) -> Any:
    """`[{"role": "user"|"bot", "text", "buttons", "custom", "timestamp"}]`, oldest first,
    read from Rasa's tracker; an unknown sender has an empty history."""
    if not is_sender(sender):
        return error_response(422, "invalid_request", BAD_SENDER)
    return turns(await request.app.state.rasa.events(sender))


def turns(events: list[dict[str, Any]]) -> list[Turn]:
    """The utterances among tracker events. A bot text and its custom payload
    stay one turn (the REST channel sends them as two messages). A tapped
    button's payload (`/affirm`) is shown by the title the person tapped; a
    payload no button offered (the page's own `/greet`) was never said by
    the person and is left out."""
    result: list[Turn] = []
    offered: dict[str, str] = {}  # payload → title of the buttons since the last user turn
    for event in events:
        if event.get("event") == "bot":
            data = event.get("data") or {}
            buttons = data.get("buttons") or []
            offered.update({b.get("payload", ""): b.get("title", "") for b in buttons})
            if event.get("text") or buttons or data.get("custom"):
                result.append(
                    Turn(
                        role="bot",
                        text=event.get("text"),
                        buttons=buttons,
                        custom=data.get("custom"),
                        timestamp=event.get("timestamp"),
                    )
                )
        elif event.get("event") == "user":
            text = event.get("text") or ""
            if text.startswith("/"):
                text = offered.get(text, "")
            offered = {}
            if text:
                result.append(
                    Turn(
                        role="user",
                        text=text,
                        buttons=[],
                        custom=None,
                        timestamp=event.get("timestamp"),
                    )
                )
    return result
