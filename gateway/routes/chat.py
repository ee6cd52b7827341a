"""POST /api/chat: one caller message in, Rasa's bot messages out, unchanged."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request

from gateway.errors import error_response
from gateway.schemas import ChatRequest

router = APIRouter()


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
    return await request.app.state.rasa.send(body.sender, body.message)
