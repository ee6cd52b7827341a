"""Gateway settings from environment variables (defaults in README)."""

from __future__ import annotations

import os
from dataclasses import dataclass


def _flag(name: str, default: str) -> bool:
    return os.environ.get(name, default).strip().lower() in {"1", "true", "yes", "on"}


@dataclass(frozen=True)
class GatewaySettings:
    rasa_url: str
    rasa_auth_token: str
    action_server_url: str
    max_message_chars: int
    max_body_bytes: int
    upstream_timeout_s: float
    # Uploads (a provider CSV) may be larger than a chat message or a booking.
    max_upload_bytes: int = 2 * 1024 * 1024
    # Build the policy index before taking requests (see gateway.app.warm_up).
    warm_up: bool = True
    # Send the staff session cookie only over HTTPS; on for any deployment
    # behind TLS, off by default so the console works on http://127.0.0.1.
    staff_cookie_secure: bool = False

    @classmethod
    def from_env(cls) -> GatewaySettings:
        return cls(
            rasa_url=os.environ.get("RASA_URL", "http://127.0.0.1:5005").rstrip("/"),
            rasa_auth_token=os.environ.get("RASA_AUTH_TOKEN", ""),
            action_server_url=os.environ.get("ACTION_SERVER_URL", "http://127.0.0.1:5055").rstrip(
                "/"
            ),
            max_message_chars=int(os.environ.get("MAX_MESSAGE_CHARS", "500")),
            max_body_bytes=int(os.environ.get("MAX_BODY_BYTES", str(64 * 1024))),
            upstream_timeout_s=float(os.environ.get("UPSTREAM_TIMEOUT_S", "30")),
            max_upload_bytes=int(os.environ.get("MAX_UPLOAD_BYTES", str(2 * 1024 * 1024))),
            warm_up=_flag("GATEWAY_WARM_UP", "1"),
            staff_cookie_secure=_flag("STAFF_COOKIE_SECURE", "0"),
        )
