"""The web pages: the family chat at `/`, the staff console at `/staff`
(its login at `/staff/login`), and their assets under `/web/`.

Only files found under gateway/web/ when the gateway starts are served,
by exact name, so no part of a URL ever reaches the file system. Every
response carries a strict Content-Security-Policy: code, styles and
images from this origin only, no inline script or style, no other host,
no framing; the pages are self-contained (no CDN, no web fonts). The
console page is on the staff router: without a session a browser is
sent to the login page and anything else gets 401.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, HTTPException
from fastapi.responses import FileResponse

from gateway.auth import staff_router

WEB_DIR = Path(__file__).resolve().parent.parent / "web"

MEDIA_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".svg": "image/svg+xml",
}
PAGES = {"chat": "index.html", "console": "staff.html", "login": "staff-login.html"}
# "console/bookings.js" → its file; pages are only served at their own paths.
ASSETS = {
    path.relative_to(WEB_DIR).as_posix(): path
    for path in sorted(WEB_DIR.rglob("*"))
    if path.suffix in MEDIA_TYPES and path.suffix != ".html"
}

SECURITY_HEADERS = {
    "Content-Security-Policy": "; ".join(
        [
            "default-src 'none'",
            "script-src 'self'",
            "style-src 'self'",
            "img-src 'self'",
            "media-src 'self' blob:",  # a spoken answer is played from a Blob
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
console = staff_router()


def _serve(path: Path) -> FileResponse:
    return FileResponse(path, media_type=MEDIA_TYPES[path.suffix], headers=SECURITY_HEADERS)


@router.get("/", include_in_schema=False)
async def page() -> FileResponse:
    return _serve(WEB_DIR / PAGES["chat"])


@router.get("/staff/login", include_in_schema=False)
async def login_page() -> FileResponse:
    return _serve(WEB_DIR / PAGES["login"])


@console.get("/staff", include_in_schema=False)
async def console_page() -> FileResponse:
    # The console's data comes from /api/staff/*, each checked on its own;
    # the page itself carries nothing but code.
    return _serve(WEB_DIR / PAGES["console"])


@router.get("/web/{name:path}", include_in_schema=False)
async def asset(name: str) -> FileResponse:
    path = ASSETS.get(name)
    if path is None:
        raise HTTPException(status_code=404)
    return _serve(path)
