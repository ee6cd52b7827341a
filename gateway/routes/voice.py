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
import threading
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Request, UploadFile

from gateway.errors import RefusalError, too_large
from gateway.schemas import BAD_SENDER, is_sender
from voice.asr import load_recognizer
from voice.audio import AudioError
from voice.dialogue import Dialogue
from voice.settings import VoiceSettings
from voice.tts import default_speaker

router = APIRouter()
_loading = threading.Lock()  # not an asyncio.Lock: apps in tests run on several loops


def build_dialogue() -> Dialogue:
    settings = VoiceSettings.from_env()
    speaker = default_speaker(settings.tts_cache_dir, settings.tts_online)
    return Dialogue(load_recognizer(settings), speaker)


def _loaded(state: Any) -> Dialogue:
    with _loading:
        if getattr(state, "voice", None) is None:
            state.voice = build_dialogue()
        return state.voice


async def dialogue(request: Request) -> Dialogue:
    """The app's one Dialogue: models load once, off the event loop."""
    voice = getattr(request.app.state, "voice", None)
    return voice or await asyncio.to_thread(_loaded, request.app.state)


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
    voice = await dialogue(request)
    try:
        result = await voice.turn(sender, data, request.app.state.rasa.send)
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
