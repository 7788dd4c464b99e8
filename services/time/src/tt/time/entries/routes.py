"""HTTP routes of time entries: ``/api/v1/time-entries``."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.responses import Response

from tt.common.app import DbSession, resources
from tt.common.body import json_body, json_object, parse, parse_id
from tt.common.db import raw_connection
from tt.common.idempotency import run_create
from tt.common.identity import Identity, require_scope
from tt.common.openapi import Message
from tt.common.pagination import PageParams, page_params, paginated
from tt.common.responses import JSONResponse
from tt.time.entries import service
from tt.time.entries.filters import Filter
from tt.time.entries.schemas import (
    EntryCreate,
    EntryUpdate,
    TimeEntryAnswer,
    TimeEntryPage,
    TimeEntrySaved,
)
from tt.time.publishers import Publisher, publisher
from tt.time.web.answers import CHANGED, CREATED, FOUND, LISTED, REMOVED, idempotent

router = APIRouter(prefix="/api/v1/time-entries", tags=["time entries"])

Reader = Annotated[Identity, Depends(require_scope("read:time_entries"))]
Writer = Annotated[Identity, Depends(require_scope("write:time_entries"))]
Events = Annotated[Publisher, Depends(publisher)]
UPDATE: dict[str, Any] = {
    "response_model": TimeEntrySaved,
    "responses": CHANGED,
    "openapi_extra": json_body(EntryUpdate),
}


@router.get("", response_model=TimeEntryPage, responses=LISTED)
async def list_entries(
    request: Request,
    identity: Reader,
    params: Annotated[PageParams, Depends(page_params)],
    where: Filter,
) -> JSONResponse:
    """Newest first. Running timers only with ``include_active=true``; plain dates are
    whole days in the listed user's timezone; ``user_id`` is for admins (who see
    everyone's entries when they leave it out)."""
    async with raw_connection(resources(request).engine) as conn:
        items, total = await service.list_entries(conn, identity, params, where)
    return JSONResponse(paginated("time_entries", items, params, total))


@router.get("/{entry_id:int}", response_model=TimeEntryAnswer, responses=FOUND)
async def get_entry(session: DbSession, identity: Reader, entry_id: int) -> JSONResponse:
    entry = await service.get_entry(session, identity, parse_id(entry_id, "Time entry"))
    return JSONResponse({"time_entry": entry})


@router.post(
    "",
    status_code=201,
    response_model=TimeEntrySaved,
    responses=CREATED,
    openapi_extra=idempotent(json_body(EntryCreate)),
)
async def create_entry(request: Request, identity: Writer, events: Events) -> Response:
    """Without ``end_time`` the entry is a running timer (409 if one already runs)."""
    body = await json_object(request)
    payload = parse(EntryCreate, body)

    async def work(session: AsyncSession) -> tuple[int, dict[str, Any]]:
        entry = await service.create_entry(session, events, identity, payload)
        return 201, {"message": "Time entry created successfully", "time_entry": entry}

    return await run_create(request, identity, body, work)


@router.put("/{entry_id:int}", **UPDATE)
@router.patch("/{entry_id:int}", **UPDATE)
async def update_entry(
    request: Request, session: DbSession, identity: Writer, events: Events, entry_id: int
) -> JSONResponse:
    """PUT and PATCH both change only the fields they carry."""
    target = parse_id(entry_id, "Time entry")
    payload = parse(EntryUpdate, await json_object(request))
    entry = await service.update_entry(session, events, identity, target, payload)
    return JSONResponse({"message": "Time entry updated successfully", "time_entry": entry})


@router.delete("/{entry_id:int}", response_model=Message, responses=REMOVED)
async def delete_entry(
    session: DbSession, identity: Writer, events: Events, entry_id: int
) -> JSONResponse:
    await service.delete_entry(session, events, identity, parse_id(entry_id, "Time entry"))
    return JSONResponse({"message": "Time entry deleted successfully"})
