"""POST /api/eligibility: contract and invalid input."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from gateway.app import create_app


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    with TestClient(create_app()) as client:
        yield client


def test_contract(client: TestClient) -> None:
    response = client.post(
        "/api/eligibility",
        json={"region": "章贡区", "age": 82, "economic_status": "特困", "self_care": "失能"},
    )
    assert response.status_code == 200
    body = response.json()
    assert body["region"] == "赣州市" and body["benefits"]
    first = body["benefits"][0]
    assert set(first) == {
        "id",
        "name",
        "region",
        "status",
        "amount",
        "reasons",
        "citations",
        "next_step",
    }
    assert first["status"] in ("eligible", "maybe", "not_eligible")
    citation = first["citations"][0]
    assert set(citation) == {"source", "lines", "document", "section", "quote"}
    assert citation["document"].startswith("赣州") and citation["section"]
    assert all(m["question"] for m in body["missing"])


def test_undetermined_conditions_are_maybe_with_the_reason(client: TestClient) -> None:
    """重庆's plan names 高龄津贴 but not from what age: a 70-year-old is not
    told they qualify, and the reason says the document does not say."""
    body = client.post("/api/eligibility", json={"region": "重庆市", "age": 70}).json()
    allowance = next(b for b in body["benefits"] if b["id"] == "chongqing-old-age-allowance")
    assert allowance["status"] == "maybe" and allowance["amount"] is None
    assert any("没有写明" in r for r in allowance["reasons"])


def test_stated_amount_for_tekun_care_subsidy(client: TestClient) -> None:
    body = client.post(
        "/api/eligibility",
        json={"region": "赣州市", "economic_status": "特困", "self_care": "失能"},
    ).json()
    amounts = [b["amount"] for b in body["benefits"] if b["amount"]]
    assert "1200元/月" in amounts


@pytest.mark.parametrize(
    "body",
    [
        {"region": "赣州市", "age": 200},
        {"region": "赣州市", "age": -1},
        {"region": "赣州市", "age": "八十"},
        {"region": "赣州市", "economic_status": "富裕"},
        {"region": "赣州市", "self_care": "很好"},
        {"region": "赣州市", "disability": "yes"},
        {"region": "赣州市", "height": 170},
        {"age": 80},
    ],
)
def test_invalid_profiles_are_422(client: TestClient, body: dict) -> None:
    response = client.post("/api/eligibility", json=body)
    assert response.status_code == 422 and response.json()["detail"]


def test_contradictory_profile_is_422_with_the_facts(client: TestClient) -> None:
    response = client.post(
        "/api/eligibility",
        json={"region": "赣州市", "disability": False, "receives_disability_care_subsidy": True},
    )
    assert response.status_code == 422
    body = response.json()
    assert body["error"] == "contradictory_profile" and "对不上" in body["detail"]
    assert set(body["fields"]) == {"disability", "receives_disability_care_subsidy"}


def test_unknown_region_is_422(client: TestClient) -> None:
    response = client.post("/api/eligibility", json={"region": "北京", "age": 80})
    assert response.status_code == 422 and response.json()["error"] == "unknown_region"
