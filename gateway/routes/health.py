"""GET /health: is every part the assistant needs up?"""

from __future__ import annotations

import asyncio

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from sqlalchemy import text

from knowledge.db import get_engine

router = APIRouter()


def _check_database() -> str:
    try:
        with get_engine().connect() as connection:
            connection.execute(text("SELECT 1"))
    except Exception as error:  # report, never raise, from a health check
        return f"error: {type(error).__name__}"
    return "ok"


@router.get("/health")
async def health(request: Request) -> JSONResponse:
    rasa = request.app.state.rasa
    rasa_status, actions_status, database_status = await asyncio.gather(
        rasa.check_rasa(), rasa.check_actions(), asyncio.to_thread(_check_database)
    )
    components = {"rasa": rasa_status, "actions": actions_status, "database": database_status}
    healthy = all(value == "ok" for value in components.values())
    return JSONResponse(
        status_code=200 if healthy else 503,
        content={"status": "ok" if healthy else "degraded", "components": components},
    )
