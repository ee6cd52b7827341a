"""GET /api/providers: who serves meals or visits where, with places left.

GET /api/providers?kind=meal|visit&region=…&district=…&days=7
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import APIRouter, Query

from gateway.errors import error_response
from knowledge.booking.catalogue import KINDS
from knowledge.booking.directory import list_providers
from knowledge.booking.service import remaining_by_day
from knowledge.db import UnitOfWork, in_transaction
from knowledge.models import Provider
from knowledge.regions import gazetteer
from knowledge.zh.dates import today_in_china

router = APIRouter()
MAX_DAYS = 14


def unknown_region(region: str) -> Any:
    """422 for a region no provider or document covers (shared with bookings)."""
    return error_response(
        422, "unknown_region", f"没有“{region}”的服务点，目前只有：{gazetteer().listing}"
    )


def invalid_query(name: str, message: str) -> Any:
    """422 for a bad query parameter, in the shape of the global validation error."""
    return error_response(
        422,
        "invalid_request",
        f"请求内容有误：{message}",
        fields=[{"field": name, "message": message}],
    )


def provider_json(provider: Provider, remaining: dict[dt.date, dict[str, int]]) -> dict[str, Any]:
    return {
        "id": provider.id,
        "code": provider.code,
        "name": provider.name,
        "kind": provider.kind,
        "region": provider.region,
        "district": provider.district,
        "street": provider.street,
        "address": provider.address,
        "phone": provider.phone,
        "services": provider.services or [],
        "periods": provider.periods or [],
        "capacity": provider.daily_capacity,
        "dine_in": provider.dine_in,
        "delivery": provider.delivery,
        "service_area": provider.service_area or [],
        "closed_weekdays": provider.closed_weekdays or [],
        "sample": provider.sample,
        "remaining": [
            {"date": date.isoformat(), "slots": slots} for date, slots in remaining.items()
        ],
    }


def _listing(
    uow: UnitOfWork, kind: str | None, region: str | None, district: str | None, days: int
) -> list[dict[str, Any]]:
    providers = list_providers(uow, kind=kind, region=region, district=district)
    today = today_in_china()
    dates = [today + dt.timedelta(days=offset) for offset in range(days)]
    remaining = remaining_by_day(uow, providers, dates)
    return [provider_json(provider, remaining[provider.id]) for provider in providers]


@router.get("/api/providers")
async def providers(
    kind: str | None = Query(None, max_length=20),
    region: str | None = Query(None, max_length=50),
    district: str | None = Query(None, max_length=50),
    days: int = Query(7),
) -> Any:
    if kind and kind not in KINDS:
        return invalid_query("kind", "kind 只能是 meal（助餐）或 visit（上门服务）")
    if not 1 <= days <= MAX_DAYS:
        return invalid_query("days", f"days 要在1到{MAX_DAYS}天之间")
    canonical = None
    if region and region.strip():
        canonical = gazetteer().normalise(region)
        if canonical is None:
            return unknown_region(region)
    return await in_transaction(_listing, kind or None, canonical, district or None, days)
