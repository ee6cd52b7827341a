"""The telephone bridge: Asterisk's AudioSocket on one side, the voice
service's WebSocket on the other, one `VoiceCall` per phone call.

    python -m voice.clients.audiosocket --listen 127.0.0.1:9092 --gateway http://127.0.0.1:8000

and in the Asterisk dialplan:

    same => n,Answer()
    same => n,AudioSocket(${UUID()},127.0.0.1:9092)

AudioSocket is a TCP stream of messages: 1 byte kind, 2 bytes big-endian
payload length, the payload. Asterisk first sends the call's UUID (16
bytes), then the caller's audio (signed linear 16-bit little-endian mono
8 kHz, 20 ms a message), and plays whatever audio it receives at once. So
the bridge resamples 8 kHz ↔ 16 kHz with filters that keep their state
across frames (no clicks at frame edges), and sends the reply in 20 ms
frames at the pace it is heard, and nothing while it has nothing to say.
A hang-up on either side ends the other; a malformed message ends that
call with the reason logged, never the server.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import signal
import struct
import sys
import uuid
from dataclasses import dataclass
from urllib.parse import urlsplit

import numpy as np

from voice import protocol
from voice.clients.stream import CHUNK, CallEndedError, VoiceCall, VoiceCallError, stream_url

log = logging.getLogger("voice.clients.audiosocket")  # the same name under -m

# Message kinds (Asterisk's res_audiosocket).
HANGUP, UUID, DTMF, AUDIO, ERROR = 0x00, 0x01, 0x03, 0x10, 0xFF
KINDS = {HANGUP: "hangup", UUID: "uuid", DTMF: "dtmf", AUDIO: "audio", ERROR: "error"}
HEADER = struct.Struct(">BH")
MAX_PAYLOAD = 0xFFFF
# Asterisk sends 20 ms (320 bytes); a second of audio in one message is not
# Asterisk but something else that found the port.
MAX_AUDIO_PAYLOAD = 16_000
PHONE_RATE = 8_000
FRAME_S = 0.02
FRAME_BYTES = int(PHONE_RATE * FRAME_S) * protocol.SAMPLE_WIDTH  # 320
UUID_TIMEOUT_S = 5.0
# Behind the pace by more than this (a busy machine): start the clock again
# rather than send a burst the caller would hear as a jump.
MAX_LAG_S = 0.1
# After the last reply frame, the caller's line may still carry its echo.
ECHO_GUARD_S = 0.2
# Asterisk's own error codes, in the payload of an ERROR message.
ASTERISK_ERRORS = {1: "the caller hung up", 2: "frame forwarding error", 4: "memory error"}


class FrameError(ValueError):
    """A message that is not AudioSocket (the reason is logged, the call ended)."""


@dataclass(frozen=True)
class Message:
    kind: int
    payload: bytes = b""

    def __repr__(self) -> str:
        return f"Message({KINDS.get(self.kind, hex(self.kind))}, {len(self.payload)} bytes)"


def encode(kind: int, payload: bytes = b"") -> bytes:
    """One AudioSocket message: kind, big-endian length, payload."""
    if kind not in KINDS:
        raise FrameError(f"unknown message kind 0x{kind:02x}")
    if len(payload) > MAX_PAYLOAD:
        raise FrameError(f"payload of {len(payload)} bytes does not fit in one message")
    return HEADER.pack(kind, len(payload)) + payload


async def read_message(reader: asyncio.StreamReader) -> Message | None:
    """The next message, or None when the peer closed between messages.

    Raises FrameError for an unknown kind, an implausible length, or a
    stream that ends inside a message (a length beyond what was sent)."""
    try:
        header = await reader.readexactly(HEADER.size)
    except asyncio.IncompleteReadError as error:
        if not error.partial:
            return None
        raise FrameError(
            f"the stream ended inside a header ({len(error.partial)} of 3 bytes)"
        ) from None
    kind, length = HEADER.unpack(header)
    check_header(kind, length)
    try:
        payload = await reader.readexactly(length)
    except asyncio.IncompleteReadError as error:
        raise FrameError(
            f"a {KINDS[kind]} message announced {length} bytes but the stream ended "
            f"after {len(error.partial)}"
        ) from None
    return Message(kind, payload)


def check_header(kind: int, length: int) -> None:
    """Refuse what Asterisk never sends, before reading its payload."""
    if kind not in KINDS:
        hint = " (audio at another rate: use slin, 8 kHz)" if 0x11 <= kind <= 0x18 else ""
        raise FrameError(f"unknown message kind 0x{kind:02x}{hint}")
    if kind == UUID and length != 16:
        raise FrameError(f"a UUID is 16 bytes, not {length}")
    if kind == AUDIO and (length > MAX_AUDIO_PAYLOAD or length % 2):
        raise FrameError(f"an audio message of {length} bytes is not 16-bit audio in 20 ms frames")


# --- Resampling: telephone 8 kHz ↔ the voice service's 16 kHz -------------


def _lowpass(taps: int, cutoff: float, beta: float) -> np.ndarray:
    """A windowed-sinc low-pass FIR; cutoff as a fraction of the sample rate."""
    n = np.arange(taps) - (taps - 1) / 2
    h = 2 * cutoff * np.sinc(2 * cutoff * n) * np.kaiser(taps, beta)
    return h / h.sum()


# At 16 kHz: flat to ~3.2 kHz (the telephone band ends at 3.4), more than
# 60 dB down from 4 kHz (what would fold over at 8 kHz). Delay 2.9 ms.
FILTER = _lowpass(95, 3_600 / protocol.SAMPLE_RATE, 7.0)


def _samples(pcm: bytes) -> np.ndarray:
    return np.frombuffer(pcm, dtype="<i2").astype(np.float64)


def _pcm(samples: np.ndarray) -> bytes:
    return np.clip(np.rint(samples), -32768, 32767).astype("<i2").tobytes()


class _Filter:
    """The FIR applied to a stream chunk by chunk: the last len(FILTER)-1
    inputs are carried over, so the output equals filtering it whole."""

    def __init__(self) -> None:
        self._history = np.zeros(len(FILTER) - 1)

    def __call__(self, x: np.ndarray) -> np.ndarray:
        signal = np.concatenate([self._history, x])
        self._history = signal[len(signal) - len(self._history) :]
        return np.convolve(signal, FILTER, mode="valid")


class Upsampler:
    """8 kHz PCM16 → 16 kHz PCM16, exactly twice the samples, frame by frame."""

    def __init__(self) -> None:
        self._filter = _Filter()

    def __call__(self, pcm8k: bytes) -> bytes:
        x = _samples(pcm8k)
        stuffed = np.zeros(2 * len(x))
        stuffed[::2] = 2 * x  # zeros between samples halve the level: make it up
        return _pcm(self._filter(stuffed))


class Downsampler:
    """16 kHz PCM16 → 8 kHz PCM16 in chunks of any length (odd bytes and odd
    sample counts carry over), half the samples."""

    def __init__(self) -> None:
        self._filter = _Filter()
        self._odd_byte = b""
        self._phase = 0  # whether the next input sample is one to keep (0) or drop (1)

    def __call__(self, pcm16k: bytes) -> bytes:
        data = self._odd_byte + pcm16k
        whole = len(data) - len(data) % 2
        self._odd_byte = data[whole:]
        x = _samples(data[:whole])
        kept = self._filter(x)[self._phase :: 2]
        self._phase = (self._phase + len(x)) % 2
        return _pcm(kept)

    def flush(self) -> bytes:
        """What the filter still holds (its delay), as if silence followed."""
        return self(bytes(len(FILTER) // 2 * protocol.SAMPLE_WIDTH))


# --- Sending the reply at the pace it is heard ----------------------------


class Playout:
    """Reply audio to Asterisk in 20 ms frames, one every 20 ms. Asterisk
    plays each frame the moment it arrives, so sending early would rush or
    drop speech; with nothing to say, nothing is sent."""

    def __init__(self, writer: asyncio.StreamWriter, frame_s: float = FRAME_S) -> None:
        self.writer = writer
        self.frame_s = frame_s
        self.frame_bytes = int(PHONE_RATE * frame_s) * protocol.SAMPLE_WIDTH
        self.frames_sent = 0
        self._last_sent = -1e9
        self._buffer = bytearray()
        self._ready = asyncio.Event()  # a whole frame is waiting
        self._idle = asyncio.Event()  # everything fed has been sent
        self._idle.set()

    @property
    def busy(self) -> bool:
        """The caller is hearing the assistant (or its echo's tail)."""
        loop_time = asyncio.get_running_loop().time()
        return bool(self._buffer) or loop_time - self._last_sent < self.frame_s + ECHO_GUARD_S

    def feed(self, pcm8k: bytes) -> None:
        if not pcm8k:
            return
        self._buffer += pcm8k
        self._idle.clear()
        if len(self._buffer) >= self.frame_bytes:
            self._ready.set()

    def finish(self) -> None:
        """The turn's audio is complete: pad the last partial frame with silence."""
        if self._buffer:
            self._buffer += bytes(-len(self._buffer) % self.frame_bytes)
            self._ready.set()

    async def drain(self) -> None:
        """Until everything fed so far has been sent (while `run` runs)."""
        self.finish()
        await self._idle.wait()

    async def run(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            await self._ready.wait()
            deadline = loop.time()
            while len(self._buffer) >= self.frame_bytes:
                frame = bytes(self._buffer[: self.frame_bytes])
                del self._buffer[: self.frame_bytes]
                self.writer.write(encode(AUDIO, frame))
                await self.writer.drain()
                self.frames_sent += 1
                self._last_sent = loop.time()
                deadline += self.frame_s
                delay = deadline - loop.time()
                if delay > 0:
                    await asyncio.sleep(delay)
                elif delay < -MAX_LAG_S:
                    deadline = loop.time()
            self._ready.clear()
            if not self._buffer:
                self._idle.set()


# --- One call, and the server -------------------------------------------


@dataclass
class CallRecord:
    """What became of a call (kept by the bridge for its operator and tests)."""

    peer: str
    sender: str = ""
    reason: str = ""
    websocket_closed: bool = False
    close_code: int | None = None
    frames_in: int = 0
    frames_out: int = 0

    @property
    def label(self) -> str:
        return self.sender or self.peer


class Bridge:
    """The AudioSocket server: each TCP connection is one phone call."""

    def __init__(self, gateway: str, *, uuid_timeout_s: float = UUID_TIMEOUT_S) -> None:
        self.gateway = gateway
        self.uuid_timeout_s = uuid_timeout_s
        self.active: dict[asyncio.Task[None], CallRecord] = {}
        self.finished: list[CallRecord] = []
        self.server: asyncio.AbstractServer | None = None

    async def start(self, host: str, port: int) -> asyncio.AbstractServer:
        self.server = await asyncio.start_server(self.handle, host, port)
        return self.server

    async def close(self) -> None:
        """Stop listening and hang up every call in progress."""
        if self.server is not None:
            self.server.close()
            await self.server.wait_closed()
        tasks = list(self.active)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        """One call, from Asterisk's connection to either side's hang-up."""
        record = CallRecord(peer=str(writer.get_extra_info("peername")))
        task = asyncio.current_task()
        assert task is not None
        self.active[task] = record
        hang_up = True  # tell Asterisk, unless it told us
        try:
            hang_up = await self._call(reader, writer, record)
        except FrameError as error:
            record.reason = f"malformed AudioSocket message: {error}"
            log.warning("call %s ended: %s", record.label, record.reason)
        except VoiceCallError as error:
            record.reason = f"voice service: {error}"
            log.error("call %s ended: %s", record.label, record.reason)
        except (ConnectionError, asyncio.TimeoutError) as error:
            record.reason = f"connection to Asterisk lost: {error!r}"
            log.warning("call %s ended: %s", record.label, record.reason)
            hang_up = False
        except asyncio.CancelledError:
            record.reason = "the bridge is shutting down"
            raise
        except Exception:  # one call's bug must not take the hotline down
            record.reason = "internal error (see traceback)"
            log.exception("call %s failed", record.label)
        finally:
            await _close(writer, hang_up)
            del self.active[task]
            self.finished.append(record)

    async def _call(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, record: CallRecord
    ) -> bool:
        """Returns whether Asterisk should still be told to hang up."""
        first = await asyncio.wait_for(read_message(reader), self.uuid_timeout_s)
        if first is None:
            record.reason = "Asterisk closed before sending the call's UUID"
            log.warning("connection from %s: %s", record.peer, record.reason)
            return False
        if first.kind != UUID:
            raise FrameError(f"the first message must be the call's UUID, not {first!r}")
        record.sender = f"phone-{uuid.UUID(bytes=first.payload).hex}"
        log.info("call %s from %s: connecting to the voice service", record.sender, record.peer)
        call = VoiceCall(self.gateway, record.sender, greet=True)
        async with call:
            hang_up = await self._converse(reader, writer, call, record)
        record.websocket_closed, record.close_code = call.closed, call.close_code
        log.info("call %s ended: %s", record.sender, record.reason)
        return hang_up

    async def _converse(
        self,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
        call: VoiceCall,
        record: CallRecord,
    ) -> bool:
        playout = Playout(writer)
        caller = asyncio.create_task(self._from_caller(reader, call, playout, record))
        gateway = asyncio.create_task(self._from_gateway(call, playout, record))
        player = asyncio.create_task(playout.run())
        try:
            await asyncio.wait({caller, gateway, player}, return_when=asyncio.FIRST_COMPLETED)
            if gateway.done() and not caller.done() and not player.done():
                # The service ended the call: let the caller hear its last words.
                drained = asyncio.create_task(playout.drain())
                await asyncio.wait({caller, drained, player}, return_when=asyncio.FIRST_COMPLETED)
                drained.cancel()
            for task in (caller, gateway, player):
                if task.done():
                    task.result()  # a FrameError or a lost connection propagates
            if caller.done():
                record.reason = caller.result()
                return False
            record.reason = gateway.result()
            return True
        finally:
            record.frames_out = playout.frames_sent
            for task in (caller, gateway, player):
                task.cancel()
            await asyncio.gather(caller, gateway, player, return_exceptions=True)

    async def _from_caller(
        self, reader: asyncio.StreamReader, call: VoiceCall, playout: Playout, record: CallRecord
    ) -> str:
        """Asterisk → the voice service, until the caller hangs up. While the
        caller hears the assistant, their line is not passed on: the service
        is half duplex, and what it would hear then is talk-over or echo."""
        upsample = Upsampler()
        while True:
            message = await read_message(reader)
            if message is None:
                return "the caller hung up (Asterisk closed the connection)"
            if message.kind == AUDIO:
                record.frames_in += 1
                pcm = upsample(message.payload)  # always, so the filter stays continuous
                if playout.busy:
                    continue
                try:
                    await call.send_audio(pcm)
                except CallEndedError:
                    await asyncio.Event().wait()  # the gateway side reports why
            elif message.kind == HANGUP:
                return "the caller hung up"
            elif message.kind == ERROR:
                code = int.from_bytes(message.payload, "big") if message.payload else 0
                return f"Asterisk reported an error: {ASTERISK_ERRORS.get(code, code)}"
            elif message.kind == DTMF:
                log.info("call %s: key %r pressed (ignored)", record.sender, message.payload)
            else:
                raise FrameError("a second UUID in the same call")

    async def _from_gateway(self, call: VoiceCall, playout: Playout, record: CallRecord) -> str:
        """The voice service → Asterisk, until the service closes the call."""
        downsample = Downsampler()
        async for event in call:
            if event.type == CHUNK:
                playout.feed(downsample(event.pcm))
            elif event.type == protocol.AUDIO_END:
                playout.feed(downsample.flush())
                playout.finish()
            elif event.type == protocol.TRANSCRIPT:
                log.info("call %s heard: %s", record.sender, event.text)
            elif event.type == protocol.AUDIO:
                rate = event.message.get("sample_rate", protocol.SAMPLE_RATE)
                if rate != protocol.SAMPLE_RATE:
                    log.warning("call %s: reply audio at %s Hz, not 16 kHz", record.sender, rate)
            elif event.type == protocol.ERROR:
                log.warning(
                    "call %s: voice service error %s: %s",
                    record.sender,
                    event.message.get("code"),
                    event.message.get("message"),
                )
        return f"the voice service ended the call (code {call.close_code})"


async def _close(writer: asyncio.StreamWriter, hang_up: bool) -> None:
    """Close Asterisk's connection, telling it to hang up if it does not know."""
    with contextlib.suppress(ConnectionError, OSError, RuntimeError):
        if hang_up and not writer.is_closing():
            writer.write(encode(HANGUP))
            await asyncio.wait_for(writer.drain(), 2)
    writer.close()
    with contextlib.suppress(ConnectionError, OSError, asyncio.TimeoutError):
        await asyncio.wait_for(writer.wait_closed(), 2)


# --- Command line -------------------------------------------------------


def parse_listen(text: str) -> tuple[str, int]:
    """HOST:PORT, [IPv6]:PORT or :PORT (all interfaces)."""
    host, sep, port = text.rpartition(":")
    if not sep or not port.isdigit():
        raise argparse.ArgumentTypeError(f"expected HOST:PORT, got {text!r}")
    return host.strip("[]") or "0.0.0.0", int(port)


async def _probe(gateway: str) -> None:
    """Say at start-up, not at the first call, that the gateway is not there."""
    try:
        parts = urlsplit(stream_url(gateway, "probe"))
        default = 443 if parts.scheme == "wss" else 80
        connecting = asyncio.open_connection(parts.hostname, parts.port or default)
        _, writer = await asyncio.wait_for(connecting, 3)
        writer.close()
    except (OSError, ValueError, asyncio.TimeoutError, VoiceCallError) as error:
        log.warning(
            "连不上网关 %s，来电将被挂断，直到网关启动。The gateway is not reachable yet (%s); "
            "calls will be hung up until it is.",
            gateway,
            error,
        )


async def serve(host: str, port: int, gateway: str) -> None:
    """Serve until Ctrl-C or SIGTERM, then hang up every call cleanly."""
    bridge = Bridge(gateway)
    await _probe(gateway)
    server = await bridge.start(host, port)
    log.info("AudioSocket bridge listening on %s:%d, gateway %s", host, port, gateway)
    main_task = asyncio.current_task()
    assert main_task is not None
    with contextlib.suppress(NotImplementedError):  # not on Windows
        asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, main_task.cancel)
    try:
        async with server:
            await server.serve_forever()
    except asyncio.CancelledError:
        log.info("stopping: hanging up %d call(s)", len(bridge.active))
    finally:
        await bridge.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--listen", type=parse_listen, default="127.0.0.1:9092")
    parser.add_argument("--gateway", default="http://127.0.0.1:8000")
    parser.add_argument("--log-level", default="INFO")
    args = parser.parse_args(argv)
    from gateway.log_masking import install  # no full phone number in the logs

    install()
    logging.basicConfig(
        level=args.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    host, port = args.listen
    try:
        asyncio.run(serve(host, port, args.gateway))
    except KeyboardInterrupt:
        return 0
    except OSError as error:
        log.error("cannot listen on %s:%d: %s", host, port, error)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
