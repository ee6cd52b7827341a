"""The provider directory: who serves meals or visits where.

The bot suggests the provider nearest the caller (same street, then the
same district, then the region); the API lists providers with filters.
Both read only active providers.
"""

from __future__ import annotations

from sqlalchemy import select

from knowledge.db import UnitOfWork
from knowledge.models import Provider


def get_provider(uow: UnitOfWork, provider_id: int) -> Provider | None:
    return uow.session.get(Provider, provider_id)


def list_providers(
    uow: UnitOfWork,
    kind: str | None = None,
    region: str | None = None,
    district: str | None = None,
    include_inactive: bool = False,
) -> list[Provider]:
    """Active providers (staff also see inactive ones), filtered, in a stable
    order (region, district, name)."""
    query = select(Provider)
    if not include_inactive:
        query = query.where(Provider.active.is_(True))
    if kind:
        query = query.where(Provider.kind == kind)
    if region:
        query = query.where(Provider.region == region)
    if district:
        query = query.where(Provider.district == district)
    order = (Provider.region, Provider.district, Provider.street, Provider.name, Provider.id)
    return list(uow.session.execute(query.order_by(*order)).scalars())


def offers(provider: Provider, service: str | None, delivery: bool | None) -> bool:
    """Whether the provider can serve this request at all."""
    if provider.kind == "meal":
        if delivery is True and not provider.delivery:
            return False
        return not (delivery is False and not provider.dine_in)
    return service is None or service in (provider.services or [])


def nearness(provider: Provider, district: str | None, street: str | None) -> int:
    """0 serves the caller's street, 1 is in the caller's district, 2 elsewhere."""
    if street and (street == provider.street or street in (provider.service_area or [])):
        return 0
    if district and (district == provider.district or district in (provider.service_area or [])):
        return 1
    return 2


def nearest(
    uow: UnitOfWork,
    kind: str,
    region: str,
    district: str | None = None,
    street: str | None = None,
    service: str | None = None,
    delivery: bool | None = None,
) -> list[Provider]:
    """Providers in the region able to serve the request, nearest first."""
    candidates = [
        provider
        for provider in list_providers(uow, kind=kind, region=region)
        if offers(provider, service, delivery)
    ]
    return sorted(candidates, key=lambda p: nearness(p, district, street))
