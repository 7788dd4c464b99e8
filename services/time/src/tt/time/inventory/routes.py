"""HTTP routes of the inventory catalogue: ``/api/v1/inventory/items`` and
``/api/v1/inventory/warehouses`` (scopes ``read:projects`` / ``write:projects``, as the
seeds give the inventory routes). Every inventory route is 404 while the module is off."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.responses import Response

from tt.common.app import DbSession
from tt.common.body import json_body, json_object, parse, parse_id
from tt.common.errors import NotFound
from tt.common.idempotency import run_create
from tt.common.identity import Identity, require_scope
from tt.common.openapi import Responses, errors
from tt.common.pagination import PageParams, page_params, paginated
from tt.common.responses import JSONResponse
from tt.time.inventory import catalogue
from tt.time.inventory.schemas import (
    InventoryDeactivated,
    ItemAnswer,
    ItemCreate,
    ItemPage,
    ItemSaved,
    ItemUpdate,
    WarehouseAnswer,
    WarehouseCreate,
    WarehousePage,
    WarehouseSaved,
    WarehouseUpdate,
)
from tt.time.settings import TimeSettings, default_currency
from tt.time.web.params import flag


async def module_enabled(request: Request) -> None:
    """FastAPI dependency: 404 (with the error body) while inventory is switched off."""
    settings: TimeSettings = request.app.state.settings
    if not settings.inventory_enabled:
        raise NotFound("The inventory module is not enabled", error="Not found")


ENABLED = [Depends(module_enabled)]

# What the inventory routes answer besides their own body (every route may also answer
# 401, 403, 429 and 503, and 404 while the module is off). Creates take an Idempotency-Key.
_OFF = "the inventory module is not enabled"
LIST_ERRORS = errors(400, 404, e404=_OFF)
ONE_ERRORS = errors(400, 404, e404=f"no such record, or {_OFF}")


def create_errors(conflict: str = "") -> Responses:
    """A create's error answers; ``conflict`` words its own 409 cause, if it has one."""
    return errors(
        400,
        404,
        409,
        413,
        415,
        422,
        e404=_OFF,
        e409=f"{conflict}a request with the same Idempotency-Key is still running",
        e422="the Idempotency-Key was used with another body",
    )


ITEM_UPDATE_ERRORS = errors(400, 404, 413, 415, e404=f"no such record, or {_OFF}")
WAREHOUSE_UPDATE_ERRORS = errors(
    400, 404, 409, 413, 415, e404=f"no such record, or {_OFF}", e409="the code is taken"
)


router = APIRouter(prefix="/api/v1/inventory", tags=["inventory"], dependencies=ENABLED)

Reader = Annotated[Identity, Depends(require_scope("read:projects"))]
Writer = Annotated[Identity, Depends(require_scope("write:projects"))]
Params = Annotated[PageParams, Depends(page_params)]
Short = Annotated[str | None, Query(max_length=100)]


@router.get("/items", response_model=ItemPage, responses=LIST_ERRORS)
async def list_items(
    session: DbSession,
    _: Reader,
    params: Params,
    search: Short = None,
    category: Short = None,
    active_only: Short = None,
) -> JSONResponse:
    """Stock items by name (active ones unless ``active_only=false``); ``search`` matches
    SKU, name and barcode."""
    items, total = await catalogue.list_items(
        session,
        params,
        search=search,
        category=category,
        active_only=flag("active_only", active_only) is not False,
    )
    return JSONResponse(paginated("items", items, params, total))


@router.post(
    "/items",
    status_code=201,
    openapi_extra=json_body(ItemCreate),
    response_model=ItemSaved,
    responses=create_errors("the SKU is taken, or "),
)
async def create_item(request: Request, identity: Writer) -> Response:
    body = await json_object(request)
    payload = parse(ItemCreate, body)

    async def work(session: AsyncSession) -> tuple[int, dict[str, Any]]:
        item = await catalogue.create_item(session, identity, payload, default_currency(request))
        return 201, {"message": "Stock item created successfully", "item": item}

    return await run_create(request, identity, body, work)


@router.get("/items/{item_id:int}", response_model=ItemAnswer, responses=ONE_ERRORS)
async def get_item(session: DbSession, _: Reader, item_id: int) -> JSONResponse:
    return JSONResponse({"item": await catalogue.get_item(session, parse_id(item_id, "Item"))})


@router.api_route(
    "/items/{item_id:int}",
    methods=["PUT", "PATCH"],
    openapi_extra=json_body(ItemUpdate),
    response_model=ItemSaved,
    responses=ITEM_UPDATE_ERRORS,
)
async def update_item(
    request: Request, session: DbSession, _: Writer, item_id: int
) -> JSONResponse:
    payload = parse(ItemUpdate, await json_object(request))
    item = await catalogue.update_item(session, parse_id(item_id, "Stock item"), payload)
    return JSONResponse({"message": "Stock item updated successfully", "item": item})


@router.delete("/items/{item_id:int}", response_model=InventoryDeactivated, responses=ONE_ERRORS)
async def deactivate_item(session: DbSession, _: Writer, item_id: int) -> JSONResponse:
    await catalogue.deactivate_item(session, parse_id(item_id, "Stock item"))
    return JSONResponse({"message": "Stock item deactivated successfully"})


@router.get("/warehouses", response_model=WarehousePage, responses=LIST_ERRORS)
async def list_warehouses(
    session: DbSession, _: Reader, params: Params, active_only: Short = None
) -> JSONResponse:
    """Warehouses by code (active ones unless ``active_only=false``)."""
    items, total = await catalogue.list_warehouses(
        session, params, active_only=flag("active_only", active_only) is not False
    )
    return JSONResponse(paginated("warehouses", items, params, total))


@router.post(
    "/warehouses",
    status_code=201,
    openapi_extra=json_body(WarehouseCreate),
    response_model=WarehouseSaved,
    responses=create_errors("the code is taken, or "),
)
async def create_warehouse(request: Request, identity: Writer) -> Response:
    body = await json_object(request)
    payload = parse(WarehouseCreate, body)

    async def work(session: AsyncSession) -> tuple[int, dict[str, Any]]:
        warehouse = await catalogue.create_warehouse(session, identity, payload)
        return 201, {"message": "Warehouse created successfully", "warehouse": warehouse}

    return await run_create(request, identity, body, work)


@router.get("/warehouses/{warehouse_id:int}", response_model=WarehouseAnswer, responses=ONE_ERRORS)
async def get_warehouse(session: DbSession, _: Reader, warehouse_id: int) -> JSONResponse:
    warehouse = await catalogue.get_warehouse(session, parse_id(warehouse_id, "Warehouse"))
    return JSONResponse({"warehouse": warehouse})


@router.api_route(
    "/warehouses/{warehouse_id:int}",
    methods=["PUT", "PATCH"],
    openapi_extra=json_body(WarehouseUpdate),
    response_model=WarehouseSaved,
    responses=WAREHOUSE_UPDATE_ERRORS,
)
async def update_warehouse(
    request: Request, session: DbSession, _: Writer, warehouse_id: int
) -> JSONResponse:
    payload = parse(WarehouseUpdate, await json_object(request))
    warehouse = await catalogue.update_warehouse(
        session, parse_id(warehouse_id, "Warehouse"), payload
    )
    return JSONResponse({"message": "Warehouse updated successfully", "warehouse": warehouse})


@router.delete(
    "/warehouses/{warehouse_id:int}", response_model=InventoryDeactivated, responses=ONE_ERRORS
)
async def deactivate_warehouse(session: DbSession, _: Writer, warehouse_id: int) -> JSONResponse:
    await catalogue.deactivate_warehouse(session, parse_id(warehouse_id, "Warehouse"))
    return JSONResponse({"message": "Warehouse deactivated successfully"})
