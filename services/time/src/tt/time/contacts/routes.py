"""HTTP routes of client contacts: ``/api/v1/clients/<client_id>/contacts``."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.responses import Response

from tt.common.app import DbSession
from tt.common.body import json_body, json_object, parse, parse_id
from tt.common.idempotency import run_create
from tt.common.identity import Identity, require_scope
from tt.common.openapi import errors
from tt.common.pagination import PageParams, page_params, paginated
from tt.common.responses import JSONResponse
from tt.time.contacts import service
from tt.time.contacts.schemas import (
    ContactAnswer,
    ContactCreate,
    ContactDeleted,
    ContactPage,
    ContactSaved,
    ContactUpdate,
)

router = APIRouter(prefix="/api/v1/clients/{client_id:int}/contacts", tags=["clients"])

Reader = Annotated[Identity, Depends(require_scope("read:clients"))]
Writer = Annotated[Identity, Depends(require_scope("write:clients"))]

# What the routes answer besides their own body (every route may also answer 401, 403, 429
# and 503); 404 names a missing client or contact. Creates take an Idempotency-Key.
ONE_ERRORS = errors(400, 404)
CREATE_ERRORS = errors(
    400,
    404,
    409,
    413,
    415,
    422,
    e409="a request with the same Idempotency-Key is still running",
    e422="the Idempotency-Key was used with another body",
)
UPDATE_ERRORS = errors(400, 404, 413, 415)


@router.get("", response_model=ContactPage, responses=ONE_ERRORS)
async def list_contacts(
    session: DbSession,
    _: Reader,
    client_id: int,
    params: Annotated[PageParams, Depends(page_params)],
) -> JSONResponse:
    """The client's contacts by last name, then first name."""
    items, total = await service.list_contacts(session, parse_id(client_id, "Client"), params)
    return JSONResponse(paginated("contacts", items, params, total))


@router.post(
    "",
    status_code=201,
    openapi_extra=json_body(ContactCreate),
    response_model=ContactSaved,
    responses=CREATE_ERRORS,
)
async def create_contact(request: Request, identity: Writer, client_id: int) -> Response:
    """``first_name`` and ``last_name`` are required; ``is_primary`` makes this the
    client's one primary contact."""
    target = parse_id(client_id, "Client")
    body = await json_object(request)
    payload = parse(ContactCreate, body)

    async def work(session: AsyncSession) -> tuple[int, dict[str, Any]]:
        contact = await service.create_contact(session, identity, target, payload)
        return 201, {"message": "Contact created successfully", "contact": contact}

    return await run_create(request, identity, body, work)


@router.get("/{contact_id:int}", response_model=ContactAnswer, responses=ONE_ERRORS)
async def get_contact(
    session: DbSession, _: Reader, client_id: int, contact_id: int
) -> JSONResponse:
    contact = await service.get_contact(
        session, parse_id(client_id, "Client"), parse_id(contact_id, "Contact")
    )
    return JSONResponse({"contact": contact})


@router.api_route(
    "/{contact_id:int}",
    methods=["PUT", "PATCH"],
    openapi_extra=json_body(ContactUpdate),
    response_model=ContactSaved,
    responses=UPDATE_ERRORS,
)
async def update_contact(
    request: Request, session: DbSession, _: Writer, client_id: int, contact_id: int
) -> JSONResponse:
    payload = parse(ContactUpdate, await json_object(request))
    contact = await service.update_contact(
        session, parse_id(client_id, "Client"), parse_id(contact_id, "Contact"), payload
    )
    return JSONResponse({"message": "Contact updated successfully", "contact": contact})


@router.delete("/{contact_id:int}", response_model=ContactDeleted, responses=ONE_ERRORS)
async def delete_contact(
    session: DbSession, _: Writer, client_id: int, contact_id: int
) -> JSONResponse:
    await service.delete_contact(
        session, parse_id(client_id, "Client"), parse_id(contact_id, "Contact")
    )
    return JSONResponse({"message": "Contact deleted successfully"})
