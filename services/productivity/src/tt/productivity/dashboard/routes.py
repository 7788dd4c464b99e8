"""The page ``/dashboard/productivity`` (session), rendered on the server with the
stats embedded, and the static files it loads (ours and Chart.js from npm).

The page is in the OpenAPI document as what it is (text/html); the static files are
not: they are the page's assets, not API."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
from fastapi import APIRouter, FastAPI
from jinja2 import Environment, PackageLoader, select_autoescape
from starlette.responses import HTMLResponse
from starlette.staticfiles import StaticFiles

from tt.common.openapi import errors
from tt.productivity.settings import ProductivitySettings
from tt.productivity.stats.service import DEFAULT_PERIOD, stats_answer
from tt.productivity.web import SESSION_ONLY, Rt, SessionUser

router = APIRouter(tags=["Dashboard"])

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
ERROR_BODY = "#/components/schemas/ErrorBody"
PAGE_DOC: dict[int | str, dict[str, Any]] = {
    200: {"description": "The page, with the stats embedded"},
    302: {
        "description": "A browser (Accept: text/html) without a session is sent to "
        "/login?next=<this page> by the gateway",
        "headers": {"Location": {"schema": {"type": "string"}}},
    },
    # Spelled out: FastAPI files a ``model`` under the route's own media type (text/html),
    # but the errors are the JSON error body.
    **{
        code: {
            "description": answer["description"],
            "content": {"application/json": {"schema": {"$ref": ERROR_BODY}}},
        }
        for code, answer in errors().items()
    },
}


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


@router.get(
    "/dashboard/productivity",
    summary="The productivity dashboard page (browser session)",
    response_class=HTMLResponse,
    responses=PAGE_DOC,
    openapi_extra=SESSION_ONLY,
)
async def productivity_page(rt: Rt, identity: SessionUser) -> HTMLResponse:
    body = (await stats_answer(rt, identity, DEFAULT_PERIOD)).body
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
