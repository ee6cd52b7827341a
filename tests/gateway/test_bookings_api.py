"""The booking REST API against real SQLite and PostgreSQL databases:
provider listing with places left, booking, refusals with Chinese reasons,
idempotency, cancel, reschedule, masking, the staff listing, and
simultaneous requests through the real gateway served by uvicorn."""

from __future__ import annotations

import asyncio
import datetime as dt
import threading
import time
from collections import Counter
from collections.abc import Iterator
from functools import partial
from typing import Any

import httpx
import pytest
import uvicorn
from fastapi.testclient import TestClient
from sqlalchemy import event, func, inspect, select
from sqlalchemy.engine import Engine

from knowledge.db import engine_for, unit_of_work
from knowledge.models import Booking
from knowledge.zh.dates import today_in_china
from scripts.stack import free_port
from tests.booking.providers import add_provider as add_provider_closed_sundays
from tests.gateway.staff_login import log_in

MOTHER = {"name": "王秀英", "phone": "13912345678", "address": "梁溪区清名桥街道1号"}
DAUGHTER = {"name": "李娟", "phone": "13800001111", "relation": "女儿"}
OWN = {"phone": DAUGHTER["phone"]}  # the booker's number opens her bookings


def day(offset: int) -> dt.date:
    """A date relative to today in China, as the service sees it."""
    return today_in_china() + dt.timedelta(days=offset)


# Open every day, so that tests do not depend on the weekday they run on.
add_provider = partial(add_provider_closed_sundays, closed_weekdays=[])


def add_visit_provider(engine: Engine, **overrides: object) -> int:
    values: dict[str, object] = {
        "code": "T-VISIT",
        "kind": "visit",
        "name": "滨湖上门服务队",
        "district": "滨湖区",
        "street": "河埒街道",
        "services": ["探访", "助浴"],
        "periods": ["08:00-12:00", "14:00-17:00"],
        "dine_in": False,
        "delivery": False,
    }
    return add_provider(engine, **(values | overrides))


def meal(provider_id: int, offset: int = 1, **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "kind": "meal",
        "provider_id": provider_id,
        "date": day(offset).isoformat(),
        "period": "lunch",
        "delivery": True,
        "beneficiary": MOTHER,
        "booked_by": DAUGHTER,
        "notes": "少盐",
    }
    return body | overrides


def visit(provider_id: int, **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "kind": "visit",
        "provider_id": provider_id,
        "date": day(1).isoformat(),
        "time": "09:30",
        "service": "助浴",
        "beneficiary": MOTHER,
    }
    return body | overrides


def elder(index: int) -> dict[str, str]:
    return {"name": f"老人{index}", "phone": f"135{index:08d}", "address": "清名桥街道3号"}


def is_chinese(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


def confirmed(engine: Engine, provider_id: int, date: dt.date, slot: str) -> int:
    with unit_of_work(engine) as uow:
        return uow.session.execute(
            select(func.count(Booking.id)).where(
                Booking.provider_id == provider_id,
                Booking.date == date,
                Booking.slot == slot,
                Booking.status == "confirmed",
            )
        ).scalar_one()


def lunch_left(client: TestClient, provider_id: int, date: dt.date) -> int:
    listing = client.get("/api/providers", params={"days": 14}).json()
    (provider,) = (p for p in listing if p["id"] == provider_id)
    (entry,) = (r for r in provider["remaining"] if r["date"] == date.isoformat())
    return entry["slots"]["lunch"]


# ---- providers ---------------------------------------------------------------


def test_providers_are_listed_with_filters_and_places_left(
    client: TestClient, engine: Engine
) -> None:
    closed = day(1).weekday()
    meal_id = add_provider(engine, closed_weekdays=[closed])
    visit_id = add_visit_provider(engine, daily_capacity=3)
    add_provider(engine, code="T-GZ", name="赣州食堂", region="赣州市", district="章贡区")
    add_provider(engine, code="T-OLD", name="停用食堂", active=False)

    listing = client.get("/api/providers", params={"region": "无锡"})
    assert listing.status_code == 200
    assert {p["id"] for p in listing.json()} == {meal_id, visit_id}
    meals = client.get("/api/providers", params={"kind": "meal", "region": "无锡市"}).json()
    assert [p["id"] for p in meals] == [meal_id]
    (canteen,) = meals
    assert canteen["capacity"] == 5 and canteen["closed_weekdays"] == [closed]
    assert canteen["dine_in"] and canteen["delivery"] and canteen["sample"] is False
    dates = [entry["date"] for entry in canteen["remaining"]]
    assert len(dates) == 6 and day(1).isoformat() not in dates  # 7 days, one closed
    assert canteen["remaining"][0] == {
        "date": day(0).isoformat(),
        "slots": {"lunch": 5, "dinner": 5},
    }
    visits = client.get("/api/providers", params={"district": "滨湖区", "days": 2}).json()
    assert [p["remaining"] for p in visits] == [
        [{"date": day(n).isoformat(), "slots": {"day": 3}} for n in (0, 1)]
    ]

    assert client.post("/api/bookings", json=meal(meal_id, offset=2)).status_code == 201
    (after,) = client.get("/api/providers", params={"kind": "meal", "region": "无锡"}).json()
    (entry,) = (r for r in after["remaining"] if r["date"] == day(2).isoformat())
    assert entry["slots"] == {"lunch": 4, "dinner": 5}


def test_places_left_cost_one_query_however_many_providers_and_days(
    client: TestClient, engine: Engine, use_database: str
) -> None:
    for index in range(4):
        add_provider(engine, code=f"T-{index}", name=f"食堂{index}")
    statements: list[str] = []

    def record(_conn, _cursor, statement: str, *_args: object) -> None:  # type: ignore[no-untyped-def]
        statements.append(statement)

    event.listen(engine_for(use_database), "before_cursor_execute", record)
    try:
        assert len(client.get("/api/providers", params={"days": 14}).json()) == 4
    finally:
        event.remove(engine_for(use_database), "before_cursor_execute", record)
    assert sum("capacity_usage" in statement for statement in statements) == 1


@pytest.mark.parametrize(
    ("params", "code"),
    [
        ({"region": "火星"}, "unknown_region"),
        ({"kind": "taxi"}, "invalid_request"),
        ({"days": 15}, "invalid_request"),
        ({"days": 0}, "invalid_request"),
    ],
)
def test_bad_provider_queries_are_422_in_chinese(
    client: TestClient, params: dict, code: str
) -> None:
    response = client.get("/api/providers", params=params)
    assert response.status_code == 422 and response.json()["error"] == code
    assert is_chinese(response.json()["detail"])


# ---- creating ------------------------------------------------------------------


def test_a_meal_booked_for_a_mother_by_her_daughter(client: TestClient, engine: Engine) -> None:
    provider_id = add_provider(engine)
    response = client.post("/api/bookings", json=meal(provider_id))
    assert response.status_code == 201
    booking = response.json()
    assert len(booking["reference"]) == 6 and booking["status"] == "confirmed"
    assert booking["provider"] == {
        "id": provider_id,
        "name": "清名桥长者食堂",
        "address": "清名桥街道2号",
        "phone": "051000000000",
    }
    assert (booking["kind"], booking["service"], booking["delivery"]) == ("meal", "送餐上门", True)
    assert (booking["date"], booking["period"], booking["time"]) == (
        day(1).isoformat(),
        "lunch",
        None,
    )
    assert booking["notes"] == "少盐"
    assert booking["beneficiary"] == {**MOTHER, "phone": "139****5678"}
    assert booking["booked_by"] == {**DAUGHTER, "phone": "138****1111"}
    assert booking["created_at"].endswith("+00:00")


def test_a_visit_is_booked_for_a_time(client: TestClient, engine: Engine) -> None:
    provider_id = add_visit_provider(engine)
    response = client.post("/api/bookings", json=visit(provider_id))
    assert response.status_code == 201
    booking = response.json()
    assert (booking["kind"], booking["service"], booking["time"]) == ("visit", "助浴", "09:30")
    assert booking["period"] is None and booking["booked_by"] is None
    assert confirmed(engine, provider_id, day(1), "day") == 1


@pytest.mark.parametrize(
    ("body", "code", "reason"),
    [
        (lambda p, v: meal(p, offset=-1), "invalid", "已经过了"),
        (lambda p, v: meal(p, beneficiary=MOTHER | {"phone": "1391234"}), "invalid", "手机号不对"),
        (
            lambda p, v: meal(p, beneficiary={"name": "王秀英", "phone": "13912345678"}),
            "invalid",
            "送餐上门要留个地址",
        ),
        (lambda p, v: visit(v, service="理发"), "invalid", "提供的是"),
        (lambda p, v: visit(v, time="13:00"), "invalid", "上门的时间"),
        (lambda p, v: visit(v, period="lunch"), "invalid_request", "上门服务不填 period"),
        (lambda p, v: meal(p, period=None), "invalid_request", "订餐要选哪一顿"),
        (lambda p, v: meal(p, period="brunch"), "invalid_request", "period 只能是"),
        (lambda p, v: meal(p, kind="taxi"), "invalid_request", "kind 只能是"),
        (lambda p, v: meal(p, notes="很" * 3400), "invalid", "备注太长"),
        (lambda p, v: meal(p, date="下周三"), "invalid_request", "年-月-日"),
        (lambda p, v: meal(p, date=20261201), "invalid_request", "年-月-日"),
        (lambda p, v: meal(p, time="09:30"), "invalid_request", "订餐不填 time"),
        (lambda p, v: visit(v, time="9:30:00"), "invalid_request", "时:分"),
        (lambda p, v: meal(999_999), "unknown_provider", "没有编号为999999"),
        (lambda p, v: meal(p, price=0), "invalid_request", "请求内容有误"),
        (
            lambda p, v: meal(p, booked_by=DAUGHTER | {"relation": "亲" * 21}),
            "invalid_request",
            "关系最多",
        ),
    ],
    ids=[
        "past-date",
        "bad-phone",
        "delivery-without-address",
        "unknown-service",
        "visit-outside-hours",
        "period-for-a-visit",
        "meal-without-period",
        "unknown-period",
        "unknown-kind",
        "10kB-notes",
        "spoken-date",
        "numeric-date",
        "time-for-a-meal",
        "bad-clock",
        "unknown-provider",
        "unknown-field",
        "long-relation",
    ],
)
def test_unbookable_requests_are_422_with_a_chinese_reason(
    client: TestClient, engine: Engine, body: Any, code: str, reason: str
) -> None:
    meal_id, visit_id = add_provider(engine), add_visit_provider(engine)
    response = client.post("/api/bookings", json=body(meal_id, visit_id))
    assert response.status_code == 422, response.json()
    assert response.json()["error"] == code and reason in response.json()["detail"]
    assert confirmed(engine, meal_id, day(1), "lunch") == 0


def test_a_past_date_suggests_today(client: TestClient, engine: Engine) -> None:
    response = client.post("/api/bookings", json=meal(add_provider(engine), offset=-1))
    assert response.json()["alternative"] == day(0).isoformat()


@pytest.mark.parametrize("key", ["", "含中文", "a b", "k" * 81])
def test_a_malformed_idempotency_key_is_422(client: TestClient, engine: Engine, key: str) -> None:
    response = client.post(
        "/api/bookings",
        json=meal(add_provider(engine)),
        headers={"Idempotency-Key": key.encode()},  # raw UTF-8 bytes on the wire
    )
    assert response.status_code == 422 and "Idempotency-Key" in response.json()["detail"]


def test_markup_and_sql_in_names_are_kept_as_plain_text(client: TestClient, engine: Engine) -> None:
    name = "'); DROP TABLE bookings;--"
    script = "<script>alert(1)</script>"
    body = meal(
        add_provider(engine),
        beneficiary=MOTHER | {"name": name},
        booked_by=DAUGHTER | {"name": script},
        notes="<b>少盐</b>",
    )
    created = client.post("/api/bookings", json=body)
    assert created.status_code == 201
    shown = client.get(f"/api/bookings/{created.json()['reference']}", params=OWN)
    assert shown.headers["content-type"] == "application/json"
    assert shown.json()["beneficiary"]["name"] == name
    assert shown.json()["booked_by"]["name"] == script and shown.json()["notes"] == "<b>少盐</b>"
    assert inspect(engine).has_table("bookings")


def test_full_is_409_with_the_next_day(client: TestClient, engine: Engine) -> None:
    provider_id = add_provider(engine, daily_capacity=1)
    assert client.post("/api/bookings", json=meal(provider_id)).status_code == 201
    response = client.post("/api/bookings", json=meal(provider_id, beneficiary=elder(1)))
    assert response.status_code == 409
    assert response.json()["error"] == "full" and "订满" in response.json()["detail"]
    assert response.json()["alternative"] == day(2).isoformat()


def test_the_same_meal_twice_is_409_with_the_first_reference(
    client: TestClient, engine: Engine
) -> None:
    provider_id = add_provider(engine)
    first = client.post("/api/bookings", json=meal(provider_id)).json()
    again = client.post("/api/bookings", json=meal(provider_id))
    assert again.status_code == 409 and again.json()["error"] == "duplicate"
    assert again.json()["reference"] == first["reference"]
    assert first["reference"] in again.json()["detail"]


def test_an_idempotency_key_replays_the_first_booking(client: TestClient, engine: Engine) -> None:
    provider_id = add_provider(engine)
    headers = {"Idempotency-Key": "app-7f3:retry_1"}
    first = client.post("/api/bookings", json=meal(provider_id), headers=headers)
    again = client.post("/api/bookings", json=meal(provider_id), headers=headers)
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json() == first.json()
    assert confirmed(engine, provider_id, day(1), "lunch") == 1


# ---- looking up, cancelling, rescheduling -------------------------------------


def test_lookup_masks_phones_and_unknown_references_are_404(
    client: TestClient, engine: Engine
) -> None:
    reference = client.post("/api/bookings", json=meal(add_provider(engine))).json()["reference"]
    shown = client.get(f"/api/bookings/{reference}", params=OWN)
    assert shown.status_code == 200
    assert shown.json()["beneficiary"]["phone"] == "139****5678"
    assert shown.json()["booked_by"]["phone"] == "138****1111"
    assert "13912345678" not in shown.text and "13800001111" not in shown.text
    for bad in ("000000", "12ab56", "1234567"):
        missing = client.get(f"/api/bookings/{bad}", params=OWN)
        assert missing.status_code == 404 and missing.json()["error"] == "not_found"
        assert is_chinese(missing.json()["detail"])


def test_a_reference_opens_nothing_without_the_familys_phone(
    client: TestClient, engine: Engine
) -> None:
    reference = client.post("/api/bookings", json=meal(add_provider(engine))).json()["reference"]
    url = f"/api/bookings/{reference}"
    for phone in (MOTHER["phone"], DAUGHTER["phone"]):
        assert client.get(url, params={"phone": phone}).status_code == 200
    unknown = client.get("/api/bookings/999999", params=OWN).json()
    unknown["detail"] = unknown["detail"].replace("999999", reference)
    for attempt in (
        client.get(url, params={"phone": "13500000000"}),
        client.post(f"{url}/cancel", params={"phone": "13500000000"}),
        client.patch(url, params={"phone": "13500000000"}, json={"date": day(2).isoformat()}),
    ):
        # A stranger learns nothing, not even that the reference exists.
        assert attempt.status_code == 404 and attempt.json() == unknown
        assert "梁溪区" not in attempt.text
    assert client.get(url).status_code == 422  # no phone at all
    assert client.get(url, params=OWN).json()["status"] == "confirmed"


def test_cancel_gives_the_place_back_and_cannot_repeat(client: TestClient, engine: Engine) -> None:
    provider_id = add_provider(engine)
    reference = client.post("/api/bookings", json=meal(provider_id)).json()["reference"]
    assert lunch_left(client, provider_id, day(1)) == 4
    cancelled = client.post(f"/api/bookings/{reference}/cancel", params=OWN)
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    assert lunch_left(client, provider_id, day(1)) == 5
    again = client.post(f"/api/bookings/{reference}/cancel", params=OWN)
    assert again.status_code == 409 and "已取消" in again.json()["detail"]
    assert client.post("/api/bookings/999999/cancel", params=OWN).status_code == 404
    moved = client.patch(
        f"/api/bookings/{reference}", params=OWN, json={"date": day(3).isoformat()}
    )
    assert moved.status_code == 409 and moved.json()["error"] == "conflict"


def test_reschedule_to_a_full_day_is_409_and_to_a_free_day_moves_the_place(
    client: TestClient, engine: Engine
) -> None:
    provider_id = add_provider(engine, daily_capacity=1)
    mine = client.post("/api/bookings", json=meal(provider_id)).json()["reference"]
    client.post("/api/bookings", json=meal(provider_id, offset=2, beneficiary=elder(1)))

    full = client.patch(f"/api/bookings/{mine}", params=OWN, json={"date": day(2).isoformat()})
    assert full.status_code == 409 and full.json()["error"] == "full"
    assert full.json()["alternative"] == day(3).isoformat()

    moved = client.patch(
        f"/api/bookings/{mine}", params=OWN, json={"date": day(3).isoformat(), "period": "dinner"}
    )
    assert moved.status_code == 200
    assert (moved.json()["date"], moved.json()["period"]) == (day(3).isoformat(), "dinner")
    assert confirmed(engine, provider_id, day(1), "lunch") == 0
    assert lunch_left(client, provider_id, day(1)) == 1
    assert confirmed(engine, provider_id, day(3), "dinner") == 1

    past = client.patch(f"/api/bookings/{mine}", params=OWN, json={"date": day(-1).isoformat()})
    assert past.status_code == 422 and "已经过了" in past.json()["detail"]
    assert past.json()["alternative"] == day(0).isoformat()
    wrong = client.patch(
        f"/api/bookings/{mine}", params=OWN, json={"date": day(4).isoformat(), "time": "9:00"}
    )
    assert wrong.status_code == 422 and wrong.json()["error"] == "invalid_request"


def test_a_visit_is_moved_by_time_not_period(client: TestClient, engine: Engine) -> None:
    reference = client.post("/api/bookings", json=visit(add_visit_provider(engine))).json()[
        "reference"
    ]
    own = {"phone": MOTHER["phone"]}  # she booked it herself
    refused = client.patch(
        f"/api/bookings/{reference}",
        params=own,
        json={"date": day(2).isoformat(), "period": "lunch"},
    )
    assert refused.status_code == 422 and "time" in refused.json()["detail"]
    moved = client.patch(
        f"/api/bookings/{reference}", params=own, json={"date": day(2).isoformat(), "time": "15:00"}
    )
    assert moved.status_code == 200 and moved.json()["time"] == "15:00"


# ---- staff listing ---------------------------------------------------------------


def test_staff_listing_filters_orders_and_shows_full_phones(
    client: TestClient, engine: Engine
) -> None:
    log_in(client, engine)
    wuxi = add_provider(engine, periods=["breakfast", "lunch", "dinner"])
    ganzhou = add_provider(engine, code="T-GZ", name="赣州食堂", region="赣州市")
    references = {}
    for key, provider, offset, period, person in [
        ("w1-dinner", wuxi, 1, "dinner", elder(1)),
        ("w1-breakfast", wuxi, 1, "breakfast", elder(2)),
        ("w2-lunch", wuxi, 2, "lunch", elder(3)),
        ("g1-lunch", ganzhou, 1, "lunch", elder(4)),
    ]:
        body = meal(provider, offset=offset, period=period, beneficiary=person)
        references[key] = client.post("/api/bookings", json=body).json()["reference"]
    client.post(f"/api/bookings/{references['g1-lunch']}/cancel", params=OWN)

    def listed(**params: Any) -> list[str]:
        response = client.get("/api/staff/bookings", params=params)
        assert response.status_code == 200
        page = response.json()
        assert page["total"] >= len(page["items"])
        names = {ref: key for key, ref in references.items()}
        return [names[item["reference"]] for item in page["items"]]

    assert listed() == ["w2-lunch", "w1-breakfast", "g1-lunch", "w1-dinner"]
    assert listed(date=day(1).isoformat()) == ["w1-breakfast", "g1-lunch", "w1-dinner"]
    assert listed(date_from=day(2).isoformat()) == ["w2-lunch"]
    assert listed(date_to=day(1).isoformat(), provider_id=wuxi) == ["w1-breakfast", "w1-dinner"]
    assert listed(region="赣州") == ["g1-lunch"]
    assert listed(status="cancelled") == ["g1-lunch"]
    assert listed(status="confirmed", limit=1, offset=1) == ["w1-breakfast"]
    page = client.get("/api/staff/bookings", params={"limit": 1}).json()
    assert page["total"] == 4 and len(page["items"]) == 1
    assert page["items"][0]["beneficiary"]["phone"] == elder(3)["phone"]
    assert page["items"][0]["booked_by"]["phone"] == DAUGHTER["phone"]


@pytest.mark.parametrize(
    ("params", "code"),
    [
        ({"status": "done"}, "invalid_request"),
        ({"date": "2026/12/01"}, "invalid_request"),
        ({"date": "2026-02-30"}, "invalid_request"),
        ({"date": "2026-12-01", "date_from": "2026-12-01"}, "invalid_request"),
        ({"limit": 0}, "invalid_request"),
        ({"limit": 500}, "invalid_request"),
        ({"offset": -1}, "invalid_request"),
        ({"region": "火星"}, "unknown_region"),
    ],
)
def test_bad_staff_queries_are_422_in_chinese(
    client: TestClient, engine: Engine, params: dict, code: str
) -> None:
    log_in(client, engine)
    response = client.get("/api/staff/bookings", params=params)
    assert response.status_code == 422 and response.json()["error"] == code
    assert is_chinese(response.json()["detail"])


# ---- simultaneous requests through the real server ----------------------------


@pytest.fixture
def gateway_url(use_database: str) -> Iterator[str]:
    """The real gateway, served by uvicorn on a free port in a background
    thread, reading DATABASE_URL like production does."""
    port = int(free_port())
    config = uvicorn.Config(
        "gateway.app:create_app",
        factory=True,
        host="127.0.0.1",
        port=port,
        ws="websockets",
        loop="asyncio",  # uvloop would replace the event loop policy of the whole test run
        log_level="warning",
        access_log=False,
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the gateway did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=30)
        engine_for(use_database).dispose()


def post_at_once(
    url: str, bodies: list[dict[str, Any]], headers: dict[str, str] | None = None
) -> list[httpx.Response]:
    """All the POSTs in flight together, as from many phones at once."""

    async def run() -> list[httpx.Response]:
        async with httpx.AsyncClient(base_url=url, timeout=60) as client:
            return await asyncio.gather(
                *(client.post("/api/bookings", json=body, headers=headers) for body in bodies)
            )

    return asyncio.run(run())


def test_twenty_simultaneous_posts_for_five_places(gateway_url: str, engine: Engine) -> None:
    provider_id = add_provider(engine, daily_capacity=8)
    early = [meal(provider_id, beneficiary=elder(100 + i)) for i in range(3)]
    assert [r.status_code for r in post_at_once(gateway_url, early)] == [201] * 3

    responses = post_at_once(
        gateway_url, [meal(provider_id, beneficiary=elder(i)) for i in range(20)]
    )
    outcomes = Counter((r.status_code, r.json().get("error")) for r in responses)
    assert outcomes == {(201, None): 5, (409, "full"): 15}
    assert len({r.json()["reference"] for r in responses if r.status_code == 201}) == 5
    assert confirmed(engine, provider_id, day(1), "lunch") == 8


def test_one_idempotency_key_racing_itself_books_once(gateway_url: str, engine: Engine) -> None:
    provider_id = add_provider(engine)
    responses = post_at_once(
        gateway_url, [meal(provider_id)] * 10, headers={"Idempotency-Key": "tap-twice-1"}
    )
    assert sorted(r.status_code for r in responses) == [200] * 9 + [201]
    assert len({r.json()["reference"] for r in responses}) == 1
    assert confirmed(engine, provider_id, day(1), "lunch") == 1
    with unit_of_work(engine) as uow:
        assert uow.session.execute(select(func.count(Booking.id))).scalar_one() == 1
