"""Shapes shared by the API: request bodies (pydantic 1.10, as Rasa pins
it) and how times are written in answers."""

from __future__ import annotations

import datetime as dt
import re

from pydantic import BaseModel, StrictStr, validator

SENDER_RE = re.compile(r"^[\w\-.:@]{1,128}$")
BAD_SENDER = "请求内容有误：会话编号格式不对。"


def is_sender(text: str) -> bool:
    """A conversation id that is safe in a Rasa URL ("." and ".." match the
    pattern but would climb the tracker URL)."""
    return bool(SENDER_RE.match(text)) and text.strip(".") != ""


def utc_iso(value: dt.datetime | None) -> str | None:
    """Stored times are naive UTC; answers say so (2026-11-23T08:00:00+00:00)."""
    return value.replace(tzinfo=dt.timezone.utc).isoformat() if value else None


class ChatRequest(BaseModel):
    """One message from a caller. `sender` keys the conversation."""

    sender: StrictStr
    message: StrictStr

    @validator("sender")
    def _sender(cls, value: str) -> str:  # noqa: N805 (pydantic validator)
        if not SENDER_RE.match(value):
            raise ValueError("sender 只能包含字母、数字和 _-.:@，长度 1 到 128")
        return value

    @validator("message")
    def _message(cls, value: str) -> str:  # noqa: N805
        value = value.strip()
        if not value:
            raise ValueError("消息是空的，请说一句话或输入文字")
        return value
