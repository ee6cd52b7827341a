"""POST /api/voice/turn: one spoken turn over HTTP (the web chat's 按住说话,
a smart speaker, any client that records a whole utterance).

multipart/form-data: `audio` (WAV, MP3, OGG/Opus, WebM, AMR …) and `sender`
200 {"transcript", "replies": [texts], "messages": [as POST /api/chat],
     "audio": base64 | null, "media_type", "engine"}
422 audio_unusable (with a Chinese reason), 413 over MAX_UPLOAD_BYTES

The recogniser and the voices load on first use (or at start-up with the
warm-up) and serve every turn after that.
"""

from __future__ import annotations

import asyncio
import base64
import logging
import threading
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Request, UploadFile

from gateway.errors import RefusalError, too_large
from gateway.schemas import BAD_SENDER, is_sender
from voice.asr import load_recognizer
from voice.audio import AudioError
from voice.dialogue import Callers, Dialogue
from voice.settings import VoiceSettings
from voice.tts import default_speaker

router = APIRouter()
logger = logging.getLogger(__name__)
_loading = threading.Lock()  # not an asyncio.Lock: apps in tests run on several loops


def build_dialogue(callers: Callers) -> Dialogue:
    settings = VoiceSettings.from_env()
    speaker = default_speaker(settings.tts_cache_dir, settings.tts_online)
    correct = None
    if settings.asr_correction:
        from voice.correction import correct, vocabulary

        vocabulary()  # built now (about a second), not during a caller's turn
    return Dialogue(load_recognizer(settings), speaker, correct, callers)


def _loaded(state: Any) -> Dialogue:
    with _loading:
        if getattr(state, "voice", None) is None:
            state.voice = build_dialogue(state.callers)
        return state.voice


async def loaded_dialogue(state: Any) -> Dialogue:
    """The app's one Dialogue: models load once, off the event loop."""
    voice = getattr(state, "voice", None)
    return voice or await asyncio.to_thread(_loaded, state)


async def warm_up(state: Any) -> None:
    """Load the recogniser and the offline voice before the first call needs them."""
    try:
        await (await loaded_dialogue(state)).say("您好")
    except Exception:
        logger.warning("speech models not loaded at start-up; the first voice turn will load them")


@router.post("/api/voice/turn")
async def turn(
    request: Request, sender: Annotated[str, Form()], audio: Annotated[UploadFile, File()]
) -> Any:
    if not is_sender(sender):
        raise RefusalError(422, "invalid_request", BAD_SENDER)
    limit = request.app.state.settings.max_upload_bytes
    data = await audio.read(limit + 1)
    if len(data) > limit:
        raise too_large(True, limit)
    voice = await loaded_dialogue(request.app.state)
    try:
        result = await voice.turn(sender, data, request.app.state.rasa)
    except AudioError as error:
        raise RefusalError(422, "audio_unusable", str(error)) from None
    speech = result.speech
    return {
        "transcript": result.transcript.text,
        "replies": result.replies,
        "messages": result.messages,
        "audio": base64.b64encode(speech.audio).decode() if speech else None,
        "media_type": speech.media_type if speech else None,
        "engine": speech.engine if speech else None,
    }
