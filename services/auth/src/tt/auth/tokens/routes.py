"""``/api/v1/admin/api-tokens`` (admin:all): the token text is shown once, at creation."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request

from tt.auth.params import EntityId
from tt.auth.runtime import Runtime, runtime
from tt.auth.tokens import repository, service
from tt.auth.tokens.schemas import (
    TokenAnswer,
    TokenChanged,
    TokenCreate,
    TokenCreated,
    TokenPage,
    TokenUpdate,
)
from tt.auth.tokens.views import token_view
from tt.common.app import DbSession
from tt.common.body import json_body, json_object, parse
from tt.common.db import unit_of_work
from tt.common.fields import MAX_ID
from tt.common.identity import ADMIN_SCOPE, Identity, require_scope
from tt.common.openapi import errors
from tt.common.pagination import PageParams, page_params, paginated
from tt.common.responses import JSONResponse

router = APIRouter(prefix="/api/v1/admin/api-tokens", tags=["api tokens"])

Admin = Annotated[Identity, Depends(require_scope(ADMIN_SCOPE))]
Rt = Annotated[Runtime, Depends(runtime)]

CREATED_MESSAGE = "API token created successfully. Copy it now: it will not be shown again."


async def create(rt: Runtime, body: TokenCreate) -> dict[str, Any]:
    """Shared by the admin API and the admin page."""
    async with unit_of_work(rt.resources.sessions) as session:
        token, text = await service.create_token(
            session,
            rt.resources.outbox,
            user_id=body.user_id,
            name=body.name,
            scopes=body.scopes,
            # Without an expiry the token lives the default (TT_AUTH_API_TOKEN_DEFAULT_
            # EXPIRY_DAYS, 90; 0 means never): a forgotten token should not live forever.
            expires_at=body.expires_at
            or service.expiry_in_days(
                body.expires_in_days or rt.settings.token_default_expiry_days
            ),
            description=body.description,
            limits=(body.rate_limit_per_minute, body.rate_limit_per_hour),
        )
    return {"api_token": token_view(token), "token": text, "message": CREATED_MESSAGE}


async def revoke(rt: Runtime, token_id: int) -> dict[str, Any]:
    async with unit_of_work(rt.resources.sessions) as session:
        token = await service.revoke_token(session, rt.resources.outbox, token_id)
    await rt.credentials_changed(token_id=token.id)
    return {"message": "API token revoked", "api_token": token_view(token)}


@router.post(
    "",
    status_code=201,
    response_model=TokenCreated,
    responses=errors(
        400, 413, 415, e400="a field is invalid, or the user is unknown or deactivated"
    ),
    openapi_extra=json_body(TokenCreate),
)
async def create_token(request: Request, _: Admin, rt: Rt) -> JSONResponse:
    """A new token for ``user_id``; its text is in this answer only. Without ``expires_at``
    or ``expires_in_days`` it expires after the default (90 days)."""
    body = parse(TokenCreate, await json_object(request))
    return JSONResponse(await create(rt, body), status_code=201)


@router.get("", response_model=TokenPage, responses=errors(400))
async def list_tokens(
    _: Admin,
    session: DbSession,
    params: Annotated[PageParams, Depends(page_params)],
    user_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
    active: Annotated[bool | None, Query()] = None,
) -> dict[str, Any]:
    tokens, total = await repository.page(session, params, user_id=user_id, active=active)
    return paginated("api_tokens", [token_view(t) for t in tokens], params, total)


@router.get("/{token_id}", response_model=TokenAnswer, responses=errors(404))
async def get_token(token_id: EntityId, _: Admin, session: DbSession) -> dict[str, Any]:
    return {"api_token": token_view(await service.get_token(session, token_id))}


UPDATE: dict[str, Any] = {
    "response_model": TokenChanged,
    "responses": errors(400, 404, 409, 413, 415, e409="the token is revoked"),
    "openapi_extra": json_body(TokenUpdate),
}


# PUT and PATCH alike; one route each, so each has an operation id of its own.
@router.put("/{token_id}", **UPDATE)
@router.patch("/{token_id}", **UPDATE)
async def update_token(request: Request, token_id: EntityId, _: Admin, rt: Rt) -> dict[str, Any]:
    """Change the fields sent; the owner and the secret never change."""
    body = parse(TokenUpdate, await json_object(request))
    async with unit_of_work(rt.resources.sessions) as session:
        token = await service.update_token(session, rt.resources.outbox, token_id, body)
    await rt.credentials_changed(token_id=token.id)
    return {"message": "API token updated successfully", "api_token": token_view(token)}


@router.delete("/{token_id}", response_model=TokenChanged, responses=errors(404))
async def revoke_token(token_id: EntityId, _: Admin, rt: Rt) -> dict[str, Any]:
    """Revoke the token (again: no change); the record stays."""
    return await revoke(rt, token_id)
