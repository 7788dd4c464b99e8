"""Stock items and warehouses: create, read, update, deactivate (``DELETE`` keeps the row,
since movements and transfers refer to it). They take a session and never commit.
SKUs and warehouse codes are unique (409 ``conflict`` when taken)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from tt.common.errors import Conflict, NotFound
from tt.common.identity import Identity
from tt.common.pagination import PageParams
from tt.time.inventory import repository
from tt.time.inventory.models import StockItem, Warehouse
from tt.time.inventory.schemas import ItemCreate, ItemUpdate, WarehouseCreate, WarehouseUpdate
from tt.time.inventory.views import item_view, warehouse_view
from tt.time.web.updates import apply, changes

# ------------------------------------------------------------------ stock items


async def list_items(
    session: AsyncSession,
    params: PageParams,
    *,
    search: str | None,
    category: str | None,
    active_only: bool,
) -> tuple[list[dict[str, Any]], int]:
    rows, total = await repository.items_page(
        session, params, search=search, category=category, active_only=active_only
    )
    return [item_view(item, on_hand) for item, on_hand in rows], total


async def _item(session: AsyncSession, item_id: int, *, lock: bool = False) -> StockItem:
    item = await repository.find_item(session, item_id, lock=lock)
    if item is None:
        raise NotFound("Stock item not found")
    return item


async def get_item(session: AsyncSession, item_id: int) -> dict[str, Any]:
    item = await _item(session, item_id)
    return item_view(item, await repository.on_hand(session, item_id))


async def _sku_free(session: AsyncSession, sku: str) -> None:
    if await repository.sku_taken(session, sku):
        raise Conflict(f"A stock item with SKU {sku!r} already exists")


async def create_item(
    session: AsyncSession, identity: Identity, payload: ItemCreate, currency: str
) -> dict[str, Any]:
    await _sku_free(session, payload.sku)
    now = datetime.now(UTC)
    values = payload.model_dump()
    values.update(
        currency_code=values["currency_code"] or currency,
        unit=values["unit"] or "pcs",
        is_active=values["is_active"] is not False,
        is_trackable=values["is_trackable"] is not False,
    )
    item = StockItem(**values, created_by=identity.user_id, created_at=now, updated_at=now)
    session.add(item)
    await session.flush()
    return item_view(item)


async def update_item(session: AsyncSession, item_id: int, payload: ItemUpdate) -> dict[str, Any]:
    item = await _item(session, item_id, lock=True)
    required = ("name", "unit", "currency_code", "is_active", "is_trackable")
    if apply(item, changes(payload, required=required)):
        item.updated_at = datetime.now(UTC)
        await session.flush()
    return item_view(item, await repository.on_hand(session, item_id))


async def deactivate_item(session: AsyncSession, item_id: int) -> None:
    item = await _item(session, item_id, lock=True)
    if apply(item, {"is_active": False}):
        item.updated_at = datetime.now(UTC)


# ------------------------------------------------------------------ warehouses


async def list_warehouses(
    session: AsyncSession, params: PageParams, *, active_only: bool
) -> tuple[list[dict[str, Any]], int]:
    warehouses, total = await repository.warehouses_page(session, params, active_only=active_only)
    return [warehouse_view(w) for w in warehouses], total


async def _warehouse(session: AsyncSession, warehouse_id: int, *, lock: bool = False) -> Warehouse:
    warehouse = await repository.find_warehouse(session, warehouse_id, lock=lock)
    if warehouse is None:
        raise NotFound("Warehouse not found")
    return warehouse


async def get_warehouse(session: AsyncSession, warehouse_id: int) -> dict[str, Any]:
    return warehouse_view(await _warehouse(session, warehouse_id))


async def _code_free(session: AsyncSession, code: str, other_than: int | None = None) -> None:
    if await repository.code_taken(session, code, other_than=other_than):
        raise Conflict(f"A warehouse with code {code!r} already exists")


async def create_warehouse(
    session: AsyncSession, identity: Identity, payload: WarehouseCreate
) -> dict[str, Any]:
    await _code_free(session, payload.code)
    now = datetime.now(UTC)
    values = payload.model_dump()
    values["is_active"] = values["is_active"] is not False
    warehouse = Warehouse(**values, created_by=identity.user_id, created_at=now, updated_at=now)
    session.add(warehouse)
    await session.flush()
    return warehouse_view(warehouse)


async def update_warehouse(
    session: AsyncSession, warehouse_id: int, payload: WarehouseUpdate
) -> dict[str, Any]:
    warehouse = await _warehouse(session, warehouse_id, lock=True)
    values = changes(payload, required=("name", "code", "is_active"))
    if "code" in values:
        await _code_free(session, values["code"], other_than=warehouse_id)
    if apply(warehouse, values):
        warehouse.updated_at = datetime.now(UTC)
        await session.flush()
    return warehouse_view(warehouse)


async def deactivate_warehouse(session: AsyncSession, warehouse_id: int) -> None:
    warehouse = await _warehouse(session, warehouse_id, lock=True)
    if apply(warehouse, {"is_active": False}):
        warehouse.updated_at = datetime.now(UTC)
