"""Reading booking details out of what callers say, and saying bookings
back: phones and references in words, names, addresses, yes/no, places,
services, meal periods and visit times."""

from __future__ import annotations

import datetime as dt

import pytest

from actions.booking_details import (
    read_address,
    read_consent,
    read_details,
    read_name,
    read_notes,
    read_phone,
    read_place,
    read_reference,
    visit_clock,
)
from actions.booking_speech import describe, spoken_phone, spoken_reference
from actions.profile import NO, YES
from knowledge.booking.catalogue import service_named
from knowledge.booking.rules import spoken_time

TODAY = dt.date(2026, 11, 23)  # a Monday


@pytest.mark.parametrize(
    ("said", "phone"),
    [
        ("13912345678", "13912345678"),
        ("我的手机是139-1234-5678", "13912345678"),
        ("幺三九 一二三四 五六七八", "13912345678"),
        ("一三九一二三四五六七八", "13912345678"),
        ("1391234567", None),  # ten digits
        ("12345678901", None),  # not a mobile
        ("明天中午", None),
    ],
)
def test_phone_numbers_in_digits_or_words(said: str, phone: str | None) -> None:
    assert read_phone(said) == phone


@pytest.mark.parametrize(
    ("said", "reference"),
    [
        ("预约号358204", "358204"),
        ("三五八二零四", "358204"),
        ("13912345678", None),  # a phone number is not a reference
        ("12345", None),
    ],
)
def test_references(said: str, reference: str | None) -> None:
    assert read_reference(said) == reference


def test_dietary_notes_as_the_kitchen_writes_them() -> None:
    assert read_notes("少放盐，她牙口不好，还有糖尿病") == ("少盐", "软食", "糖尿病餐")
    assert read_notes("明天中午送到家") == ()


@pytest.mark.parametrize(
    ("said", "region", "place"),
    [
        ("我们在梁溪区", None, ("无锡市", "梁溪区")),
        ("住梁溪", None, ("无锡市", "梁溪区")),
        ("南京", None, ("江苏省", "南京市")),
        ("在章贡区", "赣州市", ("赣州市", "章贡区")),
        ("北京朝阳区", None, None),
    ],
)
def test_places(said: str, region: str | None, place: tuple[str, str] | None) -> None:
    assert read_place(said, region) == place


def test_a_whole_meal_request_in_one_sentence() -> None:
    details = read_details("给我妈订明天中午的饭，送到家，少放盐", "meal", TODAY)
    assert details.as_slots() == {
        "booking_date": "2026-11-24",
        "booking_period": "lunch",
        "booking_service": "送餐上门",
    }
    assert details.notes == ("少盐",)


def test_a_whole_visit_request_in_one_sentence() -> None:
    details = read_details("下周三下午两点半派人给我爸洗个澡，在惠山区", "visit", TODAY)
    assert details.as_slots() == {
        "booking_date": "2026-12-02",
        "booking_time": "14:30",
        "booking_service": "助浴",
        "region": "无锡市",
        "booking_district": "惠山区",
    }


def test_lunar_dates_are_noticed_not_guessed() -> None:
    details = read_details("初八中午订个饭", "meal", TODAY)
    assert details.lunar and details.date is None


@pytest.mark.parametrize(
    ("said", "service"),
    [
        ("到食堂吃", "堂食"),
        ("送上门", "送餐上门"),
        ("上门护理", "上门照护"),
        ("陪我去医院", "陪诊"),
        ("订个饭", None),
    ],
)
def test_service_words(said: str, service: str | None) -> None:
    kind = "meal" if service in ("堂食", "送餐上门", None) else "visit"
    assert service_named(said, kind) == service


def test_half_days_for_visits() -> None:
    assert (visit_clock("上午来"), visit_clock("下午"), visit_clock("明天")) == (
        "09:00",
        "14:30",
        None,
    )


@pytest.mark.parametrize(
    ("said", "name"),
    [
        ("王秀英", "王秀英"),
        ("她叫王秀英。", "王秀英"),
        ("我叫李大山", "李大山"),
        ("王阿姨", "王阿姨"),
        ("不对，是后天", None),
        ("明天", None),
        ("再说一遍", None),
        ("12345", None),
        ("你好", None),
    ],
)
def test_names(said: str, name: str | None) -> None:
    assert read_name(said) == name


@pytest.mark.parametrize(
    ("said", "address"),
    [
        ("送到清名桥街道新民小区3栋201", "清名桥街道新民小区3栋201"),
        ("地址是南门口社区5栋102", "南门口社区5栋102"),
        ("再说一遍", None),
        ("好的", None),
        ("<script>alert(1)</script>路", None),
    ],
)
def test_addresses(said: str, address: str | None) -> None:
    assert read_address(said) == address


@pytest.mark.parametrize(
    ("said", "intent", "answer"),
    [
        ("好", "inform", YES),
        ("行", None, YES),
        ("中", None, YES),
        ("对的", "affirm", YES),
        ("换一家", "inform", NO),
        ("不对", "deny", NO),
        ("嗯……那个", "inform", YES),
        ("北京", "inform", None),
    ],
)
def test_consent(said: str, intent: str | None, answer: str | None) -> None:
    assert read_consent(said, intent) == answer


def test_bookings_are_said_the_same_way_every_time() -> None:
    assert spoken_reference("358204") == "三、五、八、二、零、四"
    assert spoken_phone("13912345678") == "139 1234 5678"
    assert spoken_time("09:00") == "上午9点" and spoken_time("14:30") == "下午2点半"
    meal = describe(
        "meal", TODAY, "清名桥长者食堂", period="lunch", service="送餐上门", address="新民小区"
    )
    assert meal == "11月23号（星期一）的午餐，清名桥长者食堂送到新民小区"
    visit = describe("visit", TODAY, "服务队", time="14:30", service="助浴", address="8号楼")
    assert visit == "11月23号（星期一）下午2点半，服务队上门助浴，地址是8号楼"
