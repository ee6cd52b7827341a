"""The web chat's files and the history endpoint, through the app in-process.
Rasa is not running (a closed port); the page itself is tested in a real
browser in tests/web."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from gateway.app import create_app
from gateway.routes.chat import turns
from gateway.routes.web import CONTENT_TYPES, WEB_DIR
from tests.gateway.offline import offline_settings

URLS = ["/", *(f"/web/{name}" for name in CONTENT_TYPES if name != "index.html")]
SVG_NAMESPACE = "http://www.w3.org/2000/svg"  # an identifier, never fetched


@pytest.fixture
def client() -> Iterator[TestClient]:
    with TestClient(create_app(offline_settings())) as client:
        yield client


@pytest.mark.parametrize("url", URLS)
def test_page_and_assets_are_served_with_strict_security_headers(
    client: TestClient, url: str
) -> None:
    response = client.get(url)
    assert response.status_code == 200
    name = url.removeprefix("/web/") if url != "/" else "index.html"
    assert response.headers["content-type"] == CONTENT_TYPES[name]
    assert response.headers["x-content-type-options"] == "nosniff"
    policy = response.headers["content-security-policy"]
    assert "default-src 'none'" in policy and "script-src 'self'" in policy
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    assert "frame-ancestors 'none'" in policy


@pytest.mark.parametrize("name", sorted(CONTENT_TYPES))
def test_assets_name_no_other_host(name: str) -> None:
    text = (WEB_DIR / name).read_text(encoding="utf-8").replace(SVG_NAMESPACE, "")
    assert not re.search(r"(https?:)?//[\w-]+(\.[\w-]+)+", text, re.I)
    assert "@import" not in text and "url(" not in text


def test_page_has_no_inline_script_or_style() -> None:
    html = (WEB_DIR / "index.html").read_text(encoding="utf-8")
    assert re.findall(r"<script[^>]*>", html) == ['<script type="module" src="/web/chat.js">']
    assert "<style" not in html and "style=" not in html
    assert not re.search(r"\son\w+=", html, re.I)  # no inline event handlers


@pytest.mark.parametrize("name", ["chat.js", "render.js"])
def test_scripts_never_turn_text_into_markup(name: str) -> None:
    code = re.sub(r"^\s*//.*$", "", (WEB_DIR / name).read_text(encoding="utf-8"), flags=re.M)
    for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval("):
        assert sink not in code


@pytest.mark.parametrize(
    "url", ["/web/missing.js", "/web/..%2Fapp.py", "/web/index.html", "/web/", "/chat.js"]
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
    assert turns(events) == [
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


def test_a_payload_typed_again_later_is_not_mistaken_for_the_old_button() -> None:
    events = [
        bot("要订吗？", [{"title": "对，就这样订", "payload": "/affirm"}]),
        user("好的"),
        user("/affirm"),
    ]
    assert [t["text"] for t in turns(events)] == ["要订吗？", "好的"]
