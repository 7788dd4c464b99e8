"""``GET /api/docs`` (Swagger UI) and ``GET /api/openapi.json`` (the merged document).

Not in the document themselves: they are the documentation, not the API (nor is the
icon)."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from fastapi import APIRouter
from starlette.responses import HTMLResponse, Response

router = APIRouter(include_in_schema=False)

DOCUMENT = Path(__file__).resolve().parent / "openapi.json"
SWAGGER = "/static/auth/swagger"

PAGE = f"""<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>tt API</title>
  <link rel="icon" href="/static/auth/favicon.svg">
  <link rel="stylesheet" href="{SWAGGER}/swagger-ui.css">
</head>
<body>
  <div id="swagger-ui"></div>
  <script src="{SWAGGER}/swagger-ui-bundle.js"></script>
  <script src="/static/auth/api-docs.js"></script>
</body>
</html>
"""

# Swagger UI evaluates no remote code here: every script and style is served by us.
HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
        "img-src 'self' data:; connect-src 'self'; font-src 'self'; base-uri 'none'; "
        "form-action 'none'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}


@cache
def _document() -> bytes:
    return DOCUMENT.read_bytes()


@router.get("/api/openapi.json")
async def openapi_document() -> Response:
    return Response(
        _document(), media_type="application/json", headers={"Cache-Control": "public, max-age=300"}
    )


@router.get("/favicon.ico")
async def favicon() -> Response:
    """Every page's icon (browsers ask for it unprompted; a 404 is a console error)."""
    return Response(
        _favicon(), media_type="image/svg+xml", headers={"Cache-Control": "public, max-age=86400"}
    )


@cache
def _favicon() -> bytes:
    return (Path(__file__).resolve().parents[1] / "static" / "favicon.svg").read_bytes()


@router.get("/api/docs")
async def api_docs() -> HTMLResponse:
    return HTMLResponse(PAGE, headers=HEADERS)
