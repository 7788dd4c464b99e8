"""``GET /login`` and the admin token page ``/admin/api-tokens`` with the session
endpoints its script calls (verify has already required an admin session and CSRF)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from sqlalchemy import select
from starlette.responses import HTMLResponse

from tt.auth.context import AuthContext, auth_context
from tt.auth.pages.render import render, render_login
from tt.auth.params import EntityId
from tt.auth.sessions.routes import safe_next
from tt.auth.tokens import repository as tokens
from tt.auth.tokens.routes import create, revoke
from tt.auth.tokens.schemas import TokenCreate
from tt.auth.users.models import User
from tt.common.app import DbSession
from tt.common.errors import Forbidden
from tt.common.identity import ALL_SCOPES, Identity, require_auth_method
from tt.common.pagination import PageParams
from tt.common.responses import JSONResponse

router = APIRouter(include_in_schema=False)

Context = Annotated[AuthContext, Depends(auth_context)]
PAGE_SIZE = 50


async def admin_session(
    identity: Annotated[Identity, Depends(require_auth_method("session"))],
) -> Identity:
    if not identity.is_admin:
        raise Forbidden("This page requires an administrator", error="Admin access required")
    return identity


AdminSession = Annotated[Identity, Depends(admin_session)]


@router.get("/login")
async def login_page(
    request: Request, next_path: Annotated[str, Query(alias="next", max_length=2000)] = ""
) -> HTMLResponse:
    return render_login(request, next_path=safe_next(next_path) if next_path else "")


@router.get("/admin/api-tokens")
async def api_tokens_page(
    request: Request,
    identity: AdminSession,
    session: DbSession,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
) -> HTMLResponse:
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


@router.post("/admin/api-tokens", status_code=201)
async def create_from_page(body: TokenCreate, _: AdminSession, ctx: Context) -> JSONResponse:
    return JSONResponse(await create(ctx, body), status_code=201)


@router.delete("/admin/api-tokens/{token_id}")
async def revoke_from_page(token_id: EntityId, _: AdminSession, ctx: Context) -> dict[str, Any]:
    return await revoke(ctx, token_id)
