"""``/api/v1/admin/timetrack-keys`` (admin:all): key/secret pairs for ``/api/v2/ext``."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, ConfigDict, Field

from tt.auth.context import AuthContext, auth_context
from tt.auth.params import EntityId
from tt.auth.timetrack import service
from tt.auth.timetrack.models import TimeTrackKey
from tt.common.app import DbSession
from tt.common.db import unit_of_work
from tt.common.fields import MAX_ID
from tt.common.identity import ADMIN_SCOPE, Identity, require_scope
from tt.common.pagination import PageParams, page_params, paginated
from tt.common.responses import JSONResponse

router = APIRouter(prefix="/api/v1/admin/timetrack-keys", tags=["timetrack keys"])

Admin = Annotated[Identity, Depends(require_scope(ADMIN_SCOPE))]
Context = Annotated[AuthContext, Depends(auth_context)]


class KeyCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    user_id: int = Field(ge=1, le=MAX_ID)


def key_out(key: TimeTrackKey) -> dict[str, Any]:
    return {
        "id": key.id,
        "user_id": key.user_id,
        "api_key": key.api_key,
        "created_at": key.created_at,
        "revoked_at": key.revoked_at,
        "is_active": key.revoked_at is None,
    }


@router.post("", status_code=201)
async def create_key(body: KeyCreate, _: Admin, session: DbSession) -> JSONResponse:
    key, secret = await service.create_key(session, body.user_id)
    return JSONResponse(
        {
            "timetrack_key": key_out(key),
            "api_secret": secret,
            "message": "TimeTrack key created. Copy the secret now: it will not be shown again.",
        },
        status_code=201,
    )


@router.get("")
async def list_keys(
    _: Admin,
    session: DbSession,
    params: Annotated[PageParams, Depends(page_params)],
    user_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
) -> dict[str, Any]:
    keys, total = await service.page(session, params, user_id=user_id)
    return paginated("timetrack_keys", [key_out(k) for k in keys], params, total)


@router.get("/{key_id}")
async def get_key(key_id: EntityId, _: Admin, session: DbSession) -> dict[str, Any]:
    return {"timetrack_key": key_out(await service.get_key(session, key_id))}


@router.delete("/{key_id}")
async def revoke_key(key_id: EntityId, _: Admin, ctx: Context) -> dict[str, Any]:
    async with unit_of_work(ctx.resources.sessions) as session:
        key = await service.revoke_key(session, key_id)
    await ctx.credentials_changed(user_id=key.user_id)
    return {"message": "TimeTrack key revoked", "timetrack_key": key_out(key)}
