"""The web pages' files (family chat and staff console) and the chat
history endpoint, through the app in-process. Rasa is not running (a
closed port); the pages themselves are tested in a real browser in
tests/web."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from gateway.app import create_app
from gateway.routes.chat import turns
from gateway.routes.web import ASSETS, MEDIA_TYPES, PAGES, WEB_DIR
from tests.gateway.offline import offline_settings

# Every file served, by URL; the console page itself needs a login (tests/web).
FILES = {"/": WEB_DIR / PAGES["chat"], "/staff/login": WEB_DIR / PAGES["login"]} | {
    f"/web/{name}": path for name, path in ASSETS.items()
}
SOURCES = sorted(p.relative_to(WEB_DIR).as_posix() for p in WEB_DIR.rglob("*") if p.is_file())
SCRIPTS = [name for name in SOURCES if name.endswith(".js")]
SVG_NAMESPACE = "http://www.w3.org/2000/svg"  # an identifier, never fetched


@pytest.fixture
def client() -> Iterator[TestClient]:
    with TestClient(create_app(offline_settings())) as client:
        yield client


def test_every_file_of_the_pages_is_served() -> None:
    served = {path.relative_to(WEB_DIR).as_posix() for path in FILES.values()}
    assert served | {PAGES["console"]} == set(SOURCES)
    assert {"console/main.js", "console/handoffs.js", "dom.js", "staff.css"} <= set(ASSETS)


@pytest.mark.parametrize("url", sorted(FILES))
def test_pages_and_assets_are_served_with_strict_security_headers(
    client: TestClient, url: str
) -> None:
    response = client.get(url)
    assert response.status_code == 200
    assert response.headers["content-type"] == MEDIA_TYPES[FILES[url].suffix]
    assert response.content == FILES[url].read_bytes()
    assert response.headers["x-content-type-options"] == "nosniff"
    policy = response.headers["content-security-policy"]
    assert "default-src 'none'" in policy and "script-src 'self'" in policy
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    assert "frame-ancestors 'none'" in policy


@pytest.mark.parametrize("name", SOURCES)
def test_assets_name_no_other_host(name: str) -> None:
    text = (WEB_DIR / name).read_text(encoding="utf-8").replace(SVG_NAMESPACE, "")
    assert not re.search(r"(https?:)?//[\w-]+(\.[\w-]+)+", text, re.I)
    assert "@import" not in text and "url(" not in text


@pytest.mark.parametrize(
    ("page", "script"),
    [("chat", "chat.js"), ("console", "console/main.js"), ("login", "console/login.js")],
)
def test_pages_have_no_inline_script_or_style(page: str, script: str) -> None:
    html = (WEB_DIR / PAGES[page]).read_text(encoding="utf-8")
    assert re.findall(r"<script[^>]*>", html) == [f'<script type="module" src="/web/{script}">']
    assert "<style" not in html and "style=" not in html
    assert not re.search(r"\son\w+=", html, re.I)  # no inline event handlers


@pytest.mark.parametrize("name", SCRIPTS)
def test_scripts_never_turn_text_into_markup(name: str) -> None:
    code = re.sub(r"^\s*//.*$", "", (WEB_DIR / name).read_text(encoding="utf-8"), flags=re.M)
    for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval("):
        assert sink not in code


@pytest.mark.parametrize(
    "url",
    [
        "/web/missing.js",
        "/web/..%2Fapp.py",
        "/web/console/..%2F..%2Fapp.py",
        "/web/index.html",
        "/web/staff.html",
        "/web/",
        "/web/console",
        "/chat.js",
    ],
)
def test_only_the_listed_files_are_served(client: TestClient, url: str) -> None:
    response = client.get(url)
    assert response.status_code == 404
    assert response.json()["error"] == "http_error"


@pytest.mark.parametrize("sender", ["a b", "a<script>", "%2E%2E", "x" * 129, "名字 有空格"])
def test_history_of_a_malformed_sender_is_a_chinese_422(client: TestClient, sender: str) -> None:
    response = client.get(f"/api/chat/{sender}/history")
    assert response.status_code == 422
    body = response.json()
    assert body["error"] == "invalid_request"
    assert any("\u4e00" <= ch <= "\u9fff" for ch in body["detail"])


def test_history_while_the_assistant_is_down_is_a_polite_503(client: TestClient) -> None:
    response = client.get("/api/chat/web-0123abcd/history")
    assert response.status_code == 503
    assert response.json()["error"] == "assistant_unavailable"


def bot(
    text: str | None, buttons: list[dict[str, str]] | None = None, custom: Any = None
) -> dict[str, Any]:
    """A BotUttered event as Rasa's tracker endpoint returns it."""
    data = {"buttons": buttons, "custom": custom, "elements": None}
    return {"event": "bot", "text": text, "data": data}


def user(text: str) -> dict[str, Any]:
    return {"event": "user", "text": text, "parse_data": {"intent": {"name": "x"}}}


def test_history_is_the_conversation_as_the_person_saw_it() -> None:
    yes = [{"title": "对，就这样订", "payload": "/affirm"}, {"title": "不对", "payload": "/deny"}]
    card = {"kind": "booking_confirmation", "reference": "234568"}
    events = [
        {"event": "action", "name": "action_session_start"},
        {"event": "session_started"},
        user("/greet"),  # sent by the page itself, no button offered it
        bot("您好", [{"title": "订餐", "payload": "/book_meal"}]),
        user("/book_meal"),
        {"event": "action", "name": "meal_booking_form"},
        bot("我核对一下……", yes),
        user("/affirm"),
        bot("订好了！", custom=card),
        user("<b>谢谢</b>"),
        bot(None),
    ]
    for second, event in enumerate(events):
        event["timestamp"] = 1_790_000_000.0 + second
    assert [{k: v for k, v in turn.items() if k != "timestamp"} for turn in turns(events)] == [
        {
            "role": "bot",
            "text": "您好",
            "buttons": [{"title": "订餐", "payload": "/book_meal"}],
            "custom": None,
        },
        {"role": "user", "text": "订餐", "buttons": [], "custom": None},
        {"role": "bot", "text": "我核对一下……", "buttons": yes, "custom": None},
        {"role": "user", "text": "对，就这样订", "buttons": [], "custom": None},
        {"role": "bot", "text": "订好了！", "buttons": [], "custom": card},
        {"role": "user", "text": "<b>谢谢</b>", "buttons": [], "custom": None},
    ]
    # Each turn keeps when it was said (the web chat orders advisor replies by it).
    assert [turn["timestamp"] for turn in turns(events)] == [
        1_790_000_003.0, 1_790_000_004.0, 1_790_000_006.0, 1_790_000_007.0,
        1_790_000_008.0, 1_790_000_009.0,
    ]  # fmt: skip


def test_a_payload_typed_again_later_is_not_mistaken_for_the_old_button() -> None:
    events = [
        bot("要订吗？", [{"title": "对，就这样订", "payload": "/affirm"}]),
        user("好的"),
        user("/affirm"),
    ]
    assert [t["text"] for t in turns(events)] == ["要订吗？", "好的"]
