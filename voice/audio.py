"""Audio in any common format → what recognisers take: 16 kHz mono PCM.

Decoding goes through PyAV (FFmpeg's libraries, shipped in its wheel), so
WAV, MP3, OGG/Opus, WebM from a browser and AMR from a phone all work
without a system ffmpeg. Unreadable or oversized audio is refused with a
reason the caller can be told.
"""

from __future__ import annotations

import io

import av
import numpy as np

SAMPLE_RATE = 16_000
MAX_SECONDS = 60  # one turn; longer is not a turn but a recording


class AudioError(ValueError):
    """Audio that cannot be used; the message is for the caller, in Chinese."""


def decode(data: bytes, max_seconds: float = MAX_SECONDS, *, rate: int = SAMPLE_RATE) -> bytes:
    """Mono signed 16-bit little-endian PCM of the first audio stream, at
    `rate` (16 kHz, what the recognisers take, unless asked otherwise)."""
    if not data:
        raise AudioError("没有收到声音。")
    limit = int(max_seconds * rate) * 2
    resampler = av.AudioResampler(format="s16", layout="mono", rate=rate)
    out = bytearray()
    try:
        with av.open(io.BytesIO(data)) as container:
            if not container.streams.audio:
                raise AudioError("这不是一段声音。")
            for frame in container.decode(audio=0):
                for chunk in resampler.resample(frame):
                    out += chunk.to_ndarray().tobytes()
                if len(out) > limit:
                    raise AudioError(f"这段话太长了，请一次说不超过{int(max_seconds)}秒。")
            for chunk in resampler.resample(None):  # what the resampler still holds
                out += chunk.to_ndarray().tobytes()
    except av.error.FFmpegError as error:
        raise AudioError("这段声音的格式认不出来，请重新录一次。") from error
    return bytes(out)


def slowed(pcm: bytes, tempo: float) -> bytes:
    """16 kHz PCM16 played at `tempo` (0.8: a fifth slower) at the same pitch,
    so a repeated sentence is slower without sounding deeper (FFmpeg's atempo)."""
    graph = av.filter.Graph()
    source = graph.add_abuffer(format="s16", sample_rate=SAMPLE_RATE, layout="mono")
    stretch = graph.add("atempo", f"{tempo:.3f}")
    sink = graph.add("abuffersink")
    source.link_to(stretch)
    stretch.link_to(sink)
    graph.configure()
    frame = av.AudioFrame.from_ndarray(
        np.frombuffer(pcm, dtype="<i2").reshape(1, -1), format="s16", layout="mono"
    )
    frame.sample_rate = SAMPLE_RATE
    graph.push(frame)
    graph.push(None)
    out = bytearray()
    while True:
        try:
            out += graph.pull().to_ndarray().tobytes()
        except (av.error.BlockingIOError, av.error.EOFError):
            return bytes(out)


def to_float(pcm: bytes) -> np.ndarray:
    """PCM16 → float32 in [-1, 1], as Whisper takes it."""
    return np.frombuffer(pcm, dtype="<i2").astype(np.float32) / 32768.0


def seconds(pcm: bytes) -> float:
    return len(pcm) / 2 / SAMPLE_RATE
