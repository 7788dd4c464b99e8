"""``/api/v1/admin/api-tokens`` (admin:all): the token text is shown once, at creation."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query

from tt.auth.context import AuthContext, auth_context
from tt.auth.params import EntityId
from tt.auth.tokens import repository, service
from tt.auth.tokens.schemas import TokenCreate, TokenUpdate, token_out
from tt.common.app import DbSession
from tt.common.db import unit_of_work
from tt.common.fields import MAX_ID
from tt.common.identity import ADMIN_SCOPE, Identity, require_scope
from tt.common.pagination import PageParams, page_params, paginated
from tt.common.responses import JSONResponse

router = APIRouter(prefix="/api/v1/admin/api-tokens", tags=["api tokens"])

Admin = Annotated[Identity, Depends(require_scope(ADMIN_SCOPE))]
Context = Annotated[AuthContext, Depends(auth_context)]

CREATED_MESSAGE = "API token created successfully. Copy it now: it will not be shown again."


async def create(ctx: AuthContext, body: TokenCreate) -> dict[str, Any]:
    """Shared by the admin API and the admin page."""
    async with unit_of_work(ctx.resources.sessions) as session:
        token, text = await service.create_token(
            session,
            ctx.resources.outbox,
            user_id=body.user_id,
            name=body.name,
            scopes=body.scopes,
            # Without an expiry the token lives the default (TT_AUTH_API_TOKEN_DEFAULT_
            # EXPIRY_DAYS, 90; 0 means never): a forgotten token should not live forever.
            expires_at=body.expires_at
            or service.expiry_in_days(
                body.expires_in_days or ctx.settings.token_default_expiry_days
            ),
            description=body.description,
            limits=(body.rate_limit_per_minute, body.rate_limit_per_hour),
        )
    return {"api_token": token_out(token), "token": text, "message": CREATED_MESSAGE}


async def revoke(ctx: AuthContext, token_id: int) -> dict[str, Any]:
    async with unit_of_work(ctx.resources.sessions) as session:
        token = await service.revoke_token(session, ctx.resources.outbox, token_id)
    await ctx.credentials_changed(token_id=token.id)
    return {"message": "API token revoked", "api_token": token_out(token)}


@router.post("", status_code=201)
async def create_token(body: TokenCreate, _: Admin, ctx: Context) -> JSONResponse:
    return JSONResponse(await create(ctx, body), status_code=201)


@router.get("")
async def list_tokens(
    _: Admin,
    session: DbSession,
    params: Annotated[PageParams, Depends(page_params)],
    user_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
    active: Annotated[bool | None, Query()] = None,
) -> dict[str, Any]:
    tokens, total = await repository.page(session, params, user_id=user_id, active=active)
    return paginated("api_tokens", [token_out(t) for t in tokens], params, total)


@router.get("/{token_id}")
async def get_token(token_id: EntityId, _: Admin, session: DbSession) -> dict[str, Any]:
    return {"api_token": token_out(await service.get_token(session, token_id))}


@router.api_route("/{token_id}", methods=["PUT", "PATCH"])
async def update_token(
    token_id: EntityId, body: TokenUpdate, _: Admin, ctx: Context
) -> dict[str, Any]:
    async with unit_of_work(ctx.resources.sessions) as session:
        token = await service.update_token(session, ctx.resources.outbox, token_id, body)
    await ctx.credentials_changed(token_id=token.id)
    return {"message": "API token updated successfully", "api_token": token_out(token)}


@router.delete("/{token_id}")
async def revoke_token(token_id: EntityId, _: Admin, ctx: Context) -> dict[str, Any]:
    return await revoke(ctx, token_id)
