"""Speech in and out for the hotline, the smart speaker and the web chat.

A spoken turn passes through small stages, each with a written contract
(after rhasspy's wyoming: one job per stage, text or audio in and out):

1. recognition: audio (16 kHz mono PCM) → the recogniser's raw text
2. `voice.transcript.clean_transcript`: raw text → what the dialogue layer
   reads (simplified characters, no spaces between Chinese words, digit
   groups joined, a recogniser's known hallucinations on silence dropped)
3. the gateway's chat: text → the bot's replies (channel → Rasa → actions)
4. `voice.for_the_ear.for_the_ear`: a reply as written → as it should be
   read aloud (amounts, percentages, dates and times in words, references
   and phone numbers digit by digit, no markdown or emoji)
5. synthesis: text → audio

Stages 2 and 4 are plain functions of text. Recognition and synthesis
(issue 6) are the next stages to build.
"""
