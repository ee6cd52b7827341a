"""Hand-off and emergency services against real SQLite and PostgreSQL."""

import pytest
from sqlalchemy import func, select

from knowledge.db import UnitOfWork, unit_of_work
from knowledge.models import EmergencyAlert, Handoff
from knowledge.services.emergency import record_emergency, request_contact_notification
from knowledge.services.handoff import (
    HandoffError,
    HandoffNotFoundError,
    active_handoff,
    claim,
    close,
    get_handoff,
    held_by,
    open_handoff,
    queue,
    release,
)

TRANSCRIPT = [{"role": "user", "text": "转人工", "time": 1.0}]


def test_handoff_is_queued_once_per_caller(engine) -> None:
    with unit_of_work(engine) as uow:
        first = open_handoff(uow, "caller-1", TRANSCRIPT, "转人工")
    with unit_of_work(engine) as uow:
        again = open_handoff(uow, "caller-1", [*TRANSCRIPT, *TRANSCRIPT], "还是要人工")
        open_handoff(uow, "caller-2", TRANSCRIPT, "找顾问")
    assert again.id == first.id
    with UnitOfWork(engine) as uow:
        waiting = queue(uow)
        assert [h.sender_id for h in waiting] == ["caller-1", "caller-2"]
        assert active_handoff(uow, "caller-1").reason == "还是要人工"
        assert len(active_handoff(uow, "caller-1").transcript) == 2


def test_failed_transaction_leaves_nothing_behind(engine) -> None:
    try:
        with unit_of_work(engine) as uow:
            open_handoff(uow, "caller-3", TRANSCRIPT, "转人工")
            raise RuntimeError("crash before commit")
    except RuntimeError:
        pass
    with UnitOfWork(engine) as uow:
        assert uow.session.execute(select(func.count(Handoff.id))).scalar_one() == 0


def test_emergency_is_recorded_and_flagged(engine) -> None:
    with unit_of_work(engine) as uow:
        record_emergency(uow, "caller-9", "俺老伴摔倒了" + "啊" * 2000)
    with unit_of_work(engine) as uow:
        flagged = request_contact_notification(uow, "caller-9")
        assert flagged is not None
    with UnitOfWork(engine) as uow:
        alert = uow.session.execute(select(EmergencyAlert)).scalar_one()
        assert alert.notify_contact is True
        assert alert.message.startswith("俺老伴摔倒了") and len(alert.message) == 1000


def test_notification_without_an_emergency_is_refused(engine) -> None:
    with unit_of_work(engine) as uow:
        assert request_contact_notification(uow, "nobody") is None


def test_one_advisor_holds_a_conversation_until_it_is_closed(engine) -> None:
    with unit_of_work(engine) as uow:
        handoff_id = open_handoff(uow, "caller-5", TRANSCRIPT, "转人工").id
    with unit_of_work(engine) as uow:
        assert claim(uow, handoff_id, "wang").claimed_by == "wang"
    with unit_of_work(engine) as uow:
        assert claim(uow, handoff_id, "wang").status == "claimed"  # a second click is harmless
    for act in (
        lambda uow: claim(uow, handoff_id, "li"),
        lambda uow: held_by(uow, handoff_id, "li"),
        lambda uow: close(uow, handoff_id, "li"),
    ):
        with pytest.raises(HandoffError, match="由wang"), unit_of_work(engine) as uow:
            act(uow)
    with unit_of_work(engine) as uow:
        assert close(uow, handoff_id, "li", admin=True).status == "closed"
    with pytest.raises(HandoffError, match="已经结束"), unit_of_work(engine) as uow:
        claim(uow, handoff_id, "wang")
    with UnitOfWork(engine) as uow:
        assert queue(uow) == [] and active_handoff(uow, "caller-5") is None


def test_a_released_claim_waits_again(engine) -> None:
    with unit_of_work(engine) as uow:
        handoff_id = open_handoff(uow, "caller-6", TRANSCRIPT, "转人工").id
    with unit_of_work(engine) as uow:
        claim(uow, handoff_id, "wang")
    with unit_of_work(engine) as uow:
        release(uow, handoff_id, "li")  # not hers to release
        assert get_handoff(uow, handoff_id).status == "claimed"
        release(uow, handoff_id, "wang")
    with UnitOfWork(engine) as uow:
        assert [(h.status, h.claimed_by) for h in queue(uow)] == [("open", None)]
    with pytest.raises(HandoffNotFoundError), unit_of_work(engine) as uow:
        claim(uow, 4242, "wang")
