"""Queries on stock items, warehouses, stock levels, movements and transfers."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Row, Select, func, or_, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from tt.common.pagination import PageParams
from tt.time.inventory.models import (
    StockItem,
    StockMovement,
    StockTransfer,
    Warehouse,
    WarehouseStock,
)

# Per item: the quantity on hand over every warehouse (one grouped subquery).
_ON_HAND = (
    select(WarehouseStock.stock_item_id, func.sum(WarehouseStock.quantity_on_hand).label("qty"))
    .group_by(WarehouseStock.stock_item_id)
    .subquery()
)


async def _page(
    session: AsyncSession, query: Select[Any], params: PageParams, *order: Any
) -> tuple[Sequence[Row[Any]], int]:
    counted = await session.execute(select(func.count()).select_from(query.subquery()))
    rows = await session.execute(
        query.order_by(*order).limit(params.per_page).offset(params.offset)
    )
    return rows.all(), int(counted.scalar_one())


def _contains(text: str) -> str:
    """A LIKE pattern matching ``text`` anywhere, its wildcards taken literally."""
    return "%" + text.replace("\\", "\\\\").replace("%", r"\%").replace("_", r"\_") + "%"


# ------------------------------------------------------------------ stock items


async def items_page(
    session: AsyncSession,
    params: PageParams,
    *,
    search: str | None,
    category: str | None,
    active_only: bool,
) -> tuple[list[tuple[StockItem, Decimal | None]], int]:
    """One page of items by name, each with its quantity on hand (``None``: never
    stocked); ``search`` matches SKU, name and barcode."""
    query = select(StockItem, _ON_HAND.c.qty).outerjoin(
        _ON_HAND, _ON_HAND.c.stock_item_id == StockItem.id
    )
    if active_only:
        query = query.where(StockItem.is_active.is_(True))
    if category:
        query = query.where(StockItem.category == category)
    if search:
        columns = (StockItem.sku, StockItem.name, StockItem.barcode)
        query = query.where(or_(*(column.ilike(_contains(search)) for column in columns)))
    rows, total = await _page(session, query, params, StockItem.name, StockItem.id)
    return [(row[0], row[1]) for row in rows], total


async def find_item(session: AsyncSession, item_id: int, *, lock: bool = False) -> StockItem | None:
    query = select(StockItem).where(StockItem.id == item_id)
    return (await session.execute(query.with_for_update() if lock else query)).scalar()


async def on_hand(session: AsyncSession, item_id: int) -> Decimal:
    """The item's quantity on hand over every warehouse."""
    total = await session.execute(
        select(func.coalesce(func.sum(WarehouseStock.quantity_on_hand), 0)).where(
            WarehouseStock.stock_item_id == item_id
        )
    )
    return Decimal(total.scalar_one())


async def sku_taken(session: AsyncSession, sku: str) -> bool:
    return (
        await session.execute(select(StockItem.id).where(StockItem.sku == sku))
    ).first() is not None


# ------------------------------------------------------------------ warehouses


async def warehouses_page(
    session: AsyncSession, params: PageParams, *, active_only: bool
) -> tuple[list[Warehouse], int]:
    """One page of warehouses by code."""
    query = select(Warehouse)
    if active_only:
        query = query.where(Warehouse.is_active.is_(True))
    rows, total = await _page(session, query, params, Warehouse.code, Warehouse.id)
    return [row[0] for row in rows], total


async def find_warehouse(
    session: AsyncSession, warehouse_id: int, *, lock: bool = False
) -> Warehouse | None:
    query = select(Warehouse).where(Warehouse.id == warehouse_id)
    return (await session.execute(query.with_for_update() if lock else query)).scalar()


async def code_taken(session: AsyncSession, code: str, *, other_than: int | None = None) -> bool:
    query = select(Warehouse.id).where(Warehouse.code == code)
    if other_than is not None:
        query = query.where(Warehouse.id != other_than)
    return (await session.execute(query)).first() is not None


# ------------------------------------------------------------------ stock levels


async def levels_page(
    session: AsyncSession,
    params: PageParams,
    *,
    warehouse_id: int | None,
    stock_item_id: int | None,
) -> tuple[list[tuple[WarehouseStock, Warehouse, StockItem]], int]:
    """One page of stock levels (by warehouse code, then item name), each with its
    warehouse and item."""
    query = (
        select(WarehouseStock, Warehouse, StockItem)
        .join(Warehouse, Warehouse.id == WarehouseStock.warehouse_id)
        .join(StockItem, StockItem.id == WarehouseStock.stock_item_id)
    )
    if warehouse_id is not None:
        query = query.where(WarehouseStock.warehouse_id == warehouse_id)
    if stock_item_id is not None:
        query = query.where(WarehouseStock.stock_item_id == stock_item_id)
    rows, total = await _page(session, query, params, Warehouse.code, StockItem.name, StockItem.id)
    return [(row[0], row[1], row[2]) for row in rows], total


async def lock_levels(
    session: AsyncSession, item_id: int, warehouse_ids: Sequence[int]
) -> dict[int, WarehouseStock]:
    """The item's level rows in those warehouses (created at zero if missing), locked for
    update in warehouse id order, so concurrent movements cannot deadlock."""
    ordered = sorted(set(warehouse_ids))
    await session.execute(
        insert(WarehouseStock)
        .values([{"warehouse_id": w, "stock_item_id": item_id} for w in ordered])
        .on_conflict_do_nothing()
    )
    rows = await session.execute(
        select(WarehouseStock)
        .where(WarehouseStock.stock_item_id == item_id, WarehouseStock.warehouse_id.in_(ordered))
        .order_by(WarehouseStock.warehouse_id)
        .with_for_update()
    )
    return {level.warehouse_id: level for level in rows.scalars()}


# ------------------------------------------------------------------ transfers


async def transfers_page(
    session: AsyncSession,
    params: PageParams,
    *,
    since: datetime | None,
    until: datetime | None,
) -> tuple[list[StockTransfer], int]:
    """One page of transfers, newest first, moved within ``since``..``until``."""
    query = select(StockTransfer)
    if since is not None:
        query = query.where(StockTransfer.moved_at >= since)
    if until is not None:
        query = query.where(StockTransfer.moved_at <= until)
    order = (StockTransfer.moved_at.desc(), StockTransfer.id.desc())
    rows, total = await _page(session, query, params, *order)
    return [row[0] for row in rows], total


async def find_transfer(session: AsyncSession, reference_id: int) -> StockTransfer | None:
    return await session.get(StockTransfer, reference_id)


async def transfer_movements(session: AsyncSession, reference_id: int) -> list[StockMovement]:
    """The transfer's pair of movements: out (negative) first, then in."""
    moves = await session.execute(
        select(StockMovement)
        .where(
            StockMovement.reference_type == "transfer", StockMovement.reference_id == reference_id
        )
        .order_by(StockMovement.quantity)
    )
    return list(moves.scalars())
