"""The one WebSocket client of the streaming voice contract (`voice.protocol`).

The speaker client and the telephone bridge both open their calls through
`VoiceCall`, so the contract is spoken in one place:

    async with VoiceCall("http://127.0.0.1:8000", "desk-1", greet=True) as call:
        await call.send_audio(pcm16k)          # any length of 16 kHz PCM16
        await call.end()                       # optional: "I have finished"
        async for event in call:               # ready was consumed on entry
            if event.type == CHUNK: play(event.pcm)   # reply audio
            elif event.type == AUDIO_END: ...  # the server listens again

Binary frames from the server become `CHUNK` events that carry the `audio`
message they belong to, so a client never has to track which sentence a
frame is part of.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any
from urllib.parse import urlencode, urlsplit, urlunsplit

import websockets
from websockets.exceptions import (
    ConnectionClosed,
    ConnectionClosedOK,
    InvalidHandshake,
    InvalidStatusCode,
    InvalidURI,
)
from websockets.legacy.client import WebSocketClientProtocol

from voice import protocol

log = logging.getLogger(__name__)

# The type of an Event that carries one binary frame of reply audio. Not a
# message type of the contract: the client's name for a binary frame.
CHUNK = "audio_chunk"
# Waiting for `ready` may include the server loading its recogniser.
READY_TIMEOUT_S = 60.0
HINT = "请确认网关已经启动（make run）。Is the gateway running (make run)?"


class VoiceCallError(Exception):
    """The call cannot go on; the message says why, in Chinese then English."""


class GatewayUnreachableError(VoiceCallError):
    """Nothing speaks the voice contract at that address."""


class CallEndedError(VoiceCallError):
    """The call is over (either side hung up); nothing more can be sent."""


@dataclass(frozen=True)
class Event:
    """One thing the server said. For a `CHUNK`, `message` is the `audio`
    message the frame belongs to and `pcm` the frame (16 kHz mono PCM16)."""

    type: str
    message: dict[str, Any] = field(default_factory=dict)
    pcm: bytes = b""

    @property
    def text(self) -> str:
        return str(self.message.get("text", ""))


def stream_url(gateway: str, sender: str, greet: bool = False) -> str:
    """The WebSocket URL for a gateway given as http(s)://HOST:PORT (ws(s) works too)."""
    parts = urlsplit(gateway.strip())
    scheme = {"http": "ws", "https": "wss", "ws": "ws", "wss": "wss"}.get(parts.scheme.lower())
    if scheme is None or not parts.netloc:
        raise GatewayUnreachableError(
            f"网关地址不对：{gateway!r}。"
            f"The gateway address must look like http://127.0.0.1:8000 (got {gateway!r})."
        )
    query = {"sender": sender, **({"greet": "1"} if greet else {})}
    path = parts.path.rstrip("/") + protocol.PATH
    return urlunsplit((scheme, parts.netloc, path, urlencode(query), ""))


def parse_message(data: str) -> dict[str, Any] | None:
    """A text frame as a message, or None if it is not one (logged)."""
    try:
        message = json.loads(data)
    except ValueError:
        log.warning("voice service sent text that is not JSON: %.80r", data)
        return None
    if not isinstance(message, dict) or not isinstance(message.get("type"), str):
        log.warning("voice service sent a message without a type: %.80r", data)
        return None
    return message


class VoiceCall:
    """One call to the voice service: connect, stream audio up, iterate events."""

    def __init__(
        self,
        gateway: str,
        sender: str,
        *,
        greet: bool = False,
        open_timeout: float = 10.0,
        ready_timeout: float = READY_TIMEOUT_S,
    ) -> None:
        self.url = stream_url(gateway, sender, greet)
        self.sender = sender
        self.open_timeout = open_timeout
        self.ready_timeout = ready_timeout
        self.ready: dict[str, Any] = {}
        self.close_code: int | None = None
        self.close_reason = ""
        self._ws: WebSocketClientProtocol | None = None
        self._audio: dict[str, Any] = {}

    async def __aenter__(self) -> VoiceCall:
        await self.open()
        return self

    async def __aexit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        await self.close()

    @property
    def closed(self) -> bool:
        return self._ws is None or self._ws.closed

    async def open(self) -> dict[str, Any]:
        """Connect and wait for `ready` (returned, and kept as `self.ready`)."""
        self._ws = await self._connect()
        try:
            first = await asyncio.wait_for(self._ws.recv(), self.ready_timeout)
        except asyncio.TimeoutError as error:
            await self._ws.close()
            raise VoiceCallError(
                f"语音服务没有回应。The voice service did not say ready within "
                f"{self.ready_timeout:.0f} s ({self.url})."
            ) from error
        except ConnectionClosed as error:
            raise VoiceCallError(
                f"语音服务挂断了。The voice service closed the call at once ({error})."
            ) from error
        message = parse_message(first) if isinstance(first, str) else None
        if message and message["type"] == protocol.ERROR:
            await self._ws.close()
            raise VoiceCallError(f"{message.get('message', '')} ({message.get('code', 'error')})")
        if not message or message["type"] != protocol.READY:
            await self._ws.close()
            raise VoiceCallError(
                f"语音服务的回答看不懂。Expected a ready message, got {first!r:.80}."
            )
        self.ready = message
        return message

    async def _connect(self) -> WebSocketClientProtocol:
        try:
            return await websockets.connect(  # type: ignore[attr-defined]
                self.url,
                open_timeout=self.open_timeout,
                compression=None,  # PCM does not compress; spare the CPU
                max_size=4 * 1024 * 1024,
            )
        except InvalidStatusCode as error:
            raise GatewayUnreachableError(
                f"语音服务拒绝了连接（HTTP {error.status_code}）。The gateway refused "
                f"{self.url} with HTTP {error.status_code}: is the sender valid, and is the "
                f"gateway new enough to serve {protocol.PATH}?"
            ) from error
        except (OSError, asyncio.TimeoutError, InvalidHandshake, InvalidURI) as error:
            raise GatewayUnreachableError(
                f"连不上语音服务 {self.url}。{HINT} ({type(error).__name__}: {error})"
            ) from error

    def _require(self) -> WebSocketClientProtocol:
        if self._ws is None:
            raise VoiceCallError("通话还没有接通。The call is not open (use `async with`).")
        return self._ws

    async def _send(self, data: bytes | str) -> None:
        try:
            await self._require().send(data)
        except ConnectionClosed as error:
            raise CallEndedError(f"通话已经结束。The call is over ({error}).") from error

    async def send_audio(self, pcm16k: bytes) -> None:
        """The caller's audio: 16 kHz mono PCM16, any length (20–200 ms is usual)."""
        if pcm16k:
            await self._send(pcm16k)

    async def end(self) -> None:
        """The caller has finished speaking (push-to-talk, or a file that ended)."""
        await self._send(json.dumps({"type": protocol.END}))

    async def close(self) -> None:
        """Hang up: say so, then close the socket. Safe to call twice."""
        ws = self._ws
        if ws is None or ws.closed:
            return
        with contextlib.suppress(ConnectionClosed):
            await ws.send(json.dumps({"type": protocol.HANGUP}))
        await ws.close()
        self._remember_close(ws)

    def _remember_close(self, ws: WebSocketClientProtocol) -> None:
        self.close_code, self.close_reason = ws.close_code, ws.close_reason or ""

    def __aiter__(self) -> AsyncIterator[Event]:
        return self.events()

    async def events(self) -> AsyncIterator[Event]:
        """Everything the server says, until it closes the call."""
        ws = self._require()
        try:
            async for data in ws:
                if isinstance(data, bytes):
                    yield Event(CHUNK, self._audio, data)
                    continue
                message = parse_message(data)
                if message is None:
                    continue
                if message["type"] == protocol.AUDIO:
                    self._audio = message
                yield Event(message["type"], message)
        except ConnectionClosedOK:
            pass
        except ConnectionClosed as error:
            log.warning("voice service closed the call abnormally: %s", error)
        finally:
            if ws.closed:
                self._remember_close(ws)
