"""Where an utterance starts and ends in a live stream of 16 kHz PCM.

A streaming caller never presses "send": the assistant must notice that
they began to speak and that they have finished. This is a small energy
detector with an adaptive noise floor, chosen over a neural one because it
runs in microseconds per frame on any machine, needs no model, and works
the same for every recogniser. Speech is a run of frames clearly louder
than the room (or the line) has been; the end is END_SILENCE_S of frames
that are not.

It also reports a *pause*: speech stopped for PAUSE_S but the utterance is
not over yet. A recogniser that decodes whole utterances (Whisper) can
start on the audio so far at a pause, so that when the end is confirmed
the transcript is nearly ready (`voice.call`).
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass, field
from enum import Enum

import numpy as np

from voice.protocol import END_SILENCE_S, MAX_UTTERANCE_S, SAMPLE_RATE

FRAME_S = 0.02
FRAME_BYTES = int(SAMPLE_RATE * FRAME_S) * 2
START_S = 0.1  # this much speech in a row starts an utterance (a click does not)
PAUSE_S = 0.3
# Speech is this many dB above the noise floor, and never quieter than
# SPEECH_FLOOR_DBFS (digital silence has a floor of -inf).
MARGIN_DB = 10.0
SPEECH_FLOOR_DBFS = -50.0
QUIET_DBFS = -90.0  # the lowest floor (digital silence would be -inf)
FLOOR_WINDOW_S = 1.5


class Event(Enum):
    START = "start"  # speech began (reported once START_S of it is heard)
    PAUSE = "pause"  # PAUSE_S of silence inside an utterance
    END = "end"  # the utterance is over


def level_dbfs(frame: bytes) -> float:
    """Loudness of a PCM16 frame in dB relative to full scale."""
    samples = np.frombuffer(frame, dtype="<i2").astype(np.float32) / 32768.0
    power = float(np.mean(samples * samples)) if samples.size else 0.0
    return 10 * math.log10(power) if power > 1e-12 else -120.0


@dataclass
class Endpointer:
    """Feed PCM in any chunk sizes; get the events it completes."""

    end_silence_s: float = END_SILENCE_S
    max_utterance_s: float = MAX_UTTERANCE_S
    floor_dbfs: float = QUIET_DBFS
    speaking: bool = False  # inside an utterance
    _pending: bytearray = field(default_factory=bytearray)
    _levels: deque[float] = field(
        default_factory=lambda: deque(maxlen=round(FLOOR_WINDOW_S / FRAME_S))
    )
    _voiced_run: int = 0
    _silent_run: int = 0
    _utterance_frames: int = 0
    _paused: bool = False
    # Frames since the stream began, and the frame after the last voiced one
    # (where the caller stopped speaking: latency is measured from there).
    frames: int = 0
    speech_end_frame: int = 0

    def _is_speech(self, level: float) -> bool:
        return level > max(self.floor_dbfs + MARGIN_DB, SPEECH_FLOOR_DBFS)

    def _track_floor(self, level: float) -> None:
        # The floor is the quietest frame of the last FLOOR_WINDOW_S: speech
        # dips between syllables, so its floor stays the room's; a steady
        # sound (a fan, a television's hum, line noise) has no dips and
        # becomes the floor within FLOOR_WINDOW_S.
        self._levels.append(level)
        self.floor_dbfs = max(min(self._levels), QUIET_DBFS)

    def feed(self, pcm: bytes) -> list[Event]:
        self._pending += pcm
        events: list[Event] = []
        while len(self._pending) >= FRAME_BYTES:
            frame = bytes(self._pending[:FRAME_BYTES])
            del self._pending[:FRAME_BYTES]
            events += self._frame(frame)
        return events

    def _frame(self, frame: bytes) -> list[Event]:
        self.frames += 1
        level = level_dbfs(frame)
        self._track_floor(level)
        voiced = self._is_speech(level)
        if voiced:
            self._voiced_run += 1
            self._silent_run = 0
            self.speech_end_frame = self.frames
        else:
            self._voiced_run = 0
            self._silent_run += 1
        if not self.speaking:
            if self._voiced_run * FRAME_S >= START_S:
                self.speaking, self._utterance_frames, self._paused = True, self._voiced_run, False
                return [Event.START]
            return []
        self._utterance_frames += 1
        if voiced:
            self._paused = False
        silent_s = self._silent_run * FRAME_S
        too_long = self._utterance_frames * FRAME_S >= self.max_utterance_s
        if silent_s >= self.end_silence_s or too_long:
            self.speaking = False
            self._silent_run = 0
            return [Event.END]
        if silent_s >= PAUSE_S and not self._paused:
            self._paused = True
            return [Event.PAUSE]
        return []

    def reset(self) -> None:
        """Forget the current utterance (the floor is kept: same room, same line)."""
        self._pending.clear()
        self.speaking, self._paused = False, False
        self._voiced_run = self._silent_run = self._utterance_frames = 0

    @property
    def seconds(self) -> float:
        return self.frames * FRAME_S
