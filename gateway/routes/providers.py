"""GET /api/providers: who serves meals or visits where, with places left.

GET /api/providers?kind=meal|visit&region=…&district=…&days=7
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query

from gateway.errors import RefusalError, bad_query
from knowledge.booking.catalogue import KINDS
from knowledge.booking.directory import list_providers
from knowledge.booking.service import remaining_by_day
from knowledge.db import UnitOfWork, in_transaction
from knowledge.models import Provider
from knowledge.regions import gazetteer
from knowledge.zh.dates import today_in_china

router = APIRouter()
MAX_DAYS = 14


def unknown_region(region: str) -> RefusalError:
    """422 for a region no provider or document covers (shared with bookings)."""
    return RefusalError(
        422, "unknown_region", f"没有“{region}”的服务点，目前只有：{gazetteer().listing}"
    )


def region_filter(region: str | None) -> str | None:
    """The canonical name of a region filter; blank means any."""
    if not region or not region.strip():
        return None
    canonical = gazetteer().normalise(region)
    if canonical is None:
        raise unknown_region(region)
    return canonical


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
        "active": provider.active,
        "remaining": [
            {"date": date.isoformat(), "slots": slots} for date, slots in remaining.items()
        ],
    }


def listing(
    uow: UnitOfWork,
    kind: str | None,
    region: str | None,
    district: str | None,
    days: int,
    include_inactive: bool = False,
) -> list[dict[str, Any]]:
    """Providers with the places left on each of the next `days` days."""
    providers = list_providers(uow, kind, region, district, include_inactive)
    today = today_in_china()
    dates = [today + dt.timedelta(days=offset) for offset in range(days)]
    remaining = remaining_by_day(uow, providers, dates)
    return [provider_json(provider, remaining[provider.id]) for provider in providers]


@dataclass(frozen=True)
class DirectoryQuery:
    kind: str | None
    region: str | None
    district: str | None
    days: int


def directory_query(
    kind: str | None = Query(None, max_length=20),
    region: str | None = Query(None, max_length=50),
    district: str | None = Query(None, max_length=50),
    days: int = Query(7),
) -> DirectoryQuery:
    """The directory's filters, shared by the public and the staff listing."""
    if kind and kind not in KINDS:
        raise bad_query("kind", "kind 只能是 meal（助餐）或 visit（上门服务）")
    if not 1 <= days <= MAX_DAYS:
        raise bad_query("days", f"days 要在1到{MAX_DAYS}天之间")
    return DirectoryQuery(kind or None, region_filter(region), district or None, days)


@router.get("/api/providers")
async def providers(query: Annotated[DirectoryQuery, Depends(directory_query)]) -> Any:
    return await in_transaction(listing, query.kind, query.region, query.district, query.days)
