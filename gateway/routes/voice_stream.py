"""WebSocket /api/voice/stream: a streaming call (contract: voice/protocol.py).

This route is only the transport: it checks the caller id, reads frames
into the call's inbox (refusing what the contract does not allow) and
sends what the call says. The telephone bridge and the speaker client
(voice/clients) connect here.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from typing import Any

from fastapi import APIRouter, WebSocket
from starlette.websockets import WebSocketDisconnect, WebSocketState

from gateway.routes.voice import loaded_dialogue
from gateway.schemas import BAD_SENDER, is_sender
from voice import protocol
from voice.call import Call, Inbound

router = APIRouter()
logger = logging.getLogger(__name__)

MAX_FRAME_BYTES = 64 * 1024  # 2 s of audio: a frame, not a recording
MAX_QUEUED = 1500  # frames waiting while the assistant answers (~30 s at 20 ms)
CONTROL = {protocol.END, protocol.HANGUP}
BAD_MESSAGE = "消息格式不对：只接受声音数据，以及 end、hangup 两种控制消息。"
VOICE_UNAVAILABLE = "语音服务暂时不能用，请改用文字，或者稍后再打。"


class _RefusedError(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code, self.message = code, message


def _inbound(message: dict[str, Any]) -> Inbound:
    """One WebSocket message as the call takes it; _RefusedError if not allowed."""
    if message["type"] == "websocket.disconnect":
        return None
    data, text = message.get("bytes"), message.get("text")
    if data is not None:
        if len(data) > MAX_FRAME_BYTES:
            raise _RefusedError("frame_too_large", "一次发送的声音太长了，请分成小段发送。")
        return data
    try:
        control = json.loads(text or "")
    except ValueError:
        control = None
    if not isinstance(control, dict) or control.get("type") not in CONTROL:
        raise _RefusedError("bad_message", BAD_MESSAGE)
    return {"type": control["type"]}


async def _refuse(websocket: WebSocket, close_code: int, code: str, message: str) -> None:
    """Say why in the contract's error message, then close."""
    if websocket.application_state == WebSocketState.CONNECTED:
        error = {"type": protocol.ERROR, "code": code, "message": message}
        await websocket.send_text(json.dumps(error, ensure_ascii=False))
        await websocket.close(code=close_code)


class _Socket:
    """The call's outbox: the WebSocket, quiet once the caller has gone."""

    def __init__(self, websocket: WebSocket) -> None:
        self.websocket = websocket

    async def send_json(self, message: dict[str, Any]) -> None:
        if self.websocket.application_state == WebSocketState.CONNECTED:
            await self.websocket.send_text(json.dumps(message, ensure_ascii=False))

    async def send_bytes(self, data: bytes) -> None:
        if self.websocket.application_state == WebSocketState.CONNECTED:
            await self.websocket.send_bytes(data)


async def _read(websocket: WebSocket, inbox: asyncio.Queue[Inbound]) -> None:
    """Move the client's frames into the inbox until it goes; a frame the
    contract does not allow ends the call with an error message."""
    try:
        while True:
            item = _inbound(await websocket.receive())
            if item is None:
                break
            if inbox.qsize() >= MAX_QUEUED and isinstance(item, bytes):
                continue  # more than the call can hold while answering: dropped
            inbox.put_nowait(item)
    except _RefusedError as refused:
        await _refuse(websocket, 1008, refused.code, refused.message)
    except WebSocketDisconnect:
        pass
    inbox.put_nowait(None)


@router.websocket(protocol.PATH)
async def stream(websocket: WebSocket, sender: str = "", greet: bool = False) -> None:
    await websocket.accept()
    out = _Socket(websocket)
    if not is_sender(sender):
        await _refuse(websocket, 1008, "invalid_request", BAD_SENDER)
        return
    try:
        dialogue = await loaded_dialogue(websocket.app.state)
    except Exception:
        logger.exception("voice stream: the speech models could not be loaded")
        await _refuse(websocket, 1011, "voice_unavailable", VOICE_UNAVAILABLE)
        return
    inbox: asyncio.Queue[Inbound] = asyncio.Queue()
    reader = asyncio.create_task(_read(websocket, inbox))
    call = Call(dialogue, sender, websocket.app.state.rasa, out)
    try:
        await call.run(inbox, greet=greet)
    except WebSocketDisconnect:
        pass  # the caller hung up while we were speaking
    finally:
        reader.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await reader
        if websocket.application_state == WebSocketState.CONNECTED:
            await websocket.close()
