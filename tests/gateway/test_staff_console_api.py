"""The staff console's own APIs against real SQLite and PostgreSQL: closing
bookings (served, not there, cancelled), the CSV export, the provider
directory and its CSV import, and the hand-off queue's rules. Routes that
talk to Rasa are tested through the real servers in tests/e2e and tests/web;
here Rasa is a closed port, to prove that a claim it never heard of is undone."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, update
from sqlalchemy.engine import Engine

from gateway.app import create_app
from gateway.auth import CSRF_HEADER
from knowledge.booking.providers_import import SAMPLE_FILE
from knowledge.db import engine_for, unit_of_work
from knowledge.models import Booking, EmergencyAlert, Handoff, Provider
from knowledge.services.emergency import record_emergency
from knowledge.services.handoff import open_handoff
from tests.gateway.offline import offline_settings
from tests.gateway.staff_login import log_in
from tests.gateway.test_bookings_api import (
    DAUGHTER,
    MOTHER,
    add_provider,
    day,
    elder,
    is_chinese,
    lunch_left,
    meal,
)

HEADER = SAMPLE_FILE.read_text(encoding="utf-8").splitlines()[0]
GOOD_ROW = SAMPLE_FILE.read_text(encoding="utf-8").splitlines()[1]


@pytest.fixture
def offline(use_database: str) -> Any:
    """The gateway on the test database with Rasa unreachable."""
    with TestClient(create_app(offline_settings())) as client:
        yield client
    engine_for(use_database).dispose()


def book(client: TestClient, provider_id: int, **overrides: Any) -> str:
    response = client.post("/api/bookings", json=meal(provider_id, **overrides))
    assert response.status_code == 201, response.text
    return str(response.json()["reference"])


def set_status(client: TestClient, csrf: str, reference: str, status: str) -> Any:
    return client.post(
        f"/api/staff/bookings/{reference}/status",
        json={"status": status},
        headers={CSRF_HEADER: csrf},
    )


def stored(engine: Engine, reference: str) -> Booking:
    with unit_of_work(engine) as uow:
        return uow.session.execute(
            select(Booking).where(Booking.reference == reference)
        ).scalar_one()


# ---- bookings: status --------------------------------------------------------------


def test_an_advisor_cancels_for_a_family_and_the_place_goes_back(
    client: TestClient, engine: Engine
) -> None:
    csrf = log_in(client, engine, "advisor1")
    provider_id = add_provider(engine)
    reference = book(client, provider_id)
    assert lunch_left(client, provider_id, day(1)) == 4
    response = set_status(client, csrf, reference, "cancelled")
    assert response.status_code == 200
    assert response.json()["status"] == "cancelled"
    assert response.json()["beneficiary"]["phone"] == MOTHER["phone"]  # staff see it whole
    assert lunch_left(client, provider_id, day(1)) == 5
    booking = stored(engine, reference)
    assert booking.status_changed_by == "advisor1" and booking.status_changed_at is not None
    again = set_status(client, csrf, reference, "completed")
    assert again.status_code == 409 and "已取消" in again.json()["detail"]


def test_served_or_not_there_only_once_the_day_has_come(client: TestClient, engine: Engine) -> None:
    csrf = log_in(client, engine)
    provider_id = add_provider(engine)
    tomorrow = book(client, provider_id)
    early = set_status(client, csrf, tomorrow, "completed")
    assert early.status_code == 422 and "还没到日子" in early.json()["detail"]
    with unit_of_work(engine) as uow:  # the day comes
        uow.session.execute(
            update(Booking).where(Booking.reference == tomorrow).values(date=day(0))
        )
    assert set_status(client, csrf, tomorrow, "completed").json()["status"] == "completed"
    # A served meal keeps its place: the kitchen cooked it.
    assert lunch_left(client, provider_id, day(1)) == 4
    other = book(client, provider_id, beneficiary=elder(1))
    with unit_of_work(engine) as uow:
        uow.session.execute(update(Booking).where(Booking.reference == other).values(date=day(-1)))
    assert set_status(client, csrf, other, "no_show").json()["status"] == "no_show"


@pytest.mark.parametrize(
    ("reference", "status", "code", "http"),
    [
        ("000000", "cancelled", "not_found", 404),
        ("abc", "cancelled", "not_found", 404),
        (None, "confirmed", "invalid", 422),
        (None, "done", "invalid", 422),
        (None, "<script>", "invalid", 422),
    ],
)
def test_bad_status_changes_are_refused_in_chinese(
    client: TestClient, engine: Engine, reference: str | None, status: str, code: str, http: int
) -> None:
    csrf = log_in(client, engine)
    reference = reference or book(client, add_provider(engine))
    response = set_status(client, csrf, reference, status)
    assert response.status_code == http and response.json()["error"] == code
    assert is_chinese(response.json()["detail"])


def test_the_text_filter_finds_by_reference_phone_or_part_of_a_name(
    client: TestClient, engine: Engine
) -> None:
    log_in(client, engine)
    provider_id = add_provider(engine)
    mine = book(client, provider_id)
    other = book(client, provider_id, beneficiary=elder(7), booked_by=None)

    def found(text: str) -> list[str]:
        items = client.get("/api/staff/bookings", params={"q": text}).json()["items"]
        return [item["reference"] for item in items]

    assert found(mine) == [mine]
    assert found(DAUGHTER["phone"]) == [mine]
    assert found(elder(7)["phone"]) == [other]
    assert found("秀英") == [mine]
    assert found("%") == [] and found("_") == []  # wildcards are plain characters


# ---- bookings: export -------------------------------------------------------------------


def test_the_export_is_excel_ready_csv_of_what_the_filters_show(
    client: TestClient, engine: Engine
) -> None:
    log_in(client, engine)
    provider_id = add_provider(engine)
    book(client, provider_id, notes='=HYPERLINK("http://x")', beneficiary=elder(1))
    book(client, provider_id, offset=2, beneficiary=elder(2))
    response = client.get("/api/staff/bookings/export.csv", params={"date": day(1).isoformat()})
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert response.headers["content-disposition"].startswith('attachment; filename="bookings-')
    assert response.headers["cache-control"] == "no-store"
    assert response.content.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:3] == ["预约号", "状态", "日期"]
    (row,) = rows[1:]
    assert row[1] == "已预约" and row[2] == day(1).isoformat() and row[3] == "午餐"
    assert elder(1)["phone"] in row and "清名桥长者食堂" in row
    # A formula typed into a note is text in the spreadsheet, never run.
    assert '\'=HYPERLINK("http://x")' in row


def test_a_bad_export_filter_is_a_chinese_422(client: TestClient, engine: Engine) -> None:
    log_in(client, engine)
    response = client.get("/api/staff/bookings/export.csv", params={"date": "tomorrow"})
    assert response.status_code == 422 and is_chinese(response.json()["detail"])


# ---- providers ------------------------------------------------------------------------


def import_csv(client: TestClient, csrf: str, data: bytes, dry_run: bool) -> Any:
    return client.post(
        "/api/staff/providers/import",
        params={"dry_run": str(dry_run).lower()},
        content=data,
        headers={CSRF_HEADER: csrf, "content-type": "text/csv"},
    )


def test_an_admin_checks_then_imports_a_gbk_csv(client: TestClient, engine: Engine) -> None:
    csrf = log_in(client, engine, "boss", role="admin")
    data = f"{HEADER}\n{GOOD_ROW}\n".encode("gb18030")
    checked = import_csv(client, csrf, data, dry_run=True)
    assert checked.status_code == 200, checked.text
    assert checked.json()["dry_run"] is True and len(checked.json()["added"]) == 1
    assert client.get("/api/staff/providers").json() == []
    done = import_csv(client, csrf, data, dry_run=False).json()
    assert (len(done["added"]), done["bad_rows"]) == (1, 0)
    (listed,) = client.get("/api/staff/providers").json()
    assert listed["code"] == done["added"][0] and listed["active"] is True
    assert import_csv(client, csrf, data, dry_run=False).json()["unchanged"] == done["added"]


def test_markup_in_a_provider_name_is_a_bad_row_not_a_provider(
    client: TestClient, engine: Engine
) -> None:
    csrf = log_in(client, engine, "boss", role="admin")
    columns = HEADER.split(",")
    cells = next(csv.reader([GOOD_ROW]))
    cells[columns.index("name")] = "<img src=x onerror=alert(1)>食堂"
    cells[columns.index("code")] = "EVIL-1"
    out = io.StringIO()
    csv.writer(out).writerows([columns, next(csv.reader([GOOD_ROW])), cells])
    report = import_csv(client, csrf, out.getvalue().encode(), dry_run=False).json()
    assert report["bad_rows"] == 1 and len(report["added"]) == 1
    (error,) = report["errors"]
    assert (error["row"], error["code"], error["field"]) == (3, "EVIL-1", "name")
    assert is_chinese(error["message"])
    with unit_of_work(engine) as uow:
        names = uow.session.execute(select(Provider.name)).scalars().all()
    assert not any("<" in name for name in names)


@pytest.mark.parametrize(
    ("data", "status", "detail"),
    [
        pytest.param(b"", 422, "没有收到文件内容", id="empty"),
        pytest.param(b"x" * (2 * 1024 * 1024 + 1), 413, "文件太大", id="over-2MB"),
    ],
)
def test_an_empty_or_huge_upload_is_refused(
    client: TestClient, engine: Engine, data: bytes, status: int, detail: str
) -> None:
    csrf = log_in(client, engine, "boss", role="admin")
    response = import_csv(client, csrf, data, dry_run=True)
    assert response.status_code == status and detail in response.json()["detail"]
    # Sent in chunks, with no length to check up front, it is counted as it comes.
    chunked = client.post(
        "/api/staff/providers/import",
        content=iter([data[i : i + 65536] for i in range(0, len(data), 65536)] or [b""]),
        headers={CSRF_HEADER: csrf},
    )
    assert chunked.status_code == status and detail in chunked.json()["detail"]


def test_a_file_that_is_not_a_directory_is_reported_whole(
    client: TestClient, engine: Engine
) -> None:
    csrf = log_in(client, engine, "boss", role="admin")
    report = import_csv(client, csrf, "名字,电话\n张三,1\n".encode(), dry_run=False).json()
    assert report["added"] == [] and report["errors"][0]["row"] is None
    assert "缺少列" in report["errors"][0]["text"]


def test_staff_see_inactive_providers_and_the_public_does_not(
    client: TestClient, engine: Engine
) -> None:
    log_in(client, engine)
    add_provider(engine)
    add_provider(engine, code="T-OLD", name="停用食堂", active=False)
    staff = {p["name"]: p["active"] for p in client.get("/api/staff/providers").json()}
    assert staff == {"清名桥长者食堂": True, "停用食堂": False}
    public = [p["name"] for p in client.get("/api/providers").json()]
    assert public == ["清名桥长者食堂"]


# ---- hand-offs ------------------------------------------------------------------------


def queue_one(engine: Engine, sender: str = "web-family-1") -> int:
    with unit_of_work(engine) as uow:
        turns = [{"role": "user", "text": "我要找真人"}]
        return open_handoff(uow, sender, turns, "我要找真人").id


def test_the_queue_lists_emergencies_first_and_waiting_conversations(
    offline: TestClient, engine: Engine
) -> None:
    csrf = log_in(offline, engine)
    queue_one(engine)
    with unit_of_work(engine) as uow:
        alert_id = record_emergency(uow, "phone-9", "俺娘摔倒了起不来").id
    queue = offline.get("/api/staff/handoffs").json()
    assert [a["message"] for a in queue["emergencies"]] == ["俺娘摔倒了起不来"]
    assert [(h["status"], h["reason"]) for h in queue["handoffs"]] == [("open", "我要找真人")]
    ack = offline.post(f"/api/staff/emergencies/{alert_id}/ack", headers={CSRF_HEADER: csrf})
    assert ack.status_code == 200
    assert offline.get("/api/staff/handoffs").json()["emergencies"] == []
    with unit_of_work(engine) as uow:
        assert uow.session.get(EmergencyAlert, alert_id).status == "seen"


def test_a_claim_rasa_never_heard_of_is_undone(offline: TestClient, engine: Engine) -> None:
    csrf = log_in(offline, engine)
    handoff_id = queue_one(engine)
    response = offline.post(f"/api/staff/handoffs/{handoff_id}/claim", headers={CSRF_HEADER: csrf})
    assert response.status_code == 503 and response.json()["error"] == "assistant_unavailable"
    with unit_of_work(engine) as uow:
        handoff = uow.session.get(Handoff, handoff_id)
        assert (handoff.status, handoff.claimed_by) == ("open", None)


@pytest.mark.parametrize(
    ("action", "body", "status", "says"),
    [
        ("reply", {"text": "您好"}, 409, "先点“接手”"),
        ("close", None, 409, "先点“接手”"),
        ("reply", {"text": "   "}, 422, "回复是空的"),
        ("reply", {"text": "好" * 501}, 422, "太长"),
    ],
)
def test_replies_and_closing_need_the_conversation_in_hand(
    offline: TestClient, engine: Engine, action: str, body: Any, status: int, says: str
) -> None:
    csrf = log_in(offline, engine)
    handoff_id = queue_one(engine)
    response = offline.post(
        f"/api/staff/handoffs/{handoff_id}/{action}", json=body, headers={CSRF_HEADER: csrf}
    )
    assert response.status_code == status and says in response.json()["detail"]


def test_an_unknown_hand_off_is_404(offline: TestClient, engine: Engine) -> None:
    csrf = log_in(offline, engine)
    assert offline.get("/api/staff/handoffs/999").status_code == 404
    claim = offline.post("/api/staff/handoffs/999/claim", headers={CSRF_HEADER: csrf})
    assert claim.status_code == 404 and is_chinese(claim.json()["detail"])
