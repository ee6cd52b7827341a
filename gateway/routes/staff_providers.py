"""The provider directory in the staff console.

GET  /api/staff/providers?kind&region&district&days   inactive providers too
POST /api/staff/providers/import?dry_run=true|false   (admin) body: the CSV file itself

The import takes the file's bytes as the request body (any Content-Type,
UTF-8 or GBK as the spreadsheet saved it) and answers with the same
report the command line prints: what was added, updated or unchanged and
every bad row by the number the spreadsheet shows. Good rows are imported
even when others are bad, as on the command line; `dry_run` only checks.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Query, Request

from gateway.auth import require_admin, staff_router
from gateway.errors import RefusalError, too_large
from gateway.routes.providers import DirectoryQuery, directory_query, listing
from knowledge.booking.providers_import import ImportReport, import_providers
from knowledge.db import UnitOfWork, in_transaction

router = staff_router(prefix="/api/staff/providers")


@router.get("")
async def providers(query: Annotated[DirectoryQuery, Depends(directory_query)]) -> Any:
    return await in_transaction(listing, query.kind, query.region, query.district, query.days, True)


def report_json(report: ImportReport, dry_run: bool) -> dict[str, Any]:
    return {
        "dry_run": dry_run,
        "added": report.added,
        "updated": report.updated,
        "unchanged": report.unchanged,
        "bad_rows": report.bad_rows,
        "errors": [
            {"row": e.row, "code": e.code, "field": e.field, "message": e.message, "text": str(e)}
            for e in report.errors
        ],
    }


@router.post("/import", dependencies=[Depends(require_admin)])
async def import_csv(request: Request, dry_run: bool = Query(False)) -> Any:
    limit = request.app.state.settings.max_upload_bytes
    data = bytearray()
    async for chunk in request.stream():  # counted, since a chunked upload has no length
        data += chunk
        if len(data) > limit:
            raise too_large(True, limit)
    if not data.strip():
        raise RefusalError(422, "invalid_request", "没有收到文件内容，请选一个 CSV 文件。")

    def _import(uow: UnitOfWork) -> ImportReport:
        return import_providers(uow, bytes(data), dry_run=dry_run)

    return report_json(await in_transaction(_import), dry_run)
