"""What makes a booking request bookable at a provider, checked before any
place is taken: the right kind of provider, an offered service and period
or time, a date that is neither past, beyond the horizon nor a closed day,
a mainland mobile number, and an address for delivery."""

from __future__ import annotations

import datetime as dt
import os
import re
from dataclasses import dataclass

from knowledge.booking.errors import InvalidBookingError
from knowledge.models import Provider
from knowledge.zh.dates import MEAL_PERIODS

MOBILE = re.compile(r"^1[3-9]\d{9}$")
DINE_IN, DELIVERY = "堂食", "送餐上门"
WEEKDAY_NAMES = "一二三四五六日"
MAX_NAME, MAX_ADDRESS, MAX_NOTES = 40, 200, 200


def horizon_days() -> int:
    """How far ahead bookings are taken (BOOKING_HORIZON_DAYS, default 14)."""
    return int(os.environ.get("BOOKING_HORIZON_DAYS") or 14)


@dataclass(frozen=True)
class Person:
    name: str
    phone: str
    address: str | None = None
    relation: str | None = None


@dataclass(frozen=True)
class BookingRequest:
    kind: str  # meal | visit
    provider_id: int
    date: dt.date
    beneficiary: Person
    period: str | None = None  # meals: breakfast | lunch | dinner
    time: str | None = None  # visits: "HH:MM"
    service: str | None = None  # visits: 探访, 助浴 …; meals: derived from delivery
    delivery: bool = False
    booked_by: Person | None = None
    notes: str = ""
    idempotency_key: str | None = None
    sender_id: str | None = None


def spoken_date(date: dt.date) -> str:
    return f"{date.month}月{date.day}号（星期{WEEKDAY_NAMES[date.weekday()]}）"


def spoken_time(clock: str) -> str:
    """ "14:30" → 下午2点半, as a visit time is said on the phone."""
    hour, minute = (int(part) for part in clock.split(":"))
    half = "上午" if hour < 12 else "下午"
    hour = hour if hour <= 12 else hour - 12
    rest = {0: "", 30: "半", 15: "一刻", 45: "三刻"}.get(minute, f"{minute}分")
    return f"{half}{hour}点{rest}"


def _check_person(person: Person, role: str) -> None:
    if not person.name.strip() or len(person.name) > MAX_NAME:
        raise InvalidBookingError(f"{role}的称呼要填，最多{MAX_NAME}个字。")
    if not MOBILE.match(person.phone):
        raise InvalidBookingError(f"{role}的手机号不对，要11位、1开头的手机号。")


def next_open_day(provider: Provider, after: dt.date, today: dt.date) -> dt.date | None:
    last = today + dt.timedelta(days=horizon_days())
    day = after + dt.timedelta(days=1)
    while day <= last:
        if day.weekday() not in (provider.closed_weekdays or []):
            return day
        day += dt.timedelta(days=1)
    return None


def check_horizon(date: dt.date, today: dt.date) -> None:
    """Refuse a past date, or one beyond the booking horizon, at any provider."""
    if date < today:
        raise InvalidBookingError(f"{spoken_date(date)}已经过了，最早能订今天。", alternative=today)
    if date > today + dt.timedelta(days=horizon_days()):
        raise InvalidBookingError(
            f"只能订{horizon_days()}天以内的，{spoken_date(date)}还太远。",
            alternative=today + dt.timedelta(days=horizon_days()),
        )


def check_date(provider: Provider, date: dt.date, today: dt.date) -> None:
    check_horizon(date, today)
    if date.weekday() in (provider.closed_weekdays or []):
        alternative = next_open_day(provider, date, today)
        suggestion = f"最近能订的是{spoken_date(alternative)}。" if alternative else ""
        raise InvalidBookingError(
            f"{provider.name}星期{WEEKDAY_NAMES[date.weekday()]}不开。{suggestion}",
            alternative=alternative,
        )


def fits_window(provider: Provider, time: str) -> bool:
    """Whether a visit at "HH:MM" starts inside one of the provider's windows."""
    return any(
        start <= time < end for start, _, end in (w.partition("-") for w in provider.periods)
    )


def check(request: BookingRequest, provider: Provider, today: dt.date) -> tuple[str, str]:
    """(capacity slot, service) for a bookable request; InvalidBookingError
    with the reason (and an alternative day where there is one) otherwise."""
    if not provider.active or provider.kind != request.kind:
        kind = "助餐点" if request.kind == "meal" else "上门服务"
        raise InvalidBookingError(f"这个编号不是在用的{kind}。")
    _check_person(request.beneficiary, "老人")
    if request.booked_by is not None:
        _check_person(request.booked_by, "预订人")
    if len(request.notes) > MAX_NOTES:
        raise InvalidBookingError(f"备注太长了，最多{MAX_NOTES}个字。")
    address = (request.beneficiary.address or "").strip()
    if len(address) > MAX_ADDRESS:
        raise InvalidBookingError(f"地址太长了，最多{MAX_ADDRESS}个字。")
    check_date(provider, request.date, today)
    if request.kind == "meal":
        if request.period not in MEAL_PERIODS or request.period not in provider.periods:
            offered = "、".join(MEAL_PERIODS[p] for p in provider.periods if p in MEAL_PERIODS)
            raise InvalidBookingError(f"{provider.name}只供应{offered}。")
        if request.delivery and not provider.delivery:
            raise InvalidBookingError(f"{provider.name}不送餐上门，只能到店吃。")
        if not request.delivery and not provider.dine_in:
            raise InvalidBookingError(f"{provider.name}只送餐上门，不能到店吃。")
        if request.delivery and not address:
            raise InvalidBookingError("送餐上门要留个地址。")
        return request.period, DELIVERY if request.delivery else DINE_IN
    if request.service not in (provider.services or []):
        offered = "、".join(provider.services or [])
        raise InvalidBookingError(f"{provider.name}提供的是：{offered}。")
    if not request.time or not fits_window(provider, request.time):
        windows = "、".join(provider.periods)
        raise InvalidBookingError(f"{provider.name}上门的时间是{windows}。")
    if not address:
        raise InvalidBookingError("上门服务要留个地址。")
    return "day", request.service
