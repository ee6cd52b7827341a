"""The family web chat in a real browser: Debian's Chromium (/usr/bin/chromium,
installed by scripts/test.sh) driven by Playwright, against the real servers
of tests/e2e. Playwright never downloads a browser here."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from playwright.sync_api import Browser, ConsoleMessage, Dialog, Page, sync_playwright

from scripts.environment import ROOT
from tests.e2e.conftest import RunningStack, stack  # noqa: F401 (the real servers)

CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOTS = ROOT / "results" / "screenshots"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}
REPLY_TIMEOUT_MS = 30_000

# The bot has answered: the typing indicator has gone, and there are more bot
# rows or notices than the `n` counted before.
ANSWERED = """n => !document.querySelector('.typing')
  && document.querySelectorAll('.row.bot, .row.system').length > n"""


@dataclass
class Chat:
    """One person's chat page, with what a person does on it."""

    page: Page
    stack: RunningStack
    problems: list[str] = field(default_factory=list)

    @property
    def sender(self) -> str:
        return str(self.page.evaluate("localStorage.getItem('yinling.sender')"))

    def _answered_after(self, action: Callable[[], None]) -> None:
        before = self.page.locator(".row.bot, .row.system").count()
        action()
        self.page.wait_for_function(ANSWERED, arg=before, timeout=REPLY_TIMEOUT_MS)
        assert self.page.locator(".row.system").count() == 0, self.notices()

    def say(self, text: str) -> None:
        """Type a message, press 发送, wait for the answer."""

        def type_and_send() -> None:
            self.page.fill("#message", text)
            self.page.click("#send")

        self._answered_after(type_and_send)

    def tap(self, title: str) -> None:
        """Tap a quick reply by its title, wait for the answer."""
        button = self.page.locator(".quick-replies").get_by_role("button", name=title, exact=True)
        self._answered_after(button.click)

    def load(self) -> None:
        """(Re)load the page and wait until the conversation is drawn."""
        self.page.goto(self.stack.url)
        self.page.wait_for_function(ANSWERED, arg=0, timeout=REPLY_TIMEOUT_MS)

    def bubbles(self) -> list[str]:
        return self.page.locator(".bubble").all_inner_texts()

    def notices(self) -> list[str]:
        return self.page.locator(".notice").all_inner_texts()

    def screenshot(self, name: str) -> None:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=SCREENSHOTS / f"{name}.png")


# Module scope: Playwright's sync API keeps an event loop running while it is
# open, which would break every later test that calls asyncio.run().
@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    assert CHROMIUM.exists(), f"{CHROMIUM} is missing: scripts/test.sh installs Debian's chromium"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM))
        yield browser
        browser.close()


def watch(page: Page, problems: list[str], confirms: bool = False) -> None:
    """Record script errors, CSP violations and dialogs (an executed alert)
    as problems; with `confirms`, a confirm() the page asks is accepted."""

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error":
            problems.append(f"console: {message.text}")

    def on_dialog(dialog: Dialog) -> None:
        if confirms and dialog.type == "confirm":
            dialog.accept()
            return
        problems.append(f"dialog: {dialog.message}")
        dialog.dismiss()

    page.on("console", on_console)
    page.on("dialog", on_dialog)
    page.on("pageerror", lambda error: problems.append(f"page error: {error}"))


def open_chat(
    browser: Browser, servers: RunningStack, viewport: dict[str, int], sender: str | None = None
) -> Chat:
    """A fresh browser profile at `viewport`; with `sender`, that person's
    conversation (as if the page were reopened on another screen)."""
    context = browser.new_context(viewport=viewport, locale="zh-CN")  # type: ignore[arg-type]
    if sender:
        context.add_init_script(f"localStorage.setItem('yinling.sender', {json.dumps(sender)})")
    chat = Chat(context.new_page(), servers)
    watch(chat.page, chat.problems)
    chat.load()
    return chat


@pytest.fixture
def chat(browser: Browser, stack: RunningStack) -> Iterator[Chat]:  # noqa: F811
    """A phone-sized page for a new family member, greeted by the bot."""
    chat = open_chat(browser, stack, PHONE)
    yield chat
    chat.page.context.close()
    assert not chat.problems, chat.problems
