"""Mobile numbers are masked in every log record of the gateway process:
messages, arguments (uvicorn's access log), tracebacks."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator

import pytest
from uvicorn.logging import AccessFormatter

from gateway import log_masking
from gateway.app import create_app
from gateway.log_masking import PhoneMaskingRecordFactory, mask_phones

PHONE, MASKED = "13800001111", "138****1111"


@pytest.fixture
def plain_factory() -> Iterator[None]:
    """Start from the standard record factory and put back whatever was there."""
    before = logging.getLogRecordFactory()
    logging.setLogRecordFactory(logging.LogRecord)
    yield
    logging.setLogRecordFactory(before)


def written(formatter: logging.Formatter, log: object) -> str:
    """What a handler with `formatter` writes when `log(logger)` logs."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(formatter)
    logger = logging.getLogger("tests.log_masking")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    try:
        log(logger)  # type: ignore[operator]
    finally:
        logger.removeHandler(handler)
    return stream.getvalue()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (PHONE, MASKED),
        ("电话13912345678，谢谢", "电话139****5678，谢谢"),
        ("+8613800001111", "+86138****1111"),
        ("/api/bookings?phone=13800001111&x=1", "/api/bookings?phone=138****1111&x=1"),
        ("13800001111 和 19955556666", "138****1111 和 199****6666"),
        ("123800001111", "123800001111"),  # 12 digits: not a mobile number
        ("12800001111", "12800001111"),  # no mobile number starts with 12
        ("051000000000", "051000000000"),  # a landline
        ("预约号 235689", "预约号 235689"),
    ],
)
def test_mobile_numbers_are_masked(text: str, expected: str) -> None:
    assert mask_phones(text) == expected


def test_messages_and_arguments_are_masked(plain_factory: None) -> None:
    log_masking.install()
    output = written(
        logging.Formatter("%(message)s"),
        lambda logger: (
            logger.info("预约人 %s，联系人 %s", PHONE, 13912345678),
            logger.info(f"inline {PHONE}"),
            logger.info("%(who)s", {"who": {"phone": PHONE}}),
        ),
    )
    assert PHONE not in output and "13912345678" not in output
    assert output.splitlines() == [
        f"预约人 {MASKED}，联系人 139****5678",
        f"inline {MASKED}",
        f"{{'phone': '{MASKED}'}}",
    ]


def test_uvicorns_access_log_keeps_working_and_is_masked(plain_factory: None) -> None:
    log_masking.install()
    output = written(
        AccessFormatter("%(client_addr)s %(request_line)s %(status_code)s", use_colors=False),
        lambda logger: logger.info(
            '%s - "%s %s HTTP/%s" %d',
            "127.0.0.1:5000",
            "GET",
            f"/api/staff/bookings?phone={PHONE}",
            "1.1",
            200,
        ),
    )
    assert (
        output.strip() == f"127.0.0.1:5000 GET /api/staff/bookings?phone={MASKED} HTTP/1.1 200 OK"
    )


def test_tracebacks_are_masked(plain_factory: None) -> None:
    log_masking.install()

    def fail(logger: logging.Logger) -> None:
        try:
            raise ValueError(f"duplicate key (beneficiary_phone)=({PHONE})")
        except ValueError:
            logger.exception("unexpected error")

    output = written(logging.Formatter("%(message)s"), fail)
    assert "Traceback" in output and f"({MASKED})" in output and PHONE not in output


def test_without_the_filter_numbers_would_be_logged(plain_factory: None) -> None:
    """The check above can fail: the same record unmasked shows the number."""
    assert PHONE in written(logging.Formatter("%(message)s"), lambda logger: logger.info(PHONE))


def test_the_gateway_installs_it_once(plain_factory: None) -> None:
    create_app()
    create_app()
    factory = logging.getLogRecordFactory()
    assert isinstance(factory, PhoneMaskingRecordFactory)
    assert factory.inner is logging.LogRecord  # not wrapped twice
