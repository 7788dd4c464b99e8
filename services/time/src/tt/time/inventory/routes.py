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
from tt.common.pagination import PageParams, page_params, paginated
from tt.common.responses import JSONResponse
from tt.time.inventory import catalogue
from tt.time.inventory.schemas import ItemCreate, ItemUpdate, WarehouseCreate, WarehouseUpdate
from tt.time.settings import TimeSettings, default_currency
from tt.time.web.params import flag


async def module_enabled(request: Request) -> None:
    """FastAPI dependency: 404 (with the error body) while inventory is switched off."""
    settings: TimeSettings = request.app.state.settings
    if not settings.inventory_enabled:
        raise NotFound("The inventory module is not enabled", error="Not found")


ENABLED = [Depends(module_enabled)]
router = APIRouter(prefix="/api/v1/inventory", tags=["inventory"], dependencies=ENABLED)

Reader = Annotated[Identity, Depends(require_scope("read:projects"))]
Writer = Annotated[Identity, Depends(require_scope("write:projects"))]
Params = Annotated[PageParams, Depends(page_params)]
Short = Annotated[str | None, Query(max_length=100)]


@router.get("/items")
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


@router.post("/items", status_code=201, openapi_extra=json_body(ItemCreate), response_model=None)
async def create_item(request: Request, identity: Writer) -> Response:
    body = await json_object(request)
    payload = parse(ItemCreate, body)

    async def work(session: AsyncSession) -> tuple[int, dict[str, Any]]:
        item = await catalogue.create_item(session, identity, payload, default_currency(request))
        return 201, {"message": "Stock item created successfully", "item": item}

    return await run_create(request, identity, body, work)


@router.get("/items/{item_id:int}")
async def get_item(session: DbSession, _: Reader, item_id: int) -> JSONResponse:
    return JSONResponse({"item": await catalogue.get_item(session, parse_id(item_id, "Item"))})


@router.api_route(
    "/items/{item_id:int}",
    methods=["PUT", "PATCH"],
    openapi_extra=json_body(ItemUpdate),
    response_model=None,
)
async def update_item(
    request: Request, session: DbSession, _: Writer, item_id: int
) -> JSONResponse:
    payload = parse(ItemUpdate, await json_object(request))
    item = await catalogue.update_item(session, parse_id(item_id, "Stock item"), payload)
    return JSONResponse({"message": "Stock item updated successfully", "item": item})


@router.delete("/items/{item_id:int}")
async def deactivate_item(session: DbSession, _: Writer, item_id: int) -> JSONResponse:
    await catalogue.deactivate_item(session, parse_id(item_id, "Stock item"))
    return JSONResponse({"message": "Stock item deactivated successfully"})


@router.get("/warehouses")
async def list_warehouses(
    session: DbSession, _: Reader, params: Params, active_only: Short = None
) -> JSONResponse:
    """Warehouses by code (active ones unless ``active_only=false``)."""
    items, total = await catalogue.list_warehouses(
        session, params, active_only=flag("active_only", active_only) is not False
    )
    return JSONResponse(paginated("warehouses", items, params, total))


@router.post(
    "/warehouses", status_code=201, openapi_extra=json_body(WarehouseCreate), response_model=None
)
async def create_warehouse(request: Request, identity: Writer) -> Response:
    body = await json_object(request)
    payload = parse(WarehouseCreate, body)

    async def work(session: AsyncSession) -> tuple[int, dict[str, Any]]:
        warehouse = await catalogue.create_warehouse(session, identity, payload)
        return 201, {"message": "Warehouse created successfully", "warehouse": warehouse}

    return await run_create(request, identity, body, work)


@router.get("/warehouses/{warehouse_id:int}")
async def get_warehouse(session: DbSession, _: Reader, warehouse_id: int) -> JSONResponse:
    warehouse = await catalogue.get_warehouse(session, parse_id(warehouse_id, "Warehouse"))
    return JSONResponse({"warehouse": warehouse})


@router.api_route(
    "/warehouses/{warehouse_id:int}",
    methods=["PUT", "PATCH"],
    openapi_extra=json_body(WarehouseUpdate),
    response_model=None,
)
async def update_warehouse(
    request: Request, session: DbSession, _: Writer, warehouse_id: int
) -> JSONResponse:
    payload = parse(WarehouseUpdate, await json_object(request))
    warehouse = await catalogue.update_warehouse(
        session, parse_id(warehouse_id, "Warehouse"), payload
    )
    return JSONResponse({"message": "Warehouse updated successfully", "warehouse": warehouse})


@router.delete("/warehouses/{warehouse_id:int}")
async def deactivate_warehouse(session: DbSession, _: Writer, warehouse_id: int) -> JSONResponse:
    await catalogue.deactivate_warehouse(session, parse_id(warehouse_id, "Warehouse"))
    return JSONResponse({"message": "Warehouse deactivated successfully"})
