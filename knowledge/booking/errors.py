"""Why a booking cannot be made or changed, in words for the caller.

Each error carries a code the API maps to an HTTP status and a Chinese
message the bot can say as it is, with an alternative where there is one.
"""

from __future__ import annotations

import datetime as dt


class BookingError(Exception):
    code = "booking_error"
    status = 400

    def __init__(self, message: str, alternative: dt.date | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.alternative = alternative


class InvalidBookingError(BookingError):
    """Input that can never be booked as given (bad phone, past date …)."""

    code, status = "invalid", 422


class NotFoundError(BookingError):
    code, status = "not_found", 404


class FullError(BookingError):
    code, status = "full", 409


class DuplicateBookingError(BookingError):
    code, status = "duplicate", 409

    def __init__(self, message: str, reference: str | None = None) -> None:
        super().__init__(message)
        self.reference = reference


class StateError(BookingError):
    """The booking is not in a state that allows this (already cancelled)."""

    code, status = "conflict", 409
