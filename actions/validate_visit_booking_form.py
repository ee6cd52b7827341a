"""The visit booking form; the conversation itself is in `booking_form`."""

from __future__ import annotations

from actions.booking_form import ValidateBookingForm


class ValidateVisitBookingForm(ValidateBookingForm):
    kind = "visit"
