"""Where utterances start and end in a live stream (voice.endpointing), on
signals built here so every level and duration is known exactly."""

from __future__ import annotations

import numpy as np
import pytest

from voice.endpointing import FRAME_S, PAUSE_S, Endpointer, Event, level_dbfs

RATE = 16_000


def tone(seconds: float, dbfs: float = -20.0, hz: float = 220.0) -> bytes:
    t = np.arange(int(seconds * RATE)) / RATE
    amplitude = 10 ** (dbfs / 20) * np.sqrt(2)  # a sine's RMS is amplitude/√2
    return (amplitude * np.sin(2 * np.pi * hz * t) * 32767).astype("<i2").tobytes()


def syllables(seconds: float, dbfs: float = -20.0) -> bytes:
    """Speech-like: 0.2 s of voice, 0.08 s between syllables (a steady tone
    would rightly be taken for a hum and become the floor)."""
    pcm = b""
    while len(pcm) < int(seconds * RATE) * 2:
        pcm += tone(0.2, dbfs) + silence(0.08)
    return pcm[: int(seconds * RATE) * 2]


def noise(seconds: float, dbfs: float, seed: int = 1) -> bytes:
    samples = np.random.default_rng(seed).normal(0, 10 ** (dbfs / 20), int(seconds * RATE))
    return (np.clip(samples, -1, 1) * 32767).astype("<i2").tobytes()


def silence(seconds: float) -> bytes:
    return bytes(int(seconds * RATE) * 2)


def timeline(pcm: bytes, chunk: int = 640, endpointer: Endpointer | None = None) -> list:
    """(event, seconds into the stream) for everything the endpointer reports."""
    endpointer = endpointer or Endpointer()
    found = []
    for start in range(0, len(pcm), chunk):
        for event in endpointer.feed(pcm[start : start + chunk]):
            found.append((event, round(endpointer.seconds, 2)))
    return found


def test_levels_are_measured_in_dbfs() -> None:
    assert level_dbfs(tone(0.02, -20)) == pytest.approx(-20, abs=0.3)
    assert level_dbfs(silence(0.02)) == -120.0


def test_an_utterance_starts_pauses_and_ends() -> None:
    events = timeline(silence(0.5) + tone(1.0) + silence(1.2))
    assert [e for e, _ in events] == [Event.START, Event.PAUSE, Event.END]
    (_, started), (_, paused), (_, ended) = events
    assert started == pytest.approx(0.6, abs=0.03)  # 0.1 s of speech confirms it
    assert paused == pytest.approx(1.5 + PAUSE_S, abs=0.03)
    assert ended == pytest.approx(1.5 + 0.8, abs=0.03)


def test_a_short_breath_inside_a_sentence_does_not_end_it() -> None:
    events = timeline(silence(0.3) + tone(0.8) + silence(0.5) + tone(0.8) + silence(1.0))
    # A pause in the breath (Whisper may start early), another at the end.
    assert [e for e, _ in events] == [Event.START, Event.PAUSE, Event.PAUSE, Event.END]
    assert events[-1][1] == pytest.approx(0.3 + 0.8 + 0.5 + 0.8 + 0.8, abs=0.03)


def test_a_click_is_not_speech() -> None:
    assert timeline(silence(0.5) + tone(0.04, -6) + silence(1.5)) == []


def test_steady_noise_is_learnt_and_speech_above_it_is_found() -> None:
    """A television in the room at -35 dBFS: after a few seconds it is the
    floor, and a voice 15 dB louder still starts and ends an utterance."""
    room = noise(4.0, -35)
    speech = (
        np.frombuffer(syllables(1.0, -20), "<i2").astype(np.int32)
        + np.frombuffer(noise(1.0, -35, seed=2), "<i2")
    ).astype("<i2")
    events = timeline(room + speech.tobytes() + noise(1.5, -35, seed=3))
    assert [e for e, _ in events] == [Event.START, Event.PAUSE, Event.END]
    assert events[0][1] == pytest.approx(4.1, abs=0.05)
    assert events[-1][1] == pytest.approx(5.0 + 0.8, abs=0.05)


def test_a_steady_hum_becomes_the_floor() -> None:
    """A sound without dips is not a voice: it starts an utterance at first
    but ends it within the floor window, and then is the room."""
    events = timeline(silence(0.5) + tone(6.0, -30))
    assert [e for e, _ in events] == [Event.START, Event.PAUSE, Event.END]
    assert events[-1][1] < 0.5 + 1.5 + 0.8 + 0.1


def test_an_endless_utterance_is_cut_at_the_limit() -> None:
    events = timeline(silence(0.3) + syllables(3.0), endpointer=Endpointer(max_utterance_s=2.0))
    assert [e for e, _ in events][:2] == [Event.START, Event.END]
    assert events[1][1] == pytest.approx(0.3 + 2.0, abs=0.05)


@pytest.mark.parametrize("chunk", [7, 640, 3202, 32_000])
def test_chunk_sizes_do_not_change_the_events(chunk: int) -> None:
    pcm = silence(0.5) + tone(1.0) + silence(1.2)
    whole, pieces = Endpointer(), Endpointer()
    assert [e for e, _ in timeline(pcm, chunk, pieces)] == [e for e, _ in timeline(pcm, 640, whole)]
    assert pieces.speech_end_frame == whole.speech_end_frame


def test_reset_forgets_the_utterance_but_keeps_the_room() -> None:
    endpointer = Endpointer()
    endpointer.feed(noise(2.0, -40) + syllables(0.5))
    assert endpointer.speaking
    floor = endpointer.floor_dbfs
    endpointer.reset()
    assert not endpointer.speaking and endpointer.floor_dbfs == floor
    assert endpointer.feed(syllables(0.5)) == [Event.START]
    assert FRAME_S * endpointer.frames == pytest.approx(endpointer.seconds)
