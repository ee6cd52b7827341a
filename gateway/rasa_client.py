"""The gateway's only way to reach Rasa and the action server."""

from __future__ import annotations

from typing import Any

import httpx

from gateway.settings import GatewaySettings


class AssistantUnavailableError(Exception):
    """Rasa did not answer (down, starting, or timed out)."""


class RasaClient:
    def __init__(self, settings: GatewaySettings) -> None:
        self._settings = settings
        self._http = httpx.AsyncClient(timeout=settings.upstream_timeout_s)

    async def close(self) -> None:
        await self._http.aclose()

    async def send(
        self, sender: str, message: str, metadata: dict[str, Any] | None = None
    ) -> list[dict[str, Any]]:
        """Send one user message through the REST channel; return bot messages."""
        payload = {"sender": sender, "message": message, "metadata": metadata or {}}
        response = await self._request("POST", "/webhooks/rest/webhook", json=payload)
        return list(response.json() or [])

    async def intent(self, text: str) -> str | None:
        """What the NLU makes of `text`, without adding it to any conversation
        (the voice layer reading the answer to its own question)."""
        response = await self._request(
            "POST",
            "/model/parse",
            params={"token": self._settings.rasa_auth_token},
            json={"text": text},
        )
        return (response.json().get("intent") or {}).get("name")

    async def events(self, sender: str) -> list[dict[str, Any]]:
        """The conversation's tracker events, oldest first (none for a new sender)."""
        response = await self._request(
            "GET",
            f"/conversations/{sender}/tracker",
            params={"token": self._settings.rasa_auth_token},
        )
        return list(response.json().get("events") or [])

    async def append_events(self, sender: str, events: list[dict[str, Any]]) -> None:
        """Add events to the conversation (an advisor's message, a pause)
        through Rasa's own API, so its lock store orders them with the
        caller's messages."""
        await self._request(
            "POST",
            f"/conversations/{sender}/tracker/events",
            params={"token": self._settings.rasa_auth_token, "include_events": "NONE"},
            json=events,
        )

    async def _request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        """A call to Rasa's HTTP API; any failure is AssistantUnavailableError."""
        try:
            response = await self._http.request(
                method, f"{self._settings.rasa_url}{path}", **kwargs
            )
            response.raise_for_status()
        except httpx.HTTPError as error:
            raise AssistantUnavailableError(str(error)) from error
        return response

    async def check_rasa(self) -> str:
        """'ok' if Rasa is up with a model loaded and accepts our API token."""
        return await self._check(
            f"{self._settings.rasa_url}/status",
            params={"token": self._settings.rasa_auth_token},
            ok=lambda body: bool(body.get("model_file")),
        )

    async def check_actions(self) -> str:
        return await self._check(
            f"{self._settings.action_server_url}/health",
            params=None,
            ok=lambda body: body.get("status") == "ok",
        )

    async def _check(self, url: str, params: dict[str, str] | None, ok: Any) -> str:
        try:
            response = await self._http.get(url, params=params, timeout=5)
        except httpx.HTTPError as error:
            return f"unreachable: {type(error).__name__}"
        if response.status_code != 200:
            return f"error: HTTP {response.status_code}"
        return "ok" if ok(response.json()) else "error: not ready"
