"""Bookings by conversation through the real gateway, Rasa, the action
server and the database holding the sample provider directory: a meal for
a mother (with a correction before confirming), a visit for a father, and
a cancellation. The caller answers whatever the bot asks, as a person would."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import select

from knowledge.db import unit_of_work
from knowledge.models import Booking, Provider
from knowledge.zh.dates import today_in_china
from tests.e2e.conftest import RunningStack

DONE = "订好了！预约号是"


def caller() -> str:
    return f"e2e-book-{uuid.uuid4().hex[:10]}"


def converse(stack: RunningStack, sender: str, answers: dict[str, list[str]]) -> list[str]:
    """Answer each question from `answers` (a list is used up in order, its
    last answer repeated) until the booking is saved; the bot's texts."""
    said: list[str] = []
    for _ in range(14):
        requested = stack.tracker(sender)["slots"]["requested_slot"]
        if requested is None:
            return said
        queue = answers[requested]
        replies = stack.texts(sender, queue.pop(0) if len(queue) > 1 else queue[0])
        said += replies
        if any(DONE in text for text in replies):
            return said
    raise AssertionError(f"no booking after: {said}")


def bookings(stack: RunningStack, sender: str) -> list[tuple[Booking, Provider]]:
    with unit_of_work(stack.engine) as uow:
        rows = uow.session.execute(
            select(Booking, Provider)
            .join(Provider, Provider.id == Booking.provider_id)
            .where(Booking.sender_id == sender)
        ).all()
        return [(booking, provider) for booking, provider in rows]


def test_a_meal_for_a_mother_corrected_to_the_day_after_tomorrow(stack: RunningStack) -> None:
    sender = caller()
    first = stack.texts(sender, "给我妈订明天中午的饭，送到家，少放盐")
    assert first[-1] == "您母亲住在哪个区或者县？比如“梁溪区”。"
    said = converse(
        stack,
        sender,
        {
            "booking_district": ["无锡梁溪区"],
            "booking_provider": ["好"],
            "booking_name": ["王秀英"],
            "booking_phone": ["幺三九 一二三四 五六七八"],
            "booking_address": ["清名桥街道新民小区3栋201"],
            "booking_confirmed": ["不对，是后天", "对"],
        },
    )
    day_after = today_in_china() + dt.timedelta(days=2)
    read_backs = [t for t in said if t.startswith("我核对一下")]
    assert read_backs and f"{day_after.month}月{day_after.day}号" in read_backs[-1], said
    assert "好的，改过来了。" in said
    ((booking, provider),) = bookings(stack, sender)
    assert (booking.date, booking.period, booking.delivery) == (day_after, "lunch", True)
    assert (booking.beneficiary_name, booking.beneficiary_phone) == ("王秀英", "13912345678")
    assert booking.notes == "少盐" and booking.status == "confirmed"
    assert (provider.region, provider.district) == ("无锡市", "梁溪区")
    assert any(booking.reference in text for text in said)

    # The same caller cancels it.
    offer = stack.texts(sender, "后天的饭不要了")
    assert f"预约号{booking.reference}" in offer[-1] and "要取消" in offer[-1]
    assert any("已经取消了" in text for text in stack.texts(sender, "对"))
    ((cancelled, _),) = bookings(stack, sender)
    assert cancelled.status == "cancelled"


def test_a_visit_for_a_father_from_one_sentence(stack: RunningStack) -> None:
    sender = caller()
    stack.texts(sender, "明天上午九点约个陪诊，我爸住在章贡区")
    said = converse(
        stack,
        sender,
        {
            "booking_provider": ["行"],
            "booking_name": ["刘德福"],
            "booking_phone": ["13800001111"],
            "booking_address": ["章贡区南门口社区5栋102"],
            "booking_confirmed": ["是的"],
        },
    )
    ((booking, provider),) = bookings(stack, sender)
    tomorrow = today_in_china() + dt.timedelta(days=1)
    assert (booking.kind, booking.service, booking.date) == ("visit", "陪诊", tomorrow)
    assert (booking.time, booking.beneficiary_name) == ("09:00", "刘德福")
    assert (provider.region, provider.district) == ("赣州市", "章贡区")
    assert any("上午9点" in text for text in said)
