"""Stock items and warehouses: create, read, update, deactivate (``DELETE`` keeps the row,
since movements and transfers refer to it). They take a session and never commit.
SKUs and warehouse codes are unique (409 ``conflict`` when taken)."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Select, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from tt.common.errors import Conflict, NotFound
from tt.common.identity import Identity
from tt.common.pagination import PageParams
from tt.time.inventory.models import StockItem, Warehouse, WarehouseStock
from tt.time.inventory.schemas import ItemCreate, ItemUpdate, WarehouseCreate, WarehouseUpdate
from tt.time.inventory.views import item_view, warehouse_view
from tt.time.web.updates import apply, changes

_ON_HAND = (
    select(WarehouseStock.stock_item_id, func.sum(WarehouseStock.quantity_on_hand).label("qty"))
    .group_by(WarehouseStock.stock_item_id)
    .subquery()
)


async def _page(
    session: AsyncSession, query: Select[Any], params: PageParams, *order: Any
) -> tuple[list[Any], int]:
    counted = await session.execute(select(func.count()).select_from(query.subquery()))
    rows = await session.execute(
        query.order_by(*order).limit(params.per_page).offset(params.offset)
    )
    return list(rows.all()), int(counted.scalar_one())


def _like(text: str) -> str:
    return "%" + text.replace("\\", "\\\\").replace("%", r"\%").replace("_", r"\_") + "%"


# ------------------------------------------------------------------ stock items


async def list_items(
    session: AsyncSession,
    params: PageParams,
    *,
    search: str | None,
    category: str | None,
    active_only: bool,
) -> tuple[list[dict[str, Any]], int]:
    query = select(StockItem, _ON_HAND.c.qty).outerjoin(
        _ON_HAND, _ON_HAND.c.stock_item_id == StockItem.id
    )
    if active_only:
        query = query.where(StockItem.is_active.is_(True))
    if category:
        query = query.where(StockItem.category == category)
    if search:
        columns = (StockItem.sku, StockItem.name, StockItem.barcode)
        query = query.where(or_(*(c.ilike(_like(search)) for c in columns)))
    rows, total = await _page(session, query, params, StockItem.name, StockItem.id)
    return [item_view(row[0], row[1]) for row in rows], total


async def _item(session: AsyncSession, item_id: int, *, lock: bool = False) -> StockItem:
    query = select(StockItem).where(StockItem.id == item_id)
    item = (await session.execute(query.with_for_update() if lock else query)).scalar()
    if item is None:
        raise NotFound("Stock item not found")
    return item


async def _on_hand(session: AsyncSession, item_id: int) -> Decimal:
    total = await session.execute(
        select(func.coalesce(func.sum(WarehouseStock.quantity_on_hand), 0)).where(
            WarehouseStock.stock_item_id == item_id
        )
    )
    return Decimal(total.scalar_one())


async def get_item(session: AsyncSession, item_id: int) -> dict[str, Any]:
    item = await _item(session, item_id)
    return item_view(item, await _on_hand(session, item_id))


async def _sku_free(session: AsyncSession, sku: str) -> None:
    if (await session.execute(select(StockItem.id).where(StockItem.sku == sku))).first():
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
    return item_view(item, await _on_hand(session, item_id))


async def deactivate_item(session: AsyncSession, item_id: int) -> None:
    item = await _item(session, item_id, lock=True)
    if apply(item, {"is_active": False}):
        item.updated_at = datetime.now(UTC)


# ------------------------------------------------------------------ warehouses


async def list_warehouses(
    session: AsyncSession, params: PageParams, *, active_only: bool
) -> tuple[list[dict[str, Any]], int]:
    query = select(Warehouse)
    if active_only:
        query = query.where(Warehouse.is_active.is_(True))
    rows, total = await _page(session, query, params, Warehouse.code, Warehouse.id)
    return [warehouse_view(row[0]) for row in rows], total


async def _warehouse(session: AsyncSession, warehouse_id: int, *, lock: bool = False) -> Warehouse:
    query = select(Warehouse).where(Warehouse.id == warehouse_id)
    warehouse = (await session.execute(query.with_for_update() if lock else query)).scalar()
    if warehouse is None:
        raise NotFound("Warehouse not found")
    return warehouse


async def get_warehouse(session: AsyncSession, warehouse_id: int) -> dict[str, Any]:
    return warehouse_view(await _warehouse(session, warehouse_id))


async def _code_free(session: AsyncSession, code: str, other_than: int | None = None) -> None:
    query = select(Warehouse.id).where(Warehouse.code == code)
    if other_than is not None:
        query = query.where(Warehouse.id != other_than)
    if (await session.execute(query)).first():
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
