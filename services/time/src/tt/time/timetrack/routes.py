"""HTTP routes of the TimeTrack entry API: ``/api/v2/ext/project_time_entries``.

Only TimeTrack key/secret callers reach it (auth verifies the pair at the gateway and
signs an identity with ``auth_method == "timetrack"``); the list answers a JSON array
(streamed, so a long one never sits in memory), create answers 201 with the entry,
update the entry, delete 204. The trailing-slash spelling of the seed's examples works.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from datetime import datetime
from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Depends, Query, Request
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.responses import Response, StreamingResponse

from tt.common.app import DbSession
from tt.common.body import json_body, json_object, parse, parse_id
from tt.common.errors import Forbidden, Unauthorized
from tt.common.idempotency import run_create
from tt.common.identity import Identity, current_identity
from tt.common.openapi import NO_CONTENT
from tt.common.resources import Resources
from tt.common.responses import JSONResponse, json_default
from tt.time.publishers import Publisher, publisher
from tt.time.timetrack import repository, service
from tt.time.timetrack.repository import ListFilter
from tt.time.timetrack.schemas import EntryCreate, EntryUpdate, TimeTrackEntry
from tt.time.timetrack.views import timetrack_view
from tt.time.web.answers import (
    CHANGED,
    CREATED,
    FOUND,
    LISTED,
    REMOVED,
    TIMETRACK,
    idempotent,
)
from tt.time.web.params import bound

log = logging.getLogger("tt.time.timetrack")

PATH = "/api/v2/ext/project_time_entries"
router = APIRouter(tags=["TimeTrack"])
PAGE = 1000


def _caller(scope: str) -> Any:
    async def dependency(identity: Identity = Depends(current_identity)) -> Identity:
        if identity.auth_method != "timetrack":
            raise Unauthorized(
                "This API takes the X-TimeTrack-Api-Key and X-TimeTrack-Api-Secret headers",
                error="Authentication required",
            )
        if not identity.has_scope(scope):
            raise Forbidden("This key's user may not do this", error="Insufficient permissions")
        return identity

    return dependency


Reader = Annotated[Identity, Depends(_caller("read:time_entries"))]
Writer = Annotated[Identity, Depends(_caller("write:time_entries"))]
Events = Annotated[Publisher, Depends(publisher)]
Text = Annotated[str | None, Query(max_length=200)]
UPDATE: dict[str, Any] = {
    "response_model": TimeTrackEntry,
    "responses": CHANGED,
    "openapi_extra": {**json_body(EntryUpdate), **TIMETRACK},
}


async def _array(
    sessions: async_sessionmaker[AsyncSession], where: ListFilter
) -> AsyncIterator[bytes]:
    yield b"["
    cursor: tuple[datetime, int] | None = None
    first = True
    while True:
        async with sessions() as session:
            rows = await repository.after(session, where, cursor, PAGE)
        chunk = b",".join(orjson.dumps(timetrack_view(row), default=json_default) for row in rows)
        if chunk:
            yield chunk if first else b"," + chunk
            first = False
        if len(rows) < PAGE:
            break
        cursor = (rows[-1]["start_time"], rows[-1]["id"])
    yield b"]"


@router.get(
    PATH,
    response_class=StreamingResponse,
    responses={200: {"model": list[TimeTrackEntry], "description": "A JSON array"}, **LISTED},
    openapi_extra=TIMETRACK,
)
@router.get(PATH + "/", include_in_schema=False, response_class=StreamingResponse)
async def list_entries(
    request: Request,
    session: DbSession,
    identity: Reader,
    clientName: Text = None,
    projectName: Text = None,
    user: Text = None,
    username: Text = None,
    from_: Annotated[str | None, Query(alias="from", max_length=64)] = None,
    to: Annotated[str | None, Query(max_length=64)] = None,
) -> StreamingResponse:
    """Project time entries (finished ones), oldest first, filtered by ``clientName``,
    ``projectName``, ``user`` (or ``username``), ``from`` and ``to`` (both bound the start
    time, inclusive; ``YYYY-MM-DDTHH:MM:SS.fffZ``)."""
    who = user or username
    owner: int | None = None if identity.acts_as_admin else identity.user_id
    if who:
        owner = await service.owner_id(session, identity, who)
    where = ListFilter(
        user_id=owner,
        client_name=clientName or None,
        project_name=projectName or None,
        start=bound("from", from_, "UTC", end=False),
        end=bound("to", to, "UTC", end=True),
    )
    res: Resources = request.app.state.resources
    return StreamingResponse(_array(res.sessions, where), media_type="application/json")


@router.post(
    PATH,
    status_code=201,
    response_model=TimeTrackEntry,
    responses=CREATED,
    openapi_extra={**idempotent(json_body(EntryCreate)), **TIMETRACK},
)
@router.post(PATH + "/", status_code=201, include_in_schema=False, response_model=None)
async def create_entry(request: Request, identity: Writer, events: Events) -> Response:
    """Required: ``clientName``, ``projectName``, ``user``, ``from``, ``to`` (400 with the
    missing ones under ``errors``)."""
    body = await json_object(request)
    payload = parse(EntryCreate, body)

    async def work(session: AsyncSession) -> tuple[int, dict[str, Any]]:
        return 201, await service.create(session, events, identity, payload)

    return await run_create(request, identity, body, work)


@router.get(
    PATH + "/{entry_id:int}",
    response_model=TimeTrackEntry,
    responses=FOUND,
    openapi_extra=TIMETRACK,
)
async def get_entry(session: DbSession, identity: Reader, entry_id: int) -> JSONResponse:
    entry = await service.get(session, identity, parse_id(entry_id, "Project time entry"))
    return JSONResponse(entry)


@router.put(PATH + "/{entry_id:int}", **UPDATE)
@router.patch(PATH + "/{entry_id:int}", **UPDATE)
async def update_entry(
    request: Request, session: DbSession, identity: Writer, events: Events, entry_id: int
) -> JSONResponse:
    """Every field but ``clientName``, ``projectName`` and ``user``."""
    payload = parse(EntryUpdate, await json_object(request))
    target = parse_id(entry_id, "Project time entry")
    return JSONResponse(await service.update(session, events, identity, target, payload))


@router.delete(
    PATH + "/{entry_id:int}",
    status_code=204,
    response_model=None,
    responses={**NO_CONTENT, **REMOVED},
    openapi_extra=TIMETRACK,
)
async def delete_entry(
    session: DbSession, identity: Writer, events: Events, entry_id: int
) -> Response:
    await service.delete(session, events, identity, parse_id(entry_id, "Project time entry"))
    return Response(status_code=204)
