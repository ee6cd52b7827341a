"""The telephone bridge's own parts, without the real servers: AudioSocket
framing (round trips, messages split across reads, what must be refused),
8 kHz ↔ 16 kHz resampling (a tone keeps its pitch, length and level, with
no seam at frame edges), and the bridge itself between a fake Asterisk and
a fake voice service (pacing, both hang-ups, malformed calls ending without
taking the server down)."""

from __future__ import annotations

import asyncio
import json
import logging
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlsplit

import numpy as np
import pytest
import websockets

from voice import protocol
from voice.clients import audiosocket as bridge_module
from voice.clients.audiosocket import (
    AUDIO,
    DTMF,
    ERROR,
    FRAME_BYTES,
    HANGUP,
    MAX_AUDIO_PAYLOAD,
    UUID,
    Bridge,
    Downsampler,
    FrameError,
    Message,
    Upsampler,
    encode,
    read_message,
)

CALL_ID = uuid.UUID("40325ec2-5efd-4bd3-805f-53576e581d13")


def tone(frequency: float, rate: int, seconds: float, amplitude: float = 8000) -> bytes:
    t = np.arange(int(rate * seconds)) / rate
    return (amplitude * np.sin(2 * np.pi * frequency * t)).astype("<i2").tobytes()


def samples(pcm: bytes) -> np.ndarray:
    return np.frombuffer(pcm, dtype="<i2").astype(np.float64)


def peak_hz(pcm: bytes, rate: int) -> float:
    x = samples(pcm)
    spectrum = np.abs(np.fft.rfft(x * np.hanning(len(x))))
    return float(np.fft.rfftfreq(len(x), 1 / rate)[np.argmax(spectrum)])


def rms(x: np.ndarray) -> float:
    return float(np.sqrt(np.mean(x * x)))


async def read_all(reader: asyncio.StreamReader) -> list[Message]:
    messages = []
    while (message := await read_message(reader)) is not None:
        messages.append(message)
    return messages


def parse(stream: bytes) -> list[Message]:
    """Every message in `stream`, read as the bridge reads a connection."""

    async def reading() -> list[Message]:
        reader = asyncio.StreamReader()
        reader.feed_data(stream)
        reader.feed_eof()
        return await read_all(reader)

    return asyncio.run(reading())


# --- Framing ---------------------------------------------------------------


def test_messages_round_trip_and_keep_their_boundaries() -> None:
    sent = [
        Message(UUID, CALL_ID.bytes),
        Message(AUDIO, tone(440, 8000, 0.02)),
        Message(DTMF, b"5"),
        Message(AUDIO, bytes(FRAME_BYTES)),
        Message(ERROR, b"\x02"),
        Message(HANGUP),
    ]
    stream = b"".join(encode(m.kind, m.payload) for m in sent)
    assert encode(HANGUP) == b"\x00\x00\x00"
    assert encode(AUDIO, b"\x01\x02")[:3] == b"\x10\x00\x02"  # big-endian length
    assert parse(stream) == sent


def test_a_message_split_across_reads_is_reassembled() -> None:
    frame = tone(1000, 8000, 0.02)
    stream = encode(UUID, CALL_ID.bytes) + encode(AUDIO, frame) + encode(HANGUP)

    async def trickle() -> list[Message]:
        reader = asyncio.StreamReader()

        async def feed() -> None:
            for i in range(0, len(stream), 7):  # splits headers and payloads alike
                reader.feed_data(stream[i : i + 7])
                await asyncio.sleep(0)
            reader.feed_eof()

        feeding = asyncio.create_task(feed())
        messages = await read_all(reader)
        await feeding
        return messages

    expected = [Message(UUID, CALL_ID.bytes), Message(AUDIO, frame), Message(HANGUP)]
    assert asyncio.run(trickle()) == expected


@pytest.mark.parametrize(
    ("stream", "reason"),
    [
        (b"\x42\x00\x00", "unknown message kind 0x42"),
        (b"GET / HTTP/1.1\r\n", "unknown message kind 0x47"),  # not Asterisk at all
        (b"\x12\x01\x40" + bytes(320), "8 kHz"),  # 16 kHz slin: configured wrongly
        (b"\x01\x00\x0f" + bytes(15), "a UUID is 16 bytes"),
        (b"\x10" + (MAX_AUDIO_PAYLOAD + 2).to_bytes(2, "big"), "audio message of 16002"),
        (b"\x10\x00\x03\x00\x00\x00", "not 16-bit"),
        (b"\x10\x01\x40" + bytes(100), "announced 320 bytes but the stream ended after 100"),
        (b"\x10\x01", "inside a header"),
    ],
    ids=["unknown", "http", "16khz", "short-uuid", "oversize", "odd", "truncated", "header"],
)
def test_what_is_not_audiosocket_is_refused(stream: bytes, reason: str) -> None:
    with pytest.raises(FrameError, match=reason):
        parse(stream)


def test_encode_refuses_what_cannot_be_framed() -> None:
    with pytest.raises(FrameError, match="unknown"):
        encode(0x42, b"")
    with pytest.raises(FrameError, match="does not fit"):
        encode(AUDIO, bytes(0x10000))
    assert len(encode(ERROR, bytes(0xFFFF))) == 3 + 0xFFFF


# --- Resampling ------------------------------------------------------------


def frames_of(pcm: bytes, size: int) -> list[bytes]:
    return [pcm[i : i + size] for i in range(0, len(pcm), size)]


def test_upsampling_keeps_a_tone_its_pitch_length_and_level_without_seams() -> None:
    source = tone(1000, 8000, 1.0)
    up = Upsampler()
    chunked = b"".join(up(frame) for frame in frames_of(source, FRAME_BYTES))
    whole = Upsampler()(source)
    assert len(chunked) == 2 * len(source)  # exactly twice the samples
    assert abs(peak_hz(chunked, 16_000) - 1000) <= 2
    # Frame by frame is the same signal as all at once: no seam at the edges.
    assert np.max(np.abs(samples(chunked) - samples(whole))) <= 1
    steady = samples(chunked)[200:]  # after the filter's start-up
    assert rms(steady) == pytest.approx(rms(samples(source)), rel=0.03)
    # No click: a 1 kHz sine at 16 kHz moves at most A·2π·f/fs per sample.
    assert np.max(np.abs(np.diff(steady))) <= 8000 * 2 * np.pi * 1000 / 16_000 * 1.05


def test_downsampling_keeps_a_tone_and_drops_what_would_fold_over() -> None:
    source = tone(1000, 16_000, 1.0)
    down = Downsampler()
    chunked = b"".join(down(chunk) for chunk in frames_of(source, 333))  # odd bytes, odd samples
    whole = Downsampler()(source)
    assert len(chunked) == len(source) // 2
    assert abs(peak_hz(chunked, 8000) - 1000) <= 2
    assert np.max(np.abs(samples(chunked) - samples(whole))) <= 1
    steady = samples(chunked)[100:]
    assert rms(steady) == pytest.approx(rms(samples(source)), rel=0.03)
    assert np.max(np.abs(np.diff(steady))) <= 8000 * 2 * np.pi * 1000 / 8000 * 1.05
    # 6 kHz cannot be carried at 8 kHz: filtered out, not heard as 2 kHz.
    high = Downsampler()(tone(6000, 16_000, 0.5))
    assert rms(samples(high)[100:]) < 8000 / np.sqrt(2) / 1000  # more than 60 dB down


def test_flush_returns_the_tail_the_filter_held() -> None:
    down = Downsampler()
    burst = down(tone(500, 16_000, 0.1))
    tail = down.flush()
    assert 20 <= len(tail) // 2 <= 30  # the filter's delay, at 8 kHz
    assert rms(samples(tail)[:5]) > 100  # the end of the tone, not silence
    assert len(burst) // 2 == 800


def test_a_phone_round_trip_is_the_same_sound_a_little_later() -> None:
    source = tone(700, 8000, 0.5)
    up, down = Upsampler(), Downsampler()
    back = b"".join(down(up(frame)) for frame in frames_of(source, FRAME_BYTES))
    delay = 47  # two filters of 47 samples' delay at 16 kHz
    x, y = samples(source), samples(back)
    assert np.max(np.abs(y[delay + 100 :] - x[100 : len(x) - delay])) < 8000 * 0.02


# --- The bridge between a fake Asterisk and a fake voice service ----------


@dataclass
class FakeService:
    """The voice service as the contract describes it, small: greets with
    `greeting_s` of tone, answers each `end` with another, records all."""

    greeting_s: float = 0.3
    hang_up_after_greeting: bool = False
    queries: list[dict[str, list[str]]] = field(default_factory=list)
    audio: bytearray = field(default_factory=bytearray)
    controls: list[str] = field(default_factory=list)
    closed: asyncio.Event = field(default_factory=asyncio.Event)

    async def handler(self, ws: Any, path: str) -> None:
        self.queries.append(parse_qs(urlsplit(path).query))
        await ws.send(json.dumps({"type": "ready", "sample_rate": 16000, "engine": "fake"}))
        await self.speak(ws, self.greeting_s)
        if self.hang_up_after_greeting:
            await ws.close()
            self.closed.set()
            return
        try:
            async for data in ws:
                if isinstance(data, bytes):
                    self.audio += data
                    continue
                self.controls.append(json.loads(data)["type"])
                if self.controls[-1] == protocol.END:
                    await ws.send(json.dumps({"type": "transcript", "text": "你好", "engine": "x"}))
                    await self.speak(ws, 0.2)
        finally:
            self.closed.set()

    async def speak(self, ws: Any, seconds: float) -> None:
        await ws.send(json.dumps({"type": "reply", "texts": ["您好"], "messages": []}))
        await ws.send(json.dumps({"type": "audio", "sample_rate": 16000, "text": "您好"}))
        for chunk in frames_of(tone(800, 16_000, seconds), 4000):
            await ws.send(chunk)
        await ws.send(json.dumps({"type": "audio_end"}))


@asynccontextmanager
async def running(service: FakeService) -> AsyncIterator[tuple[Bridge, int]]:
    async with websockets.serve(service.handler, "127.0.0.1", 0) as server:  # type: ignore[attr-defined]
        gateway = f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}"
        bridge = Bridge(gateway, uuid_timeout_s=1.0)
        listening = await bridge.start("127.0.0.1", 0)
        try:
            yield bridge, listening.sockets[0].getsockname()[1]
        finally:
            await bridge.close()


@dataclass
class Heard:
    frames: list[tuple[float, bytes]] = field(default_factory=list)
    hangup: bool = False
    eof: bool = False


async def listen(reader: asyncio.StreamReader, heard: Heard) -> None:
    loop = asyncio.get_running_loop()
    while (message := await read_message(reader)) is not None:
        if message.kind == AUDIO:
            heard.frames.append((loop.time(), message.payload))
        elif message.kind == HANGUP:
            heard.hangup = True
    heard.eof = True


async def dial(port: int) -> tuple[asyncio.StreamWriter, Heard, asyncio.Task[None]]:
    """Asterisk connects and sends the call's UUID; what it hears is collected."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    heard = Heard()
    listening = asyncio.create_task(listen(reader, heard))
    writer.write(encode(UUID, CALL_ID.bytes))
    return writer, heard, listening


async def until(condition: Callable[[], bool], timeout: float = 5.0) -> None:
    async def poll() -> None:
        while not condition():
            await asyncio.sleep(0.02)

    await asyncio.wait_for(poll(), timeout)


def run(scenario: Callable[[], Awaitable[None]]) -> None:
    asyncio.run(asyncio.wait_for(scenario(), 30))


def test_a_call_is_greeted_paced_heard_and_hung_up_by_the_caller(
    caplog: pytest.LogCaptureFixture,
) -> None:
    service = FakeService(greeting_s=0.4)

    async def scenario() -> None:
        async with running(service) as (bridge, port):
            writer, heard, listening = await dial(port)
            await until(lambda: len(heard.frames) >= 20)  # 0.4 s at 8 kHz in 320-byte frames
            await asyncio.sleep(0.4)  # the greeting has been heard
            for frame in frames_of(tone(300, 8000, 0.2), FRAME_BYTES):
                writer.write(encode(AUDIO, frame))
            writer.write(encode(HANGUP))
            await writer.drain()
            await until(lambda: service.closed.is_set() and not bridge.active)
            await listening
            writer.close()

            times = [t for t, _ in heard.frames]
            assert all(len(frame) == FRAME_BYTES for _, frame in heard.frames)
            assert len(heard.frames) == 20 + 1  # and the filter's tail, padded to a frame
            assert times[-1] - times[0] >= 0.36  # paced as heard, not sent in a burst
            assert service.queries == [{"sender": [f"phone-{CALL_ID.hex}"], "greet": ["1"]}]
            assert len(service.audio) == 10 * 2 * FRAME_BYTES  # 200 ms, now at 16 kHz
            assert service.controls == [protocol.HANGUP]
            record = bridge.finished[0]
            assert record.reason == "the caller hung up"
            assert record.websocket_closed and record.close_code == 1000
            assert not heard.hangup  # Asterisk hung up: it is not told to

    with caplog.at_level(logging.INFO, logger=bridge_module.__name__):
        run(scenario)
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]


def test_the_callers_talk_over_the_greeting_is_not_passed_on() -> None:
    service = FakeService(greeting_s=1.0)

    async def scenario() -> None:
        async with running(service) as (bridge, port):
            writer, heard, listening = await dial(port)
            await until(lambda: len(heard.frames) >= 5)
            writer.write(encode(AUDIO, tone(300, 8000, 0.02)))  # while the greeting plays
            await until(lambda: len(heard.frames) >= 50)
            await asyncio.sleep(0.4)
            writer.write(encode(AUDIO, tone(300, 8000, 0.02)))  # after it
            writer.close()
            await until(lambda: not bridge.active)
            await listening
            assert len(service.audio) == 2 * FRAME_BYTES  # only the second frame

    run(scenario)


def test_when_the_service_hangs_up_the_caller_hears_the_end_then_asterisk_is_told() -> None:
    service = FakeService(greeting_s=0.3, hang_up_after_greeting=True)

    async def scenario() -> None:
        async with running(service) as (bridge, port):
            writer, heard, listening = await dial(port)
            await asyncio.wait_for(listening, 5)
            assert heard.hangup and heard.eof
            assert len(heard.frames) >= 15  # the whole greeting was played first
            assert bridge.finished[0].reason.startswith("the voice service ended the call")
            writer.close()

    run(scenario)


@pytest.mark.parametrize(
    ("after_uuid", "reason"),
    [
        (encode(UUID, uuid.uuid4().bytes), "second UUID"),
        (b"\x42\x00\x00", "unknown message kind 0x42"),
        (b"\x10\x00\x03abc", "not 16-bit audio"),
    ],
)
def test_a_malformed_call_ends_with_a_reason_and_the_server_goes_on(
    after_uuid: bytes, reason: str, caplog: pytest.LogCaptureFixture
) -> None:
    service = FakeService(greeting_s=0.0)

    async def call(payload: bytes) -> Heard:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        heard = Heard()
        writer.write(encode(UUID, CALL_ID.bytes) + payload)
        await asyncio.wait_for(listen(reader, heard), 5)
        writer.close()
        return heard

    async def scenario() -> None:
        nonlocal port
        async with running(service) as (bridge, port):
            heard = await call(after_uuid)
            assert heard.hangup and heard.eof  # Asterisk is told to hang up
            await until(lambda: service.closed.is_set())  # and the WebSocket was closed
            assert reason in bridge.finished[0].reason
            heard = await call(encode(HANGUP))  # the next caller is served as usual
            assert bridge.finished[1].reason == "the caller hung up"

    port = 0
    with caplog.at_level(logging.WARNING, logger=bridge_module.__name__):
        run(scenario)
    assert any(reason in r.getMessage() and r.levelno == logging.WARNING for r in caplog.records)


def test_a_call_without_a_uuid_or_without_a_service_is_hung_up(
    caplog: pytest.LogCaptureFixture,
) -> None:
    async def scenario() -> None:
        bridge = Bridge("http://127.0.0.1:9", uuid_timeout_s=1.0)  # nothing listens there
        port = (await bridge.start("127.0.0.1", 0)).sockets[0].getsockname()[1]
        try:
            for opening in (encode(AUDIO, bytes(FRAME_BYTES)), encode(UUID, CALL_ID.bytes)):
                reader, writer = await asyncio.open_connection("127.0.0.1", port)
                heard = Heard()
                writer.write(opening)
                await asyncio.wait_for(listen(reader, heard), 5)
                writer.close()
                assert heard.hangup and heard.eof
        finally:
            await bridge.close()
        assert "must be the call's UUID" in bridge.finished[0].reason
        assert "连不上语音服务" in bridge.finished[1].reason

    run(scenario)
    assert any(r.levelno == logging.ERROR and "make run" in r.getMessage() for r in caplog.records)


def test_stopping_the_bridge_hangs_up_every_call() -> None:
    service = FakeService(greeting_s=0.0)

    async def scenario() -> None:
        async with running(service) as (bridge, port):
            writer, heard, listening = await dial(port)
            await until(lambda: bool(service.queries) and bool(bridge.active))
            await bridge.close()
            await asyncio.wait_for(listening, 5)
            assert heard.hangup and heard.eof
            await until(lambda: service.closed.is_set())
            assert bridge.finished[0].reason == "the bridge is shutting down"
            writer.close()

    run(scenario)
