"""``/admin/webhooks``: the admin page (browser session, administrators only) and the
JSON calls its script makes. Unsafe calls need ``X-CSRF-Token`` equal to the session's
CSRF token (the identity's ``csrf`` claim).

The page is in the OpenAPI document as what it is (HTML, and the gateway's redirect to
``/login``); its assets and its script's calls are not: they are the page's own, and
``/api/v1/webhooks`` is what clients call."""

from __future__ import annotations

import hmac
from pathlib import Path as FsPath
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import HTMLResponse, Response
from jinja2 import Environment, FileSystemLoader, select_autoescape

from tt.common.app import DbSession
from tt.common.body import json_object, parse
from tt.common.errors import Forbidden, NotFound
from tt.common.fields import MAX_ID
from tt.common.identity import Identity, require_admin, require_auth_method
from tt.common.openapi import Responses, errors
from tt.common.pagination import PageParams, page_params, paginated
from tt.common.responses import JSONResponse
from tt.webhooks import subscribable
from tt.webhooks.deliveries import service as deliveries
from tt.webhooks.deliveries.views import delivery_view
from tt.webhooks.runtime import Runtime, runtime
from tt.webhooks.subscriptions import service
from tt.webhooks.subscriptions.schemas import RotateSecret, WebhookCreate, WebhookUpdate
from tt.webhooks.subscriptions.views import webhook_view

HERE = FsPath(__file__).parent
ASSETS = {
    "webhooks.js": ("static/webhooks.js", "text/javascript; charset=utf-8"),
    "webhooks.css": ("static/webhooks.css", "text/css; charset=utf-8"),
}
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
PAGE_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; "
        "img-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
    ),
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}

templates = Environment(
    loader=FileSystemLoader(HERE / "templates"), autoescape=select_autoescape(["html"])
)


async def session_admin(
    request: Request,
    identity: Identity = Depends(require_auth_method("session")),
) -> Identity:
    """An administrator's browser session; unsafe methods must carry its CSRF token."""
    admin = await require_admin(identity)
    if request.method not in SAFE_METHODS:
        sent = request.headers.get("x-csrf-token", "")
        expected = identity.csrf_token or ""
        if not expected or not hmac.compare_digest(sent.encode(), expected.encode()):
            raise Forbidden("Missing or invalid X-CSRF-Token header", error="CSRF check failed")
    return admin


router = APIRouter(prefix="/admin/webhooks", tags=["pages"])

Admin = Annotated[Identity, Depends(session_admin)]
Rt = Annotated[Runtime, Depends(runtime)]
Page = Annotated[PageParams, Depends(page_params)]
WebhookId = Annotated[int, Path(ge=1, le=MAX_ID)]
DeliveryId = Annotated[int, Path(ge=1, le=MAX_ID)]


def _as_json(answers: Responses) -> Responses:
    """``answers`` of the HTML page: FastAPI documents a ``model`` in the route's media
    type, but the error body is JSON."""
    error_body = {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorBody"}}}
    return {
        code: {"description": answer["description"], "content": error_body}
        for code, answer in answers.items()
    }


# A browser without an admin session is sent to the login page by the gateway (verify).
PAGE_ANSWERS: Responses = {
    302: {
        "description": "No session (a browser): to /login?next=/admin/webhooks",
        "headers": {"Location": {"schema": {"type": "string"}}},
    },
    **_as_json(errors(e401="no session (not a browser)", e403="the session is not an admin's")),
}


@router.get(
    "",
    response_class=HTMLResponse,
    responses=PAGE_ANSWERS,
    openapi_extra={"security": [{"session": []}]},
)
async def admin_page(session: DbSession, admin: Admin) -> HTMLResponse:
    """The administrators' webhooks page (every user's webhooks, 100 at most)."""
    rows, total = await service.page(session, admin, PageParams(page=1, per_page=100))
    html = templates.get_template("webhooks.html").render(
        webhooks=[webhook_view(s) for s in rows],
        total=total,
        csrf_token=admin.csrf_token or "",
        username=admin.username,
        event_types=subscribable.EVENT_TYPES,
    )
    return HTMLResponse(html, headers=PAGE_HEADERS)


@router.get("/assets/{name}", response_model=None, include_in_schema=False)
async def asset(name: str) -> Response:
    if name not in ASSETS:
        raise NotFound("No such asset")
    path, media_type = ASSETS[name]
    return Response(
        (HERE / path).read_bytes(),
        media_type=media_type,
        headers={"Cache-Control": "no-cache", "X-Content-Type-Options": "nosniff"},
    )


@router.get("/list", response_model=None, include_in_schema=False)
async def list_webhooks(session: DbSession, admin: Admin, params: Page) -> JSONResponse:
    rows, total = await service.page(session, admin, params)
    return JSONResponse(paginated("webhooks", [webhook_view(s) for s in rows], params, total))


@router.post("", response_model=None, include_in_schema=False, status_code=201)
async def create_webhook(
    request: Request, session: DbSession, admin: Admin, rt: Rt
) -> JSONResponse:
    body = parse(WebhookCreate, await json_object(request))
    sub, secret = await service.create(session, rt, admin, body)
    return JSONResponse(
        {"webhook": webhook_view(sub), "secret": secret, "message": "Webhook created"},
        status_code=201,
    )


@router.put("/{webhook_id}", response_model=None, include_in_schema=False)
async def update_webhook(
    request: Request, webhook_id: WebhookId, session: DbSession, admin: Admin, rt: Rt
) -> JSONResponse:
    body = parse(WebhookUpdate, await json_object(request))
    sub = await service.update(session, rt, admin, webhook_id, body)
    return JSONResponse({"webhook": webhook_view(sub), "message": "Webhook updated"})


@router.delete("/{webhook_id}", response_model=None, include_in_schema=False)
async def delete_webhook(webhook_id: WebhookId, session: DbSession, admin: Admin) -> JSONResponse:
    await service.delete(session, admin, webhook_id)
    return JSONResponse({"message": "Webhook deleted"})


@router.post("/{webhook_id}/rotate-secret", response_model=None, include_in_schema=False)
async def rotate_secret(
    webhook_id: WebhookId, session: DbSession, admin: Admin, rt: Rt
) -> JSONResponse:
    sub, secret = await service.rotate_secret(session, rt, admin, webhook_id, RotateSecret())
    return JSONResponse(
        {"webhook": webhook_view(sub), "secret": secret, "message": "Secret rotated"}
    )


@router.post("/{webhook_id}/test", response_model=None, include_in_schema=False, status_code=202)
async def send_test(
    webhook_id: WebhookId, session: DbSession, admin: Admin, rt: Rt
) -> JSONResponse:
    delivery = await deliveries.send_test(session, rt, admin, webhook_id)
    return JSONResponse(
        {"delivery": delivery_view(delivery), "message": "Test event queued"}, status_code=202
    )


@router.get("/{webhook_id}/deliveries", response_model=None, include_in_schema=False)
async def list_deliveries(
    webhook_id: WebhookId,
    session: DbSession,
    admin: Admin,
    params: Page,
    status: Annotated[Literal["pending", "delivered", "failed"] | None, Query()] = None,
) -> JSONResponse:
    rows, attempts, total = await deliveries.page(session, admin, webhook_id, params, status)
    items = [delivery_view(d, attempts.get(d.id, ())) for d in rows]
    return JSONResponse(paginated("deliveries", items, params, total))


@router.post(
    "/{webhook_id}/deliveries/{delivery_id}/redeliver",
    response_model=None,
    include_in_schema=False,
    status_code=202,
)
async def redeliver(
    webhook_id: WebhookId, delivery_id: DeliveryId, session: DbSession, admin: Admin, rt: Rt
) -> JSONResponse:
    delivery = await deliveries.redeliver(session, rt, admin, webhook_id, delivery_id)
    return JSONResponse(
        {"delivery": delivery_view(delivery), "message": "Redelivery queued"}, status_code=202
    )
