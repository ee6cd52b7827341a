"""A family member uses the web chat in headless Chromium, against the real
gateway, Rasa, action server and database: a policy answer with its source,
a meal booked for a mother, a reload, typed markup, an API error, and the
适老化 figures measured in the browser (text size, contrast, touch targets).
Screenshots go to results/screenshots/."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import Browser, expect
from sqlalchemy import select

from knowledge.db import unit_of_work
from knowledge.models import Booking
from tests.conftest import report_figure
from tests.e2e.conftest import RunningStack
from tests.web.conftest import DESKTOP, Chat, open_chat
from tests.web.elderly import LARGE_MODE_FONT_PX, MIN_FONT_PX, assert_elderly_friendly

# One deployment is enough for the page; tests/e2e covers both.
pytestmark = pytest.mark.parametrize("stack", ["embedded"], indirect=True)

POLICY_QUESTION = "赣州的家庭养老床位政策是怎么规定的"  # answered with a citation (tests/e2e)


def policy_citations(chat: Chat) -> list[dict[str, Any]]:
    """The citations Rasa stored with the last policy answer."""
    events = chat.stack.tracker(chat.sender)["events"]
    customs = [e["data"]["custom"] for e in events if e["event"] == "bot" and e["data"]["custom"]]
    return customs[-1]["citations"]


def test_a_policy_answer_shows_its_source_which_opens_to_the_quote(chat: Chat) -> None:
    chat.say(POLICY_QUESTION)
    citation = policy_citations(chat)[0]
    source = chat.page.locator("details.source").first
    summary, quote = source.locator("summary"), source.locator("blockquote")
    expect(summary).to_have_text(re.compile(f"^来源：《{re.escape(citation['document'])}》"))
    expect(quote).to_be_hidden()
    summary.click()
    expect(quote).to_be_visible()
    expect(quote).to_have_text(citation["quote"])
    expect(source.locator(".where")).to_contain_text(f"原文第{citation['lines'][0]}")
    # The "出处：…" line is for the ear; the page shows the sources once.
    assert not [b for b in chat.bubbles() if b.startswith("出处")], chat.bubbles()


def test_a_meal_for_mother_ends_in_a_booking_card_that_survives_a_reload(chat: Chat) -> None:
    chat.say("给我妈订明天中午的饭，送到家")
    answers: dict[str, Callable[[], None]] = {
        "booking_district": lambda: chat.say("梁溪区"),
        "booking_provider": lambda: chat.tap("好，就这家"),
        "booking_name": lambda: chat.say("王秀英"),
        "booking_phone": lambda: chat.say("13912345678"),
        "booking_address": lambda: chat.say("清名桥街道新民小区3栋201"),
        "booking_confirmed": lambda: chat.tap("对，就这样订"),
    }
    card = chat.page.locator(".card")
    for _ in answers:
        if card.count():
            break
        requested = chat.stack.tracker(chat.sender)["slots"]["requested_slot"]
        assert requested in answers, (requested, chat.bubbles())
        answers[requested]()

    reference = card.locator(".reference")
    expect(reference).to_have_text(re.compile(r"^[0-9]{6}$"))
    code = reference.inner_text()
    with unit_of_work(chat.stack.engine) as uow:
        saved = uow.session.execute(
            select(Booking.reference).where(Booking.sender_id == chat.sender)
        ).scalar_one()
    assert saved == code
    expect(card).to_contain_text("午餐")
    expect(card.locator(".call")).to_have_attribute("href", re.compile(r"^tel:[0-9+]{5,}$"))
    # Tapped quick replies read as what the person chose.
    assert {"好，就这家", "对，就这样订"} <= set(chat.bubbles())
    assert_elderly_friendly(chat.page, MIN_FONT_PX)
    chat.screenshot("phone-booking")

    before = chat.bubbles()
    chat.load()
    assert chat.bubbles() == before
    expect(chat.page.locator(".card .reference")).to_have_text(code)


def test_markup_typed_by_a_person_stays_plain_text(chat: Chat) -> None:
    attack = "<img src=x onerror=alert(1)>"
    chat.say(attack)

    def shown_as_text() -> None:
        expect(chat.page.locator(".row.user .bubble").last).to_have_text(attack)
        expect(chat.page.locator("img")).to_have_count(0)

    shown_as_text()
    chat.load()  # drawn again from the history
    shown_as_text()
    # The `chat` fixture fails the test on any dialog (alert) or script error.


def test_an_api_error_is_a_polite_notice_and_the_text_is_kept(chat: Chat) -> None:
    too_long = "养" * 600
    chat.page.fill("#message", too_long)
    chat.page.click("#send")
    expect(chat.page.locator(".notice")).to_have_text(re.compile("^消息太长了，请分几次说"))
    expect(chat.page.locator("#message")).to_have_value(too_long)
    # Chromium logs every 4xx response; that one was expected.
    chat.problems[:] = [p for p in chat.problems if "status of 422" not in p]


def test_text_targets_and_contrast_meet_the_elderly_friendly_figures(
    chat: Chat, browser: Browser, stack: RunningStack
) -> None:
    greeting = assert_elderly_friendly(chat.page, MIN_FONT_PX)  # quick replies on screen
    chat.say(POLICY_QUESTION)
    chat.page.locator("details.source summary").first.click()
    answer = assert_elderly_friendly(chat.page, MIN_FONT_PX)
    chat.screenshot("phone")
    bubble = chat.page.locator(".row.bot .bubble").last
    normal_px = float(bubble.evaluate("el => parseFloat(getComputedStyle(el).fontSize)"))

    chat.page.click("#large-text")
    expect(chat.page.locator("#large-text")).to_have_attribute("aria-pressed", "true")
    large = assert_elderly_friendly(chat.page, LARGE_MODE_FONT_PX)
    large_px = float(bubble.evaluate("el => parseFloat(getComputedStyle(el).fontSize)"))
    assert large_px > normal_px
    chat.screenshot("phone-large")
    chat.load()  # 大字 is remembered
    expect(chat.page.locator("html")).to_have_class("large")

    desktop = open_chat(browser, stack, DESKTOP, sender=chat.sender)
    try:
        expect(desktop.page.locator("details.source")).not_to_have_count(0)
        assert_elderly_friendly(desktop.page, MIN_FONT_PX)
        desktop.screenshot("desktop")
        assert not desktop.problems, desktop.problems
    finally:
        desktop.page.context.close()

    normal = {key: min(greeting[key], answer[key]) for key in greeting}
    report_figure(
        f"web chat (390×844): bubble text {normal_px:.0f}px, 大字 {large_px:.0f}px; "
        f"smallest text {normal['font']:.0f}px ({large['font']:.0f}px in 大字), "
        f"lowest contrast {min(normal['contrast'], large['contrast']):.1f}:1, "
        f"smallest touch target {normal['target']:.0f}px ({large['target']:.0f}px in 大字)"
    )
