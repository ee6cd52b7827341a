"""FastAPI web gateway: the one public HTTP entry point.

Browsers, phones and voice clients talk to the gateway; the gateway talks to
Rasa's REST channel (and, for staff tools, its token-protected HTTP API).
"""
