"""Input limits and failure modes of the gateway. Rasa is deliberately not
running here (a closed port): the gateway must say so politely, never 500.
The happy path through the real servers is in tests/e2e."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from gateway.app import create_app
from tests.gateway.offline import offline_settings


@pytest.fixture
def client(use_database: str) -> Iterator[TestClient]:
    with TestClient(create_app(offline_settings())) as client:
        yield client


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"sender": "t1", "message": ""}, "invalid_request"),
        ({"sender": "t1", "message": "   "}, "invalid_request"),
        ({"sender": "t1", "message": 123}, "invalid_request"),
        ({"sender": "t1", "message": ["你好"]}, "invalid_request"),
        ({"sender": "t1", "message": None}, "invalid_request"),
        ({"sender": "t1"}, "invalid_request"),
        ({"sender": "", "message": "你好"}, "invalid_request"),
        ({"sender": "a b<script>", "message": "你好"}, "invalid_request"),
        ({"sender": "t1", "message": "好" * 501}, "message_too_long"),
    ],
)
def test_bad_messages_get_a_clear_chinese_4xx(client: TestClient, body: dict, code: str) -> None:
    response = client.post("/api/chat", json=body)
    assert response.status_code == 422
    payload = response.json()
    assert payload["error"] == code
    assert any("\u4e00" <= ch <= "\u9fff" for ch in payload["detail"])


def test_malformed_json_is_a_4xx(client: TestClient) -> None:
    response = client.post(
        "/api/chat", content=b"{not json", headers={"content-type": "application/json"}
    )
    assert response.status_code == 422 and response.json()["error"] == "invalid_request"


def test_huge_body_is_refused_before_parsing(client: TestClient) -> None:
    response = client.post("/api/chat", json={"sender": "t1", "message": "好" * 100_000})
    assert response.status_code == 413 and response.json()["error"] == "body_too_large"


def test_assistant_down_is_a_polite_503(client: TestClient) -> None:
    response = client.post("/api/chat", json={"sender": "t1", "message": "你好"})
    assert response.status_code == 503
    assert response.json()["error"] == "assistant_unavailable"


def test_health_reports_each_component(client: TestClient) -> None:
    response = client.get("/health")
    assert response.status_code == 503
    components = response.json()["components"]
    assert components["database"] == "ok"
    assert components["rasa"].startswith("unreachable")
    assert components["actions"].startswith("unreachable")


def test_unknown_route_is_json(client: TestClient) -> None:
    response = client.get("/nope")
    assert response.status_code == 404 and response.json()["detail"] == "没有这个地址"
