"""``GET /login`` and the admin token page ``/admin/api-tokens`` with the session
endpoints its script calls (verify has already required an admin session and CSRF).

The pages are in the OpenAPI document as what they are (HTML, and the gateway's redirect
to ``/login``); the script's calls are not: they are the page's own, and the admin API
(``/api/v1/admin/api-tokens``) is what clients call."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from sqlalchemy import select
from starlette.responses import HTMLResponse

from tt.auth.access import NO_CREDENTIAL, SESSION, as_json, public_errors
from tt.auth.pages.render import render, render_login
from tt.auth.params import EntityId
from tt.auth.runtime import Runtime, runtime
from tt.auth.sessions.routes import safe_next
from tt.auth.tokens import repository as tokens
from tt.auth.tokens.routes import create, revoke
from tt.auth.tokens.schemas import TokenCreate
from tt.auth.users.models import User
from tt.common.app import DbSession
from tt.common.body import json_object, parse
from tt.common.errors import Forbidden
from tt.common.identity import ALL_SCOPES, Identity, require_auth_method
from tt.common.openapi import Responses, errors
from tt.common.pagination import PageParams
from tt.common.responses import JSONResponse

router = APIRouter(tags=["pages"])

Rt = Annotated[Runtime, Depends(runtime)]
PAGE_SIZE = 50

# A browser without an admin session is sent to the login page by the gateway (verify).
ADMIN_PAGE_ANSWERS: Responses = {
    302: {
        "description": "No session (a browser): to /login?next=<this page>",
        "headers": {"Location": {"schema": {"type": "string"}}},
    },
    **as_json(errors(400, e401="no session (not a browser)", e403="the session is not an admin's")),
}


async def admin_session(
    identity: Annotated[Identity, Depends(require_auth_method("session"))],
) -> Identity:
    if not identity.is_admin:
        raise Forbidden("This page requires an administrator", error="Admin access required")
    return identity


AdminSession = Annotated[Identity, Depends(admin_session)]


@router.get(
    "/login",
    response_class=HTMLResponse,
    responses=as_json(public_errors(400)),
    openapi_extra=NO_CREDENTIAL,
)
async def login_page(
    request: Request, next_path: Annotated[str, Query(alias="next", max_length=2000)] = ""
) -> HTMLResponse:
    """The sign-in page; its form posts to ``/login``."""
    return render_login(request, next_path=safe_next(next_path) if next_path else "")


@router.get(
    "/admin/api-tokens",
    response_class=HTMLResponse,
    responses=ADMIN_PAGE_ANSWERS,
    openapi_extra=SESSION,
)
async def api_tokens_page(
    request: Request,
    identity: AdminSession,
    session: DbSession,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
) -> HTMLResponse:
    """The administrators' token page (every user's tokens, 50 a page)."""
    params = PageParams(page=page, per_page=PAGE_SIZE)
    rows, total = await tokens.page(session, params, user_id=None, active=None)
    users = (await session.execute(select(User).order_by(User.username))).scalars().all()
    context: dict[str, Any] = {
        "csrf_token": identity.csrf_token or "",
        "username": identity.username,
        "tokens": rows,
        "users": [u for u in users if u.is_active],
        "usernames": {u.id: u.username for u in users},
        "scopes": ALL_SCOPES,
        "page": page,
        "has_next": page * PAGE_SIZE < total,
    }
    return render(request, "api_tokens.html", context)


@router.post("/admin/api-tokens", status_code=201, include_in_schema=False)
async def create_from_page(request: Request, _: AdminSession, rt: Rt) -> JSONResponse:
    body = parse(TokenCreate, await json_object(request))
    return JSONResponse(await create(rt, body), status_code=201)


@router.delete("/admin/api-tokens/{token_id}", include_in_schema=False)
async def revoke_from_page(token_id: EntityId, _: AdminSession, rt: Rt) -> dict[str, Any]:
    return await revoke(rt, token_id)
