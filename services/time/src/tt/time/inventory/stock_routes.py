"""HTTP routes of stock: levels, movements and transfers under ``/api/v1/inventory``
(``/transfers`` as in the seeds: list with ``date_from``/``date_to``, create, get by
reference id)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.responses import Response

from tt.common.app import DbSession
from tt.common.body import json_body, json_object, parse, parse_id
from tt.common.idempotency import run_create
from tt.common.identity import Identity, require_scope
from tt.common.pagination import PageParams, page_params, paginated
from tt.common.responses import JSONResponse
from tt.time.inventory import stock
from tt.time.inventory.routes import ENABLED, LIST_ERRORS, ONE_ERRORS, create_errors
from tt.time.inventory.schemas import (
    MovementCreate,
    MovementRecorded,
    StockLevelPage,
    TransferAnswer,
    TransferCreate,
    TransferCreated,
    TransferPage,
)
from tt.time.inventory.views import transfer_movements_view, transfer_view
from tt.time.web.params import QueryId, bound

router = APIRouter(prefix="/api/v1/inventory", tags=["inventory"], dependencies=ENABLED)

Reader = Annotated[Identity, Depends(require_scope("read:projects"))]
Writer = Annotated[Identity, Depends(require_scope("write:projects"))]
Params = Annotated[PageParams, Depends(page_params)]
Day = Annotated[str | None, Query(max_length=64)]


@router.get("/stock-levels", response_model=StockLevelPage, responses=LIST_ERRORS)
async def list_levels(
    session: DbSession,
    _: Reader,
    params: Params,
    warehouse_id: QueryId = None,
    stock_item_id: QueryId = None,
) -> JSONResponse:
    levels, total = await stock.list_levels(
        session, params, warehouse_id=warehouse_id, stock_item_id=stock_item_id
    )
    return JSONResponse(paginated("stock_levels", levels, params, total))


@router.post(
    "/movements",
    status_code=201,
    openapi_extra=json_body(MovementCreate),
    response_model=MovementRecorded,
    responses=create_errors(),
)
async def record_movement(request: Request, identity: Writer) -> Response:
    """Stock in (positive ``quantity``) or out (negative) of one warehouse; stock never
    goes below zero (400)."""
    body = await json_object(request)
    payload = parse(MovementCreate, body)

    async def work(session: AsyncSession) -> tuple[int, dict[str, Any]]:
        recorded = await stock.record_movement(session, identity, payload)
        return 201, {"message": "Stock movement recorded successfully", **recorded}

    return await run_create(request, identity, body, work)


@router.get("/transfers", response_model=TransferPage, responses=LIST_ERRORS)
async def list_transfers(
    session: DbSession,
    identity: Reader,
    params: Params,
    date_from: Day = None,
    date_to: Day = None,
) -> JSONResponse:
    """Newest first; ``date_from``/``date_to`` (YYYY-MM-DD, whole days in the caller's
    timezone) bound when they moved."""
    transfers, total = await stock.list_transfers(
        session,
        params,
        since=bound("date_from", date_from, identity.timezone, end=False),
        until=bound("date_to", date_to, identity.timezone, end=True),
    )
    return JSONResponse(paginated("transfers", transfers, params, total))


@router.post(
    "/transfers",
    status_code=201,
    openapi_extra=json_body(TransferCreate),
    response_model=TransferCreated,
    responses=create_errors(),
)
async def create_transfer(request: Request, identity: Writer) -> Response:
    """Move ``quantity`` of a stock item between two warehouses (400 if the source has
    less available): a pair of movements under one ``reference_id``."""
    body = await json_object(request)
    payload = parse(TransferCreate, body)

    async def work(session: AsyncSession) -> tuple[int, dict[str, Any]]:
        record, moves = await stock.transfer(session, identity, payload)
        return 201, {
            "message": "Stock transfer completed successfully",
            "reference_id": record.id,
            "transfer": transfer_view(record),
            "transfers": transfer_movements_view(moves),
        }

    return await run_create(request, identity, body, work)


@router.get("/transfers/{reference_id:int}", response_model=TransferAnswer, responses=ONE_ERRORS)
async def get_transfer(session: DbSession, _: Reader, reference_id: int) -> JSONResponse:
    """One transfer with its pair of movements (out, then in)."""
    transfer = await stock.get_transfer(session, parse_id(reference_id, "Transfer"))
    return JSONResponse({"transfer": transfer})
