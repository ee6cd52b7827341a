"""Builds the FastAPI application: settings, Rasa client, limits, routes.

Run with `uvicorn gateway.app:app --ws websockets` (Rasa pins websockets 10,
which newer uvicorn's default WebSocket stack cannot use).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request, Response

from gateway import auth, errors, log_masking
from gateway.rasa_client import RasaClient
from gateway.routes import (
    bookings,
    chat,
    eligibility,
    health,
    knowledge,
    providers,
    staff,
    staff_bookings,
    staff_handoffs,
    staff_providers,
    voice,
    voice_stream,
    web,
)
from gateway.settings import GatewaySettings
from knowledge.db import in_transaction
from knowledge.services import policy
from voice.dialogue import Callers

logger = logging.getLogger(__name__)

# Routes that take a file: they count the bytes themselves, up to max_upload_bytes.
UPLOADS = frozenset({"/api/staff/providers/import", "/api/voice/turn"})


async def warm_up() -> None:
    """Build the policy index and load jieba's dictionary before taking
    requests (seconds on a small machine), so the first advisor's search is
    not the slow one. A database that is not there yet only postpones it."""
    try:
        await in_transaction(policy.index)
    except Exception:
        logger.warning("policy index not built at start-up; the first search will build it")


def create_app(settings: GatewaySettings | None = None) -> FastAPI:
    settings = settings or GatewaySettings.from_env()
    log_masking.install()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.rasa = RasaClient(settings)
        app.state.callers = Callers()  # the voice layer's memory of each caller
        loading = None
        if settings.warm_up:
            await warm_up()
            # The speech models load beside the first requests, not before
            # them: a caller should not wait for them, nor a text chat at all.
            loading = asyncio.create_task(voice.warm_up(app.state))
        yield
        if loading is not None:
            loading.cancel()
        await app.state.rasa.close()

    app = FastAPI(title="银龄通 gateway", version="0.1.0", lifespan=lifespan)
    app.state.settings = settings
    errors.install(app)
    auth.install(app)

    @app.middleware("http")
    async def limit_body_size(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        length = request.headers.get("content-length")
        upload = request.url.path in UPLOADS
        limit = settings.max_upload_bytes if upload else settings.max_body_bytes
        if length and length.isdigit() and int(length) > limit:
            return errors.too_large(upload, limit).response()
        return await call_next(request)

    app.include_router(health.router)
    app.include_router(chat.router)
    app.include_router(knowledge.router)
    app.include_router(eligibility.router)
    app.include_router(providers.router)
    app.include_router(bookings.router)
    app.include_router(staff_bookings.router)
    app.include_router(staff_providers.router)
    app.include_router(staff_handoffs.router)
    app.include_router(staff.login_router)
    app.include_router(staff.router)
    app.include_router(voice.router)
    app.include_router(voice_stream.router)
    app.include_router(web.router)
    app.include_router(web.console)
    return app


app = create_app()
