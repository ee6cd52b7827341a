"""The knowledge API contract, against a real database (SQLite and PostgreSQL)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from gateway.app import create_app


@pytest.fixture
def client(knowledge_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[TestClient]:
    monkeypatch.setenv("DATABASE_URL", knowledge_url)
    with TestClient(create_app()) as client:
        yield client


def test_search_contract(client: TestClient) -> None:
    response = client.get(
        "/api/knowledge/search", params={"q": "家庭养老床位", "region": "宜兴", "k": 5}
    )
    assert response.status_code == 200
    results = response.json()["results"]
    assert 1 <= len(results) <= 5
    first = results[0]
    assert set(first) == {"source", "lines", "document", "section", "text", "score"}
    assert first["source"].endswith(".txt") and first["lines"][0] <= first["lines"][1]
    assert [r["score"] for r in results] == sorted((r["score"] for r in results), reverse=True)


def test_ask_contract_found(client: TestClient) -> None:
    response = client.post(
        "/api/ask", json={"question": "特困失能老人护理补贴一个月多少钱", "region": "章贡区"}
    )
    body = response.json()
    assert response.status_code == 200 and body["found"] is True
    assert "1200元" in body["answer"]
    citation = body["citations"][0]
    assert set(citation) == {"source", "lines", "document", "section", "quote"}
    assert citation["source"] == "001_5fc364c34bb5a4b3.txt" and citation["lines"] == [30, 30]


def test_ask_contract_not_found(client: TestClient) -> None:
    body = client.post("/api/ask", json={"question": "无锡的尊老金一个月发多少钱"}).json()
    assert body["found"] is False and "没有写具体金额" in body["answer"]


def test_compare_lists_every_region(client: TestClient) -> None:
    body = client.get("/api/knowledge/compare", params={"topic": "家庭养老床位"}).json()
    assert [r["region"] for r in body["regions"]] == [
        "无锡市",
        "赣州市",
        "重庆市",
        "淄博市",
        "江苏省",
    ]
    assert all(r["results"] for r in body["regions"])
    for region in body["regions"]:
        assert len({r["source"] for r in region["results"]}) == 1


@pytest.mark.parametrize(
    ("method", "path", "kwargs", "status", "error"),
    [
        ("get", "/api/knowledge/search", {"params": {"q": ""}}, 422, "invalid_request"),
        ("get", "/api/knowledge/search", {"params": {"q": "   "}}, 422, "invalid_request"),
        ("get", "/api/knowledge/search", {"params": {"q": "好" * 3000}}, 422, "invalid_request"),
        (
            "get",
            "/api/knowledge/search",
            {"params": {"q": "补贴", "region": "火星"}},
            422,
            "unknown_region",
        ),
        ("get", "/api/knowledge/search", {"params": {"q": "补贴", "k": 0}}, 422, "invalid_request"),
        (
            "get",
            "/api/knowledge/search",
            {"params": {"q": "补贴", "k": "abc"}},
            422,
            "invalid_request",
        ),
        ("get", "/api/knowledge/search", {"params": {}}, 422, "invalid_request"),
        ("post", "/api/ask", {"json": {"question": ""}}, 422, "invalid_request"),
        ("post", "/api/ask", {"json": {"question": "问" * 10_000}}, 422, "invalid_request"),
        ("post", "/api/ask", {"json": {"question": 5}}, 422, "invalid_request"),
        (
            "post",
            "/api/ask",
            {"json": {"question": "补贴", "region": "北京"}},
            422,
            "unknown_region",
        ),
        ("get", "/api/knowledge/compare", {"params": {"topic": ""}}, 422, "invalid_request"),
    ],
)
def test_bad_input_is_a_clear_4xx(client: TestClient, method, path, kwargs, status, error) -> None:  # type: ignore[no-untyped-def]
    response = getattr(client, method)(path, **kwargs)
    assert response.status_code == status
    assert response.json()["error"] == error and response.json()["detail"]


@pytest.mark.parametrize(
    "hostile",
    ["'; DROP TABLE passages; --", "<script>alert(1)</script>", "1 OR 1=1", "%' UNION SELECT *"],
)
def test_sql_and_html_fragments_are_just_text(client: TestClient, hostile: str) -> None:
    search = client.get("/api/knowledge/search", params={"q": hostile})
    assert search.status_code == 200
    answer = client.post("/api/ask", json={"question": hostile})
    assert answer.status_code == 200 and answer.json()["found"] is False
    assert client.get("/api/knowledge/search", params={"q": "家庭养老床位"}).json()["results"]
