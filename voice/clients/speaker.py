"""The smart-speaker / desk client: talk to 银龄通 through the voice service.

    python -m voice.clients.speaker --gateway http://127.0.0.1:8000            # microphone
    python -m voice.clients.speaker --gateway http://127.0.0.1:8000 a.wav b.mp3 --out replies/

With audio files, each file is one thing the caller says: it is streamed
in 20 ms frames (at real time, or faster with --speed) and followed by an
`end`; what the assistant heard and answered is printed and each answer's
audio is written to a WAV file in --out. This is how the client is tested
and how a recording is replayed on a machine without a sound card.

Without files it listens to the microphone and plays the answers on the
loudspeaker (the `sounddevice` package over the system's PortAudio). It is
half duplex like the service: while an answer plays, the microphone is not
sent, so the assistant never hears itself.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import queue
import sys
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType

from voice import protocol
from voice.audio import AudioError, decode
from voice.clients.stream import CHUNK, CallEndedError, Event, VoiceCall, VoiceCallError
from voice.tts import pcm_wav

FRAME_S = 0.02
FRAME_BYTES = int(protocol.SAMPLE_RATE * FRAME_S) * protocol.SAMPLE_WIDTH
TURN_TIMEOUT_S = 120.0  # recognition, the bot and speech on a busy machine
ECHO_GUARD_S = 0.3  # after the loudspeaker stops, the room still rings
DEFAULT_OUT = Path("var/speaker")


class NoAudioDeviceError(RuntimeError):
    """No microphone or loudspeaker here; the message says what to do instead."""


@dataclass
class Conversation:
    """Follows the server: prints what it says, gathers each turn's reply
    audio, and tells the sender when a turn is over."""

    sender: str
    out: Path | None
    on_audio: Callable[[bytes], None] | None = None  # the loudspeaker, if any
    show: Callable[[str], None] = print
    saved: list[Path] = field(default_factory=list)
    turns: int = 0
    heard: bool = False  # the server ended the current utterance itself
    _audio: bytearray = field(default_factory=bytearray)
    _done: asyncio.Queue[int] = field(default_factory=asyncio.Queue)

    async def follow(self, call: VoiceCall) -> None:
        async for event in call:
            self.on_event(event)
        self.show("（通话结束 the call is over）")

    def on_event(self, event: Event) -> None:
        kind = event.type
        if kind == CHUNK:
            self._audio += event.pcm
            if self.on_audio:
                self.on_audio(event.pcm)
        elif kind == protocol.SPEECH_STARTED:
            self.show("（听到您在说话…）")
        elif kind == protocol.PARTIAL:
            self.show(f"  … {event.text}")
        elif kind == protocol.TRANSCRIPT:
            self.heard = True
            self.show(f"您说：{event.text}" if event.text else "（没听清）")
        elif kind == protocol.REPLY:
            for text in event.message.get("texts", []):
                self.show(f"银龄通：{text}")
        elif kind == protocol.AUDIO_END:
            self._end_turn()
        elif kind == protocol.ERROR:
            self.show(f"出错了：{event.message.get('message')} ({event.message.get('code')})")

    def _end_turn(self) -> None:
        self.turns += 1
        audio, self._audio = bytes(self._audio), bytearray()
        if self.out is not None and audio:
            self.out.mkdir(parents=True, exist_ok=True)
            path = self.out / f"{self.sender}-{self.turns:02d}.wav"
            path.write_bytes(pcm_wav(audio))
            self.saved.append(path)
            seconds = len(audio) / protocol.SAMPLE_WIDTH / protocol.SAMPLE_RATE
            self.show(f"  → {path} ({seconds:.1f} s)")
        self.heard = False
        self._done.put_nowait(self.turns)

    async def turn_over(self, follower: asyncio.Task[None]) -> None:
        """Until the current turn's audio has ended (or the call has)."""
        waiting = asyncio.ensure_future(self._done.get())
        done, _ = await asyncio.wait(
            {waiting, follower}, timeout=TURN_TIMEOUT_S, return_when=asyncio.FIRST_COMPLETED
        )
        if waiting in done:
            return
        waiting.cancel()
        if follower in done:
            raise VoiceCallError("语音服务挂断了。The voice service hung up.")
        raise VoiceCallError(
            f"语音服务 {TURN_TIMEOUT_S:.0f} 秒没有回答。"
            f"The voice service did not answer within {TURN_TIMEOUT_S:.0f} s."
        )


async def stream_pcm(call: VoiceCall, pcm: bytes, speed: float = 1.0) -> None:
    """Send PCM in 20 ms frames, `speed` times faster than it would be spoken."""
    loop = asyncio.get_running_loop()
    deadline = loop.time()
    for start in range(0, len(pcm), FRAME_BYTES):
        await call.send_audio(pcm[start : start + FRAME_BYTES])
        deadline += FRAME_S / speed
        await asyncio.sleep(max(0.0, deadline - loop.time()))


async def talk_with_files(
    gateway: str, sender: str, files: list[Path], out: Path, greet: bool, speed: float
) -> Conversation:
    """Each file one utterance; each reply's audio written to `out`."""
    utterances = [(path, decode(path.read_bytes())) for path in files]
    conversation = Conversation(sender, out)
    async with VoiceCall(gateway, sender, greet=greet) as call:
        conversation.show(f"已接通 connected ({call.ready.get('engine')}), 会话 {sender}")
        follower = asyncio.create_task(conversation.follow(call))
        try:
            if greet:
                await conversation.turn_over(follower)
            for path, pcm in utterances:
                conversation.show(f"▶ {path.name} ({len(pcm) / FRAME_BYTES * FRAME_S:.1f} s)")
                await stream_pcm(call, pcm, speed)
                if not conversation.heard:  # the service may have heard the end itself
                    await call.end()
                await conversation.turn_over(follower)
        finally:
            follower.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await follower
    return conversation


# --- Microphone and loudspeaker -------------------------------------------


def audio_devices() -> ModuleType:
    """sounddevice, once a microphone and a loudspeaker are known to work."""
    hint = "请把录好的声音文件（WAV）作为参数传入。Pass WAV files instead: speaker FILE.wav …"
    try:
        import sounddevice
    except (ImportError, OSError) as error:  # OSError: the PortAudio library is missing
        raise NoAudioDeviceError(
            f"没有找到声音设备的驱动（PortAudio；Debian：apt install libportaudio2）。"
            f"No audio I/O here ({error}). {hint}"
        ) from error
    settings = {"samplerate": protocol.SAMPLE_RATE, "channels": 1, "dtype": "int16"}
    try:
        sounddevice.check_input_settings(**settings)
        sounddevice.check_output_settings(**settings)
    except Exception as error:  # PortAudioError or ValueError: no such device
        raise NoAudioDeviceError(
            f"没有可用的麦克风或扬声器。No usable microphone or loudspeaker ({error}). {hint}"
        ) from error
    return sounddevice


class Loudspeaker:
    """Plays reply audio in a thread (PortAudio's write blocks at the pace
    of playback) and says whether it is still playing."""

    def __init__(self, sounddevice: ModuleType) -> None:
        self._stream = sounddevice.RawOutputStream(
            samplerate=protocol.SAMPLE_RATE, channels=1, dtype="int16"
        )
        self._queue: queue.Queue[bytes | None] = queue.Queue()
        self._until = 0.0  # monotonic time the audio written so far ends
        self._thread = threading.Thread(target=self._play, daemon=True)

    def __enter__(self) -> Loudspeaker:
        self._stream.start()
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._queue.put(None)
        self._thread.join(timeout=2)
        self._stream.close()

    def play(self, pcm: bytes) -> None:
        seconds = len(pcm) / protocol.SAMPLE_WIDTH / protocol.SAMPLE_RATE
        self._until = max(self._until, time.monotonic()) + seconds
        self._queue.put(pcm)

    @property
    def busy(self) -> bool:
        return time.monotonic() < self._until + ECHO_GUARD_S

    def _play(self) -> None:
        while (pcm := self._queue.get()) is not None:
            self._stream.write(pcm)


async def talk_with_microphone(gateway: str, sender: str, out: Path, greet: bool) -> None:
    sounddevice = audio_devices()
    loop = asyncio.get_running_loop()
    frames: asyncio.Queue[bytes] = asyncio.Queue(maxsize=500)

    def offer(pcm: bytes) -> None:
        with contextlib.suppress(asyncio.QueueFull):  # the network stalled: drop, stay live
            frames.put_nowait(pcm)

    def captured(data: object, count: int, when: object, status: object) -> None:
        loop.call_soon_threadsafe(offer, bytes(data))  # type: ignore[call-overload]

    microphone = sounddevice.RawInputStream(
        samplerate=protocol.SAMPLE_RATE,
        channels=1,
        dtype="int16",
        blocksize=FRAME_BYTES // protocol.SAMPLE_WIDTH,
        callback=captured,
    )
    with Loudspeaker(sounddevice) as loudspeaker:
        conversation = Conversation(sender, out, on_audio=loudspeaker.play)
        async with VoiceCall(gateway, sender, greet=greet) as call:
            conversation.show("已接通，请说话（Ctrl-C 结束）。Connected: speak (Ctrl-C to stop).")
            follower = asyncio.create_task(conversation.follow(call))
            with microphone:
                while not follower.done():
                    pcm = await frames.get()
                    if loudspeaker.busy:  # half duplex: never send the assistant's voice
                        continue
                    try:
                        await call.send_audio(pcm)
                    except CallEndedError:
                        break
            await follower


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("files", nargs="*", type=Path, metavar="AUDIO", help="utterances to say")
    parser.add_argument("--gateway", default="http://127.0.0.1:8000")
    parser.add_argument("--sender", default=f"speaker-{uuid.uuid4().hex[:12]}")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="where replies are saved")
    parser.add_argument("--speed", type=float, default=1.0, help="files: times real time")
    parser.add_argument("--no-greet", dest="greet", action="store_false", help="speak first")
    args = parser.parse_args(argv)
    try:
        if args.files:
            asyncio.run(
                talk_with_files(
                    args.gateway, args.sender, args.files, args.out, args.greet, args.speed
                )
            )
        else:
            asyncio.run(talk_with_microphone(args.gateway, args.sender, args.out, args.greet))
    except NoAudioDeviceError as error:
        print(error, file=sys.stderr)
        return 2
    except (VoiceCallError, AudioError, OSError) as error:
        print(error, file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
