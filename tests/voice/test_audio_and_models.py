"""Audio decoding for the recognisers, and the Whisper model assembled from
its two registry packages and checked before it is ever loaded."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from scripts.environment import ROOT
from voice.audio import SAMPLE_RATE, AudioError, decode
from voice.models import WHISPER_BYTES, prepare_whisper, whisper_is_whole
from voice.tts import wav


def tone(seconds: float, rate: int) -> np.ndarray:
    t = np.arange(int(seconds * rate)) / rate
    return (0.3 * np.sin(2 * np.pi * 440 * t)).astype(np.float32)


@pytest.mark.parametrize("rate", [8_000, 16_000, 24_000, 44_100])
def test_any_rate_becomes_16_khz_mono(rate: int) -> None:
    pcm = decode(wav(tone(1.5, rate), rate))
    assert abs(len(pcm) / 2 - 1.5 * SAMPLE_RATE) <= SAMPLE_RATE * 0.01


@pytest.mark.parametrize(
    ("data", "says"),
    [
        (b"", "没有收到声音"),
        (b"this is not audio at all" * 10, "格式认不出来"),
        (b"<script>alert(1)</script>", "格式认不出来"),
    ],
)
def test_unusable_audio_is_refused_in_chinese(data: bytes, says: str) -> None:
    with pytest.raises(AudioError, match=says):
        decode(data)


def test_a_recording_over_the_limit_is_refused() -> None:
    with pytest.raises(AudioError, match="不超过5秒"):
        decode(wav(tone(6, SAMPLE_RATE), SAMPLE_RATE), max_seconds=5)


def test_the_whisper_model_is_joined_once_and_checked(tmp_path: Path) -> None:
    folder = prepare_whisper(tmp_path / "whisper")
    model = folder / "model.bin"
    assert model.stat().st_size == WHISPER_BYTES and whisper_is_whole(folder)
    built = model.stat().st_mtime_ns
    assert prepare_whisper(folder) == folder and model.stat().st_mtime_ns == built

    with model.open("r+b") as damaged:  # a truncated or altered file is rebuilt
        damaged.truncate(WHISPER_BYTES - 1)
    assert not whisper_is_whole(folder)
    prepare_whisper(folder)
    assert whisper_is_whole(folder) and not (folder / "model.bin.partial").exists()


def test_the_models_command_reports_what_is_ready(tmp_path: Path) -> None:
    env = os.environ | {"WHISPER_MODEL_DIR": str(tmp_path / "w"), "VOSK_MODEL_PATH": ""}
    done = subprocess.run(
        [sys.executable, "-m", "voice.models"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert "whisper: ready" in done.stdout and "VOSK_MODEL_PATH is not set" in done.stdout
