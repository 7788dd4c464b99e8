"""Stock levels, movements and transfers. They take a session and never commit.

Every change of stock locks the (warehouse, item) level rows it touches, in warehouse id
order, so concurrent movements cannot deadlock or drive stock below zero; the
``quantity_on_hand >= 0`` constraint backs that up. A transfer is one transaction: its
out and in movements share its reference id.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from tt.common.errors import NotFound, ValidationFailed
from tt.common.identity import Identity
from tt.common.pagination import PageParams
from tt.time.inventory import repository
from tt.time.inventory.models import (
    StockItem,
    StockMovement,
    StockTransfer,
    Warehouse,
    WarehouseStock,
)
from tt.time.inventory.schemas import MovementCreate, TransferCreate
from tt.time.inventory.views import (
    listed_level_view,
    recorded_movement_view,
    transfer_detail_view,
    transfer_view,
)


async def list_levels(
    session: AsyncSession,
    params: PageParams,
    *,
    warehouse_id: int | None,
    stock_item_id: int | None,
) -> tuple[list[dict[str, Any]], int]:
    rows, total = await repository.levels_page(
        session, params, warehouse_id=warehouse_id, stock_item_id=stock_item_id
    )
    return [listed_level_view(*row) for row in rows], total


async def _checked(
    session: AsyncSession, item_id: int, warehouses: dict[str, int]
) -> tuple[StockItem, dict[str, Warehouse]]:
    """The item and warehouses a movement names; 400 naming each one missing or inactive."""
    errors: dict[str, list[str]] = {}
    item = await repository.find_item(session, item_id)
    if item is None or not item.is_active:
        errors["stock_item_id"] = ["Stock item not found" if item is None else "Inactive"]
    found: dict[str, Warehouse] = {}
    for field, warehouse_id in warehouses.items():
        warehouse = await repository.find_warehouse(session, warehouse_id)
        if warehouse is None or not warehouse.is_active:
            errors[field] = ["Warehouse not found" if warehouse is None else "Inactive"]
        else:
            found[field] = warehouse
    if errors:
        raise ValidationFailed(errors)
    assert item is not None
    return item, found


def _move(level: WarehouseStock, quantity: Decimal, now: datetime) -> None:
    available = level.quantity_on_hand - level.quantity_reserved
    if quantity < 0 and available + quantity < 0:
        raise ValidationFailed.field(
            "quantity", f"Insufficient stock: {available.normalize()} available in the warehouse"
        )
    level.quantity_on_hand += quantity
    level.updated_at = now


async def record_movement(
    session: AsyncSession, identity: Identity, payload: MovementCreate
) -> dict[str, Any]:
    await _checked(session, payload.stock_item_id, {"warehouse_id": payload.warehouse_id})
    levels = await repository.lock_levels(session, payload.stock_item_id, [payload.warehouse_id])
    now = datetime.now(UTC)
    level = levels[payload.warehouse_id]
    _move(level, payload.quantity, now)
    movement = StockMovement(**payload.model_dump(), moved_by=identity.user_id, moved_at=now)
    session.add(movement)
    await session.flush()
    return recorded_movement_view(movement, level)


async def transfer(
    session: AsyncSession, identity: Identity, payload: TransferCreate
) -> tuple[StockTransfer, list[StockMovement]]:
    if payload.from_warehouse_id == payload.to_warehouse_id:
        raise ValidationFailed.field(
            "to_warehouse_id", "Source and destination warehouses must be different"
        )
    _, warehouses = await _checked(
        session,
        payload.stock_item_id,
        {
            "from_warehouse_id": payload.from_warehouse_id,
            "to_warehouse_id": payload.to_warehouse_id,
        },
    )
    source, target = warehouses["from_warehouse_id"], warehouses["to_warehouse_id"]
    levels = await repository.lock_levels(session, payload.stock_item_id, [source.id, target.id])
    now = datetime.now(UTC)
    _move(levels[source.id], -payload.quantity, now)
    _move(levels[target.id], payload.quantity, now)
    record = StockTransfer(**payload.model_dump(), moved_by=identity.user_id, moved_at=now)
    session.add(record)
    await session.flush()
    reason = f"Transfer from {source.code} to {target.code}"
    moves = [
        StockMovement(
            movement_type="transfer",
            stock_item_id=payload.stock_item_id,
            warehouse_id=warehouse_id,
            quantity=quantity,
            reference_type="transfer",
            reference_id=record.id,
            reason=reason,
            notes=payload.notes,
            moved_by=identity.user_id,
            moved_at=now,
        )
        for warehouse_id, quantity in (
            (source.id, -payload.quantity),
            (target.id, payload.quantity),
        )
    ]
    session.add_all(moves)
    await session.flush()
    record.out_movement_id, record.in_movement_id = moves[0].id, moves[1].id
    await session.flush()
    return record, moves


async def list_transfers(
    session: AsyncSession,
    params: PageParams,
    *,
    since: datetime | None,
    until: datetime | None,
) -> tuple[list[dict[str, Any]], int]:
    transfers, total = await repository.transfers_page(session, params, since=since, until=until)
    return [transfer_view(t) for t in transfers], total


async def get_transfer(session: AsyncSession, reference_id: int) -> dict[str, Any]:
    record = await repository.find_transfer(session, reference_id)
    if record is None:
        raise NotFound("Transfer not found")
    return transfer_detail_view(record, await repository.transfer_movements(session, record.id))
