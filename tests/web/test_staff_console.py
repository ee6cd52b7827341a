"""The 养老顾问 console in headless Chromium against the real gateway, Rasa,
action server and database: an anonymous visitor is refused; an advisor
logs in, searches the documents, compares two regions, runs an eligibility
check, finds a family's booking and closes it, and answers a conversation
the bot handed off while the family watches it in the web chat; an admin
imports providers, and markup in their names stays text. Every console page
is drawn at phone and desktop size, measured against the 适老化 figures and
saved to results/screenshots/."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import select

from knowledge.db import unit_of_work
from knowledge.models import Booking, Provider
from knowledge.staff.users import create_user
from tests.conftest import report_figure
from tests.e2e.conftest import RunningStack
from tests.web.conftest import DESKTOP, PHONE, SCREENSHOTS, Chat, open_chat, watch
from tests.web.elderly import MIN_FONT_PX, assert_elderly_friendly

pytestmark = pytest.mark.parametrize("stack", ["embedded"], indirect=True)

PASSWORD = "a long and secret passphrase"
WAIT_MS = 20_000  # the console and the chat each look for news every 4 s
SIZES = {"phone": PHONE, "desktop": DESKTOP}


@dataclass
class Console:
    """One staff member's browser on the console."""

    page: Page
    problems: list[str] = field(default_factory=list)

    def tab(self, name: str) -> None:
        self.page.click(f'.tabs a[href="#{name}"]')
        expect(self.page.locator(f"section#{name}")).to_be_visible()

    def panel(self, name: str):  # type: ignore[no-untyped-def]
        return self.page.locator(f"section#{name}")

    def screenshot(self, name: str) -> None:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=SCREENSHOTS / f"{name}.png", full_page=True)


_accounts: set[tuple[str, str]] = set()


def account(stack: RunningStack, username: str, role: str) -> None:
    """A staff account, created once per test session as the CLI would."""
    if (stack.url, username) in _accounts:
        return
    with unit_of_work(stack.engine) as uow:
        create_user(uow, username, f"测试{username}", role, PASSWORD)
    _accounts.add((stack.url, username))


def log_in(browser: Browser, stack: RunningStack, username: str, role: str, size: str) -> Console:
    account(stack, username, role)
    context = browser.new_context(viewport=SIZES[size], locale="zh-CN")  # type: ignore[arg-type]
    console = Console(context.new_page())
    watch(console.page, console.problems, confirms=True)  # the console asks before cancelling
    console.page.goto(f"{stack.url}/staff")
    expect(console.page).to_have_url(re.compile(r"/staff/login\?next=/staff$"))
    console.page.fill("#username", username)
    console.page.fill("#password", PASSWORD)
    console.page.click("#login button[type=submit]")
    expect(console.page.locator("#who")).to_have_text(re.compile(f"测试{username}"))
    return console


OpenConsole = Callable[[str, str, str], Console]


@pytest.fixture
def open_console(browser: Browser, stack: RunningStack) -> Iterator[OpenConsole]:
    """Log a staff member in: `open_console(username, role, size)`. Every
    console opened is closed after the test and checked for problems."""
    opened: list[Console] = []

    def _open(username: str, role: str, size: str) -> Console:
        opened.append(log_in(browser, stack, username, role, size))
        return opened[-1]

    yield _open
    for console in opened:
        console.page.context.close()
    for console in opened:
        assert not console.problems, console.problems


# ---- refused ------------------------------------------------------------------------------


def test_an_anonymous_visitor_is_refused(browser: Browser, stack: RunningStack) -> None:
    context = browser.new_context(viewport=PHONE, locale="zh-CN")  # type: ignore[arg-type]
    page = context.new_page()
    try:
        page.goto(f"{stack.url}/staff#bookings")
        expect(page).to_have_url(re.compile(r"/staff/login\?next=/staff#bookings$"))
        expect(page.locator("#who")).to_have_count(0)  # the console never loaded
        for path in ("/api/staff/bookings", "/api/staff/handoffs", "/api/staff/providers"):
            response = page.request.get(f"{stack.url}{path}")
            assert response.status == 401 and response.json()["error"] == "login_required"
        account(stack, "advisor-wrong", "advisor")
        page.fill("#username", "advisor-wrong")
        page.fill("#password", "not the password")
        page.click("#login button[type=submit]")
        expect(page.locator("#login-error")).to_have_text("用户名或密码不对。")
        expect(page).to_have_url(re.compile(r"/staff/login"))
        assert_elderly_friendly(page, MIN_FONT_PX)
        page.screenshot(path=SCREENSHOTS / "staff-login-phone.png")
        page.set_viewport_size(DESKTOP)
        page.screenshot(path=SCREENSHOTS / "staff-login-desktop.png")
        # With the right password, back to the tab that was asked for.
        page.fill("#password", PASSWORD)
        page.click("#login button[type=submit]")
        expect(page).to_have_url(re.compile(r"/staff#bookings$"))
        expect(page.locator("section#bookings")).to_be_visible()
    finally:
        context.close()


# ---- every page, both sizes --------------------------------------------------------------


@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_every_console_page_at_phone_and_desktop_size(
    stack: RunningStack, open_console: OpenConsole, size: str
) -> None:
    console = open_console("advisor-pages", "advisor", size)
    smallest: dict[str, float] = {}

    def measured(name: str) -> None:
        # Nothing wider than the screen: the page never scrolls sideways
        # (wide tables scroll inside their own box).
        overflow = console.page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, f"{name} is {overflow}px wider than the screen"
        figures = assert_elderly_friendly(console.page, MIN_FONT_PX)
        for key, value in figures.items():
            smallest[key] = min(smallest.get(key, value), value)
        console.screenshot(f"staff-{name}-{size}")

    search = console.panel("search")
    search.get_by_label("要查的内容").fill("高龄津贴")
    search.get_by_role("button", name="检索", exact=True).click()
    expect(search.locator(".result").first).to_be_visible()
    measured("search")

    console.tab("compare")
    compare = console.panel("compare")
    compare.get_by_label("主题").fill("家庭养老床位")
    compare.get_by_role("button", name="对比", exact=True).click()
    expect(compare.locator(".column")).to_have_count(2)
    measured("compare")

    console.tab("eligibility")
    form = console.panel("eligibility")
    form.get_by_label("地区").select_option("无锡市")
    form.get_by_label("年龄").fill("81")
    form.get_by_role("button", name="测算", exact=True).click()
    expect(form.locator(".benefit").first).to_be_visible()
    measured("eligibility")

    for name, ready in (
        ("bookings", "#bookings .status"),
        ("providers", "#providers-table tbody tr"),
        ("handoffs", "#handoffs .status"),
    ):
        console.tab(name)
        expect(console.page.locator(ready).first).not_to_be_empty()
        measured(name)
    report_figure(
        f"staff console ({SIZES[size]['width']}×{SIZES[size]['height']}, 6 tabs): "
        f"smallest text {smallest['font']:.0f}px, lowest contrast {smallest['contrast']:.1f}:1, "
        f"smallest control {smallest['target']:.0f}px"
    )


# ---- policy work -------------------------------------------------------------------------


def test_an_advisor_checks_what_a_client_may_get(
    stack: RunningStack, open_console: OpenConsole
) -> None:
    console = open_console("advisor-eligibility", "advisor", "desktop")
    console.tab("eligibility")
    form = console.panel("eligibility")
    form.get_by_label("地区").select_option("无锡市")
    form.get_by_label("年龄").fill("81")
    form.get_by_role("button", name="测算", exact=True).click()
    card = form.locator(".benefit.eligible", has_text="80周岁以上老年人尊老金")
    expect(card.locator(".verdict")).to_have_text("符合")
    expect(card.locator(".citation summary")).to_contain_text("《")
    # Unknown facts are asked about, not counted against the client.
    expect(form.locator(".missing")).to_contain_text("家里是特困、低保、低收入，还是一般家庭？")
    expect(form.locator(".not-eligible .benefit").first).to_be_hidden()  # folded away
    # An impossible age is stopped in the form, before anything is sent.
    summary = form.locator(".status").inner_text()
    assert re.match(r"^无锡市：符合\d+项", summary)
    form.get_by_label("年龄").fill("200")
    form.get_by_role("button", name="测算", exact=True).click()
    assert form.get_by_label("年龄").evaluate("input => input.validity.rangeOverflow")
    expect(form.locator(".status")).to_have_text(summary)


def test_an_advisor_searches_and_compares_two_regions(
    stack: RunningStack, open_console: OpenConsole
) -> None:
    console = open_console("advisor-policy", "advisor", "desktop")
    search = console.panel("search")
    search.get_by_label("要查的内容").fill("家庭养老床位")
    search.get_by_label("地区").select_option("赣州市")
    search.get_by_role("button", name="检索", exact=True).click()
    first = search.locator(".result").first
    expect(first.locator("summary")).to_contain_text("《")
    expect(first.locator("summary")).to_contain_text("行）")
    first.locator("summary").click()
    expect(first.locator("blockquote")).not_to_be_empty()
    assert all("《赣州市" in text for text in search.locator(".citation summary").all_inner_texts())

    console.tab("compare")
    compare = console.panel("compare")
    compare.get_by_label("主题").fill("高龄津贴")
    compare.get_by_label("地区一").select_option("无锡市")
    compare.get_by_label("地区二").select_option("重庆市")
    compare.get_by_role("button", name="对比", exact=True).click()
    expect(compare.locator(".column h3")).to_have_text(["无锡市", "重庆市"])
    boxes = [compare.locator(".column").nth(i).bounding_box() for i in range(2)]
    assert boxes[0] and boxes[1] and boxes[0]["y"] == boxes[1]["y"]  # side by side
    assert boxes[0]["x"] < boxes[1]["x"]
    for column in range(2):
        expect(compare.locator(".column").nth(column).locator(".citation").first).to_be_visible()

    compare.get_by_label("地区二").select_option("无锡市")
    compare.get_by_role("button", name="对比", exact=True).click()
    expect(compare.locator(".status")).to_have_text("请选两个不同的地区。")


# ---- bookings ------------------------------------------------------------------------------


def book_meal_by_chat(stack: RunningStack, sender: str) -> str:
    for message in (
        "给我妈订明天中午的饭，送到家",
        "梁溪区",
        "好",
        "周桂兰",
        "13955556666",
        "清名桥街道新民小区5栋302",
        "对",
    ):
        stack.chat(sender, message)
    with unit_of_work(stack.engine) as uow:
        booking = uow.session.execute(
            select(Booking).where(Booking.sender_id == sender)
        ).scalar_one()
        return str(booking.reference)


def test_an_advisor_finds_a_familys_booking_and_cancels_it(
    stack: RunningStack, open_console: OpenConsole
) -> None:
    reference = book_meal_by_chat(stack, "web-console-booking")
    console = open_console("advisor-bookings", "advisor", "desktop")
    console.tab("bookings")
    panel = console.panel("bookings")
    panel.get_by_label("预约号、电话或姓名").fill(reference)
    panel.get_by_role("button", name="查询", exact=True).click()
    row = panel.locator(f'tr[data-reference="{reference}"]')
    expect(row).to_contain_text("周桂兰")
    expect(row).to_contain_text("13955556666")  # staff see the whole number
    expect(row).to_contain_text("已预约")
    expect(panel.locator("#bookings-export")).to_have_attribute(
        "href", f"/api/staff/bookings/export.csv?q={reference}"
    )
    row.get_by_role("button", name=f"{reference} 取消", exact=True).click()
    expect(row).to_contain_text("已取消")
    expect(panel.locator(".status")).to_contain_text(f"预约 {reference} 已改为“已取消”")
    with unit_of_work(stack.engine) as uow:
        stored = uow.session.execute(
            select(Booking).where(Booking.reference == reference)
        ).scalar_one()
        assert (stored.status, stored.status_changed_by) == ("cancelled", "advisor-bookings")
    export = console.page.request.get(f"{stack.url}/api/staff/bookings/export.csv?q={reference}")
    assert export.status == 200 and "周桂兰" in export.text() and "已取消" in export.text()


# ---- hand-off ------------------------------------------------------------------------------


def advisor_rows(chat: Chat) -> list[str]:
    return chat.page.locator(".row.advisor .bubble").all_inner_texts()


def test_an_advisor_answers_a_conversation_the_bot_handed_off(
    browser: Browser, stack: RunningStack, open_console: OpenConsole
) -> None:
    family = open_chat(browser, stack, PHONE)
    try:
        family.say("我要找真人")
        expect(family.page.locator(".row.bot .bubble").last).to_contain_text("转给养老顾问")

        console = open_console("advisor-handoff", "advisor", "desktop")
        console.tab("handoffs")
        panel = console.panel("handoffs")
        panel.get_by_role("button", name=re.compile("等待接手：我要找真人")).first.click()
        expect(panel.locator("#transcript")).to_contain_text("我要找真人")
        panel.get_by_role("button", name="接手", exact=True).click()
        expect(panel.locator("#handoff-meta")).to_contain_text("处理中，advisor-handoff处理")

        # The family sees who took over, without sending anything.
        expect(family.page.locator(".row.advisor").first).to_contain_text(
            "养老顾问 测试advisor-handoff", timeout=WAIT_MS
        )
        panel.get_by_label("回复").fill("您好，我帮您查一下助餐的事。<b>别急</b>")
        panel.get_by_role("button", name="发送", exact=True).click()
        expect(family.page.locator(".row.advisor .bubble").last).to_have_text(
            "您好，我帮您查一下助餐的事。<b>别急</b>", timeout=WAIT_MS
        )
        assert family.page.locator(".row.advisor b").count() == 0  # text, not markup

        # While the advisor holds it the bot stays quiet; the advisor reads it.
        family.page.fill("#message", "谢谢，我妈住梁溪区")
        family.page.click("#send")
        expect(family.page.locator(".notice").last).to_have_text(
            "已发给养老顾问，请稍等，回复会出现在这里。"
        )
        expect(panel.locator("#transcript")).to_contain_text("我妈住梁溪区", timeout=WAIT_MS)
        console.screenshot("staff-handoff-answered-desktop")
        family.screenshot("phone-advisor-reply")

        panel.get_by_role("button", name="结束对话", exact=True).click()
        expect(family.page.locator(".row.advisor .bubble").last).to_contain_text(
            "结束了这次对话", timeout=WAIT_MS
        )
        family.problems.clear()
        family.page.locator(".row.system").evaluate_all("rows => rows.forEach(r => r.remove())")
        family.say("你好")  # the bot answers again
        assert advisor_rows(family)[-1].startswith("养老顾问已经结束")
        assert family.bubbles()[-1] != advisor_rows(family)[-1]

        # The whole exchange is there after a reload too.
        family.load()
        expect(family.page.locator(".row.advisor")).to_have_count(3)
    finally:
        family.page.context.close()
    assert not family.problems, family.problems


# ---- providers -----------------------------------------------------------------------------

SAMPLE_HEADER = (
    "code,kind,name,region,district,street,address,phone,services,periods,daily_capacity,"
    "dine_in,delivery,service_area,closed_weekdays,sample,active"
)
QUOTES_NAME = "阳光\"食堂'onmouseover=alert(1) & 助餐"


def test_an_admin_imports_providers_and_markup_in_names_stays_text(
    stack: RunningStack, open_console: OpenConsole
) -> None:
    advisor = open_console("advisor-noimport", "advisor", "desktop")
    advisor.tab("providers")
    expect(advisor.page.locator("#import-form")).to_be_hidden()  # admins only

    admin = open_console("admin-import", "admin", "desktop")
    admin.tab("providers")
    csv_text = "\n".join(
        [
            SAMPLE_HEADER,
            f'UI-1,meal,"{QUOTES_NAME.replace(chr(34), chr(34) * 2)}",无锡市,梁溪区,清名桥街道,'
            "梁溪区清名桥街道8号,0510-80009999,堂食,lunch,20,是,否,清名桥街道,,否,是",
            "UI-2,meal,<script>alert(1)</script>食堂,无锡市,梁溪区,清名桥街道,"
            "梁溪区清名桥街道9号,0510-80009998,堂食,lunch,20,是,否,清名桥街道,,否,是",
        ]
    )
    form = admin.page.locator("#import-form")
    form.locator("input[type=file]").set_input_files(
        {"name": "providers.csv", "mimeType": "text/csv", "buffer": csv_text.encode("gb18030")}
    )
    form.get_by_label("只检查，不写入").uncheck()
    form.get_by_role("button", name="导入", exact=True).click()
    report = admin.page.locator("#import-report")
    expect(report).to_contain_text("导入完毕：新增1")
    expect(report).to_contain_text("第3行 [UI-2] name")
    assert admin.page.locator("#import-report script, #providers script").count() == 0
    row = admin.page.locator("#providers-table tr", has_text="UI-1")
    expect(row.locator("td").nth(1)).to_have_text(QUOTES_NAME)
    row.hover()  # an executed onmouseover would open a dialog: a problem
    admin.screenshot("staff-providers-import-desktop")
    with unit_of_work(stack.engine) as uow:
        names = set(uow.session.execute(select(Provider.name)).scalars())
    assert QUOTES_NAME in names and not any("<script>" in name for name in names)
