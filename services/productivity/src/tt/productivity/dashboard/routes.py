"""The page ``/dashboard/productivity`` (session), rendered on the server with the
stats embedded, and the static files it loads (ours and Chart.js from npm)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Depends, FastAPI, Request
from jinja2 import Environment, PackageLoader, select_autoescape
from starlette.responses import HTMLResponse
from starlette.staticfiles import StaticFiles

from tt.common.identity import Identity, require_auth_method
from tt.productivity.settings import ProductivitySettings
from tt.productivity.stats.routes import stats_body
from tt.productivity.stats.service import DEFAULT_PERIOD

router = APIRouter(include_in_schema=False)

STATIC_PREFIX = "/static/productivity"
STATIC_DIR = Path(__file__).resolve().parent.parent / "static"
TEMPLATES = Environment(
    loader=PackageLoader("tt.productivity", "templates"),
    autoescape=select_autoescape(["html"]),
)
# Scripts and styles only from our origin (Chart.js included): no CDN, no inline code.
PAGE_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
        "frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "private, no-store",
}

SessionUser = Annotated[Identity, Depends(require_auth_method("session"))]


def embedded_json(body: bytes) -> str:
    """JSON safe inside a ``<script type="application/json">`` element."""
    return (
        body.decode()
        .replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("&", "\\u0026")
        .replace("\u2028", "\\u2028")
        .replace("\u2029", "\\u2029")
    )


@router.get("/dashboard/productivity", response_class=HTMLResponse)
async def productivity_page(request: Request, identity: SessionUser) -> HTMLResponse:
    body, _ = await stats_body(request, identity, DEFAULT_PERIOD)
    stats: dict[str, Any] = orjson.loads(body)
    html = TEMPLATES.get_template("productivity.html").render(
        username=identity.username,
        stats=stats,
        stats_json=embedded_json(body),
        static=STATIC_PREFIX,
        has_data=stats["streak"]["longest_streak"] > 0,
    )
    return HTMLResponse(html, headers=PAGE_HEADERS)


def mount_static(app: FastAPI, settings: ProductivitySettings) -> None:
    # The vendor mount goes first: the broader one would otherwise answer its paths with 404.
    app.mount(
        f"{STATIC_PREFIX}/vendor",
        StaticFiles(directory=settings.chartjs_dir, check_dir=False),
        name="productivity-vendor",
    )
    app.mount(STATIC_PREFIX, StaticFiles(directory=STATIC_DIR), name="productivity-static")
