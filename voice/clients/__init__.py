"""Thin clients of the streaming voice service (`voice.protocol`).

The gateway does the listening, understanding and speaking; a client only
moves audio: `stream.VoiceCall` speaks the WebSocket contract once, and the
two clients use it. `speaker` is the smart-speaker / desk client (a
microphone and loudspeaker, or WAV files in and out), `audiosocket` the
telephone bridge that a PBX (Asterisk's AudioSocket) connects the hotline
to. Keeping them thin means a fix to the voice service reaches every caller.
"""
