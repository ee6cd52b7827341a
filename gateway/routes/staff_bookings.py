"""The bookings dashboard's API, for logged-in staff only (full phone numbers).

GET  /api/staff/bookings?date|date_from&date_to&region&provider_id&status&q&limit&offset
GET  /api/staff/bookings/export.csv?<the same filters>   at most MAX_EXPORT rows
POST /api/staff/bookings/{reference}/status  {"status": "completed"|"no_show"|"cancelled"}
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Annotated, Any

from fastapi import Depends, Query
from fastapi.responses import Response
from pydantic import BaseModel, StrictStr

from gateway.auth import Staff, staff_router
from gateway.errors import bad_query, error_response
from gateway.routes.bookings import REFERENCE, booking_json, parse_date, refusal
from gateway.routes.providers import region_filter
from knowledge.booking.errors import BookingError
from knowledge.booking.service import (
    STATUS_NAMES,
    STATUSES,
    BookingFilter,
    change_status,
    list_bookings,
)
from knowledge.db import UnitOfWork, in_transaction
from knowledge.models import Provider
from knowledge.zh.dates import MEAL_PERIODS

router = staff_router(prefix="/api/staff/bookings")

MAX_PAGE = 200
MAX_EXPORT = 10_000
MAX_TEXT = 40
# A spreadsheet runs a cell starting with one of these as a formula
# (CSV injection); such a cell is written with a leading apostrophe.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
EXPORT_COLUMNS = (
    "预约号", "状态", "日期", "餐次或时间", "服务", "送餐上门", "服务点", "地区",
    "服务对象", "服务对象电话", "地址", "预约人", "预约人电话", "关系", "备注",
    "下单时间(UTC)", "状态修改人",
)  # fmt: skip


def booking_filters(
    date: str | None = Query(None, max_length=20),
    date_from: str | None = Query(None, max_length=20),
    date_to: str | None = Query(None, max_length=20),
    provider_id: int | None = Query(None),
    region: str | None = Query(None, max_length=50),
    status: str | None = Query(None, max_length=20),
    q: str | None = Query(None, max_length=MAX_TEXT),
) -> BookingFilter:
    """The dashboard's filters, shared by the listing and the export."""
    days: dict[str, dt.date | None] = {}
    for name, value in (("date", date), ("date_from", date_from), ("date_to", date_to)):
        try:
            days[name] = parse_date(value, name) if value else None
        except ValueError as error:
            raise bad_query(name, str(error)) from None
    if days["date"] and (days["date_from"] or days["date_to"]):
        raise bad_query("date", "date 和 date_from/date_to 只能用一种")
    if status and status not in STATUSES:
        named = "、".join(f"{s}（{STATUS_NAMES[s]}）" for s in STATUSES)
        raise bad_query("status", f"status 只能是 {named}")
    return BookingFilter(
        date_from=days["date"] or days["date_from"],
        date_to=days["date"] or days["date_to"],
        provider_id=provider_id,
        region=region_filter(region),
        status=status or None,
        text=(q or "").strip() or None,
    )


Filters = Annotated[BookingFilter, Depends(booking_filters)]


def _page(uow: UnitOfWork, filters: BookingFilter, limit: int, offset: int) -> dict[str, Any]:
    total, page = list_bookings(uow, filters, limit, offset)
    items = [booking_json(booking, provider, mask=False) for booking, provider in page]
    return {"total": total, "items": items}


@router.get("")
async def bookings(filters: Filters, limit: int = Query(50), offset: int = Query(0)) -> Any:
    if not 1 <= limit <= MAX_PAGE or offset < 0:
        raise bad_query("limit", f"limit 要在1到{MAX_PAGE}之间，offset 不能小于0")
    return await in_transaction(_page, filters, limit, offset)


def _cell(value: object) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def _when(row: dict[str, Any]) -> str:
    return MEAL_PERIODS.get(row["period"] or "", "") if row["kind"] == "meal" else row["time"]


def _csv(uow: UnitOfWork, filters: BookingFilter) -> str:
    _, page = list_bookings(uow, filters, MAX_EXPORT, 0)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(EXPORT_COLUMNS)
    for booking, provider in page:
        row = booking_json(booking, provider, mask=False)
        by = row["booked_by"] or {}
        writer.writerow(
            _cell(value)
            for value in (
                row["reference"], STATUS_NAMES.get(row["status"], row["status"]), row["date"],
                _when(row), row["service"], "是" if row["delivery"] else "否",
                provider.name, provider.region, row["beneficiary"]["name"],
                row["beneficiary"]["phone"], row["beneficiary"]["address"], by.get("name"),
                by.get("phone"), by.get("relation"), row["notes"], row["created_at"],
                row["status_changed_by"],
            )
        )  # fmt: skip
    return out.getvalue()


@router.get("/export.csv")
async def export(filters: Filters) -> Response:
    """UTF-8 with a byte-order mark, which is what makes Excel on a Chinese
    Windows desktop read the file as UTF-8 instead of GBK."""
    text = await in_transaction(_csv, filters)
    name = f"bookings-{dt.date.today().isoformat()}.csv"
    return Response(
        content="\ufeff" + text,
        media_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="{name}"',
            "Cache-Control": "no-store",
        },
    )


class StatusChange(BaseModel):
    status: StrictStr

    class Config:
        extra = "forbid"


@router.post("/{reference}/status")
async def set_status(reference: str, body: StatusChange, staff: Staff) -> Any:
    if not REFERENCE.match(reference):
        return error_response(404, "not_found", "预约号是6位数字，请核对。")

    def _change(uow: UnitOfWork) -> dict[str, Any]:
        booking = change_status(uow, reference, body.status, staff.username)
        return booking_json(booking, uow.session.get(Provider, booking.provider_id), mask=False)

    try:
        return await in_transaction(_change)
    except BookingError as error:
        return refusal(error)
