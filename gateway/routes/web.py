"""The family web chat: the page at `/` and its assets under `/web/`.

Only the files named here are served, so no part of a URL ever reaches the
file system. Every response carries a strict Content-Security-Policy: code,
styles and images from this origin only, no inline script or style, no
other host, no framing; the page is self-contained (no CDN, no web fonts).
"""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, HTTPException
from fastapi.responses import FileResponse

WEB_DIR = Path(__file__).resolve().parent.parent / "web"

CONTENT_TYPES = {
    "index.html": "text/html; charset=utf-8",
    "chat.css": "text/css; charset=utf-8",
    "chat.js": "text/javascript; charset=utf-8",
    "render.js": "text/javascript; charset=utf-8",
    "icon.svg": "image/svg+xml",
}

SECURITY_HEADERS = {
    "Content-Security-Policy": "; ".join(
        [
            "default-src 'none'",
            "script-src 'self'",
            "style-src 'self'",
            "img-src 'self'",
            "connect-src 'self'",
            "base-uri 'none'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ]
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    # Revalidate (cheaply, by ETag) so a new release is never mixed with old files.
    "Cache-Control": "no-cache",
}

router = APIRouter()


def _serve(name: str) -> FileResponse:
    return FileResponse(WEB_DIR / name, media_type=CONTENT_TYPES[name], headers=SECURITY_HEADERS)


@router.get("/", include_in_schema=False)
async def page() -> FileResponse:
    return _serve("index.html")


@router.get("/web/{name}", include_in_schema=False)
async def asset(name: str) -> FileResponse:
    if name == "index.html" or name not in CONTENT_TYPES:
        raise HTTPException(status_code=404)
    return _serve(name)
