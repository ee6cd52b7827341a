"""No full mainland mobile number in the gateway's logs: 13800001111 is
logged as 138****1111.

`install()` wraps the process's log-record factory, so every record is
masked as it is created, whatever logger made it (ours, uvicorn's access
log with its query strings, a library's exception) and whatever handler
writes it. The message, its arguments (kept as separate arguments, since
uvicorn's access formatter unpacks them) and the traceback text are
masked. Passwords and session tokens are never logged in the first place.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Mapping
from typing import Any

MOBILE = re.compile(r"(?<!\d)((?:\+?86[- ]?)?1[3-9]\d)\d{4}(\d{4})(?!\d)")


def mask_phones(text: str) -> str:
    return MOBILE.sub(r"\1****\2", text)


def _masked(value: object) -> object:
    """A string masked; another value unchanged unless its text holds a
    mobile number, in which case the masked text replaces it."""
    if isinstance(value, str):
        return mask_phones(value)
    text = str(value)
    masked = mask_phones(text)
    return value if masked == text else masked


def mask_record(record: logging.LogRecord) -> logging.LogRecord:
    record.msg = _masked(record.msg)
    if isinstance(record.args, tuple):
        record.args = tuple(_masked(arg) for arg in record.args)
    elif isinstance(record.args, Mapping):
        record.args = {key: _masked(arg) for key, arg in record.args.items()}
    if record.exc_info and not record.exc_text:
        # Formatters reuse exc_text instead of formatting the exception again.
        record.exc_text = mask_phones(logging.Formatter().formatException(record.exc_info))
    if record.stack_info:
        record.stack_info = mask_phones(record.stack_info)
    return record


class PhoneMaskingRecordFactory:
    def __init__(self, inner: Callable[..., logging.LogRecord]) -> None:
        self.inner = inner

    def __call__(self, *args: Any, **kwargs: Any) -> logging.LogRecord:
        return mask_record(self.inner(*args, **kwargs))


def install() -> None:
    """Mask every log record of this process from now on (idempotent)."""
    factory = logging.getLogRecordFactory()
    if not isinstance(factory, PhoneMaskingRecordFactory):
        logging.setLogRecordFactory(PhoneMaskingRecordFactory(factory))
