"""HTTP routes of clients: ``/api/v1/clients``."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.responses import Response

from tt.common.app import DbSession
from tt.common.body import json_body, json_object, parse, parse_id
from tt.common.idempotency import run_create
from tt.common.identity import Identity, require_scope
from tt.common.openapi import Message
from tt.common.pagination import PageParams, page_params, paginated
from tt.common.responses import JSONResponse
from tt.time.clients import repository, service
from tt.time.clients.schemas import (
    ClientAnswer,
    ClientCreate,
    ClientPage,
    ClientSaved,
    ClientUpdate,
)
from tt.time.clients.views import client_view
from tt.time.publishers import Publisher, publisher
from tt.time.settings import default_currency
from tt.time.web.answers import CHANGED, CREATED, FOUND, LISTED, REMOVED, idempotent

router = APIRouter(prefix="/api/v1/clients", tags=["clients"])

Reader = Annotated[Identity, Depends(require_scope("read:clients"))]
Writer = Annotated[Identity, Depends(require_scope("write:clients"))]
Events = Annotated[Publisher, Depends(publisher)]
UPDATE: dict[str, Any] = {
    "response_model": ClientSaved,
    "responses": CHANGED,
    "openapi_extra": json_body(ClientUpdate),
}


@router.get("", response_model=ClientPage, responses=LISTED)
async def list_clients(
    session: DbSession,
    _: Reader,
    params: Annotated[PageParams, Depends(page_params)],
    status: Annotated[Literal["active", "inactive", "archived", "all"] | None, Query()] = None,
) -> JSONResponse:
    """Clients sorted by name; all statuses unless ``status`` is given."""
    rows, total = await repository.page(session, params, None if status == "all" else status)
    items = [
        client_view(
            row.Client, total_projects=row.total_projects, active_projects=row.active_projects
        )
        for row in rows
    ]
    return JSONResponse(paginated("clients", items, params, total))


@router.get("/{client_id:int}", response_model=ClientAnswer, responses=FOUND)
async def get_client(session: DbSession, _: Reader, client_id: int) -> JSONResponse:
    return JSONResponse(
        {"client": await service.get_client(session, parse_id(client_id, "Client"))}
    )


@router.post(
    "",
    status_code=201,
    response_model=ClientSaved,
    responses=CREATED,
    openapi_extra=idempotent(json_body(ClientCreate)),
)
async def create_client(request: Request, identity: Writer, events: Events) -> Response:
    body = await json_object(request)
    payload = parse(ClientCreate, body)

    async def work(session: AsyncSession) -> tuple[int, dict[str, Any]]:
        client = await service.create_client(
            session, events, identity, payload, default_currency(request)
        )
        return 201, {"message": "Client created successfully", "client": client}

    return await run_create(request, identity, body, work)


@router.put("/{client_id:int}", **UPDATE)
@router.patch("/{client_id:int}", **UPDATE)
async def update_client(
    request: Request, session: DbSession, identity: Writer, events: Events, client_id: int
) -> JSONResponse:
    target = parse_id(client_id, "Client")
    payload = parse(ClientUpdate, await json_object(request))
    client = await service.update_client(session, events, identity, target, payload)
    return JSONResponse({"message": "Client updated successfully", "client": client})


@router.delete("/{client_id:int}", response_model=Message, responses=REMOVED)
async def delete_client(
    session: DbSession, identity: Writer, events: Events, client_id: int
) -> JSONResponse:
    message = await service.delete_client(session, events, identity, parse_id(client_id, "Client"))
    return JSONResponse({"message": message})
