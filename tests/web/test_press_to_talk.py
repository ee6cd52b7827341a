"""按住说话 in the family web chat, in headless Chromium whose microphone
"hears" a sentence the test synthesised (Chromium's fake capture device
plays a WAV file), against the real gateway, Rasa and action server."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect, sync_playwright

from tests.e2e.conftest import RunningStack
from tests.voice.speech import mandarin_wav
from tests.web.conftest import CHROMIUM, PHONE, REPLY_TIMEOUT_MS, open_chat
from tests.web.elderly import MIN_FONT_PX, assert_elderly_friendly

pytestmark = pytest.mark.parametrize("stack", ["embedded"], indirect=True)
SPOKEN = "帮我查一下我的预约。"


@pytest.fixture(scope="module")
def listening_browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Browser]:
    """Chromium with a microphone that says SPOKEN (over and over)."""
    speech: Path = tmp_path_factory.mktemp("mic") / "speech.wav"
    speech.write_bytes(mandarin_wav(SPOKEN))
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            args=[
                "--use-fake-ui-for-media-stream",  # allow the microphone without asking
                "--use-fake-device-for-media-stream",
                f"--use-file-for-fake-audio-capture={speech}",
                "--autoplay-policy=no-user-gesture-required",
            ],
        )
        yield browser
        browser.close()


def test_a_family_member_holds_the_button_speaks_and_hears_the_answer(
    listening_browser: Browser, stack: RunningStack
) -> None:
    chat = open_chat(listening_browser, stack, PHONE)
    try:
        talk = chat.page.locator("#talk")
        expect(talk).to_be_visible()
        expect(talk).to_have_text("按住 说话")
        assert_elderly_friendly(chat.page, MIN_FONT_PX)  # the composer with three controls

        talk.hover()
        chat.page.mouse.down()
        expect(talk).to_have_text("松开 发送")
        chat.page.wait_for_timeout(3500)  # the sentence lasts about 2.5 s
        chat.page.mouse.up()
        expect(talk).to_have_text("按住 说话")

        heard = chat.page.locator(".row.user .bubble").last
        expect(heard).to_contain_text("预约", timeout=REPLY_TIMEOUT_MS * 2)
        expect(chat.page.locator(".row.bot .replay")).to_have_count(1, timeout=REPLY_TIMEOUT_MS)
        expect(chat.page.locator(".notice")).to_have_count(0)
        chat.screenshot("phone-press-to-talk")
    finally:
        chat.page.context.close()
    assert not chat.problems, chat.problems
