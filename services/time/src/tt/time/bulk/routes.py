"""``POST /api/v1/time-entries/bulk``."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request

from tt.common.app import DbSession
from tt.common.body import json_body, json_object, parse
from tt.common.identity import Identity, require_scope
from tt.common.openapi import errors
from tt.common.responses import JSONResponse
from tt.time.bulk import service
from tt.time.bulk.schemas import BulkAction, BulkResult
from tt.time.publishers import Publisher, publisher

router = APIRouter(prefix="/api/v1/time-entries", tags=["time entries"])

Writer = Annotated[Identity, Depends(require_scope("write:time_entries"))]
Events = Annotated[Publisher, Depends(publisher)]


@router.post(
    "/bulk",
    response_model=BulkResult,
    responses=errors(400, 409, 413, 415),
    openapi_extra=json_body(BulkAction),
)
async def bulk(
    request: Request, session: DbSession, identity: Writer, events: Events
) -> JSONResponse:
    """``entry_ids`` (up to 1,000), ``action`` (``delete``, ``set_billable``, ``set_paid``,
    ``add_tag``, ``remove_tag``) and ``value``, in one transaction. Running entries, other
    users' entries (for non-admins) and approved or pending ones (for non-admins) are
    skipped and listed in ``skipped`` with the reason."""
    action = parse(BulkAction, await json_object(request))
    return JSONResponse(await service.apply(session, events, identity, action))
