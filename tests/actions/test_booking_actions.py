"""The booking conversation through the real rasa_sdk executor, the real
domain and a real database (SQLite and PostgreSQL): details read from the
first sentence, the nearest provider suggested, the read-back corrected
("不对，是后天"), the booking saved with its reference spoken digit by
digit, then found and cancelled by conversation."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import select

from knowledge.booking.rules import BookingRequest, Person
from knowledge.booking.service import create_booking
from knowledge.db import make_engine, unit_of_work
from knowledge.models import Booking, Provider
from knowledge.zh.dates import today_in_china
from tests.actions.conftest import user

TODAY = today_in_china()
TOMORROW, DAY_AFTER = TODAY + dt.timedelta(days=1), TODAY + dt.timedelta(days=2)
PROVIDERS = (
    # Listed far first: the nearest must be chosen by district, not order.
    {"code": "T-FAR", "name": "惠山长者食堂", "district": "惠山区", "street": "堰桥街道"},
    {"code": "T-NEAR", "name": "清名桥长者食堂", "district": "梁溪区", "street": "清名桥街道"},
)


@pytest.fixture
def providers(use_database: str) -> dict[str, int]:
    engine = make_engine(use_database)
    ids = {}
    with unit_of_work(engine) as uow:
        for values in PROVIDERS:
            provider = Provider(
                kind="meal",
                region="无锡市",
                address=f"{values['street']}2号",
                phone="0510-80001234",
                services=["堂食", "送餐上门"],
                periods=["lunch", "dinner"],
                daily_capacity=5,
                dine_in=True,
                delivery=True,
                service_area=[values["street"]],
                closed_weekdays=[],
                **values,
            )
            uow.session.add(provider)
            uow.session.flush()
            ids[values["code"]] = provider.id
        uow.session.add(
            Provider(
                code="T-VISIT",
                kind="visit",
                name="梁溪居家上门服务队",
                region="无锡市",
                district="梁溪区",
                street="清名桥街道",
                address="清名桥街道8号",
                phone="0510-80005678",
                services=["探访", "助浴", "助洁"],
                periods=["08:00-12:00", "14:00-17:30"],
                daily_capacity=3,
                dine_in=False,
                delivery=False,
                service_area=["清名桥街道"],
                closed_weekdays=[],
            )
        )
    engine.dispose()
    return ids


class Conversation:
    """Plays Rasa's part: runs the form's validator on each message, keeps
    the slots, asks the next question, and saves when the form is done."""

    def __init__(self, run_action, form: str, slots: dict[str, Any] | None = None) -> None:  # type: ignore[no-untyped-def]
        self.run_action, self.form = run_action, form
        self.slots: dict[str, Any] = {"subject": "您", **(slots or {})}
        self.events: list[dict] = []
        self.said: list[str] = []

    def _run(self, action: str, active: bool = True) -> dict:
        result = self.run_action(
            action, self.events, slots=self.slots, active_loop=self.form if active else None
        )
        for event in result["events"]:
            if event["event"] == "slot":
                self.slots[event["name"]] = event["value"]
        self.said += [r["text"] for r in result["responses"] if r.get("text")]
        return result

    def say(self, text: str, intent: str = "inform", entities: list | None = None) -> list[str]:
        start = len(self.said)
        self.events.append(user(text, intent, entities=entities))
        if self.slots.get("requested_slot") is None and not self.slots.get("_active"):
            self._run("action_start_booking" if "booking" in self.form else "action_listen")
            self.slots["_active"] = True
        self._run(f"validate_{self.form}")
        self.ask()
        return self.said[start:]

    def ask(self) -> None:
        requested = self.slots.get("requested_slot")
        if requested in ("booking_provider", "booking_confirmed"):
            self._run(f"action_ask_{requested}")
        elif requested is None:
            self.slots["_active"] = False
            result = self._run("action_submit_booking", active=False)
            if any(e["event"] == "followup" for e in result["events"]):
                self.slots["_active"] = True
                self._run(f"validate_{self.form}")
                self.ask()


def book_meal(run_action, **slots: Any) -> Conversation:  # type: ignore[no-untyped-def]
    return Conversation(run_action, "meal_booking_form", slots)


def stored(use_database: str) -> list[Booking]:
    engine = make_engine(use_database)
    with unit_of_work(engine) as uow:
        rows = list(uow.session.execute(select(Booking).order_by(Booking.id)).scalars())
    engine.dispose()
    return rows


def test_the_first_sentence_fills_what_it_says(run_action, providers) -> None:
    talk = book_meal(run_action, relation="母亲", subject="您母亲")
    talk.say("给我妈订明天中午的饭，送到家，少放盐", "book_meal")
    assert talk.slots["booking_date"] == TOMORROW.isoformat()
    assert talk.slots["booking_period"] == "lunch"
    assert talk.slots["booking_service"] == "送餐上门"
    assert talk.slots["booking_notes"] == "少盐"
    assert talk.slots["requested_slot"] == "booking_district"


def test_a_whole_meal_booking_with_a_correction_before_confirming(
    run_action, providers, use_database
) -> None:
    talk = book_meal(run_action, relation="母亲", subject="您母亲")
    talk.say("给我妈订明天中午的饭，送到家，少放盐", "book_meal")
    offer = talk.say("梁溪区")
    assert talk.slots["booking_suggestion"] == providers["T-NEAR"]
    assert "清名桥长者食堂" in offer[-1] and "就订这家吗" in offer[-1]
    talk.say("好", "affirm")
    assert talk.slots["booking_provider"] == providers["T-NEAR"]
    talk.say("王秀英")
    talk.say("幺三九 一二三四 五六七八")
    assert talk.slots["booking_phone"] == "13912345678"
    read_back = talk.say("清名桥街道新民小区3栋201")[-1]
    assert talk.slots["requested_slot"] == "booking_confirmed"
    assert "王秀英" in read_back and f"{TOMORROW.month}月{TOMORROW.day}号" in read_back
    assert "送到清名桥街道新民小区3栋201" in read_back and "少盐" in read_back

    corrected = talk.say("不对，是后天", "deny")
    assert corrected[0] == "好的，改过来了。"
    assert f"{DAY_AFTER.month}月{DAY_AFTER.day}号" in corrected[-1]
    assert not stored(use_database)  # nothing saved before the yes

    done = talk.say("对", "affirm")[-1]
    (booking,) = stored(use_database)
    assert (booking.date, booking.provider_id) == (DAY_AFTER, providers["T-NEAR"])
    assert (booking.beneficiary_name, booking.delivery, booking.notes) == ("王秀英", True, "少盐")
    assert booking.sender_id == "caller-1"
    spoken = "、".join("零一二三四五六七八九"[int(d)] for d in booking.reference)
    assert booking.reference in done and spoken in done


def test_a_visit_is_read_from_one_sentence(run_action, providers, use_database) -> None:
    talk = Conversation(run_action, "visit_booking_form", {"relation": "父亲", "subject": "您父亲"})
    talk.say("明天上午九点派人给我爸洗澡，我们在梁溪区", "book_visit")
    assert talk.slots["booking_service"] == "助浴"
    assert talk.slots["booking_time"] == "09:00"
    assert talk.slots["booking_date"] == TOMORROW.isoformat()
    assert talk.slots["requested_slot"] == "booking_provider"
    for answer, intent in (("好", "affirm"), ("李大山", "inform"), ("13800001111", "inform")):
        talk.say(answer, intent)
    read_back = talk.say("清名桥街道8号楼")[-1]
    assert "上午9点" in read_back and "上门助浴" in read_back
    talk.say("对的", "affirm")
    (booking,) = stored(use_database)
    assert (booking.kind, booking.service, booking.time) == ("visit", "助浴", "09:00")


def test_a_past_date_is_refused_with_the_reason(run_action, providers) -> None:
    past = TODAY - dt.timedelta(days=3)
    talk = book_meal(run_action)
    said = talk.say(f"订{past.month}月{past.day}号的午饭", "book_meal")
    assert any("已经过了" in s for s in said)
    assert talk.slots["requested_slot"] == "booking_date"


def test_an_unclear_name_is_asked_again(run_action, providers) -> None:
    talk = book_meal(
        run_action,
        booking_date=TOMORROW.isoformat(),
        booking_period="lunch",
        booking_service="堂食",
        region="无锡市",
        booking_district="梁溪区",
        booking_provider=providers["T-NEAR"],
        requested_slot="booking_name",
        _active=True,
    )
    said = talk.say("12345")
    assert said == ["没听清怎么称呼。说个名字就行，比如“王秀英”。"]
    assert talk.slots["requested_slot"] == "booking_name"


def test_an_interruption_fills_nothing(run_action, providers) -> None:
    talk = book_meal(run_action, requested_slot="booking_name", _active=True)
    result = talk.run_action(
        "validate_meal_booking_form",
        [user("再说一遍", "repeat")],
        slots=talk.slots,
        active_loop="meal_booking_form",
    )
    assert result["events"] == [] and result["responses"] == []


def test_an_answer_is_taken_whatever_intent_the_nlu_gave_it(run_action, providers) -> None:
    talk = book_meal(
        run_action,
        booking_service="送餐上门",
        requested_slot="booking_address",
        _active=True,
    )
    talk.say("清名桥街道新民小区3栋201", "goodbye")
    assert talk.slots["booking_address"] == "清名桥街道新民小区3栋201"


def test_stopping_saves_nothing(run_action, providers, use_database) -> None:
    talk = book_meal(run_action)
    talk.say("订明天的午饭", "book_meal")
    said = talk.say("算了，不订了")
    assert said[-1].startswith("好的，这次先不订了") and not stored(use_database)


def test_no_open_provider_is_said_plainly(run_action, providers, use_database) -> None:
    talk = book_meal(run_action)
    talk.say("订明天的早饭，到食堂吃", "book_meal")
    said = talk.say("梁溪区")
    assert "暂时没有能订的服务点" in said[0] and "转人工" in said[0]
    assert talk.slots["requested_slot"] is None and not stored(use_database)


def lookup(run_action, text: str, intent: str, sender: str = "caller-1") -> Conversation:  # type: ignore[no-untyped-def]
    talk = Conversation(run_action, "booking_lookup_form")
    talk.events.append(user(text, intent))
    talk.run_action = lambda name, events, **kw: run_action(name, events, sender=sender, **kw)
    talk._run("validate_booking_lookup_form")
    return talk


def test_bookings_are_found_and_cancelled_by_conversation(
    run_action, providers, use_database
) -> None:
    talk = book_meal(run_action)
    for text in ("订明天中午的饭，到食堂吃", "梁溪区", "好", "张桂兰", "13912345678", "对"):
        talk.say(text)
    (booking,) = stored(use_database)

    found = lookup(run_action, "查一下我的预约", "query_booking")
    assert found.slots["booking_lookup"] == "sender:caller-1"
    found._run("action_answer_booking_lookup", active=False)
    assert booking.reference in found.said[-1] and "到清名桥长者食堂吃" in found.said[-1]

    # Another caller must give a phone number or the reference.
    other = lookup(run_action, "明天的饭不要了", "cancel_booking", sender="caller-2")
    assert other.slots["requested_slot"] == "booking_lookup"
    other.events.append(user("13912345678", "inform"))
    other._run("validate_booking_lookup_form")
    assert other.slots["booking_lookup"] == "phone:13912345678"
    other._run("action_answer_booking_lookup", active=False)
    assert other.slots["booking_cancel_candidate"] == booking.reference
    assert "要取消" in other.said[-1]
    other.events.append(user("对", "affirm"))
    other._run("action_cancel_booking", active=False)
    assert "已经取消了" in other.said[-1]
    assert stored(use_database)[0].status == "cancelled"


def test_another_conversation_hears_a_booking_without_its_address(
    run_action, providers, use_database
) -> None:
    talk = book_meal(run_action)
    for text in (
        "订明天中午的饭，送到家",
        "梁溪区",
        "好",
        "张桂兰",
        "13912345678",
        "清名桥街道新民小区3栋201",
        "对",
    ):
        talk.say(text)
    (booking,) = stored(use_database)
    assert booking.beneficiary_address == "清名桥街道新民小区3栋201"

    mine = lookup(run_action, "查一下我的预约", "query_booking")
    mine._run("action_answer_booking_lookup", active=False)
    assert "送到清名桥街道新民小区3栋201" in mine.said[-1]

    other = lookup(run_action, "查一下预约", "query_booking", sender="caller-2")
    other.events.append(user("13912345678", "inform"))
    other._run("validate_booking_lookup_form")
    other._run("action_answer_booking_lookup", active=False)
    assert booking.reference in other.said[-1] and "送到登记的地址" in other.said[-1]
    assert "新民小区" not in other.said[-1]


def test_a_place_gone_before_the_yes_offers_the_next_day(
    run_action, providers, use_database
) -> None:
    talk = book_meal(run_action)
    for text in ("订明天中午的饭，到食堂吃", "梁溪区", "好", "张桂兰"):
        talk.say(text)
    talk.say("13912345678")
    assert talk.slots["requested_slot"] == "booking_confirmed"
    engine = make_engine(use_database)  # meanwhile, others take the last places
    for n in range(5):
        person = Person(f"邻居{n}", f"1380000000{n}")
        with unit_of_work(engine) as uow:
            request = BookingRequest("meal", providers["T-NEAR"], TOMORROW, person, period="lunch")
            create_booking(uow, request)
    engine.dispose()
    said = talk.say("对", "affirm")
    assert "已经订满了" in said[0] and said[-1].startswith("我核对一下")
    assert f"{DAY_AFTER.month}月{DAY_AFTER.day}号" in said[-1]
    talk.say("对", "affirm")
    assert stored(use_database)[-1].date == DAY_AFTER
