"""Reading booking details out of what callers say.

Callers give several details at once and in any order ("给我妈订明天中午的
饭，送到家，少放盐"), correct them at any point ("不对，是后天"), and say
phone numbers and reference codes in digits or in words (幺三九…). These
functions only read; whether the booking can be made is the booking
service's decision.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from actions.profile import NO, YES, read_yes_no
from knowledge.booking.catalogue import service_named
from knowledge.booking.rules import MAX_ADDRESS, MAX_NAME
from knowledge.regions import gazetteer
from knowledge.zh.dates import is_lunar, parse_date, parse_time
from knowledge.zh.numerals import DIGITS

# Digits as said one by one in a number: the numerals' digits (not 两/俩,
# which count things) and the radio words 洞 (0), 拐 (7), 勾 (9).
_SPOKEN_DIGITS = {
    **{word: str(value) for word, value in DIGITS.items() if word not in "两俩O"},
    **{"洞": "0", "拐": "7", "勾": "9"},
}
_SPOKEN_RUN = re.compile(f"[{''.join(_SPOKEN_DIGITS)}]{{3,}}")
_SPOKEN_TABLE = str.maketrans(_SPOKEN_DIGITS)
_PHONE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")
_REFERENCE = re.compile(r"(?<!\d)\d{6}(?!\d)")
# Dietary notes kept with a meal booking, as the kitchen would write them.
_DIET = (
    ("少盐", ("少盐", "少放盐", "淡一点", "清淡", "不要太咸", "血压高")),
    ("少油", ("少油", "不要油腻", "不油腻")),
    ("软食", ("软食", "软和", "软一点", "烂一点", "牙口不好", "没牙", "嚼不动")),
    ("糖尿病餐", ("糖尿病", "少糖", "无糖", "不要糖", "血糖高")),
    ("不吃辣", ("不吃辣", "不要辣", "不能吃辣")),
    ("素食", ("吃素", "素食", "素的")),
    ("流食", ("流食", "稀的")),
)
_NAME_PREFIX = re.compile(
    r"^(?:我|她|他|俺|老人|老太太|老爷子|我妈|我爸|俺娘|俺爹)?(?:叫|姓名是|名字是|名字叫|是)"
)
# An address names a road, a building or a village, not just anything said.
_ADDRESS_WORDS = re.compile(
    "路|街|巷|弄|号|村|组|小区|栋|幢|楼|室|单元|苑|园|区|镇|乡|社区|大院|公寓"
)
_ADDRESS_PREFIX = re.compile(r"^(?:送到|送去|地址是|地址|住在|住|家在|在)")
_NOT_A_NAME = re.compile(
    r"[\d,，。.!！?？]|不对|不是|改|取消|算了|订|约|转人工|你好|您好|谢谢|喂|什么|啥|吗|呢|再说|一遍|重复|再见|拜拜|人工"
)
_BARE_NAME = re.compile(r"^[\u4e00-\u9fa5·A-Za-z]{1,%d}$" % MAX_NAME)


@dataclass(frozen=True)
class Details:
    """What one message says about a booking; None where it says nothing."""

    date: dt.date | None = None
    lunar: bool = False
    period: str | None = None  # breakfast | lunch | dinner
    clock: str | None = None  # "HH:MM"
    service: str | None = None
    place: tuple[str, str] | None = None  # (region, district)
    phone: str | None = None
    notes: tuple[str, ...] = ()

    def as_slots(self) -> dict[str, object]:
        """The slots this message fills (only those it names)."""
        slots: dict[str, object] = {}
        if self.date:
            slots["booking_date"] = self.date.isoformat()
        if self.period:
            slots["booking_period"] = self.period
        if self.clock:
            slots["booking_time"] = self.clock
        if self.service:
            slots["booking_service"] = self.service
        if self.place:
            slots["region"], slots["booking_district"] = self.place
        if self.phone:
            slots["booking_phone"] = self.phone
        return slots


def spoken_digits(text: str) -> str:
    """幺三九 一二三四 五六七八 → 13912345678: spoken digit strings become
    digits, and spaces or dashes between digits go."""
    runs = _SPOKEN_RUN.sub(lambda m: m.group().translate(_SPOKEN_TABLE), text)
    return re.sub(r"(?<=\d)[\s\-－—]+(?=\d)", "", runs)


def read_phone(text: str) -> str | None:
    match = _PHONE.search(spoken_digits(text))
    return match.group() if match else None


def read_reference(text: str) -> str | None:
    """A 6-digit reference code, not part of a phone number."""
    digits = spoken_digits(text)
    match = _REFERENCE.search(_PHONE.sub(" ", digits))
    return match.group() if match else None


def read_notes(text: str) -> tuple[str, ...]:
    return tuple(note for note, words in _DIET if any(word in text for word in words))


def read_place(text: str, region: str | None = None) -> tuple[str, str] | None:
    """(region, district) for a district or county named in `text`, the
    longest name first; a name shared by two regions counts only in
    `region`."""
    found: list[tuple[int, str, str]] = []
    for candidate in gazetteer().regions:
        for place, short in candidate.places.items():
            for form in (place, *short):
                if len(form) >= 2 and form in text:
                    found.append((len(form), candidate.name, place))
    if region:
        found = [item for item in found if item[1] == region] or found
    if not found:
        return None
    _, region_name, district = max(found)
    return region_name, district


def read_details(text: str, kind: str, today: dt.date, region: str | None = None) -> Details:
    """Everything a message says about a booking of `kind` (meal | visit)."""
    time = parse_time(text)
    service = service_named(text, kind)
    return Details(
        date=parse_date(text, today),
        lunar=is_lunar(text),
        period=time.period if time and kind == "meal" else None,
        clock=time.clock if time and kind == "visit" else None,
        service=service,
        place=read_place(text, region),
        phone=read_phone(text),
        notes=read_notes(text) if kind == "meal" else (),
    )


def visit_clock(text: str) -> str | None:
    """上午 / 下午 alone, for a visit: the start of that half-day's usual
    window, read back to the caller so they can change it."""
    if "上午" in text or "早上" in text:
        return "09:00"
    if "下午" in text:
        return "14:30"
    return None


def read_name(text: str) -> str | None:
    """A name or form of address (王秀英, 王阿姨) from an answer to "怎么称呼";
    None when the answer is something else (a date, a correction)."""
    text = re.sub(r"[\s。！!]+$", "", text.strip())
    if _NOT_A_NAME.search(text) or parse_date(text, dt.date.today()) or parse_time(text):
        return None
    name = _NAME_PREFIX.sub("", text).strip()
    return name if _BARE_NAME.match(name) else None


def read_address(text: str) -> str | None:
    """A delivery or visit address: whatever the caller said, minus "送到"."""
    address = _ADDRESS_PREFIX.sub("", text.strip()).strip(" 。，,")
    if not 4 <= len(address) <= MAX_ADDRESS or re.search(r"[<>]", address):
        return None
    if not _ADDRESS_WORDS.search(address):
        return None
    return address


_OK = re.compile("好|行|中|可以|成|要得|没问题|就这")
_OTHER = re.compile("换|别的|另一")


def read_consent(text: str, intent: str | None) -> str | None:
    """YES or NO to "就订这家吗？" / "对吗？", in the many ways it is said
    (好/行/中/可以, 换一家); None if the reply is neither."""
    if _OTHER.search(text):
        return NO
    answer = read_yes_no(text, intent)
    if answer in (YES, NO):
        return answer
    return YES if _OK.search(text) else None
