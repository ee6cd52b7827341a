"""Voice settings from environment variables (defaults in the README)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ENGINES = ("auto", "vosk", "whisper")
TRUE = {"1", "true", "yes", "on"}


@dataclass(frozen=True)
class VoiceSettings:
    # auto: Vosk when a Vosk model is configured (it streams), else Whisper.
    asr_engine: str
    # A Vosk model folder (e.g. vosk-model-small-cn-0.22, unpacked). Never
    # downloaded at run time.
    vosk_model_path: Path | None
    # Where `python -m voice.models` assembles the Whisper base model.
    whisper_model_dir: Path
    # CPU threads for recognition (0: the engine decides).
    asr_threads: int
    # Try the online voice (edge-tts) before the offline ones.
    tts_online: bool = True
    # Correct misheard domain words by pinyin (感州 → 赣州) before the NLU.
    asr_correction: bool = True
    # Synthesised sentences, kept to be said again without synthesis.
    tts_cache_dir: Path = ROOT / "var" / "tts-cache"

    @classmethod
    def from_env(cls) -> VoiceSettings:
        engine = os.environ.get("ASR_ENGINE", "auto").strip().lower()
        if engine not in ENGINES:
            raise ValueError(f"ASR_ENGINE must be one of {', '.join(ENGINES)}, not {engine!r}")
        vosk = os.environ.get("VOSK_MODEL_PATH", "").strip()
        whisper = os.environ.get("WHISPER_MODEL_DIR", "").strip()
        default_whisper = ROOT / "var" / "models" / "whisper-base"
        return cls(
            asr_engine=engine,
            vosk_model_path=Path(vosk) if vosk else None,
            whisper_model_dir=Path(whisper) if whisper else default_whisper,
            asr_threads=int(os.environ.get("ASR_THREADS", "0")),
            tts_online=_flag("TTS_ONLINE"),
            asr_correction=_flag("ASR_CORRECTION"),
        )


def _flag(name: str, default: str = "1") -> bool:
    return os.environ.get(name, default).strip().lower() in TRUE
