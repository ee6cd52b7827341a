"""Booking API for families and partner systems: create, look up, cancel, reschedule.

POST  /api/bookings                             201 created, 200 idempotent replay
GET   /api/bookings/{reference}?phone=…         phones masked
POST  /api/bookings/{reference}/cancel?phone=…
PATCH /api/bookings/{reference}?phone=…         {"date", "period"?, "time"?}

A reference alone opens nothing: `phone` must be the served person's or
the booker's number, and a wrong one is answered exactly like an unknown
reference, so one family cannot read another's address by guessing six
digits. Every refusal is a BookingError turned into {"error", "detail",
"alternative", ("reference")} with the service's Chinese reason. Staff
routes are in gateway/routes/staff_bookings.py.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import re
from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Header, Query
from fastapi.responses import JSONResponse
from pydantic import BaseModel, StrictBool, StrictInt, StrictStr, root_validator, validator

from gateway.errors import error_response, invalid_query
from gateway.schemas import utc_iso
from knowledge.booking.catalogue import KINDS
from knowledge.booking.errors import BookingError, DuplicateBookingError, NotFoundError
from knowledge.booking.rules import BookingRequest, Person
from knowledge.booking.service import (
    cancel_booking,
    get_booking,
    reschedule_booking,
    submit_booking,
)
from knowledge.db import UnitOfWork, in_transaction, unit_of_work
from knowledge.models import Booking, Provider
from knowledge.zh.dates import MEAL_PERIODS

router = APIRouter()

ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
CLOCK = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")
REFERENCE = re.compile(r"^[0-9]{6}$")
IDEMPOTENCY_KEY = re.compile(r"^[A-Za-z0-9_.:\-]{1,80}$")
MAX_RELATION = 20  # the column's width


def parse_date(value: object, name: str = "date") -> dt.date:
    """A calendar date written YYYY-MM-DD; anything else (numbers, other
    formats) is refused rather than guessed."""
    if not isinstance(value, str) or not ISO_DATE.match(value):
        raise ValueError(f"{name} 要写成 年-月-日，例如 2026-12-03")
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise ValueError(f"{name} 不是一个真实的日期：{value}") from None


class Strict(BaseModel):
    class Config:
        extra = "forbid"


class Beneficiary(Strict):
    name: StrictStr
    phone: StrictStr
    address: StrictStr | None = None


class BookedBy(Strict):
    name: StrictStr
    phone: StrictStr
    relation: StrictStr | None = None

    @validator("relation")
    def _relation(cls, value: str | None) -> str | None:  # noqa: N805
        if value is None:
            return None
        if len(value.strip()) > MAX_RELATION:
            raise ValueError(f"关系最多{MAX_RELATION}个字，例如 女儿、儿子、邻居")
        return value.strip() or None


class When(Strict):
    """A day and, for meals, the meal or, for visits, the time of day."""

    date: dt.date
    period: StrictStr | None = None
    time: StrictStr | None = None

    @validator("date", pre=True)
    def _date(cls, value: object) -> dt.date:  # noqa: N805
        return parse_date(value)

    @validator("period")
    def _period(cls, value: str | None) -> str | None:  # noqa: N805
        if value is not None and value not in MEAL_PERIODS:
            raise ValueError("period 只能是 breakfast（早餐）、lunch（午餐）或 dinner（晚餐）")
        return value

    @validator("time")
    def _time(cls, value: str | None) -> str | None:  # noqa: N805
        if value is not None and not CLOCK.match(value):
            raise ValueError("time 要写成 时:分，例如 09:30")
        return value


class NewBooking(When):
    kind: StrictStr
    provider_id: StrictInt
    service: StrictStr | None = None
    beneficiary: Beneficiary
    booked_by: BookedBy | None = None
    delivery: StrictBool = False
    notes: StrictStr = ""

    @validator("kind")
    def _kind(cls, value: str) -> str:  # noqa: N805
        if value not in KINDS:
            raise ValueError("kind 只能是 meal（助餐）或 visit（上门服务）")
        return value

    @root_validator(skip_on_failure=True)
    def _fits_kind(cls, values: dict[str, Any]) -> dict[str, Any]:  # noqa: N805
        if values["kind"] == "meal":
            if values["period"] is None:
                raise ValueError("订餐要选哪一顿：period 填 breakfast、lunch 或 dinner")
            if values["time"] is not None or values["service"] is not None:
                raise ValueError("订餐不填 time 和 service，堂食还是送餐由 delivery 决定")
        else:
            if values["period"] is not None or values["delivery"]:
                raise ValueError("上门服务不填 period 和 delivery，请填 time（几点）和 service")
            if values["time"] is None or not values["service"]:
                raise ValueError("上门服务要填 time（几点，例如 09:30）和 service（例如 探访）")
        return values

    def to_request(self, idempotency_key: str | None) -> BookingRequest:
        booked_by = self.booked_by
        return BookingRequest(
            kind=self.kind,
            provider_id=self.provider_id,
            date=self.date,
            period=self.period,
            time=self.time,
            service=self.service,
            delivery=self.delivery,
            beneficiary=Person(**self.beneficiary.dict()),
            booked_by=Person(**booked_by.dict()) if booked_by else None,
            notes=self.notes,
            idempotency_key=idempotency_key,
        )


class Reschedule(When):
    pass


def mask_phone(phone: str | None) -> str | None:
    """138****1111: enough for the caller to recognise, useless to a stranger."""
    if not phone:
        return phone
    return phone[:3] + "****" + phone[-4:] if len(phone) >= 7 else "****"


def booking_json(booking: Booking, provider: Provider, mask: bool) -> dict[str, Any]:
    """The one representation of a booking; `mask` hides the phone numbers
    (everywhere but the staff listing)."""
    phone: Callable[[str | None], str | None] = mask_phone if mask else (lambda value: value)
    booked_by = None
    if booking.booked_by_name:
        booked_by = {
            "name": booking.booked_by_name,
            "phone": phone(booking.booked_by_phone),
            "relation": booking.booked_by_relation,
        }
    return {
        "reference": booking.reference,
        "status": booking.status,
        "kind": booking.kind,
        "provider": {
            "id": provider.id,
            "name": provider.name,
            "address": provider.address,
            "phone": provider.phone,
        },
        "service": booking.service,
        "date": booking.date.isoformat(),
        "period": booking.period,
        "time": booking.time,
        "delivery": booking.delivery,
        "beneficiary": {
            "name": booking.beneficiary_name,
            "phone": phone(booking.beneficiary_phone),
            "address": booking.beneficiary_address,
        },
        "booked_by": booked_by,
        "notes": booking.notes,
        "created_at": utc_iso(booking.created_at),
        "status_changed_by": booking.status_changed_by,
        "status_changed_at": utc_iso(booking.status_changed_at),
    }


def public(uow: UnitOfWork, booking: Booking) -> dict[str, Any]:
    return booking_json(booking, uow.session.get(Provider, booking.provider_id), mask=True)


def refusal(error: BookingError) -> JSONResponse:
    alternative = error.alternative.isoformat() if error.alternative else None
    extra: dict[str, Any] = {"alternative": alternative}
    if isinstance(error, DuplicateBookingError):
        extra["reference"] = error.reference
    return error_response(error.status, error.code, error.message, **extra)


def unknown_reference(reference: str) -> JSONResponse:
    return error_response(
        404,
        "not_found",
        f"没有找到预约号“{reference[:20]}”、手机号也对得上的预约。"
        "请核对：预约号是6位数字，手机号是预约时留的号码。",
    )


def _submit(request: BookingRequest) -> tuple[dict[str, Any], bool]:
    booking, created = submit_booking(request)
    with unit_of_work() as uow:
        return public(uow, booking), created


@router.post("/api/bookings")
async def create(
    body: NewBooking, idempotency_key: str | None = Header(None, alias="Idempotency-Key")
) -> Any:
    if idempotency_key is not None and not IDEMPOTENCY_KEY.match(idempotency_key):
        return invalid_query(
            "Idempotency-Key", "Idempotency-Key 只能用字母、数字和 _.:-，长度1到80"
        )
    try:
        booking, created = await asyncio.to_thread(_submit, body.to_request(idempotency_key))
    except NotFoundError:  # the only thing a new booking can miss is its provider
        return error_response(
            422, "unknown_provider", f"没有编号为{body.provider_id}的服务点，请先查服务点列表。"
        )
    except BookingError as error:
        return refusal(error)
    return JSONResponse(status_code=201 if created else 200, content=booking)


def _owned(uow: UnitOfWork, reference: str, phone: str) -> Booking:
    """The booking, if `phone` is one of its numbers; otherwise not found."""
    booking = get_booking(uow, reference)
    if phone not in (booking.beneficiary_phone, booking.booked_by_phone):
        raise NotFoundError(reference)
    return booking


async def _on_booking(reference: str, phone: str, work: Callable[..., Booking], *args: Any) -> Any:
    """Run `work(uow, reference, *args)` for the booking's own family and
    answer with the booking or the refusal."""
    if not REFERENCE.match(reference):
        return unknown_reference(reference)

    def _run(uow: UnitOfWork) -> dict[str, Any]:
        if work is not get_booking:
            uow.lock_for_writing()  # before the ownership read, or the lock comes too late
        _owned(uow, reference, phone)
        return public(uow, work(uow, reference, *args))

    try:
        return await in_transaction(_run)
    except NotFoundError:
        return unknown_reference(reference)
    except BookingError as error:
        return refusal(error)


# The number that proves the caller is the booking's family (see above).
Phone = Query(..., min_length=1, max_length=20, description="服务对象或预约人的手机号")


@router.get("/api/bookings/{reference}")
async def show(reference: str, phone: str = Phone) -> Any:
    return await _on_booking(reference, phone, get_booking)


@router.post("/api/bookings/{reference}/cancel")
async def cancel(reference: str, phone: str = Phone) -> Any:
    return await _on_booking(reference, phone, cancel_booking)


@router.patch("/api/bookings/{reference}")
async def reschedule(reference: str, body: Reschedule, phone: str = Phone) -> Any:
    return await _on_booking(
        reference, phone, reschedule_booking, body.date, body.period, body.time
    )
