"""Every error the gateway returns is JSON with a plain Chinese `detail`.

Shape: {"error": "<code>", "detail": "<中文说明>", "fields": [...]}; clients
show `detail` to the person, and never see a stack trace or a bare 500.
"""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from gateway.rasa_client import AssistantUnavailableError

logger = logging.getLogger(__name__)

STATUS_MESSAGES = {404: "没有这个地址", 405: "不支持这种请求方式", 413: "内容太大了"}


def error_response(status: int, code: str, detail: str, **extra: object) -> JSONResponse:
    return JSONResponse(status_code=status, content={"error": code, "detail": detail, **extra})


class RefusalError(Exception):
    """Raised anywhere in a request (a route, a dependency) to answer with
    this error instead of going on."""

    def __init__(self, status: int, code: str, detail: str, **extra: object) -> None:
        super().__init__(code)
        self.status, self.code, self.detail, self.extra = status, code, detail, extra

    def response(self) -> JSONResponse:
        return error_response(self.status, self.code, self.detail, **self.extra)


def too_large(upload: bool, limit: int) -> RefusalError:
    """413 for a request body over the limit (a file's limit is named)."""
    detail = f"文件太大了，最多{limit // 1024}KB。" if upload else "内容太大了，请缩短后再发。"
    return RefusalError(413, "body_too_large", detail)


def bad_query(name: str, message: str) -> RefusalError:
    """422 for a bad query parameter, in the shape of the global validation error."""
    fields = [{"field": name, "message": message}]
    return RefusalError(422, "invalid_request", f"请求内容有误：{message}", fields=fields)


def invalid_query(name: str, message: str) -> JSONResponse:
    return bad_query(name, message).response()


def _field_messages(error: RequestValidationError) -> list[dict[str, str]]:
    fields = []
    for item in error.errors():
        location = ".".join(str(part) for part in item.get("loc", ()) if part != "body")
        fields.append({"field": location or "body", "message": str(item.get("msg", ""))})
    return fields


def install(app: FastAPI) -> None:
    @app.exception_handler(RequestValidationError)
    async def _invalid(_: Request, error: RequestValidationError) -> JSONResponse:
        fields = _field_messages(error)
        first = fields[0]["message"] if fields else "请求格式不对"
        return error_response(422, "invalid_request", f"请求内容有误：{first}", fields=fields)

    @app.exception_handler(RefusalError)
    async def _refused(_: Request, refusal: RefusalError) -> JSONResponse:
        return refusal.response()

    @app.exception_handler(AssistantUnavailableError)
    async def _unavailable(_: Request, error: AssistantUnavailableError) -> JSONResponse:
        logger.warning("assistant unavailable: %s", error)
        return error_response(
            503, "assistant_unavailable", "助手暂时没有响应，请稍后再试，或拨打人工服务。"
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http(_: Request, error: StarletteHTTPException) -> JSONResponse:
        detail = STATUS_MESSAGES.get(error.status_code) or str(error.detail)
        return error_response(error.status_code, "http_error", detail)

    @app.exception_handler(Exception)
    async def _unexpected(_: Request, error: Exception) -> JSONResponse:
        logger.exception("unexpected error")
        return error_response(500, "internal_error", "系统出了点问题，请稍后再试。")
