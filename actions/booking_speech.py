"""How bookings are said: one sentence a caller can check by ear.

The same words serve the read-back before saving, the confirmation after
it and the answer to "我订了啥", so a caller hears a booking described the
same way every time.
"""

from __future__ import annotations

import datetime as dt

from knowledge.booking.rules import DELIVERY, spoken_date, spoken_time
from knowledge.models import Booking
from knowledge.zh.dates import MEAL_PERIODS

SPOKEN_DIGITS = dict(zip("0123456789", "零一二三四五六七八九", strict=True))


def spoken_reference(reference: str) -> str:
    """358204 → 三、五、八、二、零、四: one digit at a time, as said on the phone."""
    return "、".join(SPOKEN_DIGITS[d] for d in reference)


def spoken_phone(phone: str) -> str:
    """13912345678 → 139 1234 5678, the groups people say a number in."""
    return f"{phone[:3]} {phone[3:7]} {phone[7:]}"


def describe(
    kind: str,
    date: dt.date,
    provider: str,
    *,
    period: str | None = None,
    time: str | None = None,
    service: str | None = None,
    address: str | None = None,
) -> str:
    """12月3号（星期四）的午餐，清名桥长者食堂送到清名桥街道1号; without an
    address, "登记的地址"."""
    when = spoken_date(date)
    address = address or "登记的地址"
    if kind == "meal":
        meal = MEAL_PERIODS.get(period or "", "饭")
        if service == DELIVERY:
            return f"{when}的{meal}，{provider}送到{address}"
        return f"{when}的{meal}，到{provider}吃"
    clock = spoken_time(time) if time else ""
    return f"{when}{clock}，{provider}上门{service}，地址是{address}"


def describe_booking(booking: Booking, provider: str, with_address: bool = True) -> str:
    """One booking in a sentence; `with_address=False` for a caller who found
    it by number rather than made it in this conversation."""
    return describe(
        booking.kind,
        booking.date,
        provider,
        period=booking.period,
        time=booking.time,
        service=booking.service,
        address=booking.beneficiary_address if with_address else None,
    )
