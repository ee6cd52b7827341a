"""Builds the FastAPI application: settings, Rasa client, limits, routes.

Run with `uvicorn gateway.app:app --ws websockets` (Rasa pins websockets 10,
which newer uvicorn's default WebSocket stack cannot use).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request, Response

from gateway import auth, errors, log_masking
from gateway.rasa_client import RasaClient
from gateway.routes import bookings, chat, eligibility, health, knowledge, providers, staff, web
from gateway.settings import GatewaySettings


def create_app(settings: GatewaySettings | None = None) -> FastAPI:
    settings = settings or GatewaySettings.from_env()
    log_masking.install()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.rasa = RasaClient(settings)
        yield
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
        if length and length.isdigit() and int(length) > settings.max_body_bytes:
            return errors.error_response(413, "body_too_large", "内容太大了，请缩短后再发。")
        return await call_next(request)

    app.include_router(health.router)
    app.include_router(chat.router)
    app.include_router(knowledge.router)
    app.include_router(eligibility.router)
    app.include_router(providers.router)
    app.include_router(bookings.router)
    app.include_router(bookings.staff)
    app.include_router(staff.login_router)
    app.include_router(staff.router)
    app.include_router(web.router)
    return app


app = create_app()
