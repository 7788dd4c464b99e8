"""HTTP routes of deals and leads: ``/api/v1/deals`` and ``/api/v1/leads`` (scopes
``read:clients`` / ``write:clients``)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.responses import Response

from tt.common.app import DbSession
from tt.common.body import json_body, json_object, parse, parse_id
from tt.common.idempotency import run_create
from tt.common.identity import Identity, require_scope
from tt.common.openapi import errors
from tt.common.pagination import PageParams, page_params, paginated
from tt.common.responses import JSONResponse
from tt.time.crm import service
from tt.time.crm.schemas import (
    CrmDeleted,
    DealAnswer,
    DealCreate,
    DealPage,
    DealSaved,
    DealStatus,
    DealUpdate,
    LeadAnswer,
    LeadCreate,
    LeadPage,
    LeadSaved,
    LeadStatus,
    LeadUpdate,
)
from tt.time.settings import default_currency
from tt.time.web.params import QueryId

deals = APIRouter(prefix="/api/v1/deals", tags=["deals"])
leads = APIRouter(prefix="/api/v1/leads", tags=["leads"])

Reader = Annotated[Identity, Depends(require_scope("read:clients"))]
Writer = Annotated[Identity, Depends(require_scope("write:clients"))]
Params = Annotated[PageParams, Depends(page_params)]
Short = Annotated[str | None, Query(max_length=100)]

# What the routes answer besides their own body (every route may also answer 401, 403, 429
# and 503). Creates take an Idempotency-Key (docs/api.md §5).
LIST_ERRORS = errors(400)
ONE_ERRORS = errors(400, 404)
CREATE_ERRORS = errors(
    400,
    409,
    413,
    415,
    422,
    e403="owner_id names another user (admins only)",
    e409="a request with the same Idempotency-Key is still running",
    e422="the Idempotency-Key was used with another body",
)
UPDATE_ERRORS = errors(400, 404, 413, 415, e403="owner_id names another user (admins only)")


@deals.get("", response_model=DealPage, responses=LIST_ERRORS)
async def list_deals(
    session: DbSession,
    identity: Reader,
    params: Params,
    status: Annotated[DealStatus | Literal["all"], Query()] = "open",
    stage: Short = None,
    owner: QueryId = None,
    client_id: QueryId = None,
) -> JSONResponse:
    """Open deals unless ``status`` says otherwise (``all`` for every status), by
    expected close date; yours only, or (admins) everyone's or ``owner``'s."""
    items, total = await service.list_deals(
        session,
        identity,
        params,
        status=None if status == "all" else status,
        stage=stage,
        owner=owner,
        client_id=client_id,
    )
    return JSONResponse(paginated("deals", items, params, total))


@deals.post(
    "",
    status_code=201,
    openapi_extra=json_body(DealCreate),
    response_model=DealSaved,
    responses=CREATE_ERRORS,
)
async def create_deal(request: Request, identity: Writer) -> Response:
    body = await json_object(request)
    payload = parse(DealCreate, body)

    async def work(session: AsyncSession) -> tuple[int, dict[str, Any]]:
        deal = await service.create_deal(session, identity, payload, default_currency(request))
        return 201, {"message": "Deal created successfully", "deal": deal}

    return await run_create(request, identity, body, work)


@deals.get("/{deal_id:int}", response_model=DealAnswer, responses=ONE_ERRORS)
async def get_deal(session: DbSession, identity: Reader, deal_id: int) -> JSONResponse:
    deal = await service.get_deal(session, identity, parse_id(deal_id, "Deal"))
    return JSONResponse({"deal": deal})


@deals.api_route(
    "/{deal_id:int}",
    methods=["PUT", "PATCH"],
    openapi_extra=json_body(DealUpdate),
    response_model=DealSaved,
    responses=UPDATE_ERRORS,
)
async def update_deal(
    request: Request, session: DbSession, identity: Writer, deal_id: int
) -> JSONResponse:
    payload = parse(DealUpdate, await json_object(request))
    deal = await service.update_deal(session, identity, parse_id(deal_id, "Deal"), payload)
    return JSONResponse({"message": "Deal updated successfully", "deal": deal})


@deals.delete("/{deal_id:int}", response_model=CrmDeleted, responses=ONE_ERRORS)
async def delete_deal(session: DbSession, identity: Writer, deal_id: int) -> JSONResponse:
    await service.delete_deal(session, identity, parse_id(deal_id, "Deal"))
    return JSONResponse({"message": "Deal deleted successfully"})


@leads.get("", response_model=LeadPage, responses=LIST_ERRORS)
async def list_leads(
    session: DbSession,
    identity: Reader,
    params: Params,
    status: Annotated[LeadStatus | Literal["all"] | None, Query()] = None,
    source: Short = None,
    owner: QueryId = None,
    search: Short = None,
) -> JSONResponse:
    """Open leads (not converted or lost) unless ``status`` says otherwise, best score
    first; ``search`` matches names, company and email."""
    items, total = await service.list_leads(
        session, identity, params, status=status, source=source, owner=owner, search=search
    )
    return JSONResponse(paginated("leads", items, params, total))


@leads.post(
    "",
    status_code=201,
    openapi_extra=json_body(LeadCreate),
    response_model=LeadSaved,
    responses=CREATE_ERRORS,
)
async def create_lead(request: Request, identity: Writer) -> Response:
    body = await json_object(request)
    payload = parse(LeadCreate, body)

    async def work(session: AsyncSession) -> tuple[int, dict[str, Any]]:
        lead = await service.create_lead(session, identity, payload, default_currency(request))
        return 201, {"message": "Lead created successfully", "lead": lead}

    return await run_create(request, identity, body, work)


@leads.get("/{lead_id:int}", response_model=LeadAnswer, responses=ONE_ERRORS)
async def get_lead(session: DbSession, identity: Reader, lead_id: int) -> JSONResponse:
    lead = await service.get_lead(session, identity, parse_id(lead_id, "Lead"))
    return JSONResponse({"lead": lead})


@leads.api_route(
    "/{lead_id:int}",
    methods=["PUT", "PATCH"],
    openapi_extra=json_body(LeadUpdate),
    response_model=LeadSaved,
    responses=UPDATE_ERRORS,
)
async def update_lead(
    request: Request, session: DbSession, identity: Writer, lead_id: int
) -> JSONResponse:
    payload = parse(LeadUpdate, await json_object(request))
    lead = await service.update_lead(session, identity, parse_id(lead_id, "Lead"), payload)
    return JSONResponse({"message": "Lead updated successfully", "lead": lead})


@leads.delete("/{lead_id:int}", response_model=CrmDeleted, responses=ONE_ERRORS)
async def delete_lead(session: DbSession, identity: Writer, lead_id: int) -> JSONResponse:
    await service.delete_lead(session, identity, parse_id(lead_id, "Lead"))
    return JSONResponse({"message": "Lead deleted successfully"})
