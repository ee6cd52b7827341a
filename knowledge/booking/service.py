"""The booking lifecycle: create → confirmed, query, reschedule, cancel.

Each function takes a `UnitOfWork` and does its work inside that one
transaction: the place is taken (or given back) in the same transaction
that writes the booking, so a failure anywhere leaves neither behind.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import case, func, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.sql import Select

from knowledge.booking.errors import (
    BookingError,
    DuplicateBookingError,
    FullError,
    InvalidBookingError,
    NotFoundError,
    StateError,
)
from knowledge.booking.rules import BookingRequest, Person, check, next_open_day, spoken_date
from knowledge.db import UnitOfWork, unit_of_work
from knowledge.models import Booking, CapacityUsage, Provider
from knowledge.models.base import utcnow
from knowledge.zh.dates import MEAL_PERIODS, today_in_china

# Digits only, and none that are misheard on the phone: 1/7 (yāo/qī).
REFERENCE_DIGITS = "02345689"
REFERENCE_LENGTH = 6
CONFIRMED, CANCELLED = "confirmed", "cancelled"
COMPLETED, NO_SHOW = "completed", "no_show"  # set by staff on or after the day
STATUSES = (CONFIRMED, COMPLETED, NO_SHOW, CANCELLED)
STATUS_NAMES = {CONFIRMED: "已预约", COMPLETED: "已完成", NO_SHOW: "未到", CANCELLED: "已取消"}
# Slots in the order of the day (alphabetical order would put dinner first).
SLOT_ORDER = {"breakfast": 0, "lunch": 1, "dinner": 2, "day": 3}


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


def slots_of(provider: Provider) -> list[str]:
    """The capacity slots a provider offers: its meal periods, or the whole day for visits."""
    if provider.kind == "meal":
        return [period for period in MEAL_PERIODS if period in (provider.periods or [])]
    return ["day"]


def remaining_by_day(
    uow: UnitOfWork, providers: Sequence[Provider], dates: Sequence[dt.date]
) -> dict[int, dict[dt.date, dict[str, int]]]:
    """Places left per provider, open day and slot: {provider id: {date: {slot: n}}}.

    One query over capacity_usage for the whole listing, so a page of
    providers over two weeks costs one round trip, not one per provider/day.
    Days a provider is closed are left out.
    """
    taken: dict[tuple[int, dt.date, str], int] = {}
    if providers and dates:
        rows = uow.session.execute(
            select(
                CapacityUsage.provider_id,
                CapacityUsage.date,
                CapacityUsage.slot,
                CapacityUsage.taken,
            ).where(
                CapacityUsage.provider_id.in_([provider.id for provider in providers]),
                CapacityUsage.date.between(min(dates), max(dates)),
            )
        )
        taken = {(row.provider_id, row.date, row.slot): row.taken for row in rows}
    return {
        provider.id: {
            date: {
                slot: max(provider.daily_capacity - taken.get((provider.id, date, slot), 0), 0)
                for slot in slots_of(provider)
            }
            for date in dates
            if date.weekday() not in (provider.closed_weekdays or [])
        }
        for provider in providers
    }


def _provider(uow: UnitOfWork, provider_id: int) -> Provider:
    provider = uow.session.get(Provider, provider_id)
    if provider is None:
        raise NotFoundError("没有这个服务点。")
    return provider


def _live_duplicate(
    uow: UnitOfWork, person: Person, provider_id: int, service: str, date: dt.date, slot: str
) -> Booking | None:
    """The same person's live booking of the same service and slot. A person
    is a name and a phone: two parents often share one contact number."""
    return uow.session.execute(
        select(Booking).where(
            Booking.beneficiary_phone == person.phone,
            Booking.beneficiary_name == person.name.strip(),
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
    if duplicate := _live_duplicate(uow, person, provider.id, service, request.date, slot):
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


def submit_booking(
    request: BookingRequest, today: dt.date | None = None, engine: Engine | None = None
) -> tuple[Booking, bool]:
    """The one entry point for creating a booking from outside (API, bot):
    (booking, created) in its own committed transaction.

    A submission racing its own retry (same idempotency key) loses at the
    unique index, or finds the last place taken by its twin; either way the
    twin's booking is the answer, so it is returned as a replay
    (created=False). A racing duplicate without a key gets the reference of
    the booking that won.
    """
    today = today or today_in_china()
    try:
        with unit_of_work(engine) as uow:
            return create_booking(uow, request, today)
    except BookingError as error:
        if request.idempotency_key:
            with unit_of_work(engine) as uow:
                earlier = by_idempotency_key(uow, request.idempotency_key)
            if earlier is not None:
                return earlier, False
        if isinstance(error, DuplicateBookingError) and error.reference is None:
            with unit_of_work(engine) as uow:
                named = _duplicate_of_winner(uow, request, today)
            if named is not None:
                raise named from error
        raise


def _duplicate_of_winner(
    uow: UnitOfWork, request: BookingRequest, today: dt.date
) -> DuplicateBookingError | None:
    """The error naming the live booking a racing duplicate collided with,
    read after the winner committed."""
    provider = _provider(uow, request.provider_id)
    slot, service = check(request, provider, today)
    person = request.beneficiary
    winner = _live_duplicate(uow, person, provider.id, service, request.date, slot)
    if winner is None:
        return None
    return DuplicateBookingError(
        f"{person.name}{spoken_date(request.date)}已经订过了，预约号{winner.reference}。",
        winner.reference,
    )


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


def find_bookings(
    uow: UnitOfWork,
    phone: str | None = None,
    sender_id: str | None = None,
    today: dt.date | None = None,
) -> list[Booking]:
    """Upcoming live bookings for a phone number (of the person served or of
    the person who booked) or made in one conversation."""
    today = today or today_in_china()
    if phone:
        whose = (Booking.beneficiary_phone == phone) | (Booking.booked_by_phone == phone)
    elif sender_id:
        whose = Booking.sender_id == sender_id
    else:
        return []
    return list(
        uow.session.execute(
            select(Booking)
            .where(whose, Booking.status == CONFIRMED, Booking.date >= today)
            .order_by(Booking.date, Booking.slot)
        ).scalars()
    )


def has_bookings(uow: UnitOfWork, sender_id: str) -> bool:
    """Whether this conversation has made any booking that is still to come."""
    return bool(find_bookings(uow, sender_id=sender_id))


def _not_live(booking: Booking) -> StateError:
    return StateError(
        f"预约号{booking.reference}已经是“{STATUS_NAMES.get(booking.status, booking.status)}”了。"
    )


def cancel_booking(uow: UnitOfWork, reference: str) -> Booking:
    uow.lock_for_writing()
    booking = get_booking(uow, reference)
    if booking.status != CONFIRMED:
        raise _not_live(booking)
    booking.status = CANCELLED
    _give_back_place(uow, booking)
    return booking


def change_status(
    uow: UnitOfWork,
    reference: str,
    status: str,
    staff_username: str,
    today: dt.date | None = None,
) -> Booking:
    """A 养老顾问 closes a live booking: served (completed), the person was
    not there (no_show), or cancelled on their behalf (the place goes back).
    Only a live booking changes, and only to an end state: a served meal is
    never reopened, so places are never counted twice."""
    if status not in STATUSES or status == CONFIRMED:
        raise InvalidBookingError(
            "状态只能改成：" + "、".join(f"{STATUS_NAMES[s]}（{s}）" for s in STATUSES[1:]) + "。"
        )
    uow.lock_for_writing()
    booking = get_booking(uow, reference)
    if booking.status != CONFIRMED:
        raise _not_live(booking)
    if status in (COMPLETED, NO_SHOW) and booking.date > (today or today_in_china()):
        raise InvalidBookingError(
            f"预约在{booking.date.isoformat()}，还没到日子，不能标记为“{STATUS_NAMES[status]}”。"
        )
    if status == CANCELLED:
        _give_back_place(uow, booking)
    booking.status = status
    booking.status_changed_by = staff_username
    booking.status_changed_at = utcnow()
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
        raise _not_live(booking)
    if (period and booking.kind != "meal") or (time and booking.kind != "visit"):
        raise InvalidBookingError(
            "上门服务改的是日期和几点（time），订餐改的是日期和哪一顿（period）。"
        )
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
    other = _live_duplicate(uow, _person(booking), provider.id, booking.service, date, slot)
    if other is not None:
        raise DuplicateBookingError(f"那天已经有预约了，预约号{other.reference}。", other.reference)
    if not _take_place(uow, provider, date, slot):
        raise _full(provider, date, today)
    _give_back_place(uow, booking)
    booking.date, booking.slot = date, slot
    booking.period = request.period if booking.kind == "meal" else None
    booking.time = request.time if booking.kind == "visit" else None
    return booking


@dataclass(frozen=True)
class BookingFilter:
    """What staff narrow the booking list by; None means any."""

    date_from: dt.date | None = None
    date_to: dt.date | None = None
    provider_id: int | None = None
    region: str | None = None
    status: str | None = None
    # A reference, a phone number, or part of the served person's name.
    text: str | None = None


def _filtered(query: Select, filters: BookingFilter) -> Select:
    query = query.join(Provider, Provider.id == Booking.provider_id)
    if filters.date_from:
        query = query.where(Booking.date >= filters.date_from)
    if filters.date_to:
        query = query.where(Booking.date <= filters.date_to)
    if filters.provider_id is not None:
        query = query.where(Booking.provider_id == filters.provider_id)
    if filters.region:
        query = query.where(Provider.region == filters.region)
    if filters.status:
        query = query.where(Booking.status == filters.status)
    if filters.text:
        query = query.where(
            or_(
                Booking.reference == filters.text,
                Booking.beneficiary_phone == filters.text,
                Booking.booked_by_phone == filters.text,
                Booking.beneficiary_name.contains(filters.text, autoescape=True),
            )
        )
    return query


def list_bookings(
    uow: UnitOfWork, filters: BookingFilter, limit: int = 50, offset: int = 0
) -> tuple[int, list[tuple[Booking, Provider]]]:
    """(total matching, one page of (booking, provider)): newest day first,
    then the day's slots in order, so staff see what is coming up together."""
    total = uow.session.execute(_filtered(select(func.count(Booking.id)), filters)).scalar_one()
    slot_order = case(SLOT_ORDER, value=Booking.slot, else_=len(SLOT_ORDER))
    page = uow.session.execute(
        _filtered(select(Booking, Provider), filters)
        .order_by(Booking.date.desc(), slot_order, Booking.time, Booking.id)
        .limit(limit)
        .offset(offset)
    )
    return total, [(booking, provider) for booking, provider in page]


def _person(booking: Booking) -> Person:
    return Person(booking.beneficiary_name, booking.beneficiary_phone, booking.beneficiary_address)
