"""The two streaming clients against the real gateway, Rasa and action
server: a telephone call through the AudioSocket bridge (a fake Asterisk
on the other side, speaking 8 kHz in real time as a PBX does) and the
speaker client replaying a WAV file and saving the answers as WAV files."""

from __future__ import annotations

import asyncio
import logging
import subprocess
import sys
import uuid
import wave
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pytest

from scripts.environment import ROOT
from scripts.stack import free_port
from tests.e2e.conftest import RunningStack
from tests.voice.speech import character_errors, comparable, mandarin_wav
from voice.audio import decode
from voice.clients.audiosocket import (
    AUDIO,
    FRAME_BYTES,
    FRAME_S,
    HANGUP,
    UUID,
    Bridge,
    encode,
    read_message,
)
from voice.protocol import END_SILENCE_S

QUESTION = "帮我查一下我的预约。"
QUIET_S = 1.5  # no audio from the bridge this long: the assistant has finished
LOUD = 300  # a 20 ms frame louder than this (RMS, about -40 dBFS) is speech


def at_8k(wav_file: bytes) -> bytes:
    """The file as a PBX would carry it: 8 kHz mono PCM16 (resampled by
    FFmpeg, not by the code under test)."""
    return decode(wav_file, rate=8000)


def loud_seconds(frames: list[bytes]) -> float:
    levels = [np.sqrt(np.mean(np.frombuffer(f, "<i2").astype(float) ** 2)) for f in frames]
    return sum(level > LOUD for level in levels) * FRAME_S


@dataclass
class FakeAsterisk:
    """One call as Asterisk's AudioSocket() makes it: the UUID, then a 20 ms
    frame every 20 ms (line noise when the caller is silent), while it
    plays whatever audio the bridge sends."""

    port: int
    call_id: uuid.UUID = field(default_factory=uuid.uuid4)
    heard: list[tuple[float, bytes]] = field(default_factory=list)
    to_say: deque[bytes] = field(default_factory=deque)
    told_to_hang_up: bool = False
    spoke_at: float = 0.0

    async def __aenter__(self) -> FakeAsterisk:
        self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port)
        self.writer.write(encode(UUID, self.call_id.bytes))
        self._tasks = [asyncio.create_task(self._line()), asyncio.create_task(self._listen())]
        return self

    async def __aexit__(self, *exc: object) -> None:
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        self.writer.close()

    async def _line(self) -> None:
        loop, noise = asyncio.get_running_loop(), np.random.default_rng(7)
        deadline = loop.time()
        while True:
            frame = self.to_say.popleft() if self.to_say else None
            if frame is None:
                frame = noise.normal(0, 20, FRAME_BYTES // 2).astype("<i2").tobytes()
            self.writer.write(encode(AUDIO, frame.ljust(FRAME_BYTES, b"\0")))
            await self.writer.drain()
            deadline += FRAME_S
            await asyncio.sleep(max(0.0, deadline - loop.time()))

    async def _listen(self) -> None:
        loop = asyncio.get_running_loop()
        while (message := await read_message(self.reader)) is not None:
            if message.kind == AUDIO:
                self.heard.append((loop.time(), message.payload))
            elif message.kind == HANGUP:
                self.told_to_hang_up = True

    def timeline(self) -> str:
        """Runs of received audio, in seconds from the first frame (for failures)."""
        if not self.heard:
            return "nothing heard"
        start, runs = self.heard[0][0], []
        for t, _ in self.heard:
            if runs and t - runs[-1][1] < 0.1:
                runs[-1][1] = t
            else:
                runs.append([t, t])
        spoke = f"; spoke at {self.spoke_at - start:.1f} s" if self.spoke_at else ""
        return ", ".join(f"{a - start:.1f}–{b - start:.1f} s" for a, b in runs) + spoke

    def say(self, pcm8k: bytes) -> None:
        self.spoke_at = asyncio.get_running_loop().time()
        self.to_say.extend(pcm8k[i : i + FRAME_BYTES] for i in range(0, len(pcm8k), FRAME_BYTES))

    async def ask(self, question: bytes) -> int:
        """Say the question; the index of the first frame of the answer.
        Nothing may be heard while it is said: after the greeting the
        assistant listens, and its "are you there?" clock counts from when
        the caller has heard the greeting, not from when it was sent."""
        start = len(self.heard)
        self.say(question)
        await asyncio.sleep(len(question) / 2 / 8000 + END_SILENCE_S)
        assert len(self.heard) == start, f"talked over the caller: {self.timeline()}"
        return start

    async def until_quiet(self, since: int, timeout: float) -> list[bytes]:
        """Audio from frame `since` on, once some came and then QUIET_S of none."""
        loop = asyncio.get_running_loop()
        end = loop.time() + timeout
        while loop.time() < end:
            if len(self.heard) > since and loop.time() - self.heard[-1][0] >= QUIET_S:
                return [frame for _, frame in self.heard[since:]]
            await asyncio.sleep(0.05)
        raise AssertionError(f"no end to the assistant's audio within {timeout:.0f} s")

    async def hang_up(self) -> None:
        self._tasks[0].cancel()
        self.writer.write(encode(HANGUP))
        await self.writer.drain()


def test_a_phone_call_is_greeted_and_answered_through_the_bridge(
    stack: RunningStack, caplog: pytest.LogCaptureFixture
) -> None:
    question = at_8k(mandarin_wav(QUESTION))

    async def call() -> tuple[Bridge, FakeAsterisk, list[bytes], list[bytes]]:
        bridge = Bridge(stack.url)
        port = int(free_port())
        await bridge.start("127.0.0.1", port)
        try:
            async with FakeAsterisk(port) as asterisk:
                greeting = await asterisk.until_quiet(0, timeout=120)
                answer = await asterisk.until_quiet(await asterisk.ask(question), timeout=180)
                await asterisk.hang_up()
                while bridge.active:
                    await asyncio.sleep(0.05)
            return bridge, asterisk, greeting, answer
        finally:
            await bridge.close()

    with caplog.at_level(logging.INFO, logger="voice.clients"):
        bridge, asterisk, greeting, answer = asyncio.run(asyncio.wait_for(call(), 400))

    assert loud_seconds(greeting) > 4.0, "the greeting is spoken first"
    assert all(len(frame) == FRAME_BYTES for frame in greeting + answer)
    assert loud_seconds(answer) > 2.0, "the answer is real speech, several seconds of it"
    sender = f"phone-{asterisk.call_id.hex}"
    events = stack.tracker(sender)["events"]
    heard = [e.get("text") or "" for e in events if e.get("event") == "user"]
    # The question reached the bot intelligibly through 8 kHz and back (one
    # character in ten may be misheard on a phone line: 日约 for 预约).
    assert len(heard) == 2 and heard[0] == "/greet", (heard, asterisk.timeline())
    assert character_errors(QUESTION, heard[1]) / len(comparable(QUESTION)) <= 0.3, heard
    (record,) = bridge.finished
    assert record.sender == sender and record.reason == "the caller hung up"
    assert record.websocket_closed and record.close_code == 1000
    assert not asterisk.told_to_hang_up  # the caller hung up: nothing to tell Asterisk
    ours = [r for r in caplog.records if r.name.startswith("voice.clients")]
    assert not [r.getMessage() for r in ours if r.levelno >= logging.WARNING]
    assert any(r.getMessage().startswith(f"call {sender} ended") for r in ours)


def test_the_speaker_client_answers_a_wav_file_with_wav_files(
    stack: RunningStack, tmp_path: Path
) -> None:
    question = tmp_path / "question.wav"
    question.write_bytes(mandarin_wav(QUESTION))
    sender = f"speaker-{uuid.uuid4().hex[:8]}"
    out = tmp_path / "replies"
    command = [sys.executable, "-m", "voice.clients.speaker", "--gateway", stack.url]
    command += ["--sender", sender, "--out", str(out), "--speed", "4", str(question)]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "您说：" in done.stdout and "预约" in done.stdout, done.stdout
    replies = sorted(out.glob("*.wav"))
    assert [p.name for p in replies] == [f"{sender}-01.wav", f"{sender}-02.wav"]  # greeting, answer
    for path in replies:
        with wave.open(str(path)) as file:
            assert (file.getnchannels(), file.getsampwidth(), file.getframerate()) == (1, 2, 16000)
            assert file.getnframes() / file.getframerate() > 1.0
    events = stack.tracker(sender)["events"]
    assert any(e.get("event") == "user" and "预约" in (e.get("text") or "") for e in events)
