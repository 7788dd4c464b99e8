"""``/api/v1/admin/timetrack-keys`` (admin:all): key/secret pairs for ``/api/v2/ext``."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request

from tt.auth.params import EntityId
from tt.auth.runtime import Runtime, runtime
from tt.auth.timetrack import service
from tt.auth.timetrack.schemas import KeyAnswer, KeyCreate, KeyCreated, KeyPage, KeyRevoked
from tt.auth.timetrack.views import key_view
from tt.common.app import DbSession
from tt.common.body import json_body, json_object, parse
from tt.common.db import unit_of_work
from tt.common.fields import MAX_ID
from tt.common.identity import ADMIN_SCOPE, Identity, require_scope
from tt.common.openapi import errors
from tt.common.pagination import PageParams, page_params, paginated
from tt.common.responses import JSONResponse

router = APIRouter(prefix="/api/v1/admin/timetrack-keys", tags=["timetrack keys"])

Admin = Annotated[Identity, Depends(require_scope(ADMIN_SCOPE))]
Rt = Annotated[Runtime, Depends(runtime)]


@router.post(
    "",
    status_code=201,
    response_model=KeyCreated,
    responses=errors(
        400, 413, 415, e400="a field is invalid, or the user is unknown or deactivated"
    ),
    openapi_extra=json_body(KeyCreate),
)
async def create_key(request: Request, _: Admin, session: DbSession) -> JSONResponse:
    """A new key pair for ``user_id``; its secret is in this answer only."""
    body = parse(KeyCreate, await json_object(request))
    key, secret = await service.create_key(session, body.user_id)
    return JSONResponse(
        {
            "timetrack_key": key_view(key),
            "api_secret": secret,
            "message": "TimeTrack key created. Copy the secret now: it will not be shown again.",
        },
        status_code=201,
    )


@router.get("", response_model=KeyPage, responses=errors(400))
async def list_keys(
    _: Admin,
    session: DbSession,
    params: Annotated[PageParams, Depends(page_params)],
    user_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
) -> dict[str, Any]:
    """Keys, newest first."""
    keys, total = await service.page(session, params, user_id=user_id)
    return paginated("timetrack_keys", [key_view(k) for k in keys], params, total)


@router.get("/{key_id}", response_model=KeyAnswer, responses=errors(404))
async def get_key(key_id: EntityId, _: Admin, session: DbSession) -> dict[str, Any]:
    return {"timetrack_key": key_view(await service.get_key(session, key_id))}


@router.delete("/{key_id}", response_model=KeyRevoked, responses=errors(404))
async def revoke_key(key_id: EntityId, _: Admin, rt: Rt) -> dict[str, Any]:
    """Revoke the key pair (again: no change); the record stays."""
    async with unit_of_work(rt.resources.sessions) as session:
        key = await service.revoke_key(session, key_id)
    await rt.credentials_changed(user_id=key.user_id)
    return {"message": "TimeTrack key revoked", "timetrack_key": key_view(key)}
