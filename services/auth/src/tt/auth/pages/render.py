"""HTML rendering with Jinja2 (autoescaped) and the headers every page carries."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.templating import Jinja2Templates
from starlette.responses import HTMLResponse

_TEMPLATES = Jinja2Templates(directory=str(Path(__file__).resolve().parent.parent / "templates"))

PAGE_HEADERS = {
    # Scripts and styles come from /static/auth only; no inline code, no framing.
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "frame-ancestors 'none'; form-action 'self'; base-uri 'none'"
    ),
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}


def render(
    request: Request, template: str, context: dict[str, Any], status: int = 200
) -> HTMLResponse:
    response = _TEMPLATES.TemplateResponse(request, template, context, status_code=status)
    response.headers.update(PAGE_HEADERS)
    return response


def render_login(
    request: Request, *, error: str | None = None, next_path: str = "", status: int = 200
) -> HTMLResponse:
    return render(request, "login.html", {"error": error, "next_path": next_path}, status)
