"""The booking lifecycle: create → confirmed, query, reschedule, cancel.

Each function takes a `UnitOfWork` and does its work inside that one
transaction: the place is taken (or given back) in the same transaction
that writes the booking, so a failure anywhere leaves neither behind.
"""

from __future__ import annotations

import datetime as dt
import secrets

from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError

from knowledge.booking.errors import (
    DuplicateBookingError,
    FullError,
    NotFoundError,
    StateError,
)
from knowledge.booking.rules import BookingRequest, Person, check, next_open_day, spoken_date
from knowledge.db import UnitOfWork
from knowledge.models import Booking, CapacityUsage, Provider
from knowledge.zh.dates import today_in_china

# Digits only, and none that are misheard on the phone: 1/7 (yāo/qī).
REFERENCE_DIGITS = "02345689"
REFERENCE_LENGTH = 6
CONFIRMED, CANCELLED = "confirmed", "cancelled"


def new_reference() -> str:
    first = secrets.choice(REFERENCE_DIGITS[1:])  # no leading 0
    return first + "".join(secrets.choice(REFERENCE_DIGITS) for _ in range(REFERENCE_LENGTH - 1))


def _insert(uow: UnitOfWork):  # type: ignore[no-untyped-def]
    dialect = uow.session.get_bind().dialect.name
    return pg_insert if dialect == "postgresql" else sqlite_insert


def _take_place(uow: UnitOfWork, provider: Provider, date: dt.date, slot: str) -> bool:
    """Take one place in one statement that cannot overbook: the counter only
    moves while it is below capacity, and the row lock orders racing writers."""
    insert = _insert(uow)(CapacityUsage).values(
        provider_id=provider.id, date=date, slot=slot, taken=0
    )
    uow.session.execute(
        insert.on_conflict_do_nothing(index_elements=["provider_id", "date", "slot"])
    )
    taken = uow.session.execute(
        update(CapacityUsage)
        .where(
            CapacityUsage.provider_id == provider.id,
            CapacityUsage.date == date,
            CapacityUsage.slot == slot,
            CapacityUsage.taken < provider.daily_capacity,
        )
        .values(taken=CapacityUsage.taken + 1)
        .execution_options(synchronize_session=False)
    )
    return taken.rowcount == 1


def _give_back_place(uow: UnitOfWork, booking: Booking) -> None:
    uow.session.execute(
        update(CapacityUsage)
        .where(
            CapacityUsage.provider_id == booking.provider_id,
            CapacityUsage.date == booking.date,
            CapacityUsage.slot == booking.slot,
            CapacityUsage.taken > 0,
        )
        .values(taken=CapacityUsage.taken - 1)
        .execution_options(synchronize_session=False)
    )


def remaining(uow: UnitOfWork, provider: Provider, date: dt.date, slot: str) -> int:
    taken = uow.session.execute(
        select(CapacityUsage.taken).where(
            CapacityUsage.provider_id == provider.id,
            CapacityUsage.date == date,
            CapacityUsage.slot == slot,
        )
    ).scalar_one_or_none()
    return max(provider.daily_capacity - (taken or 0), 0)


def _provider(uow: UnitOfWork, provider_id: int) -> Provider:
    provider = uow.session.get(Provider, provider_id)
    if provider is None:
        raise NotFoundError("没有这个服务点。")
    return provider


def _live_duplicate(
    uow: UnitOfWork, phone: str, provider_id: int, service: str, date: dt.date, slot: str
) -> Booking | None:
    return uow.session.execute(
        select(Booking).where(
            Booking.beneficiary_phone == phone,
            Booking.provider_id == provider_id,
            Booking.service == service,
            Booking.date == date,
            Booking.slot == slot,
            Booking.status == CONFIRMED,
        )
    ).scalar_one_or_none()


def _full(provider: Provider, date: dt.date, today: dt.date) -> FullError:
    alternative = next_open_day(provider, date, today)
    suggestion = f"可以订{spoken_date(alternative)}的。" if alternative else ""
    return FullError(f"{provider.name}{spoken_date(date)}已经订满了。{suggestion}", alternative)


def by_idempotency_key(uow: UnitOfWork, key: str) -> Booking | None:
    return uow.session.execute(
        select(Booking).where(Booking.idempotency_key == key)
    ).scalar_one_or_none()


def create_booking(
    uow: UnitOfWork, request: BookingRequest, today: dt.date | None = None
) -> tuple[Booking, bool]:
    """(booking, created): a repeated submission with the same idempotency
    key returns the first booking with created=False."""
    uow.lock_for_writing()
    today = today or today_in_china()
    if request.idempotency_key and (earlier := by_idempotency_key(uow, request.idempotency_key)):
        return earlier, False
    provider = _provider(uow, request.provider_id)
    slot, service = check(request, provider, today)
    person = request.beneficiary
    if duplicate := _live_duplicate(uow, person.phone, provider.id, service, request.date, slot):
        raise DuplicateBookingError(
            f"{person.name}{spoken_date(request.date)}已经订过了，预约号{duplicate.reference}。",
            duplicate.reference,
        )
    if not _take_place(uow, provider, request.date, slot):
        raise _full(provider, request.date, today)
    booked_by = request.booked_by
    booking = Booking(
        reference=_unused_reference(uow),
        kind=request.kind,
        provider_id=provider.id,
        service=service,
        date=request.date,
        slot=slot,
        period=request.period if request.kind == "meal" else None,
        time=request.time if request.kind == "visit" else None,
        delivery=request.delivery if request.kind == "meal" else False,
        beneficiary_name=person.name.strip(),
        beneficiary_phone=person.phone,
        beneficiary_address=(person.address or "").strip() or None,
        booked_by_name=booked_by.name.strip() if booked_by else None,
        booked_by_phone=booked_by.phone if booked_by else None,
        booked_by_relation=booked_by.relation if booked_by else None,
        notes=request.notes.strip(),
        status=CONFIRMED,
        idempotency_key=request.idempotency_key,
        sender_id=request.sender_id,
    )
    uow.session.add(booking)
    try:
        uow.session.flush()
    except IntegrityError as error:  # a concurrent twin got in first
        raise DuplicateBookingError(f"{person.name}这一顿（这一次）已经订过了。") from error
    return booking, True


def _unused_reference(uow: UnitOfWork) -> str:
    while True:
        reference = new_reference()
        exists = uow.session.execute(
            select(Booking.id).where(Booking.reference == reference)
        ).first()
        if not exists:
            return reference


def get_booking(uow: UnitOfWork, reference: str) -> Booking:
    booking = uow.session.execute(
        select(Booking).where(Booking.reference == reference)
    ).scalar_one_or_none()
    if booking is None:
        raise NotFoundError(f"没有找到预约号{reference}的预约。")
    return booking


def find_bookings(uow: UnitOfWork, phone: str, today: dt.date | None = None) -> list[Booking]:
    """Upcoming live bookings for a person served or a person who booked."""
    today = today or today_in_china()
    return list(
        uow.session.execute(
            select(Booking)
            .where(
                (Booking.beneficiary_phone == phone) | (Booking.booked_by_phone == phone),
                Booking.status == CONFIRMED,
                Booking.date >= today,
            )
            .order_by(Booking.date, Booking.slot)
        ).scalars()
    )


def cancel_booking(uow: UnitOfWork, reference: str) -> Booking:
    uow.lock_for_writing()
    booking = get_booking(uow, reference)
    if booking.status != CONFIRMED:
        raise StateError(f"预约号{reference}已经取消了。")
    booking.status = CANCELLED
    _give_back_place(uow, booking)
    return booking


def reschedule_booking(
    uow: UnitOfWork,
    reference: str,
    date: dt.date,
    period: str | None = None,
    time: str | None = None,
    today: dt.date | None = None,
) -> Booking:
    """Move a live booking; the new place is taken before the old one is
    given back, all in one transaction."""
    uow.lock_for_writing()
    today = today or today_in_china()
    booking = get_booking(uow, reference)
    if booking.status != CONFIRMED:
        raise StateError(f"预约号{reference}已经取消了，不能改。")
    provider = _provider(uow, booking.provider_id)
    request = BookingRequest(
        kind=booking.kind,
        provider_id=provider.id,
        date=date,
        period=period or booking.period,
        time=time or booking.time,
        service=booking.service,
        delivery=booking.delivery,
        beneficiary=_person(booking),
    )
    slot, _ = check(request, provider, today)
    if (date, slot) == (booking.date, booking.slot):
        booking.time = request.time if booking.kind == "visit" else None
        return booking
    other = _live_duplicate(
        uow, booking.beneficiary_phone, provider.id, booking.service, date, slot
    )
    if other is not None:
        raise DuplicateBookingError(f"那天已经有预约了，预约号{other.reference}。", other.reference)
    if not _take_place(uow, provider, date, slot):
        raise _full(provider, date, today)
    _give_back_place(uow, booking)
    booking.date, booking.slot = date, slot
    booking.period = request.period if booking.kind == "meal" else None
    booking.time = request.time if booking.kind == "visit" else None
    return booking


def _person(booking: Booking) -> Person:
    return Person(booking.beneficiary_name, booking.beneficiary_phone, booking.beneficiary_address)
