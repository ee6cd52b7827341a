"""The person an eligibility check is about, as the conversation gives it.

Slots hold what the caller said in a normalised spoken form (年龄 "82" or a
range "81-89", 低保, 失能, 是/否/不知道); this module reads answers into
those values and turns the slots into the engine's profile. Values may also
arrive raw (an entity caught outside the form, "八十三"), so reading is
tolerant and idempotent.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

import yaml

from knowledge.eligibility.catalogue import BOOLEANS, ENUMS
from knowledge.eligibility.engine import ContradictoryProfileError, Evaluation, complete, evaluate
from knowledge.regions import gazetteer
from knowledge.settings import REPO_ROOT
from knowledge.zh.age import AgeReading, parse_age
from knowledge.zh.dates import today_in_china

DONT_KNOW = "不知道"
YES, NO = "是", "否"
FACT_SLOTS = ("age", *ENUMS, *BOOLEANS)
MAX_FACTS = 5  # a caller answers at most this many questions about the person
PLAUSIBLE_AGE = (40, 125)  # the catalogue's youngest condition is 60
SYNONYMS_FILE = REPO_ROOT / "nlu_data" / "synonyms" / "profile.yml"

_DONT_KNOW = re.compile("不知道|不清楚|不晓得|不太清楚|说不准|说不上|不确定|记不清|搞不清|不懂")
_STOP = re.compile("不查了|不问了|不办了|不用查|不想查|别查了|算了吧?$|先这样")
_NO = re.compile("没有|没|不是|不|无|否")
_YES = re.compile("有|是|对|嗯|领|在|算")
_RANGE = re.compile(r"^(\d+)-(\d+)$")
_SUBJECTS = {"本人": "您", "配偶": "您老伴"}


def this_year() -> int:
    return today_in_china().year


def is_dont_know(text: str) -> bool:
    return bool(_DONT_KNOW.search(text))


def wants_to_stop(text: str) -> bool:
    return bool(_STOP.search(text.strip(" 。！!,，")))


def subject(relation: str | None) -> str:
    """How questions name the person: 您, 您母亲, 您老伴."""
    if not relation:
        return "您"
    return _SUBJECTS.get(relation, f"您{relation}")


def read_age(value: str) -> AgeReading | None:
    """An older person's age from a slot value or an answer; None when there
    is none or it cannot be an older person's age (一个人住 is not age 1)."""
    value = str(value).strip()
    if match := _RANGE.match(value):
        reading = AgeReading(int(match.group(1)), int(match.group(2)))
    else:
        reading = parse_age(value, this_year())
    low, high = PLAUSIBLE_AGE
    if reading is None or not low <= reading.minimum <= reading.maximum <= high:
        return None
    return reading


def age_value(reading: AgeReading) -> str:
    return (
        str(reading.exact) if reading.exact is not None else f"{reading.minimum}-{reading.maximum}"
    )


@cache
def _choices() -> dict[str, tuple[tuple[str, str], ...]]:
    """attribute -> ((spoken form, canonical value) ...), longest form first,
    from the same synonym table the NLU is trained with."""
    forms: dict[str, list[tuple[str, str]]] = {a: [(v, v) for v in ENUMS[a]] for a in ENUMS}
    for entry in yaml.safe_load(SYNONYMS_FILE.read_text(encoding="utf-8"))["nlu"]:
        canonical = entry["synonym"]
        attribute = next((a for a, values in ENUMS.items() if canonical in values), None)
        if attribute is None:
            continue
        for line in entry["examples"].splitlines():
            form = line.strip().removeprefix("- ").strip()
            if form:
                forms[attribute].append((form, canonical))
    return {a: tuple(sorted(f, key=lambda p: -len(p[0]))) for a, f in forms.items()}


def read_choice(attribute: str, text: str) -> str | None:
    """低保户 → 低保, 瘫在床上 → 失能; None when the answer names no option."""
    return next((value for form, value in _choices()[attribute] if form in text), None)


def read_yes_no(text: str, intent: str | None) -> str | None:
    """是/否/不知道 from an answer to a yes-or-no question; None if unclear."""
    if is_dont_know(text):
        return DONT_KNOW
    if intent == "affirm":
        return YES
    if intent == "deny":
        return NO
    if _NO.search(text):
        return NO
    if _YES.search(text):
        return YES
    return None


def _read_facts(slots: dict[str, Any]) -> dict[str, Any]:
    facts: dict[str, Any] = {}
    for name in FACT_SLOTS:
        value = slots.get(name)
        if value is None or value == DONT_KNOW:
            continue
        if name == "age":
            reading = read_age(value)
            if reading is not None:
                facts["age"] = reading.exact if reading.exact is not None else reading
        elif name in ENUMS:
            choice = read_choice(name, str(value))
            if choice is not None:
                facts[name] = choice
        elif value in (YES, NO, True, False):
            facts[name] = value in (YES, True)
    return facts


def contradiction(slots: dict[str, Any]) -> ContradictoryProfileError | None:
    """Why two of the answers cannot both be true, if they cannot."""
    try:
        complete(_read_facts(slots))
    except ContradictoryProfileError as error:
        return error
    return None


def profile_from_slots(slots: dict[str, Any]) -> dict[str, Any]:
    """The engine's profile: known facts only (不知道 and unreadable values
    are left out, so they stay unknown rather than becoming "no"; two answers
    that contradict each other are both left out)."""
    facts = _read_facts(slots)
    if error := contradiction(slots):
        for name in error.facts:
            facts.pop(name)
    return facts


def next_fact(slots: dict[str, Any], region: str) -> str | None:
    """The one question that settles most open results, or None when the
    answers so far decide enough (or the caller has answered enough)."""
    answered = [name for name in FACT_SLOTS if slots.get(name) is not None]
    if len(answered) >= MAX_FACTS:
        return None
    missing = evaluate(profile_from_slots(slots), region).missing
    return next((fact for fact in missing if fact not in answered), None)


def evaluate_slots(slots: dict[str, Any]) -> tuple[str, Evaluation] | None:
    """The region and the engine's evaluation for the person in the slots;
    None when no covered region is known."""
    region = gazetteer().normalise(slots.get("region"))
    if region is None:
        return None
    return region, evaluate(profile_from_slots(slots), region)
