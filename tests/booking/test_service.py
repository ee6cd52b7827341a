"""The booking lifecycle against real SQLite and PostgreSQL databases:
validation with reasons, capacity, duplicates, idempotency, cancel and
reschedule, and concurrent requests for the last places."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import Engine

from knowledge.booking.errors import (
    BookingError,
    DuplicateBookingError,
    FullError,
    InvalidBookingError,
    StateError,
)
from knowledge.booking.rules import BookingRequest, Person
from knowledge.booking.service import (
    REFERENCE_DIGITS,
    REFERENCE_LENGTH,
    cancel_booking,
    create_booking,
    find_bookings,
    remaining,
    reschedule_booking,
)
from knowledge.db import unit_of_work
from knowledge.models import Booking, Provider
from tests.booking.providers import add_provider

TODAY = dt.date(2026, 11, 23)  # a Monday
TOMORROW = TODAY + dt.timedelta(days=1)
MOTHER = Person("王秀英", "13912345678", "梁溪区清名桥街道1号")
DAUGHTER = Person("李娟", "13800001111", relation="女儿")


def meal(provider_id: int, **overrides: object) -> BookingRequest:
    values: dict[str, object] = {
        "kind": "meal",
        "provider_id": provider_id,
        "date": TOMORROW,
        "period": "lunch",
        "delivery": True,
        "beneficiary": MOTHER,
        "booked_by": DAUGHTER,
        "notes": "少盐，软食",
    }
    values.update(overrides)
    return BookingRequest(**values)  # type: ignore[arg-type]


def book(engine: Engine, request: BookingRequest) -> Booking:
    with unit_of_work(engine) as uow:
        return create_booking(uow, request, today=TODAY)[0]


def test_a_meal_booked_for_a_mother_by_her_daughter(engine: Engine) -> None:
    booking = book(engine, meal(add_provider(engine)))
    assert booking.status == "confirmed" and booking.service == "送餐上门"
    assert len(booking.reference) == REFERENCE_LENGTH
    assert set(booking.reference) <= set(REFERENCE_DIGITS) and booking.reference[0] != "0"
    assert booking.beneficiary_name == "王秀英" and booking.booked_by_relation == "女儿"
    assert booking.notes == "少盐，软食"
    with unit_of_work(engine) as uow:
        assert [b.reference for b in find_bookings(uow, DAUGHTER.phone, today=TODAY)] == [
            booking.reference
        ]


@pytest.mark.parametrize(
    ("overrides", "reason"),
    [
        ({"date": TODAY - dt.timedelta(days=1)}, "已经过了"),
        ({"date": TODAY + dt.timedelta(days=30)}, "还太远"),
        ({"date": dt.date(2026, 11, 29)}, "星期日不开"),  # closed on Sundays
        ({"period": "breakfast"}, "只供应午餐、晚餐"),
        ({"beneficiary": Person("王秀英", "1391234", "地址")}, "手机号不对"),
        ({"beneficiary": Person("王秀英", "13912345678")}, "要留个地址"),
        ({"beneficiary": Person(" ", "13912345678", "地址")}, "称呼要填"),
        ({"notes": "很" * 500}, "备注太长"),
        ({"kind": "visit"}, "不是在用的"),
    ],
)
def test_unbookable_requests_say_why(engine: Engine, overrides: dict, reason: str) -> None:
    provider_id = add_provider(engine)
    with pytest.raises(InvalidBookingError, match=reason):
        book(engine, meal(provider_id, **overrides))


def test_a_closed_day_offers_the_next_open_one(engine: Engine) -> None:
    provider_id = add_provider(engine)
    with pytest.raises(InvalidBookingError) as refused:
        book(engine, meal(provider_id, date=dt.date(2026, 11, 29)))
    assert refused.value.alternative == dt.date(2026, 11, 30)


def test_the_same_person_same_meal_twice_is_a_duplicate(engine: Engine) -> None:
    provider_id = add_provider(engine)
    first = book(engine, meal(provider_id))
    with pytest.raises(DuplicateBookingError) as duplicate:
        book(engine, meal(provider_id))
    assert duplicate.value.reference == first.reference
    book(engine, meal(provider_id, period="dinner"))  # another meal is fine


def test_two_parents_sharing_one_phone_are_two_people(engine: Engine) -> None:
    provider_id = add_provider(engine)
    father = Person("李建国", MOTHER.phone, MOTHER.address)
    with unit_of_work(engine) as uow:
        first, _ = create_booking(uow, meal(provider_id), TODAY)
        second, created = create_booking(uow, meal(provider_id, beneficiary=father), TODAY)
    assert created and first.reference != second.reference


def test_an_idempotency_key_returns_the_first_booking(engine: Engine) -> None:
    provider_id = add_provider(engine)
    with unit_of_work(engine) as uow:
        first, created = create_booking(uow, meal(provider_id, idempotency_key="k-1"), TODAY)
    with unit_of_work(engine) as uow:
        again, created_again = create_booking(uow, meal(provider_id, idempotency_key="k-1"), TODAY)
    assert created and not created_again and again.reference == first.reference


def test_full_is_refused_with_the_next_day(engine: Engine) -> None:
    provider_id = add_provider(engine, daily_capacity=1)
    book(engine, meal(provider_id))
    with pytest.raises(FullError) as full:
        book(engine, meal(provider_id, beneficiary=Person("张三", "13700000000", "地址")))
    assert full.value.alternative == TOMORROW + dt.timedelta(days=1)


def test_cancel_gives_the_place_back_and_cannot_repeat(engine: Engine) -> None:
    provider_id = add_provider(engine, daily_capacity=1)
    booking = book(engine, meal(provider_id))
    with unit_of_work(engine) as uow:
        cancel_booking(uow, booking.reference)
    with unit_of_work(engine) as uow:
        provider = uow.session.get(Provider, provider_id)
        assert remaining(uow, provider, TOMORROW, "lunch") == 1
    with pytest.raises(StateError), unit_of_work(engine) as uow:
        cancel_booking(uow, booking.reference)
    book(engine, meal(provider_id))  # the place and the person are free again


def test_reschedule_moves_the_place(engine: Engine) -> None:
    provider_id = add_provider(engine, daily_capacity=1)
    booking = book(engine, meal(provider_id))
    later = TOMORROW + dt.timedelta(days=1)
    with unit_of_work(engine) as uow:
        moved = reschedule_booking(uow, booking.reference, later, today=TODAY)
    assert moved.date == later and moved.reference == booking.reference
    with unit_of_work(engine) as uow:
        provider = uow.session.get(Provider, provider_id)
        assert remaining(uow, provider, TOMORROW, "lunch") == 1
        assert remaining(uow, provider, later, "lunch") == 0
    with pytest.raises(InvalidBookingError, match="已经过了"), unit_of_work(engine) as uow:
        reschedule_booking(uow, booking.reference, TODAY - dt.timedelta(days=2), today=TODAY)


def test_visit_needs_an_offered_service_and_time(engine: Engine) -> None:
    provider_id = add_provider(
        engine,
        code="T-VISIT",
        kind="visit",
        name="清名桥上门服务队",
        services=["探访", "助浴"],
        periods=["08:00-12:00", "14:00-17:00"],
        dine_in=False,
        delivery=False,
        closed_weekdays=[],
    )
    visit = {"kind": "visit", "period": None, "delivery": False, "service": "助浴", "time": "09:30"}
    booking = book(engine, meal(provider_id, **visit))
    assert (booking.service, booking.time, booking.slot) == ("助浴", "09:30", "day")
    with pytest.raises(InvalidBookingError, match="上门的时间"):
        book(engine, meal(provider_id, **(visit | {"time": "13:00", "service": "探访"})))
    with pytest.raises(InvalidBookingError, match="提供的是"):
        book(engine, meal(provider_id, **(visit | {"service": "理发"})))


def test_twenty_simultaneous_requests_for_five_places(engine: Engine) -> None:
    """Exactly five succeed, the rest are told it is full, and the database
    holds five bookings: on SQLite and on PostgreSQL."""
    provider_id = add_provider(engine, daily_capacity=8)
    for index in range(3):  # 3 of 8 places already taken: 5 left
        book(engine, meal(provider_id, beneficiary=Person("先订", f"1360000000{index}", "地址")))
    start = threading.Barrier(20)
    outcomes: list[str] = []

    def attempt(index: int) -> None:
        request = meal(
            provider_id, beneficiary=Person(f"老人{index}", f"135000000{index:02d}", "地")
        )
        start.wait()
        try:
            book(engine, request)
            outcomes.append("booked")
        except BookingError as error:
            outcomes.append(error.code)

    threads = [threading.Thread(target=attempt, args=(i,)) for i in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["booked"] * 5 + ["full"] * 15
    with unit_of_work(engine) as uow:
        count = uow.session.execute(
            select(func.count()).select_from(Booking).where(Booking.provider_id == provider_id)
        ).scalar_one()
        assert count == 8
        provider = uow.session.get(Provider, provider_id)
        assert remaining(uow, provider, TOMORROW, "lunch") == 0


def test_a_repeated_submission_racing_itself_books_once(engine: Engine) -> None:
    provider_id = add_provider(engine)
    start = threading.Barrier(10)
    outcomes: list[str] = []

    def attempt() -> None:
        start.wait()
        try:
            book(engine, meal(provider_id))
            outcomes.append("booked")
        except BookingError as error:
            outcomes.append(error.code)

    threads = [threading.Thread(target=attempt) for _ in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["booked"] + ["duplicate"] * 9
    with unit_of_work(engine) as uow:
        provider = uow.session.get(Provider, provider_id)
        assert remaining(uow, provider, TOMORROW, "lunch") == 4  # one place taken, not ten
