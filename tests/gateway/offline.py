"""A gateway whose Rasa is a closed port: for testing the gateway's own
answers and failure modes without the assistant behind it."""

from __future__ import annotations

from gateway.settings import GatewaySettings

CLOSED_PORT_URL = "http://127.0.0.1:9"


def offline_settings() -> GatewaySettings:
    """Settings whose Rasa and action server never answer."""
    return GatewaySettings(
        rasa_url=CLOSED_PORT_URL,
        rasa_auth_token="x",
        action_server_url=CLOSED_PORT_URL,
        max_message_chars=500,
        max_body_bytes=64 * 1024,
        upstream_timeout_s=2,
        warm_up=False,
    )
